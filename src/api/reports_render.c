/* reports_render.c: official documents rendered off the worker threads and,
 * for issued versions, once (see reports_render.h).
 *
 * A rendering is a job on one queue served by one render thread, started
 * when a job arrives and ending when the queue is empty. A request that
 * needs a rendering defers its reply; the job wakes every request waiting
 * for it once done. Kept renderings (a protocol or conclusion version, an
 * extract for a state) have one job per key (kind, discussion, version,
 * state, language, format) while it is queued or running, so concurrent first requests share it;
 * the render thread looks the key up again before rendering, so a job queued just as another one
 * finished does not render twice. The bytes go to the files directory under
 * their SHA-256 and a row of report_renderings names them.
 *
 * A kept file is checked against its SHA-256 the first time this process
 * serves it (and its size every time): a damaged or missing file is
 * rendered again and its row replaced. */
#define _GNU_SOURCE
#include "reports_render.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_common.h"
#include "kengash/files.h"
#include "kengash/report.h"

/* SHA-256s of kept files this process has checked (open addressing). */
#define VERIFIED_SLOTS 4096

/* What a reply carries besides the bytes (copied from kg_render_req). */
struct reply_info {
  int bPdf;
  char zLang[4];
  char zDocSha[65];
  char zShaHeader[24];
  char zCache[64];
  char zName[96];
};

struct wait_ctx;

struct job {
  struct job *pNext;       /* the queue */
  struct job *pNextFlight; /* kept kinds: the jobs queued or running */
  int bKeep;
  char zKind[16];
  int64_t discussionId;
  int nVersion;
  int bPdf;
  enum kg_lang eLang;
  char zState[65];
  char zDocSha[65];
  json_t *pDoc; /* the model, or NULL: parse zCanon */
  char *zCanon; /* heap copy of the canonical JSON, or NULL */
  size_t nCanon;
  const char *zFiles; /* the files directory (the configuration lives for the program) */
  /* the result, read-only once bDone */
  int bDone;
  enum kg_err rc;
  char zSha[65]; /* of the bytes, when kept in a file */
  int64_t nSize;
  char *a; /* the bytes, when not kept in a file */
  size_t n;
  int nRef; /* the queue's (until done) and each waiter's */
  struct wait_ctx *pWaiters;
};

/* A request waiting for a job (its kg_req_defer context). */
struct wait_ctx {
  struct job *j;
  struct kg_req *r;
  struct wait_ctx *pNext;
  struct reply_info x;
};

static struct {
  pthread_mutex_t mutex;
  struct job *pHead, **ppTail;
  int nQueued; /* jobs in the queue, the running one not counted */
  int bThread; /* the render thread runs */
  struct job *pFlight;
  char aVerified[VERIFIED_SLOTS][65];
  int nVerified;
  atomic_llong nRenders, nKept, nHits, nShared, nRefused, nDamaged;
} g = {.mutex = PTHREAD_MUTEX_INITIALIZER};

/* 1 when q's rendering is kept: an issued version, or an extract with
 * its state. */
static int is_kept(const struct kg_render_req *q) {
  if (strcmp(q->zKind, "extract") == 0) return q->zState && q->zState[0];
  return strcmp(q->zKind, "protocol") == 0 || strcmp(q->zKind, "conclusion") == 0;
}

static const char *state_of(const struct kg_render_req *q) {
  return q->zState ? q->zState : "";
}

static void reply_info_set(struct reply_info *x, const struct kg_render_req *q) {
  x->bPdf = q->bPdf;
  snprintf(x->zLang, sizeof(x->zLang), "%s", kg_lang_tag(q->eLang));
  snprintf(x->zDocSha, sizeof(x->zDocSha), "%s", q->zDocSha);
  snprintf(x->zShaHeader, sizeof(x->zShaHeader), "%s", q->zShaHeader);
  snprintf(x->zCache, sizeof(x->zCache), "%s", q->zCache);
  snprintf(x->zName, sizeof(x->zName), "%s", q->zName);
}

static const char *content_type(int bPdf) {
  return bPdf ? "application/pdf" : "text/html; charset=utf-8";
}

/* The headers of a successful reply (the caller adds the body). */
static void reply_headers(struct kg_req *r, const struct reply_info *x) {
  kg_reply_header(r, x->zShaHeader, x->zDocSha);
  kg_reply_header(r, "Content-Language", x->zLang);
  if (x->bPdf) {
    char zDisp[160];
    snprintf(zDisp, sizeof(zDisp), "inline; filename=\"%s.pdf\"", x->zName);
    kg_reply_header(r, "Content-Disposition", zDisp);
  } else {
    kg_reply_header(r, "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; object-src 'none'; "
                    "base-uri 'none'; frame-ancestors 'none'");
  }
}

/* ---- kept files ---- */

static unsigned verified_slot(const char *zSha) {
  unsigned h = 0;
  for (int i = 0; i < 8; i++)
    h = h * 16 + (unsigned)(zSha[i] <= '9' ? zSha[i] - '0' : zSha[i] - 'a' + 10);
  return h % VERIFIED_SLOTS;
}

/* 1 when zSha was checked (bAdd 0), or records it (bAdd 1; a full table
 * records nothing: the file is then checked each time). */
static int verified(const char *zSha, int bAdd) {
  int bFound = 0;
  pthread_mutex_lock(&g.mutex);
  for (unsigned i = verified_slot(zSha), k = 0; k < VERIFIED_SLOTS; k++) {
    char *z = g.aVerified[(i + k) % VERIFIED_SLOTS];
    if (strcmp(z, zSha) == 0) {
      bFound = 1;
      break;
    }
    if (!z[0]) {
      if (bAdd && g.nVerified < VERIFIED_SLOTS / 2) {
        memcpy(z, zSha, 65);
        g.nVerified++;
      }
      break;
    }
  }
  pthread_mutex_unlock(&g.mutex);
  return bFound;
}

/* 1 when the n bytes of fd hash to zSha. */
static int file_hash_ok(int fd, const char *zSha) {
  crypto_hash_sha256_state st;
  unsigned char aBuf[65536], aSha[32];
  char zGot[65];
  off_t off = 0;
  crypto_hash_sha256_init(&st);
  for (;;) {
    ssize_t k = pread(fd, aBuf, sizeof(aBuf), off);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return 0;
    if (k == 0) break;
    crypto_hash_sha256_update(&st, aBuf, (unsigned long long)k);
    off += k;
  }
  crypto_hash_sha256_final(&st, aSha);
  kg_hex_encode(aSha, 32, zGot);
  return strcmp(zGot, zSha) == 0;
}

/* Opens the kept file zSha of nSize bytes; -1 when it is missing, of
 * another size or, on its first use by this process, damaged: then a
 * damaged file is removed (so that the rendering made again takes its
 * place), and when bReport it is counted and logged. */
static int open_kept(const char *zFiles, const char *zSha, int64_t nSize, int bReport) {
  char zPath[1200];
  struct stat st;
  int fd = -1;
  if (kg_files_path(zFiles, zSha, zPath, sizeof(zPath)) != KG_OK) return -1;
  fd = open(zPath, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size == nSize &&
      (verified(zSha, 0) || file_hash_ok(fd, zSha))) {
    verified(zSha, 1);
    return fd;
  }
  if (fd >= 0) {
    close(fd);
    unlink(zPath);
  }
  if (bReport) {
    atomic_fetch_add(&g.nDamaged, 1);
    kg_log_error("rendering file missing or damaged sha256=%s; rendering again", zSha);
  }
  return -1;
}

/* ---- the render thread ---- */

static void job_unref_locked(struct job *j) {
  if (--j->nRef > 0) return;
  json_decref(j->pDoc);
  free(j->zCanon);
  free(j->a);
  free(j);
}

static void key_of(const struct job *j, struct kg_rendering_key *k) {
  k->zKind = j->zKind;
  k->discussionId = j->discussionId;
  k->nVersion = j->nVersion;
  k->zState = j->zState;
  k->zLang = kg_lang_tag(j->eLang);
  k->zFormat = j->bPdf ? "pdf" : "html";
}

/* Renders j into j->a / j->n. */
static enum kg_err render_bytes(struct job *j) {
  if (!j->pDoc && !(j->pDoc = json_loadb(j->zCanon, j->nCanon, 0, NULL))) return KG_EINVAL;
  atomic_fetch_add(&g.nRenders, 1);
  if (j->bPdf) return kg_report_pdf(j->pDoc, j->zDocSha, j->eLang, &j->a, &j->n, NULL);
  struct kg_buf b;
  kg_buf_init(&b, KG_REPORT_MAX_BYTES);
  enum kg_err rc = kg_report_html(j->pDoc, j->zDocSha, j->eLang, &b);
  if (rc == KG_OK) j->a = kg_buf_detach(&b, &j->n);
  kg_buf_free(&b);
  return rc;
}

/* A kept kind: the file already kept (another job made it), else renders
 * and keeps it. When it cannot be kept the bytes stay in memory. */
static enum kg_err run_kept(struct job *j, struct kg_store *p) {
  struct kg_rendering_key k;
  key_of(j, &k);
  if (p && kg_store_rendering_get(p, &k, j->zSha, &j->nSize) == KG_OK) {
    int fd = open_kept(j->zFiles, j->zSha, j->nSize, 0);
    if (fd >= 0) {
      close(fd);
      return KG_OK;
    }
  }
  j->zSha[0] = 0;
  enum kg_err rc = render_bytes(j);
  if (rc) return rc;
  if (kg_files_put(j->zFiles, j->a, j->n, j->zSha) != KG_OK || !p ||
      kg_store_rendering_put(p, &k, j->zSha, (int64_t)j->n, kg_time_now()) != KG_OK) {
    kg_log_error("cannot keep a rendering kind=%s discussion=%lld; served from memory", j->zKind,
                 (long long)j->discussionId);
    j->zSha[0] = 0;
    return KG_OK;
  }
  verified(j->zSha, 1);
  atomic_fetch_add(&g.nKept, 1);
  j->nSize = (int64_t)j->n;
  free(j->a);
  j->a = NULL;
  j->n = 0;
  return KG_OK;
}

static void finish_locked(struct job *j) {
  j->bDone = 1;
  for (struct job **pp = &g.pFlight; *pp; pp = &(*pp)->pNextFlight)
    if (*pp == j) {
      *pp = j->pNextFlight;
      break;
    }
  for (struct wait_ctx *w = j->pWaiters; w; w = w->pNext)
    kg_req_resume(w->r);
  job_unref_locked(j);
}

static void *render_main(void *pArg) {
  (void)pArg;
  pthread_mutex_lock(&g.mutex);
  struct job *j;
  while ((j = g.pHead) != NULL) {
    g.pHead = j->pNext;
    if (!g.pHead) g.ppTail = &g.pHead;
    g.nQueued--;
    pthread_mutex_unlock(&g.mutex);
    enum kg_err rc = j->bKeep ? run_kept(j, kg_store_thread()) : render_bytes(j);
    pthread_mutex_lock(&g.mutex);
    j->rc = rc;
    finish_locked(j);
  }
  g.bThread = 0;
  pthread_mutex_unlock(&g.mutex);
  return NULL;
}

/* ---- requests ---- */

static void wait_free(void *pArg) {
  struct wait_ctx *w = pArg;
  pthread_mutex_lock(&g.mutex);
  /* the request ended before the job: it must not be woken */
  for (struct wait_ctx **pp = &w->j->pWaiters; !w->j->bDone && *pp; pp = &(*pp)->pNext)
    if (*pp == w) {
      *pp = w->pNext;
      break;
    }
  job_unref_locked(w->j);
  pthread_mutex_unlock(&g.mutex);
  free(w);
}

/* Replies with kept file zSha (fd open on it) of nSize bytes. */
static void reply_kept(struct kg_req *r, const struct reply_info *x, int fd, const char *zSha,
                       int64_t nSize) {
  reply_headers(r, x);
  kg_reply_file_cond(r, fd, (uint64_t)nSize, content_type(x->bPdf), zSha, x->zCache);
}

/* The deferred reply, on the request's worker thread once its job is done. */
static void job_done(struct kg_req *r, void *pArg) {
  struct wait_ctx *w = pArg;
  struct job *j = w->j;
  if (j->rc) {
    kg_reply_err(r, j->rc, w->x.bPdf ? "cannot render the PDF" : "cannot render the page");
    return;
  }
  if (j->zSha[0]) {
    int fd = open_kept(j->zFiles, j->zSha, j->nSize, 1);
    if (fd < 0) {
      kg_reply_code(r, KG_P_INTERNAL_ERROR, "the rendering's file is missing");
      return;
    }
    reply_kept(r, &w->x, fd, j->zSha, j->nSize);
    return;
  }
  /* not kept: the only waiter takes the bytes, else each gets a copy */
  char *a;
  pthread_mutex_lock(&g.mutex);
  if (j->nRef == 1) {
    a = j->a;
    j->a = NULL;
  } else {
    a = kg_xmalloc(j->n + 1);
    memcpy(a, j->a, j->n);
  }
  pthread_mutex_unlock(&g.mutex);
  reply_headers(r, &w->x);
  kg_reply_header(r, "Cache-Control", w->x.zCache);
  kg_reply_text(r, 200, content_type(w->x.bPdf), a, j->n);
}

/* The job for q: an equal kept one in flight, else a new one queued
 * (starting the render thread). NULL when the queue is full. Called with
 * g.mutex held; the returned job has a reference for the caller. */
static struct job *job_get_locked(struct kg_req *r, const struct kg_render_req *q, json_t **ppDoc,
                                  const char *zCanon, size_t nCanon) {
  int bKeep = is_kept(q);
  for (struct job *j = bKeep ? g.pFlight : NULL; j; j = j->pNextFlight)
    if (j->discussionId == q->discussionId && j->nVersion == q->nVersion && j->bPdf == q->bPdf &&
        strcmp(j->zKind, q->zKind) == 0 && j->eLang == q->eLang &&
        strcmp(j->zState, state_of(q)) == 0) {
      j->nRef++;
      atomic_fetch_add(&g.nShared, 1);
      return j;
    }
  if (g.nQueued >= KG_RENDER_QUEUE_MAX) return NULL;
  struct job *j = kg_xcalloc(1, sizeof(*j));
  j->bKeep = bKeep;
  snprintf(j->zKind, sizeof(j->zKind), "%s", q->zKind);
  j->discussionId = q->discussionId;
  j->nVersion = q->nVersion;
  j->bPdf = q->bPdf;
  j->eLang = q->eLang;
  snprintf(j->zState, sizeof(j->zState), "%s", state_of(q));
  snprintf(j->zDocSha, sizeof(j->zDocSha), "%s", q->zDocSha);
  j->pDoc = *ppDoc;
  *ppDoc = NULL;
  if (!j->pDoc) {
    j->zCanon = kg_xmalloc(nCanon + 1);
    memcpy(j->zCanon, zCanon, nCanon);
    j->nCanon = nCanon;
  }
  j->zFiles = kg_api_cfg(r)->zFiles;
  j->nRef = 2; /* the queue's and the caller's */
  if (bKeep) {
    j->pNextFlight = g.pFlight;
    g.pFlight = j;
  }
  if (!g.ppTail) g.ppTail = &g.pHead;
  *g.ppTail = j;
  g.ppTail = &j->pNext;
  g.nQueued++;
  if (!g.bThread) {
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &at, render_main, NULL) != 0) {
      kg_log_error("cannot start the render thread");
      abort(); /* as an allocation failure: nothing sensible to do */
    }
    pthread_setname_np(t, "kg-render"); /* top -H, perf */
    pthread_attr_destroy(&at);
    g.bThread = 1;
  }
  return j;
}

/* Serves the kept rendering of q when there is one and it is sound.
 * Returns 1 after replying. */
static int serve_kept(struct kg_req *r, const struct kg_render_req *q, const struct reply_info *x) {
  struct kg_store *p = kg_store_thread();
  struct kg_rendering_key k = {q->zKind,    q->discussionId,       q->nVersion,
                               state_of(q), kg_lang_tag(q->eLang), q->bPdf ? "pdf" : "html"};
  char zSha[65];
  int64_t nSize;
  if (!p || kg_store_rendering_get(p, &k, zSha, &nSize) != KG_OK) return 0;
  int fd = open_kept(kg_api_cfg(r)->zFiles, zSha, nSize, 1);
  if (fd < 0) return 0;
  atomic_fetch_add(&g.nHits, 1);
  reply_kept(r, x, fd, zSha, nSize);
  return 1;
}

void kg_api_render_serve(struct kg_req *r, const struct kg_render_req *q, json_t *pDoc,
                         const char *zCanon, size_t nCanon) {
  struct reply_info x;
  reply_info_set(&x, q);
  if (is_kept(q) && serve_kept(r, q, &x)) {
    json_decref(pDoc);
    return;
  }
  struct wait_ctx *w = kg_xcalloc(1, sizeof(*w));
  w->r = r;
  w->x = x;
  pthread_mutex_lock(&g.mutex);
  w->j = job_get_locked(r, q, &pDoc, zCanon, nCanon);
  if (!w->j) {
    pthread_mutex_unlock(&g.mutex);
    json_decref(pDoc);
    free(w);
    atomic_fetch_add(&g.nRefused, 1);
    kg_reply_header(r, "Retry-After", KG_RENDER_RETRY_AFTER);
    kg_reply_code(r, KG_P_UNAVAILABLE, "too many documents are being rendered; try again shortly");
    return;
  }
  kg_req_defer(r, job_done, w, wait_free);
  w->pNext = w->j->pWaiters;
  w->j->pWaiters = w;
  pthread_mutex_unlock(&g.mutex);
  json_decref(pDoc); /* left when an equal job was in flight */
}

void kg_api_render_metrics(struct kg_buf *b) {
  static const struct {
    const char *zName, *zHelp;
    atomic_llong *p;
  } a[] = {
      {"kengash_report_renders_total", "Official documents rendered (HTML or PDF).", &g.nRenders},
      {"kengash_report_renderings_kept_total",
       "Renderings of issued documents written to the files directory.", &g.nKept},
      {"kengash_report_rendering_hits_total", "Requests served from a kept rendering.", &g.nHits},
      {"kengash_report_rendering_shared_total",
       "Requests that waited for a rendering another request had started.", &g.nShared},
      {"kengash_report_render_refused_total",
       "Requests refused with 503 because the render queue was full.", &g.nRefused},
      {"kengash_report_rendering_damaged_total",
       "Kept renderings found missing or damaged (rendered again).", &g.nDamaged},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
    kg_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %lld\n", a[i].zName, a[i].zHelp,
                  a[i].zName, a[i].zName, (long long)atomic_load(a[i].p));
  pthread_mutex_lock(&g.mutex);
  int nQueued = g.nQueued;
  pthread_mutex_unlock(&g.mutex);
  kg_buf_printf(b,
                "# HELP kengash_report_render_queue_depth Renderings waiting for the render "
                "thread.\n# TYPE kengash_report_render_queue_depth gauge\n"
                "kengash_report_render_queue_depth %d\n",
                nQueued);
}

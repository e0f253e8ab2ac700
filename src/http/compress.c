/* compress.c: response compression for the http layer. Accept-Encoding
 * negotiation (q-values, identity, "*", br before gzip on a tie), gzip
 * (zlib) and Brotli (libbrotlienc) of a buffer, and the server's cache of
 * compressed static files: each file's variants are made once per file
 * version (its ETag) and shared by reference count with the replies in
 * flight. gzip is made on the first request that asks (level 9: a few ms
 * for the largest asset); Brotli at quality 11 costs about 0.7 s for
 * Leaflet, so it is made by one background thread, and requests that come
 * before it is ready get gzip (or identity). */
#define _GNU_SOURCE
#include <brotli/encode.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "http_int.h"

/* ---- Accept-Encoding ---- */

/* One q-value ("1", "0.5", "0.125", "1.000"): 0..1000, or -1 when malformed. */
static int parse_qvalue(const char *z, size_t n) {
  if (n == 0 || (z[0] != '0' && z[0] != '1')) return -1;
  int v = (z[0] - '0') * 1000;
  if (n == 1) return v;
  if (z[1] != '.' || n > 5) return -1;
  int nScale = 100;
  for (size_t i = 2; i < n; i++, nScale /= 10) {
    if (z[i] < '0' || z[i] > '9') return -1;
    v += (z[i] - '0') * nScale;
  }
  return v > 1000 ? -1 : v;
}

static int is_ows(char c) {
  return c == ' ' || c == '\t';
}

/* One element, a coding with an optional ";q=value" weight, of z[0..n): its coding in
 * *pzName, *pnName and its weight in *pQ (1000 when none); 0 when malformed. */
static int parse_element(const char *z, size_t n, const char **pzName, size_t *pnName, int *pQ) {
  while (n && is_ows(z[0]))
    z++, n--;
  while (n && is_ows(z[n - 1]))
    n--;
  size_t nName = 0;
  while (nName < n && z[nName] != ';' && !is_ows(z[nName]))
    nName++;
  if (nName == 0) return 0;
  for (size_t i = 0; i < nName; i++)
    if (!(z[i] == '*' || z[i] == '-' || z[i] == '_' || z[i] == '.' ||
          (z[i] >= '0' && z[i] <= '9') || ((z[i] | 0x20) >= 'a' && (z[i] | 0x20) <= 'z')))
      return 0;
  *pzName = z;
  *pnName = nName;
  *pQ = 1000;
  const char *p = z + nName, *zEnd = z + n;
  while (p < zEnd && is_ows(*p))
    p++;
  if (p == zEnd) return 1;
  if (*p++ != ';') return 0;
  while (p < zEnd && is_ows(*p))
    p++;
  if (zEnd - p < 2 || (p[0] | 0x20) != 'q' || p[1] != '=') return 0;
  *pQ = parse_qvalue(p + 2, (size_t)(zEnd - p - 2));
  return *pQ >= 0;
}

int http_ae_parse(const char *z, int aQ[KG_ENC_COUNT]) {
  aQ[KG_ENC_IDENTITY] = 1000;
  aQ[KG_ENC_GZIP] = aQ[KG_ENC_BR] = 0;
  if (!z) return 1;
  size_t nAll = strlen(z);
  if (nAll > HTTP_AE_MAX_LEN) return 0;
  int aExplicit[KG_ENC_COUNT] = {-1, -1, -1}, qStar = -1, nElem = 0;
  for (const char *p = z; p <= z + nAll;) {
    const char *zComma = memchr(p, ',', (size_t)(z + nAll - p));
    size_t n = zComma ? (size_t)(zComma - p) : (size_t)(z + nAll - p);
    const char *zName;
    size_t nName;
    int q;
    size_t nBlank = 0;
    while (nBlank < n && is_ows(p[nBlank]))
      nBlank++;
    if (nBlank < n) { /* empty elements are allowed (RFC 9110 5.6.1) */
      if (++nElem > HTTP_AE_MAX_ELEMS || !parse_element(p, n, &zName, &nName, &q)) return 0;
      if (nName == 1 && zName[0] == '*')
        qStar = q;
      else if (nName == 2 && strncasecmp(zName, "br", 2) == 0)
        aExplicit[KG_ENC_BR] = q;
      else if ((nName == 4 && strncasecmp(zName, "gzip", 4) == 0) ||
               (nName == 6 && strncasecmp(zName, "x-gzip", 6) == 0))
        aExplicit[KG_ENC_GZIP] = q;
      else if (nName == 8 && strncasecmp(zName, "identity", 8) == 0)
        aExplicit[KG_ENC_IDENTITY] = q;
    }
    if (!zComma) break;
    p = zComma + 1;
  }
  /* identity not named: acceptable (RFC 9110 12.5.3) but after any coding
   * the client did name, so with the lowest weight */
  aQ[KG_ENC_IDENTITY] = 1;
  for (int e = 0; e < KG_ENC_COUNT; e++) {
    if (aExplicit[e] >= 0)
      aQ[e] = aExplicit[e];
    else if (qStar >= 0)
      aQ[e] = qStar;
  }
  return 1;
}

enum kg_enc http_ae_choose(const int aQ[KG_ENC_COUNT], unsigned mAvail) {
  /* br before gzip before identity when their weights are equal; identity
   * when nothing is acceptable (RFC 9110 12.5.3 allows that rather than 406) */
  static const enum kg_enc aOrder[] = {KG_ENC_BR, KG_ENC_GZIP, KG_ENC_IDENTITY};
  enum kg_enc best = KG_ENC_IDENTITY;
  int qBest = 0;
  for (size_t i = 0; i < sizeof(aOrder) / sizeof(aOrder[0]); i++) {
    enum kg_enc e = aOrder[i];
    if (e != KG_ENC_IDENTITY && !(mAvail & (1u << e))) continue;
    if (aQ[e] > qBest) {
      best = e;
      qBest = aQ[e];
    }
  }
  return best;
}

const char *http_enc_name(enum kg_enc e) {
  return e == KG_ENC_BR ? "br" : e == KG_ENC_GZIP ? "gzip" : "identity";
}

const char *http_enc_etag_suffix(enum kg_enc e) {
  return e == KG_ENC_BR ? "-br" : e == KG_ENC_GZIP ? "-gz" : "";
}

int kg_http_type_compressible(const char *zType) {
  if (!zType) return 0;
  if (strncasecmp(zType, "text/", 5) == 0) return 1;
  const char *zEnd = strchr(zType, ';');
  size_t n = zEnd ? (size_t)(zEnd - zType) : strlen(zType);
  static const char *const az[] = {"json", "xml", "javascript", "svg"};
  for (size_t i = 0; i < sizeof(az) / sizeof(az[0]); i++)
    if (memmem(zType, n, az[i], strlen(az[i]))) return 1;
  return 0;
}

/* ---- compressing a buffer ---- */

static int gzip_buf(int nLevel, const char *z, size_t n, char **ppOut, size_t *pnOut) {
  z_stream s;
  memset(&s, 0, sizeof(s));
  /* 15 + 16: a gzip header and trailer; memLevel 8 is zlib's default */
  if (deflateInit2(&s, nLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
  size_t nMax = deflateBound(&s, (uLong)n);
  char *a = malloc(nMax);
  if (!a) {
    deflateEnd(&s);
    return 0;
  }
  s.next_in = (Bytef *)(uintptr_t)z;
  s.avail_in = (uInt)n;
  s.next_out = (Bytef *)a;
  s.avail_out = (uInt)nMax;
  int rc = deflate(&s, Z_FINISH);
  size_t nOut = s.total_out;
  deflateEnd(&s);
  if (rc != Z_STREAM_END) {
    free(a);
    return 0;
  }
  *ppOut = a;
  *pnOut = nOut;
  return 1;
}

static int brotli_buf(int nQuality, const char *z, size_t n, char **ppOut, size_t *pnOut) {
  size_t nMax = BrotliEncoderMaxCompressedSize(n);
  if (nMax == 0) return 0;
  char *a = malloc(nMax);
  if (!a) return 0;
  size_t nOut = nMax;
  if (!BrotliEncoderCompress(nQuality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, n,
                             (const uint8_t *)z, &nOut, (uint8_t *)a)) {
    free(a);
    return 0;
  }
  *ppOut = a;
  *pnOut = nOut;
  return 1;
}

int kg_http_compress(enum kg_enc e, int bStatic, const char *z, size_t n, char **ppOut,
                     size_t *pnOut) {
  *ppOut = NULL;
  *pnOut = 0;
  if (n > HTTP_COMPRESS_MAX_IN || (e != KG_ENC_GZIP && e != KG_ENC_BR)) return 0;
  int ok = e == KG_ENC_GZIP ? gzip_buf(bStatic ? HTTP_GZIP_LEVEL_STATIC : HTTP_GZIP_LEVEL_DYNAMIC,
                                       z, n, ppOut, pnOut)
                            : brotli_buf(bStatic ? HTTP_BR_QUALITY_STATIC : HTTP_BR_QUALITY_DYNAMIC,
                                         z, n, ppOut, pnOut);
  if (ok && *pnOut < n) return 1;
  free(*ppOut);
  *ppOut = NULL;
  *pnOut = 0;
  return 0;
}

/* ---- shared compressed bytes ---- */

struct http_blob *http_blob_new(char *z, size_t n) {
  struct http_blob *b = kg_xmalloc(sizeof(*b));
  atomic_init(&b->nRef, 1);
  b->z = z;
  b->n = n;
  return b;
}

void http_blob_release(void *pArg) {
  struct http_blob *b = pArg;
  if (b && atomic_fetch_sub(&b->nRef, 1) == 1) {
    free(b->z);
    free(b);
  }
}

/* ---- the static files' variants ---- */

#define STATIC_BUCKETS 256
#define STATIC_MAX_BYTES ((size_t)16 << 20) /* compressed bytes held */

enum { VAR_NONE = 0, VAR_QUEUED, VAR_DONE };

struct static_entry {
  struct static_entry *pNext;
  char *zFile;
  char zEtag[64];
  int aState[KG_ENC_COUNT];
  struct http_blob *apVar[KG_ENC_COUNT]; /* NULL when done: not smaller */
};

struct job {
  struct job *pNext;
  char *zFile;
  char zEtag[64];
};

struct http_static {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct static_entry *apBucket[STATIC_BUCKETS];
  size_t nBytes;
  struct job *pJobs; /* Brotli to make, first in first out */
  struct job **ppJobsTail;
  pthread_t thread;
  int bThread;
  int bStop;
};

struct http_static *http_static_new(void) {
  struct http_static *p = kg_xcalloc(1, sizeof(*p));
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  p->ppJobsTail = &p->pJobs;
  return p;
}

static void entry_clear_variants(struct http_static *p, struct static_entry *pE) {
  for (int e = 0; e < KG_ENC_COUNT; e++) {
    if (pE->apVar[e]) p->nBytes -= pE->apVar[e]->n;
    http_blob_release(pE->apVar[e]);
    pE->apVar[e] = NULL;
    pE->aState[e] = VAR_NONE;
  }
}

void http_static_free(struct http_static *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->bStop = 1;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
  if (p->bThread) pthread_join(p->thread, NULL);
  for (struct job *j = p->pJobs, *pNext; j; j = pNext) {
    pNext = j->pNext;
    free(j->zFile);
    free(j);
  }
  for (int i = 0; i < STATIC_BUCKETS; i++) {
    for (struct static_entry *pE = p->apBucket[i], *pNext; pE; pE = pNext) {
      pNext = pE->pNext;
      entry_clear_variants(p, pE);
      free(pE->zFile);
      free(pE);
    }
  }
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->mu);
  free(p);
}

static uint32_t hash_str(const char *z) {
  uint32_t h = 2166136261u;
  for (; *z; z++)
    h = (h ^ (unsigned char)*z) * 16777619u;
  return h;
}

/* zFile's entry for version zEtag, made (or reset, when the file changed)
 * as needed. Under p->mu. */
static struct static_entry *entry_get(struct http_static *p, const char *zFile, const char *zEtag) {
  struct static_entry **pp = &p->apBucket[hash_str(zFile) % STATIC_BUCKETS];
  for (struct static_entry *pE = *pp; pE; pE = pE->pNext) {
    if (strcmp(pE->zFile, zFile) != 0) continue;
    if (strcmp(pE->zEtag, zEtag) != 0) {
      entry_clear_variants(p, pE);
      snprintf(pE->zEtag, sizeof(pE->zEtag), "%s", zEtag);
    }
    return pE;
  }
  struct static_entry *pE = kg_xcalloc(1, sizeof(*pE));
  pE->zFile = kg_xstrdup(zFile);
  snprintf(pE->zEtag, sizeof(pE->zEtag), "%s", zEtag);
  pE->pNext = *pp;
  *pp = pE;
  return pE;
}

/* Stores b (may be NULL: not worth it) as variant e of zFile's version
 * zEtag, unless the file changed meanwhile or the byte budget is spent
 * (then it is dropped and made again next time). Takes b's reference. */
static void entry_put(struct http_static *p, const char *zFile, const char *zEtag, enum kg_enc e,
                      struct http_blob *b) {
  pthread_mutex_lock(&p->mu);
  struct static_entry *pE = entry_get(p, zFile, zEtag);
  if (pE->aState[e] == VAR_DONE || (b && p->nBytes + b->n > STATIC_MAX_BYTES)) {
    if (pE->aState[e] == VAR_QUEUED) pE->aState[e] = VAR_NONE;
  } else {
    pE->apVar[e] = b;
    pE->aState[e] = VAR_DONE;
    if (b) p->nBytes += b->n;
    b = NULL;
  }
  pthread_mutex_unlock(&p->mu);
  http_blob_release(b);
}

/* The whole of fd (nSize bytes) in a malloc'd buffer, or NULL. */
static char *read_all(int fd, size_t nSize) {
  char *a = malloc(nSize ? nSize : 1);
  if (!a) return NULL;
  size_t nDone = 0;
  while (nDone < nSize) {
    ssize_t k = pread(fd, a + nDone, nSize - nDone, (off_t)nDone);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      free(a);
      return NULL;
    }
    nDone += (size_t)k;
  }
  return a;
}

/* Compresses nSize bytes of fd with e at the static level; a blob (or NULL
 * when not smaller or unreadable) in *ppBlob. 0 when the file could not be
 * read. */
static int compress_fd(int fd, size_t nSize, enum kg_enc e, struct http_blob **ppBlob) {
  *ppBlob = NULL;
  char *zIn = read_all(fd, nSize);
  if (!zIn) return 0;
  char *zOut;
  size_t nOut;
  if (kg_http_compress(e, 1, zIn, nSize, &zOut, &nOut)) *ppBlob = http_blob_new(zOut, nOut);
  free(zIn);
  return 1;
}

void http_file_etag(const struct stat *st, char *zOut, size_t nOut) {
  snprintf(zOut, nOut, "%llx-%llx", (unsigned long long)st->st_size,
           (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
               (unsigned long long)st->st_mtim.tv_nsec);
}

static void run_job(struct http_static *p, struct job *j) {
  int fd = open(j->zFile, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct stat st;
  char zEtag[64] = "";
  struct http_blob *b = NULL;
  int ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
           (size_t)st.st_size <= HTTP_COMPRESS_MAX_IN;
  if (ok) http_file_etag(&st, zEtag, sizeof(zEtag));
  ok = ok && strcmp(zEtag, j->zEtag) == 0 && compress_fd(fd, (size_t)st.st_size, KG_ENC_BR, &b);
  if (fd >= 0) close(fd);
  if (ok) {
    entry_put(p, j->zFile, j->zEtag, KG_ENC_BR, b);
  } else { /* changed or unreadable: let a later request queue it again */
    pthread_mutex_lock(&p->mu);
    struct static_entry *pE = entry_get(p, j->zFile, j->zEtag);
    if (pE->aState[KG_ENC_BR] == VAR_QUEUED) pE->aState[KG_ENC_BR] = VAR_NONE;
    pthread_mutex_unlock(&p->mu);
  }
}

static void *brotli_thread(void *pArg) {
  struct http_static *p = pArg;
  /* below the request threads: on Linux nice applies per thread */
  (void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->bStop && !p->pJobs)
      pthread_cond_wait(&p->cv, &p->mu);
    if (p->bStop) break;
    struct job *j = p->pJobs;
    p->pJobs = j->pNext;
    if (!p->pJobs) p->ppJobsTail = &p->pJobs;
    pthread_mutex_unlock(&p->mu);
    run_job(p, j);
    free(j->zFile);
    free(j);
    pthread_mutex_lock(&p->mu);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* Queues the Brotli variant of pE. Under p->mu. */
static void queue_brotli(struct http_static *p, struct static_entry *pE) {
  if (!p->bThread) {
    if (pthread_create(&p->thread, NULL, brotli_thread, p) != 0) return;
    pthread_setname_np(p->thread, "kg-brotli"); /* top -H, perf */
    p->bThread = 1;
  }
  struct job *j = kg_xcalloc(1, sizeof(*j));
  j->zFile = kg_xstrdup(pE->zFile);
  snprintf(j->zEtag, sizeof(j->zEtag), "%s", pE->zEtag);
  *p->ppJobsTail = j;
  p->ppJobsTail = &j->pNext;
  pE->aState[KG_ENC_BR] = VAR_QUEUED;
  pthread_cond_signal(&p->cv);
}

struct http_blob *http_static_variant(struct http_static *p, const char *zFile, const char *zEtag,
                                      int fd, size_t nSize, const int aQ[KG_ENC_COUNT],
                                      enum kg_enc *peEnc) {
  *peEnc = KG_ENC_IDENTITY;
  if (!p || nSize < KG_HTTP_COMPRESS_MIN || nSize > HTTP_COMPRESS_MAX_IN) return NULL;
  unsigned mAvail = 0;
  struct http_blob *aHeld[KG_ENC_COUNT] = {NULL, NULL, NULL};
  int bMakeGzip = 0;
  pthread_mutex_lock(&p->mu);
  struct static_entry *pE = entry_get(p, zFile, zEtag);
  if (pE->aState[KG_ENC_BR] == VAR_NONE && aQ[KG_ENC_BR] > 0) queue_brotli(p, pE);
  if (pE->aState[KG_ENC_GZIP] == VAR_NONE && aQ[KG_ENC_GZIP] > 0) bMakeGzip = 1;
  for (int e = KG_ENC_GZIP; e < KG_ENC_COUNT; e++)
    if (pE->apVar[e]) mAvail |= 1u << e;
  enum kg_enc eWant = http_ae_choose(aQ, mAvail | (bMakeGzip ? 1u << KG_ENC_GZIP : 0));
  if (eWant != KG_ENC_IDENTITY && pE->apVar[eWant]) {
    aHeld[eWant] = pE->apVar[eWant];
    atomic_fetch_add(&aHeld[eWant]->nRef, 1);
  }
  pthread_mutex_unlock(&p->mu);
  if (eWant == KG_ENC_GZIP && !aHeld[KG_ENC_GZIP]) {
    struct http_blob *b = NULL;
    if (!compress_fd(fd, nSize, KG_ENC_GZIP, &b)) return NULL;
    if (b) atomic_fetch_add(&b->nRef, 1); /* the reply's */
    entry_put(p, zFile, zEtag, KG_ENC_GZIP, b);
    aHeld[KG_ENC_GZIP] = b;
  }
  if (eWant == KG_ENC_IDENTITY || !aHeld[eWant]) return NULL;
  *peEnc = eWant;
  return aHeld[eWant];
}

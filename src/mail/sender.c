/* sender.c: the background thread that delivers the outbox over SMTP with
 * libcurl. One message at a time: claim it (a short lease in the database),
 * send it, then mark it sent — or schedule the next attempt with
 * exponential backoff, or give it up after KG_MAIL_MAX_ATTEMPTS. The thread
 * has its own store connection and polls every second; kg_mail_wake()
 * makes it look at once. See mail.h for the delivery guarantees. */
#define _GNU_SOURCE
#include "kengash/mail.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kengash/store.h"

#define POLL_MS 1000
/* A claimed message is not picked up again for this long: longer than one
 * SMTP transaction may take (connect + total timeouts below). */
#define LEASE_SEC 120
#define CONNECT_TIMEOUT_SEC 10
#define TOTAL_TIMEOUT_SEC 60
/* At shutdown, a message handed over in full waits this long for the
 * server's answer before the transfer is cut (see progress_cb). */
#define STOP_GRACE_MS 5000
/* Sent and failed messages (with their addresses) are kept this long. */
#define RETENTION_SEC (30 * 86400)
#define PURGE_EVERY_SEC 3600
#define MAX_URL 1024

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cond; /* signalled by kg_mail_wake and kg_mail_stop */
  pthread_t thread;
  int bRunning;
  int bWake;
  atomic_int bStop; /* read by the curl progress callback without the lock */
  char *zDb;
  char *zUrl;  /* may hold credentials: never logged */
  char *zFrom; /* the From field as configured */
  char zFromAddr[256];
  char zDomain[256]; /* right-hand side of Message-IDs */
  int nRetrySec;
  int nRatePerSec; /* --mail-rate: most messages a second, 0 no limit */
  int64_t tNextMs; /* monotonic time the next message may go (mail-rate) */
  /* background steps (kg_mail_add_step), run before each look at the outbox */
  struct {
    kg_mail_step_fn xStep;
    void *pArg;
  } aStep[KG_MAIL_MAX_STEPS];
  int nStep;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ---- one SMTP transaction ---- */

struct upload {
  const char *a;
  size_t n, off;
  int64_t tStopMs; /* when progress_cb first saw the shutdown; 0 before */
};

static size_t read_cb(char *pBuf, size_t size, size_t nItems, void *pArg) {
  struct upload *u = pArg;
  size_t nRoom = size * nItems, nLeft = u->n - u->off;
  size_t k = nLeft < nRoom ? nLeft : nRoom;
  memcpy(pBuf, u->a + u->off, k);
  u->off += k;
  return k;
}

/* Aborts the transfer when the server shuts down; but once the whole
 * message has been handed over, the SMTP server may already hold it, so
 * its answer is awaited for up to STOP_GRACE_MS: cut then, the message
 * would be sent again after a restart (an acknowledged message seen twice). */
static int progress_cb(void *pArg, curl_off_t dlTotal, curl_off_t dlNow, curl_off_t ulTotal,
                       curl_off_t ulNow) {
  struct upload *u = pArg;
  (void)dlTotal, (void)dlNow, (void)ulTotal, (void)ulNow;
  if (!atomic_load(&g.bStop)) return 0;
  if (u->off < u->n) return 1;
  int64_t t = kg_time_mono_ms();
  if (!u->tStopMs) u->tStopMs = t;
  return t - u->tStopMs > STOP_GRACE_MS ? 1 : 0;
}

/* Sends zMsg (nMsg bytes) to zTo. KG_OK when the server accepted it;
 * otherwise KG_EIO with a description free of personal data in zErr. */
static enum kg_err smtp_send(const char *zTo, const char *zMsg, size_t nMsg, char *zErr,
                             size_t nErr) {
  enum kg_err rc = KG_EIO;
  struct curl_slist *pRcpt = NULL;
  char zFromEnv[300], zRcpt[300];
  struct upload u = {zMsg, nMsg, 0, 0};
  CURL *c = curl_easy_init();
  if (!c) {
    snprintf(zErr, nErr, "curl_easy_init failed");
    return KG_EIO;
  }
  snprintf(zFromEnv, sizeof(zFromEnv), "<%s>", g.zFromAddr);
  snprintf(zRcpt, sizeof(zRcpt), "<%s>", zTo);
  pRcpt = curl_slist_append(NULL, zRcpt);
  if (!pRcpt) {
    snprintf(zErr, nErr, "out of memory");
    goto out;
  }
  curl_easy_setopt(c, CURLOPT_URL, g.zUrl);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, zFromEnv);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, pRcpt);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &u);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)nMsg);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_SEC);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TOTAL_TIMEOUT_SEC);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &u);
  CURLcode cc = curl_easy_perform(c);
  if (cc == CURLE_OK) {
    rc = KG_OK;
    goto out;
  }
  /* curl's own error text (not the error buffer, which may quote the
   * server's reply and with it the address) and the SMTP reply code */
  long nCode = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &nCode);
  snprintf(zErr, nErr, "%s (curl %d, smtp %ld)", curl_easy_strerror(cc), (int)cc, nCode);
out:
  curl_slist_free_all(pRcpt);
  curl_easy_cleanup(c);
  return rc;
}

/* ---- the loop ---- */

/* Delivers one claimed message; returns 0 to go on (claim_due callback). */
static int deliver(void *pArg, const struct kg_outbox_msg *m) {
  struct kg_store *pStore = pArg;
  struct kg_buf msg;
  char zMsgId[320], zErr[300] = "";
  enum kg_err rc;
  int nAttempt = m->nAttempts + 1;
  kg_buf_init(&msg, 8 * 1024 * 1024);
  snprintf(zMsgId, sizeof(zMsgId), "kengash.%lld.%lld@%s", (long long)m->id,
           (long long)m->createdAt, g.zDomain);
  struct kg_mail_message mm = {g.zFrom, m->zTo, m->zSubject, m->zBody, m->createdAt, zMsgId};
  /* the language the text was written in (kg_mail_compose_*); none known: Russian */
  const char *zLang = m->zLanguage ? m->zLanguage : kg_lang_tag(KG_LANG_RU);
  if ((rc = kg_mail_format_lang(&mm, m->zListUnsubscribe, zLang, &msg)) != KG_OK) {
    /* will never succeed: give it up now */
    kg_log_error("mail cannot be formatted outbox=%lld err=%s", (long long)m->id, kg_err_name(rc));
    if (kg_store_outbox_mark_failed(pStore, m->id, "message cannot be formatted") != KG_OK)
      kg_log_error("mail mark failed failed outbox=%lld", (long long)m->id);
    goto out;
  }
  int64_t t0 = kg_time_mono_ms();
  rc = smtp_send(m->zTo, msg.a, msg.n, zErr, sizeof(zErr));
  if (rc == KG_OK) {
    enum kg_err rcMark = kg_store_outbox_mark_sent(pStore, m->id, kg_time_now());
    if (rcMark != KG_OK) /* the at-least-once window: it will be sent again after the lease */
      kg_log_error("mail sent but not marked outbox=%lld err=%s", (long long)m->id,
                   kg_err_name(rcMark));
    else
      kg_log_info("mail sent outbox=%lld attempt=%d ms=%lld", (long long)m->id, nAttempt,
                  (long long)(kg_time_mono_ms() - t0));
    goto out;
  }
  if (atomic_load(&g.bStop)) {
    /* aborted by shutdown: not the message's fault, try again at once */
    if (kg_store_outbox_mark_retry(pStore, m->id, kg_time_now(), "aborted at shutdown") != KG_OK)
      kg_log_warn("mail retry not recorded outbox=%lld", (long long)m->id);
    goto out;
  }
  if (nAttempt >= KG_MAIL_MAX_ATTEMPTS) {
    kg_log_error("mail given up outbox=%lld attempts=%d err=\"%s\"", (long long)m->id, nAttempt,
                 zErr);
    if (kg_store_outbox_mark_failed(pStore, m->id, zErr) != KG_OK)
      kg_log_error("mail mark failed failed outbox=%lld", (long long)m->id);
    goto out;
  }
  int64_t nWait = kg_mail_backoff(nAttempt, g.nRetrySec);
  kg_log_warn("mail attempt failed outbox=%lld attempt=%d retry_in=%llds err=\"%s\"",
              (long long)m->id, nAttempt, (long long)nWait, zErr);
  if (kg_store_outbox_mark_retry(pStore, m->id, kg_time_now() + nWait, zErr) != KG_OK)
    kg_log_error("mail retry not recorded outbox=%lld", (long long)m->id);
out:
  kg_buf_free(&msg);
  return atomic_load(&g.bStop) ? 1 : 0;
}

/* --mail-rate: waits until the next message may go (or the sender is
 * stopped), then books the slot after it. */
static void pace(void) {
  if (g.nRatePerSec <= 0) return;
  int64_t tNow = kg_time_mono_ms();
  while (tNow < g.tNextMs && !atomic_load(&g.bStop)) {
    struct timespec ts;
    int64_t nWait = g.tNextMs - tNow;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(nWait / 1000);
    ts.tv_nsec += (long)(nWait % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g.mu);
    if (!atomic_load(&g.bStop)) pthread_cond_timedwait(&g.cond, &g.mu, &ts);
    pthread_mutex_unlock(&g.mu);
    tNow = kg_time_mono_ms();
  }
  g.tNextMs = (tNow > g.tNextMs ? tNow : g.tNextMs) + 1000 / g.nRatePerSec;
}

/* Sleeps up to POLL_MS or until woken or stopped. */
static void wait_tick(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += POLL_MS / 1000;
  ts.tv_nsec += (long)(POLL_MS % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&g.mu);
  while (!g.bWake && !atomic_load(&g.bStop))
    if (pthread_cond_timedwait(&g.cond, &g.mu, &ts) != 0) break;
  g.bWake = 0;
  pthread_mutex_unlock(&g.mu);
}

static void *sender_main(void *pArg) {
  (void)pArg;
  struct kg_store *pStore = NULL;
  int64_t tPurged = 0;
  int bOpenLogged = 0;
  while (!atomic_load(&g.bStop)) {
    if (!pStore && kg_store_open(g.zDb, &pStore) != KG_OK) {
      pStore = NULL;
      if (!bOpenLogged) kg_log_error("mail sender cannot open the database; will retry");
      bOpenLogged = 1;
    }
    if (pStore) {
      for (int i = 0; i < g.nStep && !atomic_load(&g.bStop); i++)
        g.aStep[i].xStep(pStore, g.aStep[i].pArg);
      /* one message per claim, until none is due */
      int nClaimed = 1;
      while (nClaimed && !atomic_load(&g.bStop)) {
        pace();
        if (kg_store_outbox_claim_due(pStore, kg_time_now(), 1, LEASE_SEC, deliver, pStore,
                                      &nClaimed) != KG_OK) {
          kg_log_warn("mail sender cannot read the outbox");
          break;
        }
      }
      int64_t tNow = kg_time_now();
      if (tNow - tPurged >= PURGE_EVERY_SEC) {
        int nDeleted = 0;
        if (kg_store_outbox_purge(pStore, tNow - RETENTION_SEC, &nDeleted) != KG_OK ||
            kg_store_password_reset_purge(pStore, tNow - 86400) != KG_OK)
          kg_log_warn("mail sender purge failed");
        else if (nDeleted)
          kg_log_info("mail outbox purged deleted=%d", nDeleted);
        tPurged = tNow;
      }
    }
    wait_tick();
  }
  kg_store_close(pStore);
  return NULL;
}

/* ---- start, wake, stop ---- */

static void config_free(void) {
  free(g.zDb);
  free(g.zUrl);
  free(g.zFrom);
  g.zDb = g.zUrl = g.zFrom = NULL;
}

enum kg_err kg_mail_start(const struct kg_config *pCfg) {
  if (!pCfg->zSmtp || !*pCfg->zSmtp) {
    kg_log_info("mail sender off (no --smtp): messages stay queued in the outbox");
    return KG_OK;
  }
  if (g.bRunning) return KG_ECONFLICT;
  if ((strncmp(pCfg->zSmtp, "smtp://", 7) != 0 && strncmp(pCfg->zSmtp, "smtps://", 8) != 0) ||
      strlen(pCfg->zSmtp) > MAX_URL) {
    kg_log_error("mail: --smtp must be smtp://host:port or smtps://host:port");
    return KG_EINVAL;
  }
  for (const char *z = pCfg->zSmtp; *z; z++)
    if ((unsigned char)*z <= 0x20 || (unsigned char)*z >= 0x7f) {
      kg_log_error("mail: --smtp must be a URL without spaces or control characters");
      return KG_EINVAL;
    }
  if (kg_mail_addr_spec(pCfg->zMailFrom, g.zFromAddr, sizeof(g.zFromAddr)) != KG_OK) {
    kg_log_error("mail: --mail-from must be an address, or a name and <address>");
    return KG_EINVAL;
  }
  /* the From field must format: try it once now rather than per message */
  struct kg_buf probe;
  kg_buf_init(&probe, 64 * 1024);
  struct kg_mail_message mm = {pCfg->zMailFrom, g.zFromAddr, "x", "x", 0, "probe@x"};
  enum kg_err rcProbe = kg_mail_format(&mm, &probe);
  kg_buf_free(&probe);
  if (rcProbe != KG_OK) {
    kg_log_error("mail: --mail-from cannot be used as a From field");
    return KG_EINVAL;
  }
  snprintf(g.zDomain, sizeof(g.zDomain), "%s", strchr(g.zFromAddr, '@') + 1);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    kg_log_error("mail: curl_global_init failed");
    return KG_EIO;
  }
  g.zDb = kg_xstrdup(pCfg->zDb);
  g.zUrl = kg_xstrdup(pCfg->zSmtp);
  g.zFrom = kg_xstrdup(pCfg->zMailFrom);
  g.nRetrySec = pCfg->nMailRetrySec > 0 ? pCfg->nMailRetrySec : KG_MAIL_RETRY_SEC_DEFAULT;
  g.nRatePerSec = pCfg->nMailRate > 0 ? pCfg->nMailRate : 0;
  g.tNextMs = 0;
  g.bWake = 0;
  atomic_store(&g.bStop, 0);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&g.cond, &ca);
  pthread_condattr_destroy(&ca);
  /* the sender must not take the signals the main thread waits for */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  int e = pthread_create(&g.thread, NULL, sender_main, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (e == 0) pthread_setname_np(g.thread, "kg-mail"); /* top -H, perf */
  if (e != 0) {
    kg_log_error("mail: cannot start the sender thread errno=%d", e);
    pthread_cond_destroy(&g.cond);
    config_free();
    curl_global_cleanup();
    return KG_EIO;
  }
  pthread_mutex_lock(&g.mu);
  g.bRunning = 1;
  pthread_mutex_unlock(&g.mu);
  kg_log_info("mail sender started retry_sec=%d rate=%d", g.nRetrySec, g.nRatePerSec);
  return KG_OK;
}

enum kg_err kg_mail_add_step(kg_mail_step_fn xStep, void *pArg) {
  if (g.bRunning || g.nStep >= KG_MAIL_MAX_STEPS) return KG_ETOOBIG;
  g.aStep[g.nStep].xStep = xStep;
  g.aStep[g.nStep].pArg = pArg;
  g.nStep++;
  return KG_OK;
}

void kg_mail_wake(void) {
  pthread_mutex_lock(&g.mu);
  if (g.bRunning) {
    g.bWake = 1;
    pthread_cond_signal(&g.cond);
  }
  pthread_mutex_unlock(&g.mu);
}

void kg_mail_stop(void) {
  if (!g.bRunning) return;
  pthread_mutex_lock(&g.mu);
  atomic_store(&g.bStop, 1);
  pthread_cond_signal(&g.cond);
  pthread_mutex_unlock(&g.mu);
  pthread_join(g.thread, NULL);
  pthread_mutex_lock(&g.mu);
  g.bRunning = 0;
  pthread_mutex_unlock(&g.mu);
  pthread_cond_destroy(&g.cond);
  config_free();
  curl_global_cleanup();
  kg_log_info("mail sender stopped");
}

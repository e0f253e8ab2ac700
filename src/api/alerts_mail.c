/* alerts_mail.c: area alerts' background work (kengash/alerts.h): the
 * server's per-tick step (new discussion events, the weekly digest,
 * purging) and the digest run of `kengash alerts digest`. Each e-mail
 * (its text: kg_mail_compose_alert) gets a fresh manage token for its
 * links and its RFC 8058 List-Unsubscribe URL; only the token's SHA-256 is
 * stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kengash/alerts.h"
#include "kengash/auth.h"
#include "kengash/mail.h"
#include "kengash/store_alerts.h"

#define EVENTS_PER_STEP 20
#define STEPS_PER_TICK 10
/* The server's weekly digest: Monday 08:00 UTC (11:00 in Kazan). */
#define WEEK_SEC (7 * 86400)
#define DIGEST_OFFSET_SEC (4 * 86400 + 8 * 3600) /* the epoch was a Thursday */
#define DIGEST_MS_PER_TICK 5000
#define PURGE_EVERY_SEC 3600
#define UNCONFIRMED_TTL_SEC (7 * 86400)

struct compose_ctx {
  const char *zBaseUrl;
};

/* kg_alert_compose_fn: one alert (nItem 1) or a digest, with a fresh
 * manage token. */
static enum kg_err compose(void *pArg, const char *zEmail, const char *zLanguage,
                           const struct kg_alert_item *aItem, int nItem, int bDigest,
                           struct kg_alert_mail *pOut) {
  struct compose_ctx *c = pArg;
  char zToken[KG_AUTH_TOKEN_SIZE];
  struct kg_mail_alert_item *a = kg_xcalloc(nItem > 0 ? (size_t)nItem : 1, sizeof(*a));
  struct kg_mail_text m;
  (void)zEmail;
  for (int i = 0; i < nItem; i++) {
    a[i].discussionId = aItem[i].discussionId;
    a[i].zTitle = aItem[i].zTitle;
    a[i].zStatus = aItem[i].zStatus;
  }
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, pOut->aTokenHash);
  /* the subscription's language */
  enum kg_err rc =
      kg_mail_compose_alert(kg_lang_parse(zLanguage), c->zBaseUrl, zToken, a, nItem, bDigest, &m);
  kg_auth_memzero(zToken, sizeof(zToken));
  free(a);
  if (rc != KG_OK) return rc;
  /* the store frees them */
  pOut->zSubject = m.zSubject;
  pOut->zBody = m.zBody;
  pOut->zListUnsubscribe = m.zListUnsubscribe;
  return KG_OK;
}

/* Runs the digest of items pending before tBefore for at most nMs
 * milliseconds (0: until done). *pbDone tells whether none is left. */
static enum kg_err digest_run(struct kg_store *p, struct compose_ctx *c, int64_t tBefore,
                              int64_t nMs, int nHoldAfter, int *pnSent, int *pbDone) {
  int64_t afterId = 0, subId = 0, t0 = kg_time_mono_ms();
  enum kg_err rc = KG_OK;
  *pbDone = 0;
  for (;;) {
    if (nMs > 0 && kg_time_mono_ms() - t0 >= nMs) return KG_OK;
    if ((rc = kg_store_alert_digest_one(p, afterId, tBefore, kg_time_now(), compose, c, &subId)) !=
        KG_OK)
      return rc;
    if (!subId) break;
    afterId = subId;
    (*pnSent)++;
    if (nHoldAfter > 0 && *pnSent == nHoldAfter) {
      printf("alerts digest: held sent=%d\n", *pnSent);
      fflush(stdout);
      for (;;)
        pause();
    }
  }
  *pbDone = 1;
  return KG_OK;
}

enum kg_err kg_alerts_digest(struct kg_store *p, const struct kg_config *pCfg, int64_t tBefore,
                             int nHoldAfter, int *pnSent) {
  struct compose_ctx c = {pCfg ? pCfg->zBaseUrl : NULL};
  int bDone = 0;
  *pnSent = 0;
  return digest_run(p, &c, tBefore, 0, nHoldAfter, pnSent, &bDone);
}

/* The server's weekly digest: started once the week's digest time has
 * passed, continued on the next ticks until done. A new database starts
 * with this week counted as done: the first digest is next Monday. */
static void weekly_digest(struct kg_store *p, struct compose_ctx *c, int64_t tNow) {
  int64_t tRun = ((tNow - DIGEST_OFFSET_SEC) / WEEK_SEC) * WEEK_SEC + DIGEST_OFFSET_SEC;
  int64_t tDone = 0;
  int nSent = 0, bDone = 0;
  if (kg_store_alert_state_get(p, "digest_week", &tDone) != KG_OK) return;
  if (tDone == 0) {
    if (kg_store_alert_state_set(p, "digest_week", tRun) != KG_OK)
      kg_log_warn("alerts digest state not saved");
    return;
  }
  if (tDone >= tRun) return;
  enum kg_err rc = digest_run(p, c, tRun, DIGEST_MS_PER_TICK, 0, &nSent, &bDone);
  if (rc != KG_OK) kg_log_warn("alerts digest failed err=%s", kg_err_name(rc));
  if (rc == KG_OK && bDone && kg_store_alert_state_set(p, "digest_week", tRun) != KG_OK)
    kg_log_warn("alerts digest state not saved");
  if (nSent) {
    kg_log_info("alerts digest queued=%d done=%d", nSent, bDone);
    kg_mail_wake();
  }
}

void kg_alerts_tick(struct kg_store *p, const struct kg_config *pCfg) {
  static int64_t tPurged;
  struct compose_ctx c = {pCfg ? pCfg->zBaseUrl : NULL};
  int nEvents = 0, nMail = 0, nMailAll = 0;
  int64_t tNow = kg_time_now();
  for (int i = 0; i < STEPS_PER_TICK; i++) {
    enum kg_err rc =
        kg_store_alert_events_step(p, EVENTS_PER_STEP, tNow, compose, &c, &nEvents, &nMail);
    if (rc != KG_OK) {
      kg_log_warn("alerts step failed err=%s", kg_err_name(rc));
      break;
    }
    nMailAll += nMail;
    if (nEvents < EVENTS_PER_STEP) break;
  }
  if (nMailAll) {
    kg_log_info("alerts queued=%d", nMailAll);
    kg_mail_wake();
  }
  weekly_digest(p, &c, tNow);
  if (tNow - tPurged >= PURGE_EVERY_SEC) {
    if (kg_store_alert_purge(p, tNow, tNow - UNCONFIRMED_TTL_SEC) != KG_OK)
      kg_log_warn("alerts purge failed");
    tPurged = tNow;
  }
}

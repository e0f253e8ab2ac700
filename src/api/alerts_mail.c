/* alerts_mail.c: area alerts' background work (kengash/alerts.h): the
 * e-mails' text, the server's per-tick step (new discussion events, the
 * weekly digest, purging) and the digest run of `kengash alerts digest`.
 * Each e-mail gets a fresh manage token for its links and its RFC 8058
 * List-Unsubscribe URL; only the token's SHA-256 is stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_alerts.h"
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
  char zBase[600];
};

static const char *status_words(const char *zStatus) {
  if (strcmp(zStatus, "announced") == 0) return "объявлено обсуждение";
  if (strcmp(zStatus, "open") == 0) return "открыта экспозиция, принимаются предложения";
  if (strcmp(zStatus, "concluded") == 0) return "опубликовано заключение";
  return zStatus;
}

static void append_item(struct kg_buf *b, const char *zBase, const struct kg_alert_item *e) {
  kg_buf_printf(b, "- %s: %s\n  %s/discussion.html?id=%lld\n\n", e->zTitle,
                status_words(e->zStatus), zBase, (long long)e->discussionId);
}

/* kg_alert_compose_fn: one alert (nItem 1) or a digest. */
static enum kg_err compose(void *pArg, const char *zEmail, const struct kg_alert_item *aItem,
                           int nItem, int bDigest, struct kg_alert_mail *pOut) {
  struct compose_ctx *c = pArg;
  char zToken[KG_AUTH_TOKEN_SIZE];
  struct kg_buf b;
  (void)zEmail;
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, pOut->aTokenHash);
  kg_buf_init(&b, 1024 * 1024);
  if (!bDigest) {
    pOut->zSubject = kg_xasprintf("%s: %s", aItem[0].zTitle, status_words(aItem[0].zStatus));
    kg_buf_puts(&b, "Здравствуйте!\n\nВ районе, на который вы подписаны:\n\n");
  } else {
    pOut->zSubject = kg_xasprintf("Обсуждения в вашем районе за неделю: %d", nItem);
    kg_buf_puts(&b, "Здравствуйте!\n\nЗа неделю в районе, на который вы подписаны:\n\n");
  }
  for (int i = 0; i < nItem; i++)
    append_item(&b, c->zBase, &aItem[i]);
  kg_buf_printf(&b,
                "Изменить подписку: %s/alerts.html#manage=%s\n"
                "Отписаться: %s/alerts.html#unsubscribe=%s\n"
                "\n"
                "Это письмо отправлено автоматически, отвечать на него не нужно.\n",
                c->zBase, zToken, c->zBase, zToken);
  pOut->zListUnsubscribe = kg_xasprintf("%s/api/v1/alerts/%s/unsubscribe", c->zBase, zToken);
  kg_auth_memzero(zToken, sizeof(zToken));
  if (kg_buf_failed(&b)) {
    kg_buf_free(&b);
    return KG_ETOOBIG;
  }
  pOut->zBody = kg_buf_detach(&b, NULL);
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
  struct compose_ctx c;
  int bDone = 0;
  *pnSent = 0;
  kg_api_alerts_base(pCfg, c.zBase, sizeof(c.zBase));
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
  struct compose_ctx c;
  int nEvents = 0, nMail = 0, nMailAll = 0;
  int64_t tNow = kg_time_now();
  kg_api_alerts_base(pCfg, c.zBase, sizeof(c.zBase));
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

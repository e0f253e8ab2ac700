/* password_reset.c: "forgot my password". POST /api/v1/password-resets
 * {email} answers 202 whether or not the address is registered (so it cannot
 * be used to find accounts, by its answer or its timing); for a registered
 * one the store's writer, after the answer, stores a single-use token (its
 * SHA-256 only) and queues an e-mail with the link in the same
 * transaction, at most RESETS_PER_HOUR per account. POST
 * /api/v1/password-resets/{token} {password} sets the new password, spends
 * the token and ends every session of the account, in one transaction; any
 * token that cannot be used — unknown, malformed, used, expired — gets the
 * same 410. Never logs e-mails, tokens or passwords. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_mail.h"
#include "kengash/mail.h"

/* Links sent per account per hour; more requests are accepted and dropped. */
#define RESETS_PER_HOUR 3
#define DEFAULT_TTL_SEC 3600

static const char zSubject[] = "Восстановление пароля на портале общественных обсуждений";
/* %s: the link; %d: its lifetime in minutes */
static const char zBodyFmt[] =
    "Здравствуйте!\n"
    "\n"
    "Вы запросили восстановление пароля на портале общественных обсуждений.\n"
    "Чтобы задать новый пароль, перейдите по ссылке (она действует %s и только один раз):\n"
    "\n"
    "%s\n"
    "\n"
    "Если вы не запрашивали восстановление, ничего не делайте: пароль останется прежним.\n"
    "\n"
    "Это письмо отправлено автоматически, отвечать на него не нужно.\n";

static void reply_gone(struct kg_req *r) {
  kg_reply_problem(r, 410, NULL,
                   "this link is not valid or has expired; ask for a new one on the "
                   "\"forgot password\" page");
}

/* "1 час", "2 часа", "30 минут"...: the lifetime in plain Russian. */
static void ttl_words(int nSec, char *zOut, size_t nOut) {
  int n = nSec % 3600 == 0 ? nSec / 3600 : (nSec + 59) / 60;
  const char *const *az;
  static const char *const azHour[] = {"час", "часа", "часов"};
  static const char *const azMin[] = {"минуту", "минуты", "минут"};
  az = nSec % 3600 == 0 ? azHour : azMin;
  int n10 = n % 10, n100 = n % 100;
  const char *zWord = n10 == 1 && n100 != 11                             ? az[0]
                      : n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14) ? az[1]
                                                                         : az[2];
  snprintf(zOut, nOut, "%d %s", n, zWord);
}

/* A request on its way to the writer, with what it points to. */
struct reset_ctx {
  struct kg_reset_request q;
  char zEmail[256];
  char *zBody; /* holds the link */
};

/* On the writer thread, after the request has been answered. */
static void reset_done(void *pArg, enum kg_err rc) {
  struct reset_ctx *x = pArg;
  if (rc != KG_OK) {
    kg_log_error("password reset not stored err=%s", kg_err_name(rc));
  } else if (x->q.outboxId) {
    kg_log_info("password reset requested account=%lld outbox=%lld", (long long)x->q.accountId,
                (long long)x->q.outboxId);
    kg_mail_wake();
  } else if (x->q.accountId) {
    kg_log_info("password reset throttled account=%lld", (long long)x->q.accountId);
  }
  kg_auth_memzero(x->zBody, strlen(x->zBody));
  free(x->zBody);
  kg_auth_memzero(x, sizeof(*x));
  free(x);
}

/* The answer is the same, and takes the same time, whether or not the
 * address is registered: the handler does the same work for every address
 * (a token, the e-mail's text) and leaves the lookup and the writes to the
 * writer, after the reply. A registered address told apart by timing was
 * a finding (0.90 ms against 0.37 ms). */
void kg_api_password_reset_request(struct kg_req *r) {
  static const char *const azKnown[] = {"email", NULL};
  json_t *pBody = kg_req_json(r);
  if (!pBody || !kg_api_known_fields(r, pBody, azKnown)) return;
  char zEmail[256];
  if (!kg_api_str_trim(r, pBody, "email", 1, 254, zEmail, sizeof(zEmail))) return;
  if (!kg_auth_email_valid(zEmail)) {
    kg_reply_invalid(r, "email", "must be an e-mail address such as name@example.org");
    return;
  }
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  const struct kg_config *pCfg = kg_api_cfg(r);
  int nTtl = pCfg && pCfg->nResetTtlSec > 0 ? pCfg->nResetTtlSec : DEFAULT_TTL_SEC;
  const char *zBase = pCfg && pCfg->zBaseUrl ? pCfg->zBaseUrl : "";
  size_t nBase = strlen(zBase);
  while (nBase && zBase[nBase - 1] == '/')
    nBase--;
  char zToken[KG_AUTH_TOKEN_SIZE], zTtl[40];
  struct reset_ctx *x = kg_xcalloc(1, sizeof(*x));
  snprintf(x->zEmail, sizeof(x->zEmail), "%s", zEmail);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, x->q.aTokenHash);
  ttl_words(nTtl, zTtl, sizeof(zTtl));
  char *zLink = kg_xasprintf("%.*s/reset.html#token=%s", (int)nBase, zBase, zToken);
  x->zBody = kg_xasprintf(zBodyFmt, zTtl, zLink);
  kg_auth_memzero(zToken, sizeof(zToken));
  kg_auth_memzero(zLink, strlen(zLink));
  free(zLink);
  x->q.zEmail = x->zEmail;
  x->q.tNow = kg_time_now();
  x->q.expiresAt = x->q.tNow + nTtl;
  x->q.nMaxPerHour = RESETS_PER_HOUR;
  x->q.zSubject = zSubject;
  x->q.zBody = x->zBody;
  kg_store_password_reset_request_async(pStore, &x->q, reset_done, x);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 202, json_pack("{s:s}", "status", "accepted"));
}

void kg_api_password_reset_confirm(struct kg_req *r) {
  static const char *const azKnown[] = {"password", NULL};
  const char *zToken = kg_req_param(r, "token");
  if (!zToken || !kg_auth_token_well_formed(zToken)) {
    reply_gone(r);
    return;
  }
  json_t *pBody = kg_req_json(r);
  if (!pBody || !kg_api_known_fields(r, pBody, azKnown)) return;
  /* the password is taken as typed: no trimming */
  json_t *pPw = json_object_get(pBody, "password");
  if (!pPw || json_is_null(pPw)) {
    kg_reply_invalid(r, "password", "is required");
    return;
  }
  if (!json_is_string(pPw)) {
    kg_reply_invalid(r, "password", "must be a string");
    return;
  }
  const char *zPassword = json_string_value(pPw);
  if (strlen(zPassword) != json_string_length(pPw)) {
    kg_reply_invalid(r, "password", "must be text without control characters");
    return;
  }
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;

  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  int64_t accountId = 0;
  struct kg_account acc;
  char zReason[200], zHash[KG_AUTH_HASH_SIZE];
  kg_auth_token_hash(zToken, aHash);
  enum kg_err rc = kg_store_password_reset_peek(pStore, aHash, kg_time_now(), &accountId);
  if (rc == KG_OK) rc = kg_store_account_get(pStore, accountId, &acc);
  if (rc == KG_ENOTFOUND || rc == KG_EGONE) {
    reply_gone(r);
    return;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot check the link right now; try again");
    return;
  }
  if (!kg_auth_password_acceptable(zPassword, acc.zEmail, zReason, sizeof(zReason))) {
    kg_reply_invalid(r, "password", zReason);
    return;
  }
  /* hash before the transaction: it takes tens of milliseconds */
  if ((rc = kg_auth_password_hash(zPassword, zHash, sizeof(zHash))) != KG_OK) {
    kg_reply_err(r, rc, "cannot protect the password right now; try again");
    return;
  }
  int64_t usedBy = 0;
  if ((rc = kg_store_begin(pStore)) != KG_OK) goto out;
  /* spend the token first: of two racing requests only one gets past here */
  if ((rc = kg_store_password_reset_use(pStore, aHash, kg_time_now(), &usedBy)) != KG_OK) goto out;
  if (usedBy != acc.id) {
    rc = KG_EGONE;
    goto out;
  }
  if ((rc = kg_store_account_set_password(pStore, acc.id, zHash)) != KG_OK ||
      (rc = kg_store_session_delete_account(pStore, acc.id)) != KG_OK)
    goto out;
  rc = kg_store_commit(pStore);
out:
  kg_auth_memzero(zHash, sizeof(zHash));
  if (rc != KG_OK) {
    kg_store_rollback(pStore);
    if (rc == KG_ENOTFOUND || rc == KG_EGONE)
      reply_gone(r);
    else
      kg_reply_err(r, rc, "cannot set the password right now; try again");
    return;
  }
  kg_log_info("password reset done account=%lld sessions=ended", (long long)acc.id);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_empty(r, 204);
}

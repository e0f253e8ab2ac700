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

static void reply_gone(struct kg_req *r) {
  kg_reply_code(r, KG_P_LINK_EXPIRED,
                "this link is not valid or has expired; ask for a new one on the "
                "\"forgot password\" page");
}

/* A request on its way to the writer, with what it points to. */
struct reset_ctx {
  struct kg_reset_request q;
  char zEmail[256];
  struct kg_mail_text m; /* its body holds the link */
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
  kg_mail_text_clear(&x->m);
  kg_auth_memzero(x, sizeof(*x));
  free(x);
}

/* The answer is the same, and takes the same time, whether or not the
 * address is registered: the handler does the same work for every address
 * (a token, the e-mail's text) and leaves the lookup and the writes to the
 * writer, after the reply. A registered address told apart by timing was
 * a finding (0.90 ms against 0.37 ms). */
void kg_api_password_reset_request(struct kg_req *r) {
  char zEmail[256];
  const struct kg_api_field aField[] = {KG_API_F_EMAIL("email", KG_API_REQUIRED, zEmail)};
  struct kg_store *pStore;
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r))) return;
  const struct kg_config *pCfg = kg_api_cfg(r);
  int nTtl = pCfg && pCfg->nResetTtlSec > 0 ? pCfg->nResetTtlSec : DEFAULT_TTL_SEC;
  char zToken[KG_AUTH_TOKEN_SIZE];
  struct reset_ctx *x = kg_xcalloc(1, sizeof(*x));
  snprintf(x->zEmail, sizeof(x->zEmail), "%s", zEmail);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, x->q.aTokenHash);
  /* in the language of the account with this address (Russian when none) */
  kg_mail_compose_password_reset(kg_store_address_language(pStore, zEmail),
                                 pCfg ? pCfg->zBaseUrl : NULL, zToken, nTtl, &x->m);
  kg_auth_memzero(zToken, sizeof(zToken));
  x->q.zEmail = x->zEmail;
  x->q.tNow = kg_time_now();
  x->q.expiresAt = x->q.tNow + nTtl;
  x->q.nMaxPerHour = RESETS_PER_HOUR;
  x->q.zSubject = x->m.zSubject;
  x->q.zBody = x->m.zBody;
  kg_store_password_reset_request_async(pStore, &x->q, reset_done, x);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 202, json_pack("{s:s}", "status", "accepted"));
}

void kg_api_password_reset_confirm(struct kg_req *r) {
  const char *zToken = kg_req_param(r, "token");
  if (!zToken || !kg_auth_token_well_formed(zToken)) {
    reply_gone(r);
    return;
  }
  /* the password is taken as typed: no trimming */
  const char *zPassword;
  const struct kg_api_field aField[] = {
      {.zName = "password", .eType = KG_API_TEXT, .fFlags = KG_API_REQUIRED, .pOut = &zPassword}};
  struct kg_store *pStore;
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r))) return;

  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  int64_t accountId = 0;
  struct kg_account acc;
  char zHash[KG_AUTH_HASH_SIZE];
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
  if (!kg_api_password_ok(r, zPassword, acc.zEmail)) return;
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

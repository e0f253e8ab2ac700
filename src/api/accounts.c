/* accounts.c: signing up (POST /api/v1/accounts), the logged-in account
 * (GET /api/v1/me), the admins' account list and role changes, plus the
 * account's JSON shape. The password hash never leaves the store; e-mails
 * and passwords are never logged. */
#include <stdio.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_notify.h"

json_t *kg_api_account_json(const struct kg_account *p) {
  return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)p->id, "email", p->zEmail,
                   "full_name", p->zFullName, "role", p->zRole, "created_at",
                   kg_api_time_json(p->createdAt), "language",
                   p->zLanguage[0] ? p->zLanguage : kg_lang_tag(KG_LANG_RU));
}

void kg_api_accounts_create(struct kg_req *r) {
  char zEmail[256];
  char zFullName[801]; /* 200 characters of up to 4 bytes */
  const char *zPassword;
  int bConsent;
  const struct kg_api_field aField[] = {
      KG_API_F_EMAIL("email", KG_API_REQUIRED, zEmail),
      /* the password is taken as typed: no trimming */
      {.zName = "password",
       .eType = KG_API_TEXT,
       .fFlags = KG_API_REQUIRED,
       .pOut = &zPassword,
       .xCheck = kg_api_password_check,
       .pArg = zEmail},
      KG_API_F_TRIM("full_name", KG_API_REQUIRED, 200, zFullName),
      {.zName = "consent",
       .eType = KG_API_BOOL,
       .fFlags = KG_API_REQUIRED | KG_API_RULE_ALL,
       .pOut = &bConsent,
       .xCheck = kg_api_true_check,
       .zRule = "must be true: taking part needs your consent to the processing of your "
                "personal data"},
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField))) return;

  /* before the password hash, which is the cost of a sign-up */
  const struct kg_config *pCfg = kg_api_cfg(r);
  int64_t nWait = kg_api_ip_limit(r, 'u', pCfg ? pCfg->nSignupLimit : 0, 3600);
  if (nWait) {
    char zWhat[80];
    snprintf(zWhat, sizeof(zWhat), "at most %d sign-ups an hour from one address",
             pCfg->nSignupLimit);
    kg_api_reply_retry(r, nWait, zWhat);
    return;
  }
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  char zHash[KG_AUTH_HASH_SIZE];
  enum kg_err rc = kg_auth_password_hash(zPassword, zHash, sizeof(zHash));
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot protect the password right now; try again");
    return;
  }
  int64_t tNow = kg_time_now();
  int64_t id = 0;
  rc = kg_store_account_insert(pStore, zEmail, zHash, zFullName, "citizen", tNow, &id);
  if (rc == KG_ECONFLICT) {
    kg_reply_bad_status(r, 409, KG_R_ALREADY_EXISTS, "email",
                        "is already registered; log in or reset the password");
    return;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot create the account");
    return;
  }
  /* the language the visitor chose (cookie) or the browser asks for; the
   * account stands without it (Russian) */
  if (kg_store_account_set_language(pStore, id, kg_lang_tag(kg_api_request_lang(r))) != KG_OK)
    kg_log_warn("account language not set account=%lld", (long long)id);
  struct kg_account acc;
  if ((rc = kg_store_account_get(pStore, id, &acc)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the new account");
    return;
  }
  kg_log_info("account created account=%lld", (long long)id);
  kg_api_email_confirmation_send(r, pStore, id); /* notify.c */
  json_t *pAcc = kg_api_account_json(&acc);
  json_object_set_new(pAcc, "email_confirmed", json_false());
  kg_reply_json(r, 201, pAcc);
}

void kg_api_me(struct kg_req *r) {
  const struct kg_account *p = kg_api_account(r);
  if (!p) {
    kg_reply_code(r, KG_P_LOGIN_REQUIRED, "you need to log in first");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  json_t *pAcc = kg_api_account_json(p);
  struct kg_store *pStore = kg_store_thread();
  if (pStore) kg_api_email_confirmed_add(pStore, p->id, pAcc); /* notify.c */
  kg_reply_json(r, 200, pAcc);
}

/* PATCH /api/v1/me: {language}: the account's language ("ru", "tt" or
 * "en"), which its e-mails and, after sign-in, its pages use. Replies with
 * the account. */
void kg_api_me_update(struct kg_req *r) {
  static const char *const azLang[] = {"ru", "tt", "en", NULL};
  const struct kg_account *pMe = kg_api_account(r);
  const char *zLang = NULL;
  const struct kg_api_field aField[] = {
      {.zName = "language",
       .eType = KG_API_STR,
       .nMax = 8,
       .pOut = &zLang,
       .azOneOf = azLang,
       .zRule = "must be ru, tt or en"},
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField))) return;
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  enum kg_err rc = zLang ? kg_store_account_set_language(pStore, pMe->id, zLang) : KG_OK;
  struct kg_account acc;
  if (rc == KG_OK) rc = kg_store_account_get(pStore, pMe->id, &acc);
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot change the account");
    return;
  }
  if (zLang) kg_log_info("account language set account=%lld lang=%s", (long long)pMe->id, zLang);
  kg_reply_header(r, "Cache-Control", "no-store");
  json_t *pAcc = kg_api_account_json(&acc);
  kg_api_email_confirmed_add(pStore, acc.id, pAcc); /* notify.c */
  kg_reply_json(r, 200, pAcc);
}

/* ---- roles (admins only) ---- */

struct account_list_ctx {
  json_t *pItems;
  int n;
};

static int account_row(void *pArg, const struct kg_account *pAcc) {
  struct account_list_ctx *c = pArg;
  json_array_append_new(c->pItems, kg_api_account_json(pAcc));
  c->n++;
  return 0;
}

void kg_api_accounts_list(struct kg_req *r) {
  const char *zRole = kg_req_query(r, "role");
  if (zRole && !*zRole) zRole = NULL;
  if (zRole && !kg_auth_role_valid(zRole)) {
    kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "role", "must be citizen, moderator or admin");
    return;
  }
  int nLimit;
  int64_t afterId;
  struct kg_store *pStore;
  if (!kg_api_page(r, &nLimit, &afterId) || !(pStore = kg_api_store(r))) return;
  struct account_list_ctx c = {json_array(), 0};
  /* one extra row tells whether there is a next page */
  enum kg_err rc = kg_store_account_list(pStore, zRole, afterId, nLimit + 1, account_row, &c);
  if (rc) {
    json_decref(c.pItems);
    kg_reply_err(r, rc, "cannot list accounts");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, kg_api_page_json(c.pItems, nLimit));
}

static int role_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  if (kg_auth_role_valid(*(const char **)pF->pOut)) return 1;
  snprintf(zReason, nReason, "must be citizen, moderator or admin");
  return 0;
}

void kg_api_accounts_set_role(struct kg_req *r) {
  const struct kg_account *pMe = kg_api_account(r);
  const char *zRole;
  int64_t id;
  struct kg_store *pStore;
  const struct kg_api_field aField[] = {
      {.zName = "role",
       .eType = KG_API_STR,
       .fFlags = KG_API_REQUIRED,
       .nMax = 16,
       .pOut = &zRole,
       .xCheck = role_check},
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) ||
      !(id = kg_api_param_id(r, "id", "there is no such account")))
    return;
  /* so that the system always keeps an admin: another admin may do it */
  if (id == pMe->id && strcmp(zRole, "admin") != 0) {
    kg_reply_code(r, KG_P_OWN_ADMIN_ROLE,
                  "you cannot give up the admin role yourself; ask another admin");
    return;
  }
  if (!(pStore = kg_api_store(r))) return;
  int bChanged = 0;
  enum kg_err rc =
      kg_store_account_change_role(pStore, pMe->id, id, zRole, kg_time_now(), &bChanged);
  if (rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_NOT_FOUND, "there is no such account");
    return;
  }
  if (rc == KG_ECONFLICT) {
    kg_reply_code(r, KG_P_LAST_ADMIN, "the last admin cannot lose the admin role");
    return;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot change the role");
    return;
  }
  struct kg_account acc;
  if ((rc = kg_store_account_get(pStore, id, &acc)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the account");
    return;
  }
  if (bChanged)
    kg_log_info("account role changed account=%lld role=%s by=%lld", (long long)id, zRole,
                (long long)pMe->id);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, kg_api_account_json(&acc));
}

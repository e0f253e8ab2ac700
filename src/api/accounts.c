/* accounts.c: signing up (POST /api/v1/accounts), the logged-in account
 * (GET /api/v1/me), the admins' account list and role changes, plus the
 * account's JSON shape and the trimmed string reader the auth handlers
 * share. The password hash never leaves the store; e-mails and passwords
 * are never logged. */
#include <stdio.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_notify.h"

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int kg_api_str_trim(struct kg_req *r, json_t *pObj, const char *zField, int bRequired,
                    size_t nMaxChars, char *zOut, size_t nOut) {
  json_t *p = json_object_get(pObj, zField);
  if (nOut) zOut[0] = 0;
  if (!p || json_is_null(p)) {
    if (!bRequired) return 1;
    kg_reply_invalid(r, zField, "is required");
    return 0;
  }
  if (!json_is_string(p)) {
    kg_reply_invalid(r, zField, "must be a string");
    return 0;
  }
  const char *z = json_string_value(p);
  size_t n = json_string_length(p);
  if (strlen(z) != n || !kg_utf8_valid_text(z, n)) {
    kg_reply_invalid(r, zField, "must be text without control characters");
    return 0;
  }
  while (n && is_space(*z))
    z++, n--;
  while (n && is_space(z[n - 1]))
    n--;
  if (n == 0) {
    if (!bRequired) return 1;
    kg_reply_invalid(r, zField, "must not be empty");
    return 0;
  }
  if (n >= nOut) {
    kg_reply_invalid(r, zField, "is too long");
    return 0;
  }
  memcpy(zOut, z, n);
  zOut[n] = 0;
  if (kg_utf8_len(zOut) > nMaxChars) {
    char zMsg[80];
    snprintf(zMsg, sizeof(zMsg), "must be at most %zu characters", nMaxChars);
    zOut[0] = 0;
    kg_reply_invalid(r, zField, zMsg);
    return 0;
  }
  return 1;
}

json_t *kg_api_account_json(const struct kg_account *p) {
  return json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)p->id, "email", p->zEmail,
                   "full_name", p->zFullName, "role", p->zRole, "created_at",
                   kg_api_time_json(p->createdAt));
}

void kg_api_accounts_create(struct kg_req *r) {
  static const char *const azKnown[] = {"email", "password", "full_name", "consent", NULL};
  json_t *pBody = kg_req_json(r);
  if (!pBody || !kg_api_known_fields(r, pBody, azKnown)) return;

  char zEmail[256];
  if (!kg_api_str_trim(r, pBody, "email", 1, 254, zEmail, sizeof(zEmail))) return;
  if (!kg_auth_email_valid(zEmail)) {
    kg_reply_invalid(r, "email", "must be an e-mail address such as name@example.org");
    return;
  }

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
  char zReason[200];
  if (strlen(zPassword) != json_string_length(pPw)) {
    kg_reply_invalid(r, "password", "must be text without control characters");
    return;
  }
  if (!kg_auth_password_acceptable(zPassword, zEmail, zReason, sizeof(zReason))) {
    kg_reply_invalid(r, "password", zReason);
    return;
  }

  char zFullName[801]; /* 200 characters of up to 4 bytes */
  if (!kg_api_str_trim(r, pBody, "full_name", 1, 200, zFullName, sizeof(zFullName))) return;

  if (!json_is_true(json_object_get(pBody, "consent"))) {
    kg_reply_invalid(r, "consent",
                     "must be true: taking part needs your consent to the processing of your "
                     "personal data");
    return;
  }

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
    kg_reply_invalid_status(r, 409, "email", "is already registered; log in or reset the password");
    return;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot create the account");
    return;
  }
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
    kg_reply_problem(r, 401, NULL, "you need to log in first");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  json_t *pAcc = kg_api_account_json(p);
  struct kg_store *pStore = kg_store_thread();
  if (pStore) kg_api_email_confirmed_add(pStore, p->id, pAcc); /* notify.c */
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
    kg_reply_invalid_status(r, 400, "role", "must be citizen, moderator or admin");
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

void kg_api_accounts_set_role(struct kg_req *r) {
  static const char *const azKnown[] = {"role", NULL};
  const struct kg_account *pMe = kg_api_account(r);
  int64_t id = kg_req_param_id(r, "id");
  json_t *pBody = kg_req_json(r);
  if (!pBody || !kg_api_known_fields(r, pBody, azKnown)) return;
  const char *zRole;
  if (!kg_api_str(r, pBody, "role", 1, 16, &zRole)) return;
  if (!kg_auth_role_valid(zRole)) {
    kg_reply_invalid(r, "role", "must be citizen, moderator or admin");
    return;
  }
  if (!id) {
    kg_reply_problem(r, 404, NULL, "there is no such account");
    return;
  }
  /* so that the system always keeps an admin: another admin may do it */
  if (id == pMe->id && strcmp(zRole, "admin") != 0) {
    kg_reply_problem(r, 409, NULL, "you cannot give up the admin role yourself; ask another admin");
    return;
  }
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  int bChanged = 0;
  enum kg_err rc =
      kg_store_account_change_role(pStore, pMe->id, id, zRole, kg_time_now(), &bChanged);
  if (rc == KG_ENOTFOUND) {
    kg_reply_problem(r, 404, NULL, "there is no such account");
    return;
  }
  if (rc == KG_ECONFLICT) {
    kg_reply_problem(r, 409, NULL, "the last admin cannot lose the admin role");
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

/* session.c: who is asking. The before hook that resolves the session
 * cookie, enforces CSRF and route roles and renews sessions, and the
 * handlers that log in (POST), show (GET) and log out (DELETE) at
 * /api/v1/session. The cookie holds a random token; the database keeps only
 * its SHA-256. Never log e-mails, passwords or tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"

#define DEFAULT_SESSION_HOURS 336

static const char zBadCredentials[] = "e-mail or password is wrong";

/* ---- session state ---- */

static void session_free(void *p) {
  kg_auth_memzero(p, sizeof(struct kg_api_session));
  free(p);
}

struct kg_api_session *kg_api_session(struct kg_req *r) {
  return kg_req_user(r);
}

const struct kg_account *kg_api_account(struct kg_req *r) {
  struct kg_api_session *s = kg_api_session(r);
  return s && s->bLoggedIn ? &s->account : NULL;
}

int kg_api_is_moderator(struct kg_req *r) {
  const struct kg_account *p = kg_api_account(r);
  return p && kg_auth_role_at_least(p->zRole, "moderator");
}

int64_t kg_api_session_lifetime(struct kg_req *r) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  int nHours = pCfg && pCfg->nSessionHours > 0 ? pCfg->nSessionHours : DEFAULT_SESSION_HOURS;
  return (int64_t)nHours * 3600;
}

/* Adds Set-Cookie for the session cookie: zToken for nMaxAge seconds, or a
 * clearing cookie when zToken is NULL. */
static void set_cookie(struct kg_req *r, const char *zToken, int64_t nMaxAge) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  char zCookie[160];
  snprintf(zCookie, sizeof(zCookie), "session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%lld%s",
           zToken ? zToken : "", zToken ? (long long)nMaxAge : 0LL,
           pCfg && pCfg->bSecureCookie ? "; Secure" : "");
  kg_reply_header(r, "Set-Cookie", zCookie);
  kg_auth_memzero(zCookie, sizeof(zCookie));
}

static int method_is_safe(const char *zMethod) {
  return strcmp(zMethod, "GET") == 0 || strcmp(zMethod, "HEAD") == 0 ||
         strcmp(zMethod, "OPTIONS") == 0;
}

/* Looks up the session behind the cookie (if any) into s. KG_OK also when
 * there is no usable session: s->bLoggedIn says which. */
static enum kg_err resolve(struct kg_req *r, struct kg_api_session *s, int64_t tNow) {
  const char *zCookie = kg_req_cookie(r, "session");
  if (!zCookie || !kg_auth_token_well_formed(zCookie)) return KG_OK;
  struct kg_store *pStore = kg_store_thread();
  if (!pStore) return KG_EDB;
  struct kg_session sess;
  kg_auth_token_hash(zCookie, s->aTokenHash);
  enum kg_err rc = kg_store_session_get(pStore, s->aTokenHash, tNow, &sess);
  if (rc == KG_OK) rc = kg_store_account_get(pStore, sess.accountId, &s->account);
  if (rc == KG_ENOTFOUND) return KG_OK; /* unknown, expired or orphaned: anonymous */
  if (rc != KG_OK) return rc;
  s->bLoggedIn = 1;
  s->expiresAt = sess.expiresAt;
  snprintf(s->zCsrf, sizeof(s->zCsrf), "%s", sess.zCsrf);
  kg_auth_memzero(&sess, sizeof(sess));
  return KG_OK;
}

/* Extends a session past half its life and re-sends the cookie. Not for
 * logging in or out, which set the cookie themselves. A failure only costs
 * the extension. */
static void renew(struct kg_req *r, const struct kg_route *pRoute, struct kg_api_session *s,
                  int64_t tNow) {
  int64_t nLife = kg_api_session_lifetime(r);
  if (s->expiresAt - tNow >= nLife / 2) return;
  if (pRoute->xHandler == kg_api_session_create || pRoute->xHandler == kg_api_session_delete)
    return;
  struct kg_store *pStore = kg_store_thread();
  int64_t expiresAt = tNow + nLife;
  enum kg_err rc = pStore ? kg_store_session_touch(pStore, s->aTokenHash, expiresAt) : KG_EDB;
  if (rc != KG_OK) {
    kg_log_warn("session renewal failed account=%lld err=%s", (long long)s->account.id,
                kg_err_name(rc));
    return;
  }
  s->expiresAt = expiresAt;
  set_cookie(r, kg_req_cookie(r, "session"), nLife);
}

int kg_api_before(struct kg_req *r, const struct kg_route *pRoute) {
  struct kg_api_session *s = kg_xcalloc(1, sizeof(*s));
  kg_req_set_user(r, s, session_free);
  int64_t tNow = kg_time_now();
  enum kg_err rc = resolve(r, s, tNow);
  if (rc != KG_OK) {
    kg_log_error("session lookup failed path=%s err=%s", kg_req_path(r), kg_err_name(rc));
    kg_reply_problem(r, 503, NULL, "the database is not available; try again shortly");
    return 0;
  }
  /* A cookie rides along on cross-site requests too: a mutating request
   * that uses the session must prove it comes from our own pages. */
  if (s->bLoggedIn && !method_is_safe(kg_req_method(r)) &&
      !kg_auth_csrf_equal(s->zCsrf, kg_req_header(r, "X-CSRF-Token"))) {
    kg_reply_problem(r, 403, NULL, "CSRF token missing or wrong");
    return 0;
  }
  unsigned flags = pRoute->flags;
  if ((flags & (KG_ROUTE_LOGIN | KG_ROUTE_MODERATOR | KG_ROUTE_ADMIN)) && !s->bLoggedIn) {
    kg_reply_problem(r, 401, NULL, "you need to log in first");
    return 0;
  }
  if ((flags & KG_ROUTE_MODERATOR) && !kg_auth_role_at_least(s->account.zRole, "moderator")) {
    kg_reply_problem(r, 403, NULL, "this action needs the moderator role");
    return 0;
  }
  if ((flags & KG_ROUTE_ADMIN) && !kg_auth_role_at_least(s->account.zRole, "admin")) {
    kg_reply_problem(r, 403, NULL, "this action needs the admin role");
    return 0;
  }
  if (s->bLoggedIn) renew(r, pRoute, s, tNow);
  return 1;
}

/* ---- handlers ---- */

/* {account, csrf_token}; not to be cached anywhere. */
static void reply_session(struct kg_req *r, unsigned status, const struct kg_account *pAcc,
                          const char *zCsrf) {
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, status,
                json_pack("{s:o, s:s}", "account", kg_api_account_json(pAcc), "csrf_token", zCsrf));
}

void kg_api_session_create(struct kg_req *r) {
  static const char *const azKnown[] = {"email", "password", NULL};
  struct kg_api_session *s = kg_api_session(r);
  json_t *pBody = kg_req_json(r);
  if (!pBody || !kg_api_known_fields(r, pBody, azKnown)) return;
  char zEmail[256];
  const char *zPassword;
  if (!kg_api_str_trim(r, pBody, "email", 1, 254, zEmail, sizeof(zEmail)) ||
      !kg_api_str(r, pBody, "password", 1, KG_AUTH_PASSWORD_MAX_BYTES, &zPassword))
    return;
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;

  struct kg_account acc;
  char zHash[256];
  enum kg_err rc = kg_auth_email_valid(zEmail)
                       ? kg_store_account_by_email(pStore, zEmail, &acc, zHash, sizeof(zHash))
                       : KG_ENOTFOUND;
  if (rc == KG_ENOTFOUND) {
    /* the same work and the same answer as a wrong password */
    kg_auth_password_verify_dummy(zPassword);
    kg_log_info("login refused reason=credentials");
    kg_reply_problem(r, 401, NULL, zBadCredentials);
    return;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot check the credentials");
    return;
  }
  if (!kg_auth_password_verify(zHash, zPassword)) {
    kg_log_info("login refused reason=credentials");
    kg_reply_problem(r, 401, NULL, zBadCredentials);
    return;
  }
  if (kg_auth_password_needs_rehash(zHash)) {
    char zNew[KG_AUTH_HASH_SIZE];
    if (kg_auth_password_hash(zPassword, zNew, sizeof(zNew)) != KG_OK ||
        kg_store_account_set_password(pStore, acc.id, zNew) != KG_OK)
      kg_log_warn("password rehash failed account=%lld", (long long)acc.id);
  }

  char zToken[KG_AUTH_TOKEN_SIZE];
  unsigned char aTokenHash[KG_AUTH_TOKEN_HASH_BYTES];
  char zCsrf[KG_AUTH_CSRF_SIZE];
  int64_t nLife = kg_api_session_lifetime(r);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, aTokenHash);
  kg_auth_csrf_new(zCsrf);
  rc = kg_store_session_insert(pStore, aTokenHash, acc.id, zCsrf, kg_time_now() + nLife);
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot start the session");
    goto out;
  }
  /* logging in again replaces the session this browser had */
  if (s && s->bLoggedIn && kg_store_session_delete(pStore, s->aTokenHash) != KG_OK)
    kg_log_warn("old session not deleted account=%lld", (long long)s->account.id);
  kg_log_info("login account=%lld", (long long)acc.id);
  set_cookie(r, zToken, nLife);
  reply_session(r, 200, &acc, zCsrf);
out:
  kg_auth_memzero(zToken, sizeof(zToken));
  kg_auth_memzero(zHash, sizeof(zHash));
}

void kg_api_session_get(struct kg_req *r) {
  struct kg_api_session *s = kg_api_session(r);
  if (!s || !s->bLoggedIn) {
    kg_reply_problem(r, 401, NULL, "not logged in");
    return;
  }
  reply_session(r, 200, &s->account, s->zCsrf);
}

void kg_api_session_delete(struct kg_req *r) {
  struct kg_api_session *s = kg_api_session(r);
  if (s && s->bLoggedIn) {
    struct kg_store *pStore = kg_api_store(r);
    if (!pStore) return;
    enum kg_err rc = kg_store_session_delete(pStore, s->aTokenHash);
    if (rc != KG_OK && rc != KG_ENOTFOUND) {
      kg_reply_err(r, rc, "cannot end the session");
      return;
    }
    kg_log_info("logout account=%lld", (long long)s->account.id);
  }
  /* clear the cookie in any case: logging out twice is not an error */
  set_cookie(r, NULL, 0);
  kg_reply_empty(r, 204);
}

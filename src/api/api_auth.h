/* api_auth.h: sessions inside the api layer (internal to src/api/) — who is
 * making the request, as found by the before hook, plus the handlers for
 * accounts, sessions and /me that routes.c puts in the table. */
#ifndef KENGASH_API_AUTH_H
#define KENGASH_API_AUTH_H

#include <jansson.h>
#include <stdint.h>

#include "kengash/auth.h"
#include "kengash/http.h"
#include "kengash/i18n.h"
#include "kengash/store.h"

/* Per-request session state, hung on the request by kg_api_before (always,
 * also for anonymous requests) and freed when the request ends. */
struct kg_api_session {
  int bLoggedIn;
  struct kg_account account; /* valid when bLoggedIn */
  unsigned char aTokenHash[KG_AUTH_TOKEN_HASH_BYTES];
  char zCsrf[KG_AUTH_CSRF_SIZE];
  int64_t expiresAt;
  int bReplicaRead; /* a public read, answered from a replica (--db-replica) */
};

/* The session state of r; NULL only when the before hook did not run. */
struct kg_api_session *kg_api_session(struct kg_req *r);
/* The logged-in account, borrowed for the request's life; NULL when
 * anonymous. Routes flagged KG_ROUTE_LOGIN / MODERATOR / ADMIN never see
 * NULL here. */
const struct kg_account *kg_api_account(struct kg_req *r);
/* 1 when the request comes from a moderator or an admin. */
int kg_api_is_moderator(struct kg_req *r);
/* The account as the API shows it: {id, email, full_name, role, created_at}.
 * New reference. */
json_t *kg_api_account_json(const struct kg_account *p);
/* Counts an action of kind cKind (a letter per kind: 'u' sign-ups, 's'
 * support messages) by the client address of r (IPv6 by its /64): at most
 * nMax in nWindowSec seconds (nMax 0: no limit). Returns 0 when it may go
 * on (it is counted), else the seconds until the window ends (not
 * counted). The counts live in this process's memory, in the login
 * throttle's table. */
int64_t kg_api_ip_limit(struct kg_req *r, char cKind, int nMax, int nWindowSec);
/* The language of the request's reader: the `lang` cookie the language
 * switch sets (web/js/lang.js) when it is ru, tt or en, else the
 * Accept-Language header's choice (kg_lang_negotiate), else Russian. */
enum kg_lang kg_api_request_lang(struct kg_req *r);
/* Session lifetime in seconds, from the configuration. */
int64_t kg_api_session_lifetime(struct kg_req *r);

/* Starts a session for pAcc (a new random token, stored hashed; the
 * cookie; the browser's previous session ends). For a POST it also replies
 * 200 {account, csrf_token, linked}; other callers reply themselves. On
 * failure it has replied. */
enum kg_err kg_api_session_start(struct kg_req *r, const struct kg_account *pAcc, int bLinked);

/* oidc.c: after a password login of accountId, links a pending sign-in
 * through the identity provider (cookie oidc_link) that named this
 * account, applying what the provider attested; *pbLinked tells whether it
 * did. Not an error when there is none or it names another account. On
 * failure it has replied. */
enum kg_err kg_api_oidc_link_after_login(struct kg_req *r, int64_t accountId, int *pbLinked);
void kg_api_oidc_login(struct kg_req *r);     /* GET /auth/oidc/login?next= */
void kg_api_oidc_callback(struct kg_req *r);  /* GET /auth/oidc/callback */
void kg_api_auth_providers(struct kg_req *r); /* GET /api/v1/auth/providers */
/* The state-account sign-in button's text in eLang (--oidc-label[-tt|-en],
 * else the string table's). */
struct kg_app;
const char *kg_api_oidc_label(const struct kg_app *pApp, enum kg_lang eLang);

/* accounts.c */
void kg_api_accounts_create(struct kg_req *r); /* POST /api/v1/accounts */
void kg_api_me(struct kg_req *r);              /* GET /api/v1/me */
void kg_api_me_update(struct kg_req *r);       /* PATCH /api/v1/me: {language} */
/* GET /api/v1/accounts?role=&limit=&cursor= (admin) */
void kg_api_accounts_list(struct kg_req *r);
/* PUT /api/v1/accounts/{id}/role {role} (admin); logged in the moderation log */
void kg_api_accounts_set_role(struct kg_req *r);
/* session.c */
void kg_api_session_create(struct kg_req *r); /* POST /api/v1/session */
void kg_api_session_get(struct kg_req *r);    /* GET /api/v1/session */
void kg_api_session_delete(struct kg_req *r); /* DELETE /api/v1/session */

#endif

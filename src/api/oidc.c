/* oidc.c: signing in through the identity provider (OpenID Connect, e.g.
 * the state portal). /auth/oidc/login sends the browser to the provider
 * with fresh state, nonce and PKCE secrets (kept server side, found by the
 * SHA-256 of the state, which a cookie of this browser also carries);
 * /auth/oidc/callback checks them, lets the auth module exchange the code
 * and check the tokens, matches the attested address against the address
 * register, and signs the person in exactly like a password login. Every
 * failure ends on /signin-failed.html?reason=... and creates nothing. Logs
 * carry reasons and account ids only. */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"

#define LOGIN_TTL 600 /* seconds a sign-in may take at the provider */
#define LINK_TTL 900  /* seconds to prove an existing account with its password */
#define MAX_NEXT 512
#define MAX_CODE 2048

static struct kg_oidc *oidc(struct kg_req *r) {
  return ((const struct kg_app *)kg_req_app(r))->pOidc;
}

/* 1 when z is a path on this site: "/" then printable ASCII, not "//" or
 * "/\" (which browsers take for another host), at most MAX_NEXT bytes. */
static int next_ok(const char *z) {
  if (!z || z[0] != '/' || z[1] == '/' || z[1] == '\\' || strlen(z) > MAX_NEXT) return 0;
  for (const char *p = z; *p; p++)
    if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\') return 0;
  return 1;
}

/* Percent-encodes z into zOut (nOut bytes, truncated): a query value. */
static void pct_encode(const char *z, char *zOut, size_t nOut) {
  static const char zHex[] = "0123456789ABCDEF";
  size_t j = 0;
  for (; *z && j + 4 < nOut; z++) {
    unsigned char c = (unsigned char)*z;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        strchr("/._~-", c)) {
      zOut[j++] = (char)c;
    } else {
      zOut[j++] = '%';
      zOut[j++] = zHex[c >> 4];
      zOut[j++] = zHex[c & 15];
    }
  }
  zOut[j] = 0;
}

static void cookie(struct kg_req *r, const char *zName, const char *zValue, const char *zPath,
                   int nMaxAge) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  char z[200];
  snprintf(z, sizeof(z), "%s=%s; Path=%s; HttpOnly; SameSite=Lax; Max-Age=%d%s", zName,
           zValue ? zValue : "", zPath, zValue ? nMaxAge : 0,
           pCfg && pCfg->bSecureCookie ? "; Secure" : "");
  kg_reply_header(r, "Set-Cookie", z);
  kg_auth_memzero(z, sizeof(z));
}

static void redirect(struct kg_req *r, unsigned status, const char *zLocation) {
  kg_reply_header(r, "Location", zLocation);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_empty(r, status);
}

/* Ends a failed sign-in on the page that explains zReason in plain words. */
static void fail(struct kg_req *r, const char *zReason, const char *zWhy) {
  char zLoc[96];
  kg_log_info("oidc sign-in refused reason=%s%s%s", zReason, zWhy && *zWhy ? " why=" : "",
              zWhy && *zWhy ? zWhy : "");
  snprintf(zLoc, sizeof(zLoc), "/signin-failed.html?reason=%s", zReason);
  redirect(r, 303, zLoc);
}

/* The sign-in button's text in eLang: --oidc-label-tt / --oidc-label-en
 * when given; else --oidc-label (a name the server cannot translate) when
 * given; else the string table's (web.oidc_label). Russian is always
 * --oidc-label or its default. */
const char *kg_api_oidc_label(const struct kg_app *pApp, enum kg_lang eLang) {
  static const char *const azOpt[] = {
      [KG_LANG_TT] = "oidc-label-tt", [KG_LANG_EN] = "oidc-label-en"};
  const char *z = eLang != KG_LANG_RU ? kg_config_get(pApp->pCfg, azOpt[eLang]) : NULL;
  if (z && *z) return z;
  z = kg_config_get(pApp->pCfg, "oidc-label");
  if (eLang == KG_LANG_RU || (z && *z)) return pApp->zOidcLabel;
  return kg_tr(eLang, "web.oidc_label");
}

void kg_api_auth_providers(struct kg_req *r) {
  const struct kg_app *pApp = kg_req_app(r);
  json_t *pOut = json_object();
  json_t *pOidc = json_null();
  if (pApp->pOidc) {
    pOidc =
        json_pack("{s:s, s:{s:s, s:s, s:s}, s:s}", "label",
                  kg_api_oidc_label(pApp, kg_api_page_lang(r)), "labels", "ru",
                  kg_api_oidc_label(pApp, KG_LANG_RU), "tt", kg_api_oidc_label(pApp, KG_LANG_TT),
                  "en", kg_api_oidc_label(pApp, KG_LANG_EN), "login_url", "/auth/oidc/login");
  }
  json_object_set_new(pOut, "oidc", pOidc);
  kg_reply_header(r, "Vary", "Cookie, Accept-Language");
  kg_reply_json(r, 200, pOut);
}

void kg_api_oidc_login(struct kg_req *r) {
  struct kg_oidc *p = oidc(r);
  if (!p) {
    kg_reply_code(r, KG_P_NOT_CONFIGURED,
                  "sign-in through an identity provider is not set up here");
    return;
  }
  const char *zNext = kg_req_query(r, "next");
  struct kg_oidc_secrets sec;
  struct kg_oidc_login login;
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  char *zUrl = NULL;
  memset(&login, 0, sizeof(login));
  snprintf(login.zNext, sizeof(login.zNext), "%s", next_ok(zNext) ? zNext : "/");
  enum kg_err rc = kg_oidc_authorize(p, &sec, &zUrl);
  if (rc != KG_OK) {
    fail(r, "unavailable", "metadata");
    goto out;
  }
  struct kg_store *pStore = kg_api_store_primary(r);
  if (!pStore) goto out;
  snprintf(login.zNonce, sizeof(login.zNonce), "%s", sec.zNonce);
  snprintf(login.zVerifier, sizeof(login.zVerifier), "%s", sec.zVerifier);
  kg_auth_token_hash(sec.zState, aHash);
  int64_t tNow = kg_time_now();
  rc = kg_store_oidc_login_insert(pStore, aHash, &login, tNow, tNow + LOGIN_TTL);
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot start the sign-in");
    goto out;
  }
  /* the state also rides in this browser's cookie: a callback carrying a
   * state started in another browser (login CSRF) is refused */
  cookie(r, "oidc_state", sec.zState, "/auth/oidc", LOGIN_TTL);
  redirect(r, 302, zUrl);
out:
  kg_auth_memzero(&sec, sizeof(sec));
  kg_auth_memzero(&login, sizeof(login));
  free(zUrl);
}

/* The attested data as JSON (kept with a pending link). New reference. */
static json_t *person_json(const struct kg_oidc_person *m) {
  return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "iss",
                   m->zIssuer, "sub", m->zSubject, "email", m->zEmail, "email_verified",
                   m->bEmailVerified, "name", m->zFullName, "birthdate", m->zBirthDate, "formatted",
                   m->zAddrFormatted, "street", m->zAddrStreet, "locality", m->zAddrLocality,
                   "postal", m->zAddrPostal, "address_id", m->zAddressId, "holder_id",
                   m->zHolderId);
}

static void person_from_json(json_t *j, struct kg_oidc_person *m) {
  memset(m, 0, sizeof(*m));
#define COPY(key, field)                                                                           \
  snprintf(m->field, sizeof(m->field), "%s",                                                       \
           json_string_value(json_object_get(j, key)) ? json_string_value(json_object_get(j, key)) \
                                                      : "")
  COPY("iss", zIssuer);
  COPY("sub", zSubject);
  COPY("email", zEmail);
  COPY("name", zFullName);
  COPY("birthdate", zBirthDate);
  COPY("formatted", zAddrFormatted);
  COPY("street", zAddrStreet);
  COPY("locality", zAddrLocality);
  COPY("postal", zAddrPostal);
  COPY("address_id", zAddressId);
  COPY("holder_id", zHolderId);
#undef COPY
  m->bEmailVerified = json_is_true(json_object_get(j, "email_verified"));
}

/* Finds the attested address in the register: by the register's own id
 * when the provider gives one, else by the formatted address, else by
 * locality and street address. *pbLocated tells whether one was found;
 * zText gets what to queue for a moderator otherwise. */
static enum kg_err locate(struct kg_store *pStore, const struct kg_oidc_person *m,
                          struct kg_address_hit *pHit, int *pbLocated, char *zText, size_t nText) {
  enum kg_err rc = KG_ENOTFOUND;
  *pbLocated = 0;
  zText[0] = 0;
  if (m->zAddressId[0]) rc = kg_store_address_by_ext_id(pStore, m->zAddressId, pHit);
  if (rc == KG_ENOTFOUND && m->zAddrFormatted[0])
    rc = kg_store_address_resolve(pStore, m->zAddrFormatted, pHit);
  if (m->zAddrStreet[0])
    snprintf(zText, nText, "%s%s%s", m->zAddrLocality, m->zAddrLocality[0] ? ", " : "",
             m->zAddrStreet);
  if (rc == KG_ENOTFOUND && zText[0]) rc = kg_store_address_resolve(pStore, zText, pHit);
  if (m->zAddrFormatted[0]) snprintf(zText, nText, "%s", m->zAddrFormatted);
  if (rc == KG_OK) {
    *pbLocated = 1;
    kg_api_address_with_unit(pHit->zAddress, sizeof(pHit->zAddress),
                             m->zAddrFormatted[0] ? m->zAddrFormatted : m->zAddrStreet);
  }
  return rc == KG_ENOTFOUND ? KG_OK : rc;
}

/* Applies the attested data (linkAccountId: to that account) and fills
 * *pRes; KG_ECONFLICT with *pLinkTo when the e-mail belongs to an account
 * that must be proven first. */
static enum kg_err apply(struct kg_req *r, struct kg_store *pStore, const struct kg_oidc_person *m,
                         int64_t linkAccountId, struct kg_identity_result *pRes, int64_t *pLinkTo) {
  struct kg_address_hit hit;
  char zText[512], zEmail[256], zFallback[256];
  int bLocated = 0;
  unsigned char aHolder[32];
  memset(&hit, 0, sizeof(hit));
  enum kg_err rc = locate(pStore, m, &hit, &bLocated, zText, sizeof(zText));
  if (rc != KG_OK) return rc;
  {
    /* for no usable e-mail: a unique address in the reserved .invalid
     * domain keeps the account addressable by nothing */
    unsigned char aH[crypto_generichash_BYTES_MIN];
    char zHex[2 * sizeof(aH) + 1];
    char zKey[520];
    snprintf(zKey, sizeof(zKey), "%s\n%s", m->zIssuer, m->zSubject);
    crypto_generichash(aH, sizeof(aH), (const unsigned char *)zKey, strlen(zKey), NULL, 0);
    kg_hex_encode(aH, sizeof(aH), zHex);
    snprintf(zFallback, sizeof(zFallback), "oidc-%s@identity.invalid", zHex);
  }
  snprintf(zEmail, sizeof(zEmail), "%s",
           m->zEmail[0] && kg_auth_email_valid(m->zEmail) ? m->zEmail : zFallback);
  const struct kg_app *pApp = kg_req_app(r);
  int bHolder = m->zHolderId[0] && pApp->aHolderKey &&
                kg_auth_holder_hash(pApp->aHolderKey, m->zHolderId, aHolder) == KG_OK;
  struct kg_identity_signin in = {
      .zIssuer = m->zIssuer,
      .zSubject = m->zSubject,
      .zEmail = zEmail,
      .bEmailVerified = m->bEmailVerified,
      .zFallbackEmail = zFallback,
      .zFullName = m->zFullName,
      .zBirthDate = m->zBirthDate,
      .bLocated = bLocated,
      .zAddress = bLocated ? hit.zAddress : zText,
      .lon = hit.lon,
      .lat = hit.lat,
      .aHolderHash = bHolder ? aHolder : NULL,
      .linkAccountId = linkAccountId,
  };
  rc = kg_store_identity_signin(pStore, &in, kg_time_now(), pRes, pLinkTo);
  kg_auth_memzero(aHolder, sizeof(aHolder));
  /* a new account speaks the language the visitor chose (issue 20); it
   * stands without it (Russian) */
  if (rc == KG_OK && pRes->bCreated &&
      kg_store_account_set_language(pStore, pRes->accountId, kg_lang_tag(kg_api_request_lang(r))) !=
          KG_OK)
    kg_log_warn("account language not set account=%lld", (long long)pRes->accountId);
  if (rc == KG_OK)
    kg_log_info("oidc sign-in account=%lld created=%d residence=%s properties=%d",
                (long long)pRes->accountId, pRes->bCreated,
                pRes->bResidenceVerified  ? "verified"
                : pRes->bResidencePending ? "pending"
                                          : "none",
                pRes->nPropertiesVerified);
  return rc;
}

/* An account with the e-mail of person m exists (linkTo): its password
 * must prove it is this person's before the provider's identity is linked
 * to it. Keeps the pending link (cookie oidc_link) and sends the browser
 * to the page that asks for the password, then to zNext; on failure it
 * has replied. */
static void link_pending(struct kg_req *r, struct kg_store *pStore, const struct kg_oidc_person *m,
                         int64_t linkTo, const char *zNext) {
  char zToken[KG_AUTH_TOKEN_SIZE], zLoc[600];
  unsigned char aLink[KG_AUTH_TOKEN_HASH_BYTES];
  json_t *pJ = person_json(m);
  char *zPerson = pJ ? json_dumps(pJ, JSON_COMPACT) : NULL;
  json_decref(pJ);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, aLink);
  int64_t tNow = kg_time_now();
  enum kg_err rc = zPerson ? kg_store_oidc_link_insert(pStore, aLink, linkTo, zPerson, zNext, tNow,
                                                       tNow + LINK_TTL)
                           : KG_ENOMEM;
  if (zPerson) {
    kg_auth_memzero(zPerson, strlen(zPerson));
    free(zPerson);
  }
  if (rc == KG_OK) {
    kg_log_info("oidc sign-in needs a password to link account=%lld", (long long)linkTo);
    cookie(r, "oidc_link", zToken, "/", LINK_TTL);
    snprintf(zLoc, sizeof(zLoc), "/oidc-link.html?next=");
    pct_encode(zNext, zLoc + strlen(zLoc), sizeof(zLoc) - strlen(zLoc));
    redirect(r, 303, zLoc);
  } else {
    kg_reply_err(r, rc, "cannot finish the sign-in");
  }
  kg_auth_memzero(zToken, sizeof(zToken));
}

void kg_api_oidc_callback(struct kg_req *r) {
  struct kg_oidc *p = oidc(r);
  if (!p) {
    kg_reply_code(r, KG_P_NOT_CONFIGURED,
                  "sign-in through an identity provider is not set up here");
    return;
  }
  struct kg_oidc_secrets sec;
  struct kg_oidc_login login;
  struct kg_oidc_person m;
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  char zWhy[96] = "";
  memset(&sec, 0, sizeof(sec));
  memset(&login, 0, sizeof(login));
  memset(&m, 0, sizeof(m));
  const char *zState = kg_req_query(r, "state"), *zCookie = kg_req_cookie(r, "oidc_state");
  const char *zCode = kg_req_query(r, "code"), *zError = kg_req_query(r, "error");
  struct kg_store *pStore = kg_api_store_primary(r);
  if (!pStore) return;
  /* the state cookie is spent whatever happens next */
  cookie(r, "oidc_state", NULL, "/auth/oidc", 0);
  if (!zState || !kg_auth_token_well_formed(zState) || !zCookie ||
      !kg_auth_token_well_formed(zCookie) ||
      sodium_memcmp(zState, zCookie, KG_AUTH_TOKEN_CHARS) != 0) {
    fail(r, "state", "state missing or not this browser's");
    return;
  }
  kg_auth_token_hash(zState, aHash);
  enum kg_err rc = kg_store_oidc_login_take(pStore, aHash, kg_time_now(), &login);
  if (rc == KG_ENOTFOUND || rc == KG_EGONE) {
    fail(r, rc == KG_EGONE ? "expired" : "state", "sign-in unknown, used or expired");
    goto out;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot finish the sign-in");
    goto out;
  }
  /* RFC 9207: a provider that names itself must be ours (mix-up attacks) */
  const char *zIss = kg_req_query(r, "iss");
  if (zIss && strcmp(zIss, kg_oidc_issuer(p)) != 0) {
    fail(r, "provider", "authorization response from another issuer");
    goto out;
  }
  if (zError) {
    fail(r, strcmp(zError, "access_denied") == 0 ? "denied" : "provider", "provider error");
    goto out;
  }
  if (!zCode || !*zCode || strlen(zCode) > MAX_CODE) {
    fail(r, "provider", "code missing");
    goto out;
  }
  snprintf(sec.zState, sizeof(sec.zState), "%s", zState);
  snprintf(sec.zNonce, sizeof(sec.zNonce), "%s", login.zNonce);
  snprintf(sec.zVerifier, sizeof(sec.zVerifier), "%s", login.zVerifier);
  rc = kg_oidc_complete(p, zCode, &sec, kg_time_now(), &m, zWhy, sizeof(zWhy));
  if (rc != KG_OK) {
    fail(r, rc == KG_EIO ? "unavailable" : rc == KG_EGONE ? "expired" : "token", zWhy);
    goto out;
  }
  struct kg_identity_result res;
  int64_t linkTo = 0;
  rc = apply(r, pStore, &m, 0, &res, &linkTo);
  if (rc == KG_ECONFLICT && linkTo) {
    link_pending(r, pStore, &m, linkTo, login.zNext);
    goto out;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot finish the sign-in");
    goto out;
  }
  struct kg_account acc;
  if ((rc = kg_store_account_get(pStore, res.accountId, &acc)) != KG_OK) {
    kg_reply_err(r, rc, "cannot finish the sign-in");
    goto out;
  }
  if (kg_api_session_start(r, &acc, 0) != KG_OK) goto out;
  redirect(r, 303, login.zNext);
out:
  kg_auth_memzero(&sec, sizeof(sec));
  kg_auth_memzero(&login, sizeof(login));
  kg_auth_memzero(&m, sizeof(m));
}

enum kg_err kg_api_oidc_link_after_login(struct kg_req *r, int64_t accountId, int *pbLinked) {
  *pbLinked = 0;
  const char *zToken = kg_req_cookie(r, "oidc_link");
  if (!zToken || !kg_auth_token_well_formed(zToken)) return KG_OK;
  struct kg_store *pStore = kg_api_store_primary(r);
  if (!pStore) return KG_EDB;
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  int64_t linkTo = 0;
  char *zPerson = NULL, zNext[520];
  kg_auth_token_hash(zToken, aHash);
  cookie(r, "oidc_link", NULL, "/", 0);
  enum kg_err rc = kg_store_oidc_link_take(pStore, aHash, kg_time_now(), &linkTo, &zPerson, zNext);
  if (rc == KG_ENOTFOUND) return KG_OK;
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot link the sign-in");
    return rc;
  }
  if (linkTo == accountId) {
    json_t *pJ = json_loads(zPerson, 0, NULL);
    struct kg_oidc_person m;
    struct kg_identity_result res;
    person_from_json(pJ, &m);
    json_decref(pJ);
    rc = apply(r, pStore, &m, accountId, &res, NULL);
    kg_auth_memzero(&m, sizeof(m));
    if (rc != KG_OK)
      kg_reply_err(r, rc, "cannot link the sign-in");
    else
      *pbLinked = 1;
  }
  if (zPerson) {
    kg_auth_memzero(zPerson, strlen(zPerson));
    free(zPerson);
  }
  return rc;
}

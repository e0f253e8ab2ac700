/* oidc.c: the OpenID Connect relying party — provider metadata and keys,
 * the authorization URL with PKCE, the code exchange, the ID token checks
 * (JOSE through cjose) and userinfo. HTTP through libcurl, JSON through
 * Jansson. See auth.h for the contract. Logs name reasons only, never a
 * token, a code or a claim. */
#define _GNU_SOURCE
#include <cjose/cjose.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/auth.h"

#define MAX_RESPONSE (256 * 1024) /* any answer from the provider */
#define MAX_URL 2048
#define CLOCK_SKEW 60       /* seconds of tolerance for exp and iat */
#define JWKS_MIN_REFETCH 2  /* seconds between two fetches of the keys */
#define META_RETRY_AFTER 10 /* seconds before metadata is fetched again after a failure */

struct kg_oidc {
  struct kg_oidc_config cfg; /* strings owned */
  pthread_mutex_t mu;
  /* metadata, once fetched (guarded by mu) */
  int bMeta;
  int64_t tMetaFailed;
  char *zAuthEndpoint, *zTokenEndpoint, *zUserinfoEndpoint, *zJwksUri;
  /* keys (guarded by mu); a json array of JWKs, replaced whole */
  json_t *pJwks;
  int64_t tJwks;
  int64_t tUnknownKid; /* the last fetch for a key we did not hold */
};

static void set_why(char *zWhy, size_t nWhy, const char *z) {
  if (zWhy && nWhy) snprintf(zWhy, nWhy, "%s", z);
}

/* ---- configuration ---- */

static char *dup_or_empty(const char *z) {
  return kg_xstrdup(z ? z : "");
}

static int url_ok(const char *z) {
  return z && strlen(z) < MAX_URL &&
         (strncmp(z, "https://", 8) == 0 || strncmp(z, "http://", 7) == 0) && !strchr(z, ' ');
}

enum kg_err kg_oidc_new(const struct kg_oidc_config *pCfg, struct kg_oidc **ppOut, char *zErr,
                        size_t nErr) {
  *ppOut = NULL;
  if (!url_ok(pCfg->zIssuer)) {
    snprintf(zErr, nErr, "--oidc-issuer must be an http(s) URL");
    return KG_EINVAL;
  }
  if (!pCfg->zClientId || !*pCfg->zClientId || strlen(pCfg->zClientId) > 255) {
    snprintf(zErr, nErr, "--oidc-client-id is required (at most 255 bytes)");
    return KG_EINVAL;
  }
  if (!pCfg->zClientSecret || !*pCfg->zClientSecret || strlen(pCfg->zClientSecret) > 1024) {
    snprintf(zErr, nErr,
             "an OpenID Connect client secret is required (--oidc-client-secret "
             "or --oidc-client-secret-file)");
    return KG_EINVAL;
  }
  if (!url_ok(pCfg->zRedirectUri)) {
    snprintf(zErr, nErr, "the redirect URI must be an http(s) URL (see --base-url)");
    return KG_EINVAL;
  }
  const char *zScopes = pCfg->zScopes && *pCfg->zScopes ? pCfg->zScopes : "openid";
  if (strlen(zScopes) > 512 || strncmp(zScopes, "openid", 6) != 0 ||
      (zScopes[6] && zScopes[6] != ' ')) {
    snprintf(zErr, nErr, "--oidc-scopes must start with openid (at most 512 bytes)");
    return KG_EINVAL;
  }
  struct kg_oidc *p = kg_xcalloc(1, sizeof(*p));
  pthread_mutex_init(&p->mu, NULL);
  p->cfg.zIssuer = kg_xstrdup(pCfg->zIssuer);
  p->cfg.zClientId = kg_xstrdup(pCfg->zClientId);
  p->cfg.zClientSecret = kg_xstrdup(pCfg->zClientSecret);
  p->cfg.zRedirectUri = kg_xstrdup(pCfg->zRedirectUri);
  p->cfg.zScopes = kg_xstrdup(zScopes);
  p->cfg.zAddressIdClaim = dup_or_empty(pCfg->zAddressIdClaim);
  p->cfg.zHolderIdClaim = dup_or_empty(pCfg->zHolderIdClaim);
  p->cfg.nTimeoutSec = pCfg->nTimeoutSec > 0 ? pCfg->nTimeoutSec : 10;
  *ppOut = p;
  return KG_OK;
}

void kg_oidc_free(struct kg_oidc *p) {
  if (!p) return;
  free((char *)p->cfg.zIssuer);
  free((char *)p->cfg.zClientId);
  if (p->cfg.zClientSecret) {
    kg_auth_memzero((char *)p->cfg.zClientSecret, strlen(p->cfg.zClientSecret));
    free((char *)p->cfg.zClientSecret);
  }
  free((char *)p->cfg.zRedirectUri);
  free((char *)p->cfg.zScopes);
  free((char *)p->cfg.zAddressIdClaim);
  free((char *)p->cfg.zHolderIdClaim);
  free(p->zAuthEndpoint);
  free(p->zTokenEndpoint);
  free(p->zUserinfoEndpoint);
  free(p->zJwksUri);
  json_decref(p->pJwks);
  pthread_mutex_destroy(&p->mu);
  free(p);
}

const char *kg_oidc_issuer(const struct kg_oidc *p) {
  return p->cfg.zIssuer;
}

/* ---- HTTP ---- */

static size_t on_body(char *pData, size_t nSize, size_t nMemb, void *pArg) {
  struct kg_buf *pBuf = pArg;
  size_t n = nSize * nMemb;
  return kg_buf_append(pBuf, pData, n) == KG_OK ? n : 0;
}

/* One exchange with the provider: GET zUrl, or POST zPost (form-encoded)
 * when not NULL; zBearer adds an Authorization header, bBasic the client's
 * credentials. The body lands in *pBuf (<= MAX_RESPONSE) and the status in
 * *pnStatus. KG_EIO when nothing usable came back. */
static enum kg_err http_call(struct kg_oidc *p, const char *zUrl, const char *zPost,
                             const char *zBearer, int bBasic, struct kg_buf *pBuf, long *pnStatus) {
  enum kg_err rc = KG_EIO;
  struct curl_slist *pHdr = NULL;
  char *zAuth = NULL;
  CURL *c = curl_easy_init();
  if (!c) return KG_EIO;
  kg_buf_init(pBuf, MAX_RESPONSE);
  curl_easy_setopt(c, CURLOPT_URL, zUrl);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)p->cfg.nTimeoutSec);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)p->cfg.nTimeoutSec);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_RESPONSE);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, pBuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "kengash-oidc/1");
  pHdr = curl_slist_append(pHdr, "Accept: application/json");
  if (zBearer) {
    zAuth = kg_xasprintf("Authorization: Bearer %s", zBearer);
    pHdr = curl_slist_append(pHdr, zAuth);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, pHdr);
  if (bBasic) {
    /* RFC 6749 2.3.1: client id and secret form-encoded, then Basic */
    char *zId = curl_easy_escape(c, p->cfg.zClientId, 0);
    char *zSecret = curl_easy_escape(c, p->cfg.zClientSecret, 0);
    if (zId && zSecret) {
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
      curl_easy_setopt(c, CURLOPT_USERNAME, zId);
      curl_easy_setopt(c, CURLOPT_PASSWORD, zSecret);
    }
    if (zSecret) kg_auth_memzero(zSecret, strlen(zSecret));
    curl_free(zId);
    curl_free(zSecret);
  }
  if (zPost) curl_easy_setopt(c, CURLOPT_POSTFIELDS, zPost);
  CURLcode cc = curl_easy_perform(c);
  if (cc != CURLE_OK) {
    kg_log_warn("oidc provider unreachable err=%d", (int)cc);
    goto out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, pnStatus);
  if (kg_buf_failed(pBuf)) goto out;
  if (!pBuf->a) kg_buf_puts(pBuf, "");
  rc = KG_OK;
out:
  if (zAuth) {
    kg_auth_memzero(zAuth, strlen(zAuth));
    free(zAuth);
  }
  curl_slist_free_all(pHdr);
  curl_easy_cleanup(c);
  if (rc != KG_OK) kg_buf_free(pBuf);
  return rc;
}

/* GET zUrl and parse a JSON object (new reference) from a 200 answer. */
static json_t *get_json(struct kg_oidc *p, const char *zUrl, const char *zBearer, long *pnStatus) {
  struct kg_buf buf;
  long nStatus = 0;
  if (http_call(p, zUrl, NULL, zBearer, 0, &buf, &nStatus) != KG_OK) return NULL;
  if (pnStatus) *pnStatus = nStatus;
  json_t *pJson = nStatus == 200 ? json_loadb(buf.a, buf.n, JSON_REJECT_DUPLICATES, NULL) : NULL;
  kg_buf_free(&buf);
  if (pJson && !json_is_object(pJson)) {
    json_decref(pJson);
    pJson = NULL;
  }
  return pJson;
}

static const char *jstr(json_t *pObj, const char *zKey) {
  return json_string_value(json_object_get(pObj, zKey));
}

/* ---- metadata and keys ---- */

/* Fetches the provider's metadata unless it is there. Call with mu held. */
static enum kg_err meta_load(struct kg_oidc *p) {
  if (p->bMeta) return KG_OK;
  int64_t tNow = kg_time_now();
  if (p->tMetaFailed && tNow - p->tMetaFailed < META_RETRY_AFTER) return KG_EIO;
  size_t n = strlen(p->cfg.zIssuer);
  char *zUrl = kg_xasprintf("%s%s.well-known/openid-configuration", p->cfg.zIssuer,
                            n && p->cfg.zIssuer[n - 1] == '/' ? "" : "/");
  json_t *pMeta = get_json(p, zUrl, NULL, NULL);
  free(zUrl);
  enum kg_err rc = KG_EIO;
  const char *zIss = jstr(pMeta, "issuer"), *zAuth = jstr(pMeta, "authorization_endpoint"),
             *zToken = jstr(pMeta, "token_endpoint"), *zJwks = jstr(pMeta, "jwks_uri"),
             *zUser = jstr(pMeta, "userinfo_endpoint");
  if (!pMeta) {
    kg_log_warn("oidc metadata unavailable");
  } else if (!zIss || strcmp(zIss, p->cfg.zIssuer) != 0) {
    /* OpenID Connect Discovery 4.3: the issuer must be the one asked for */
    kg_log_warn("oidc metadata names another issuer");
  } else if (!url_ok(zAuth) || !url_ok(zToken) || !url_ok(zJwks) || (zUser && !url_ok(zUser))) {
    kg_log_warn("oidc metadata lacks an endpoint");
  } else {
    p->zAuthEndpoint = kg_xstrdup(zAuth);
    p->zTokenEndpoint = kg_xstrdup(zToken);
    p->zJwksUri = kg_xstrdup(zJwks);
    p->zUserinfoEndpoint = zUser ? kg_xstrdup(zUser) : NULL;
    p->bMeta = 1;
    rc = KG_OK;
  }
  json_decref(pMeta);
  if (rc != KG_OK) p->tMetaFailed = tNow;
  return rc;
}

/* Fetches the key set (replacing the one held). A fetch because a token
 * names a key we do not hold (bUnknownKid) happens at most once every
 * JWKS_MIN_REFETCH seconds: keys fetched moments ago (the first sign-in,
 * say) never stop the refetch after the provider has rotated them. Call
 * with mu held. */
static enum kg_err jwks_load(struct kg_oidc *p, int bUnknownKid) {
  int64_t tNow = kg_time_now();
  if (bUnknownKid) {
    if (p->tUnknownKid && tNow - p->tUnknownKid < JWKS_MIN_REFETCH) return KG_OK;
    p->tUnknownKid = tNow;
  } else if (p->pJwks) {
    return KG_OK;
  }
  json_t *pSet = get_json(p, p->zJwksUri, NULL, NULL);
  json_t *pKeys = json_object_get(pSet, "keys");
  if (!json_is_array(pKeys)) {
    json_decref(pSet);
    kg_log_warn("oidc keys unavailable");
    return KG_EIO;
  }
  json_decref(p->pJwks);
  p->pJwks = json_incref(pKeys);
  p->tJwks = tNow;
  json_decref(pSet);
  return KG_OK;
}

/* The key for zKid (NULL: the only signing key of a matching type) and
 * zKty as a new cjose key, or NULL. Call with mu held. */
static cjose_jwk_t *jwks_find(struct kg_oidc *p, const char *zKid, const char *zKty) {
  size_t i;
  json_t *pKey, *pFound = NULL;
  int nMatch = 0;
  json_array_foreach(p->pJwks, i, pKey) {
    const char *zUse = jstr(pKey, "use");
    if (!json_is_object(pKey) || (zUse && strcmp(zUse, "sig") != 0)) continue;
    const char *zType = jstr(pKey, "kty");
    if (!zType || strcmp(zType, zKty) != 0) continue;
    const char *zK = jstr(pKey, "kid");
    if (zKid && (!zK || strcmp(zK, zKid) != 0)) continue;
    pFound = pKey;
    nMatch++;
  }
  if (nMatch != 1) return NULL;
  char *zJson = json_dumps(pFound, JSON_COMPACT);
  if (!zJson) return NULL;
  cjose_err err;
  cjose_jwk_t *pJwk = cjose_jwk_import(zJson, strlen(zJson), &err);
  free(zJson);
  return pJwk;
}

/* ---- first leg ---- */

static void b64url(const unsigned char *a, size_t n, char *zOut, size_t nOut) {
  sodium_bin2base64(zOut, nOut, a, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

enum kg_err kg_oidc_authorize(struct kg_oidc *p, struct kg_oidc_secrets *pSec, char **pzUrl) {
  *pzUrl = NULL;
  pthread_mutex_lock(&p->mu);
  enum kg_err rc = meta_load(p);
  char *zEndpoint = rc == KG_OK ? kg_xstrdup(p->zAuthEndpoint) : NULL;
  pthread_mutex_unlock(&p->mu);
  if (rc != KG_OK) return rc;

  kg_auth_token_new(pSec->zState);
  kg_auth_token_new(pSec->zNonce);
  kg_auth_token_new(pSec->zVerifier);
  unsigned char aDigest[crypto_hash_sha256_BYTES];
  char zChallenge[64];
  crypto_hash_sha256(aDigest, (const unsigned char *)pSec->zVerifier, strlen(pSec->zVerifier));
  b64url(aDigest, sizeof(aDigest), zChallenge, sizeof(zChallenge));

  CURL *c = curl_easy_init();
  char *zClient = c ? curl_easy_escape(c, p->cfg.zClientId, 0) : NULL;
  char *zRedirect = c ? curl_easy_escape(c, p->cfg.zRedirectUri, 0) : NULL;
  char *zScope = c ? curl_easy_escape(c, p->cfg.zScopes, 0) : NULL;
  if (zClient && zRedirect && zScope) {
    *pzUrl = kg_xasprintf("%s%cresponse_type=code&client_id=%s&redirect_uri=%s&scope=%s"
                          "&state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256",
                          zEndpoint, strchr(zEndpoint, '?') ? '&' : '?', zClient, zRedirect, zScope,
                          pSec->zState, pSec->zNonce, zChallenge);
  } else {
    rc = KG_EIO;
  }
  curl_free(zClient);
  curl_free(zRedirect);
  curl_free(zScope);
  if (c) curl_easy_cleanup(c);
  free(zEndpoint);
  return rc;
}

/* ---- second leg ---- */

/* 1 when the JWS algorithm zAlg is one we accept, with the key type it needs. */
static int alg_allowed(const char *zAlg, const char **pzKty) {
  if (!zAlg) return 0;
  if (strcmp(zAlg, "RS256") == 0 || strcmp(zAlg, "PS256") == 0) {
    *pzKty = "RSA";
    return 1;
  }
  if (strcmp(zAlg, "ES256") == 0) {
    *pzKty = "EC";
    return 1;
  }
  return 0; /* none, HS*, and anything else */
}

/* Checks the ID token's signature and returns its payload (new reference)
 * or NULL with a reason. Refetches the keys once when the kid is unknown. */
static json_t *id_token_verify(struct kg_oidc *p, const char *zJwt, char *zWhy, size_t nWhy) {
  cjose_err err;
  json_t *pClaims = NULL;
  cjose_jwk_t *pJwk = NULL;
  cjose_jws_t *pJws = cjose_jws_import(zJwt, strlen(zJwt), &err);
  if (!pJws) {
    set_why(zWhy, nWhy, "id_token malformed");
    return NULL;
  }
  /* cjose's header is a Jansson object */
  json_t *pHdr = (json_t *)cjose_jws_get_protected(pJws);
  const char *zAlg = jstr(pHdr, "alg"), *zKid = jstr(pHdr, "kid"), *zKty = NULL;
  if (!alg_allowed(zAlg, &zKty)) {
    set_why(zWhy, nWhy, "id_token algorithm refused");
    goto out;
  }
  if (zKid && strlen(zKid) > 256) {
    set_why(zWhy, nWhy, "id_token kid too long");
    goto out;
  }
  pthread_mutex_lock(&p->mu);
  if (jwks_load(p, 0) == KG_OK) pJwk = jwks_find(p, zKid, zKty);
  if (!pJwk) {
    /* a key we have not seen: the provider may have rotated its keys
     * (jwks_load fetches at most once every JWKS_MIN_REFETCH seconds) */
    if (jwks_load(p, 1) == KG_OK) pJwk = jwks_find(p, zKid, zKty);
  }
  pthread_mutex_unlock(&p->mu);
  if (!pJwk) {
    set_why(zWhy, nWhy, "id_token key unknown");
    goto out;
  }
  if (strcmp(zAlg, "ES256") == 0 && cjose_jwk_EC_get_curve(pJwk, &err) != CJOSE_JWK_EC_P_256) {
    set_why(zWhy, nWhy, "id_token key curve mismatch");
    goto out;
  }
  if (!cjose_jws_verify(pJws, pJwk, &err)) {
    set_why(zWhy, nWhy, "id_token signature invalid");
    goto out;
  }
  uint8_t *pPlain = NULL;
  size_t nPlain = 0;
  if (!cjose_jws_get_plaintext(pJws, &pPlain, &nPlain, &err)) {
    set_why(zWhy, nWhy, "id_token payload unreadable");
    goto out;
  }
  pClaims = json_loadb((const char *)pPlain, nPlain, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(pClaims)) {
    json_decref(pClaims);
    pClaims = NULL;
    set_why(zWhy, nWhy, "id_token payload not an object");
  }
out:
  if (pJwk) cjose_jwk_release(pJwk);
  cjose_jws_release(pJws);
  return pClaims;
}

/* 1 when aud (string or array) holds the client id, and azp is right. */
static int audience_ok(struct kg_oidc *p, json_t *pClaims) {
  json_t *pAud = json_object_get(pClaims, "aud");
  const char *zAzp = jstr(pClaims, "azp");
  int bFound = 0, nAud = 0;
  if (json_is_string(pAud)) {
    bFound = strcmp(json_string_value(pAud), p->cfg.zClientId) == 0;
    nAud = 1;
  } else if (json_is_array(pAud)) {
    size_t i;
    json_t *v;
    json_array_foreach(pAud, i, v) {
      nAud++;
      if (json_is_string(v) && strcmp(json_string_value(v), p->cfg.zClientId) == 0) bFound = 1;
    }
  }
  if (!bFound) return 0;
  if (nAud > 1 && (!zAzp || strcmp(zAzp, p->cfg.zClientId) != 0)) return 0;
  if (zAzp && strcmp(zAzp, p->cfg.zClientId) != 0) return 0;
  return 1;
}

/* Checks the ID token's claims (OpenID Connect Core 3.1.3.7). */
static int claims_ok(struct kg_oidc *p, json_t *pClaims, const char *zNonce, int64_t tNow,
                     char *zWhy, size_t nWhy) {
  const char *zIss = jstr(pClaims, "iss"), *zSub = jstr(pClaims, "sub"),
             *zN = jstr(pClaims, "nonce");
  json_t *pExp = json_object_get(pClaims, "exp"), *pIat = json_object_get(pClaims, "iat");
  if (!zIss || strcmp(zIss, p->cfg.zIssuer) != 0) {
    set_why(zWhy, nWhy, "id_token issuer wrong");
    return 0;
  }
  if (!audience_ok(p, pClaims)) {
    set_why(zWhy, nWhy, "id_token audience wrong");
    return 0;
  }
  if (!json_is_number(pExp) || !json_is_number(pIat)) {
    set_why(zWhy, nWhy, "id_token lacks exp or iat");
    return 0;
  }
  if ((double)tNow - CLOCK_SKEW >= json_number_value(pExp)) {
    set_why(zWhy, nWhy, "id_token expired");
    return 0;
  }
  if (json_number_value(pIat) > (double)tNow + CLOCK_SKEW) {
    set_why(zWhy, nWhy, "id_token issued in the future");
    return 0;
  }
  if (!zN || strlen(zN) != strlen(zNonce) || sodium_memcmp(zN, zNonce, strlen(zNonce)) != 0) {
    set_why(zWhy, nWhy, "id_token nonce wrong");
    return 0;
  }
  if (!zSub || !*zSub || strlen(zSub) > 255) {
    set_why(zWhy, nWhy, "id_token subject missing");
    return 0;
  }
  return 1;
}

/* Copies a string claim into z[n] (truncated at a UTF-8 boundary, control
 * characters refused); leaves z alone when absent or unusable. */
static void claim_copy(json_t *pObj, const char *zKey, char *z, size_t n) {
  const char *v = jstr(pObj, zKey);
  if (!v || !*v) return;
  size_t len = strlen(v);
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)v[i] < 0x20) return;
  if (len >= n) {
    len = n - 1;
    while (len && ((unsigned char)v[len] & 0xC0) == 0x80)
      len--;
  }
  memcpy(z, v, len);
  z[len] = 0;
}

/* YYYY-MM-DD from "YYYY-MM-DD" or "DD.MM.YYYY" (how the state portal
 * writes dates); "" otherwise. */
static void birth_date(const char *v, char z[11]) {
  z[0] = 0;
  if (!v) return;
  int y, m, d;
  char c;
  if (strlen(v) == 10 && sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &c) == 3) {
  } else if (strlen(v) == 10 && sscanf(v, "%2d.%2d.%4d%c", &d, &m, &y, &c) == 3) {
  } else {
    return;
  }
  if (y < 1880 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return;
  snprintf(z, 11, "%04d-%02d-%02d", y, m, d);
}

/* A claim as text: strings as they are, numbers in decimal. */
static void claim_text(json_t *pObj, const char *zKey, char *z, size_t n) {
  json_t *v = json_object_get(pObj, zKey);
  if (json_is_integer(v))
    snprintf(z, n, "%lld", (long long)json_integer_value(v));
  else
    claim_copy(pObj, zKey, z, n);
}

/* Fills *pOut from the merged claims (userinfo over the ID token). */
static void person_fill(struct kg_oidc *p, json_t *pClaims, struct kg_oidc_person *pOut) {
  claim_copy(pClaims, "sub", pOut->zSubject, sizeof(pOut->zSubject));
  claim_copy(pClaims, "email", pOut->zEmail, sizeof(pOut->zEmail));
  json_t *pVer = json_object_get(pClaims, "email_verified");
  pOut->bEmailVerified =
      json_is_true(pVer) || (json_is_string(pVer) && strcmp(json_string_value(pVer), "true") == 0);
  claim_copy(pClaims, "name", pOut->zFullName, sizeof(pOut->zFullName));
  if (!pOut->zFullName[0]) {
    /* family, given and middle name, as Russian documents order them */
    char zF[80] = "", zG[80] = "", zM[80] = "";
    claim_copy(pClaims, "family_name", zF, sizeof(zF));
    claim_copy(pClaims, "given_name", zG, sizeof(zG));
    claim_copy(pClaims, "middle_name", zM, sizeof(zM));
    snprintf(pOut->zFullName, sizeof(pOut->zFullName), "%s%s%s%s%s", zF, *zF && *zG ? " " : "", zG,
             (*zF || *zG) && *zM ? " " : "", zM);
  }
  birth_date(jstr(pClaims, "birthdate"), pOut->zBirthDate);
  json_t *pAddr = json_object_get(pClaims, "address");
  if (json_is_object(pAddr)) {
    claim_copy(pAddr, "formatted", pOut->zAddrFormatted, sizeof(pOut->zAddrFormatted));
    claim_copy(pAddr, "street_address", pOut->zAddrStreet, sizeof(pOut->zAddrStreet));
    claim_copy(pAddr, "locality", pOut->zAddrLocality, sizeof(pOut->zAddrLocality));
    claim_copy(pAddr, "region", pOut->zAddrRegion, sizeof(pOut->zAddrRegion));
    claim_copy(pAddr, "postal_code", pOut->zAddrPostal, sizeof(pOut->zAddrPostal));
  }
  if (p->cfg.zAddressIdClaim[0]) {
    claim_text(pClaims, p->cfg.zAddressIdClaim, pOut->zAddressId, sizeof(pOut->zAddressId));
    if (!pOut->zAddressId[0] && json_is_object(pAddr))
      claim_text(pAddr, p->cfg.zAddressIdClaim, pOut->zAddressId, sizeof(pOut->zAddressId));
  }
  if (p->cfg.zHolderIdClaim[0])
    claim_text(pClaims, p->cfg.zHolderIdClaim, pOut->zHolderId, sizeof(pOut->zHolderId));
}

enum kg_err kg_oidc_complete(struct kg_oidc *p, const char *zCode,
                             const struct kg_oidc_secrets *pSec, int64_t tNow,
                             struct kg_oidc_person *pOut, char *zWhy, size_t nWhy) {
  memset(pOut, 0, sizeof(*pOut));
  set_why(zWhy, nWhy, "");
  enum kg_err rc;
  char *zToken = NULL, *zUserinfo = NULL, *zForm = NULL;
  json_t *pAnswer = NULL, *pClaims = NULL, *pInfo = NULL;
  struct kg_buf buf = {0};
  long nStatus = 0;

  pthread_mutex_lock(&p->mu);
  rc = meta_load(p);
  if (rc == KG_OK) {
    zToken = kg_xstrdup(p->zTokenEndpoint);
    zUserinfo = p->zUserinfoEndpoint ? kg_xstrdup(p->zUserinfoEndpoint) : NULL;
  }
  pthread_mutex_unlock(&p->mu);
  if (rc != KG_OK) {
    set_why(zWhy, nWhy, "metadata unavailable");
    return rc;
  }

  CURL *c = curl_easy_init();
  char *zC = c ? curl_easy_escape(c, zCode, 0) : NULL;
  char *zR = c ? curl_easy_escape(c, p->cfg.zRedirectUri, 0) : NULL;
  if (zC && zR)
    zForm = kg_xasprintf("grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s",
                         zC, zR, pSec->zVerifier);
  curl_free(zC);
  curl_free(zR);
  if (c) curl_easy_cleanup(c);
  if (!zForm) {
    rc = KG_EIO;
    goto out;
  }
  rc = http_call(p, zToken, zForm, NULL, 1, &buf, &nStatus);
  if (rc != KG_OK) {
    set_why(zWhy, nWhy, "token endpoint unreachable");
    goto out;
  }
  pAnswer = json_loadb(buf.a, buf.n, JSON_REJECT_DUPLICATES, NULL);
  if (nStatus == 400 && json_is_object(pAnswer) && jstr(pAnswer, "error") &&
      strcmp(jstr(pAnswer, "error"), "invalid_grant") == 0) {
    set_why(zWhy, nWhy, "code refused by the provider");
    rc = KG_EGONE;
    goto out;
  }
  if (nStatus != 200 || !json_is_object(pAnswer)) {
    set_why(zWhy, nWhy, nStatus >= 500 ? "token endpoint failed" : "token request refused");
    rc = nStatus >= 500 || nStatus == 0 ? KG_EIO : KG_EINVAL;
    goto out;
  }
  const char *zIdToken = jstr(pAnswer, "id_token"), *zAccess = jstr(pAnswer, "access_token"),
             *zType = jstr(pAnswer, "token_type");
  if (!zIdToken || !zAccess || !zType || strcasecmp(zType, "Bearer") != 0) {
    set_why(zWhy, nWhy, "token answer incomplete");
    rc = KG_EINVAL;
    goto out;
  }
  pClaims = id_token_verify(p, zIdToken, zWhy, nWhy);
  if (!pClaims || !claims_ok(p, pClaims, pSec->zNonce, tNow, zWhy, nWhy)) {
    rc = KG_EINVAL;
    goto out;
  }
  snprintf(pOut->zIssuer, sizeof(pOut->zIssuer), "%s", p->cfg.zIssuer);
  if (zUserinfo) {
    long nInfo = 0;
    pInfo = get_json(p, zUserinfo, zAccess, &nInfo);
    if (!pInfo) {
      set_why(zWhy, nWhy, nInfo ? "userinfo refused" : "userinfo unreachable");
      rc = nInfo ? KG_EINVAL : KG_EIO;
      goto out;
    }
    const char *zSub = jstr(pInfo, "sub");
    if (!zSub || strcmp(zSub, jstr(pClaims, "sub")) != 0) {
      /* Core 5.3.2: the userinfo sub must be the ID token's */
      set_why(zWhy, nWhy, "userinfo subject differs");
      rc = KG_EINVAL;
      goto out;
    }
    json_object_update(pClaims, pInfo);
  }
  person_fill(p, pClaims, pOut);
  rc = KG_OK;
out:
  if (zForm) {
    kg_auth_memzero(zForm, strlen(zForm));
    free(zForm);
  }
  if (buf.a) kg_auth_memzero(buf.a, buf.n);
  kg_buf_free(&buf);
  json_decref(pAnswer);
  json_decref(pClaims);
  json_decref(pInfo);
  free(zToken);
  free(zUserinfo);
  return rc;
}

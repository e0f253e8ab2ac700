/* auth.h: credentials and the checks around them — argon2id password
 * hashing, password and e-mail rules, random session tokens (stored only as
 * their SHA-256), CSRF tokens, roles, and the identity-provider seam through
 * which verified personal attributes may arrive. No HTTP, no SQL here. */
#ifndef KENGASH_AUTH_H
#define KENGASH_AUTH_H

#include <stddef.h>

#include "kengash/core.h"

/* Initialises libsodium. Call once before any other kg_auth_ function (it is
 * idempotent and thread-safe). Aborts when libsodium cannot start: without a
 * random source nothing here is safe. */
void kg_auth_init(void);

/* ---- passwords ---- */

/* Size of a buffer that holds any password hash string (with its NUL). */
#define KG_AUTH_HASH_SIZE 128
/* Password length bounds: characters (code points) at least, bytes at most. */
#define KG_AUTH_PASSWORD_MIN_CHARS 10
#define KG_AUTH_PASSWORD_MAX_BYTES 256

/* Hashes zPassword with argon2id (libsodium's interactive limits) into zHash
 * (nHash >= KG_AUTH_HASH_SIZE), a self-describing "$argon2id$..." string.
 * KG_EINVAL when nHash is too small, KG_ENOMEM when argon2 cannot get its
 * memory. Slow by design (tens of ms, 64 MiB). */
enum kg_err kg_auth_password_hash(const char *zPassword, char *zHash /* OUT */, size_t nHash);
/* 1 when zPassword matches zHash, 0 otherwise (also for a malformed hash). */
int kg_auth_password_verify(const char *zHash, const char *zPassword);
/* Spends the time of one verification against a fixed hash and returns
 * nothing: call it when the account is unknown so the answer takes as long as
 * a wrong password. */
void kg_auth_password_verify_dummy(const char *zPassword);
/* The hash kg_auth_password_verify_dummy verifies against: argon2id with the
 * cost kg_auth_password_hash uses (checked at kg_auth_init), so the dummy
 * check does the same work as a real one. */
const char *kg_auth_password_dummy_hash(void);
/* 1 when zHash should be replaced by a fresh hash of the same password (other
 * algorithm or older cost parameters), 0 when it is current. */
int kg_auth_password_needs_rehash(const char *zHash);
/* Applies the password rules to a new password: valid UTF-8 text, at least
 * KG_AUTH_PASSWORD_MIN_CHARS characters, at most KG_AUTH_PASSWORD_MAX_BYTES
 * bytes, not a common password, not the e-mail address (zEmail may be NULL)
 * nor its part before "@". Returns 1 when acceptable; otherwise 0 and a
 * plain-language reason in zReason (e.g. "must be at least 10 characters
 * long"), written to follow the field name. */
int kg_auth_password_acceptable(const char *zPassword, const char *zEmail, char *zReason /* OUT */,
                                size_t nReason);

/* ---- e-mail ---- */

/* 1 when zEmail looks like a deliverable address: at most 254 bytes, one "@",
 * a local part of 1..64 bytes, a domain with a dot and no empty labels, no
 * spaces, control characters or <>()[]\,;:" and valid UTF-8. No DNS. */
int kg_auth_email_valid(const char *zEmail);

/* ---- tokens ---- */

/* Random bytes in a session (or reset) token and its text length:
 * 32 bytes, base64url without padding. */
#define KG_AUTH_TOKEN_BYTES 32
#define KG_AUTH_TOKEN_CHARS 43
#define KG_AUTH_TOKEN_SIZE (KG_AUTH_TOKEN_CHARS + 1)
/* Length of a SHA-256. */
#define KG_AUTH_TOKEN_HASH_BYTES 32

/* A new random token as base64url text (the cookie value). */
void kg_auth_token_new(char zToken[KG_AUTH_TOKEN_SIZE] /* OUT */);
/* 1 when z has the shape of a token made by kg_auth_token_new (length and
 * alphabet); lets callers skip the database for garbage cookies. */
int kg_auth_token_well_formed(const char *z);
/* SHA-256 of the token text: what the database keeps instead of the token. */
void kg_auth_token_hash(const char *zToken,
                        unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES] /* OUT */);

/* CSRF token: 32 random bytes as 64 lowercase hex digits. */
#define KG_AUTH_CSRF_CHARS 64
#define KG_AUTH_CSRF_SIZE (KG_AUTH_CSRF_CHARS + 1)
void kg_auth_csrf_new(char zCsrf[KG_AUTH_CSRF_SIZE] /* OUT */);
/* 1 when zGiven equals zExpected, compared in constant time; 0 when either is
 * NULL or not KG_AUTH_CSRF_CHARS long. */
int kg_auth_csrf_equal(const char *zExpected, const char *zGiven);

/* Overwrites n bytes at p in a way the compiler does not remove (for
 * passwords read into memory). */
void kg_auth_memzero(void *p, size_t n);

/* ---- roles: citizen < moderator < admin ---- */

/* 1 for "citizen", "moderator" or "admin". */
int kg_auth_role_valid(const char *zRole);
/* 1 when zRole is valid and ranks at least zMin (also valid); 0 otherwise. */
int kg_auth_role_at_least(const char *zRole, const char *zMin);

/* ---- identity providers ----
 *
 * Participation needs identification data (full name, date of birth, address
 * of residence; right holders add register data). Where they come from, and
 * whether they count as verified on arrival, is decided by an identity
 * provider. "local": the user declares the data themselves and a moderator
 * verifies it later (verified_by becomes "moderator"). The state identity
 * provider signs people in through OpenID Connect (kg_oidc_* below); what it
 * attests arrives verified ("identity_provider"). */

/* Identification data; "" when not given. Fixed buffers, so a provider can
 * fill one without handing over heap memory. */
struct kg_auth_identity {
  char zFullName[256];
  char zBirthDate[11]; /* YYYY-MM-DD */
  char zAddress[512];  /* address of residence as written */
};

struct kg_auth_identity_provider {
  const char *zName;        /* stable id kept with the data: "local" */
  const char *zDescription; /* one line for operators and the UI */
  /* 1 when data from this provider are verified on arrival; 0 when a
   * moderator has to verify them. */
  int bAttests;
  /* Checks data a user hands in through this provider. KG_OK, or KG_EINVAL
   * with the offending field's name in zField and a reason in zReason. */
  enum kg_err (*xCheck)(const struct kg_auth_identity_provider *pProv,
                        const struct kg_auth_identity *pId, char *zField /* OUT */, size_t nField,
                        char *zReason /* OUT */, size_t nReason);
  /* The verified_by value recorded with accepted data ("self-declared" for
   * local; the provider's name for one that attests). */
  const char *(*xVerifiedBy)(const struct kg_auth_identity_provider *pProv);
};

/* The local provider: self-declared data, verified later by a moderator. */
extern const struct kg_auth_identity_provider kg_auth_provider_local;
/* A provider by name, or NULL when there is none by that name. */
const struct kg_auth_identity_provider *kg_auth_provider_find(const char *zName);

/* ---- OpenID Connect relying party (oidc.c) ----
 *
 * Signs people in with an external provider (the state portal): the
 * authorization code flow with PKCE (S256), state and nonce. The provider's
 * metadata comes from <issuer>/.well-known/openid-configuration and its
 * keys from jwks_uri (refetched when a token names an unknown kid, at most
 * once every few seconds). The ID token is checked with cjose: the
 * algorithm must be RS256, PS256 or ES256 and match the key's type (alg
 * "none" and HMAC are refused), the signature must verify, iss must be the
 * issuer, aud must hold the client id (azp too when aud lists others), exp
 * must lie ahead and iat not ahead of now (60 s of clock skew), and the
 * nonce must be the one sent. Then userinfo is read with the access token
 * (its sub must be the ID token's). HTTP goes through libcurl with
 * timeouts and size limits. No SQL and no HTTP server code here. */

struct kg_oidc; /* one provider; thread-safe */

struct kg_oidc_config {
  const char *zIssuer;         /* e.g. https://esia.example/ (exactly as the provider writes it) */
  const char *zClientId;       /* client_id registered with the provider */
  const char *zClientSecret;   /* client secret (client_secret_basic) */
  const char *zRedirectUri;    /* <base-url>/auth/oidc/callback */
  const char *zScopes;         /* space-separated; must include openid */
  const char *zAddressIdClaim; /* claim with the address register's id; NULL or "" for none */
  const char *zHolderIdClaim;  /* claim with a holder identifier (SNILS/INN); NULL or "" */
  int nTimeoutSec;             /* per HTTP exchange with the provider */
};

/* A relying party for pCfg (strings copied). Does not contact the
 * provider. KG_EINVAL with a message in zErr for a bad configuration. */
enum kg_err kg_oidc_new(const struct kg_oidc_config *pCfg, struct kg_oidc **ppOut /* OUT */,
                        char *zErr /* OUT */, size_t nErr);
void kg_oidc_free(struct kg_oidc *p);
/* The issuer, as configured (borrowed). */
const char *kg_oidc_issuer(const struct kg_oidc *p);

/* The per-sign-in secrets: base64url of 32 random bytes each. The caller
 * keeps them (server side) between the two legs. */
struct kg_oidc_secrets {
  char zState[KG_AUTH_TOKEN_SIZE];
  char zNonce[KG_AUTH_TOKEN_SIZE];
  char zVerifier[KG_AUTH_TOKEN_SIZE]; /* PKCE code_verifier */
};

/* First leg: fresh secrets in *pSec and the provider's authorization URL
 * in *pzUrl (heap, free()). Reads the provider's metadata on first use.
 * KG_EIO when the provider cannot be reached or answers nonsense. */
enum kg_err kg_oidc_authorize(struct kg_oidc *p, struct kg_oidc_secrets *pSec /* OUT */,
                              char **pzUrl /* OUT */);

/* What the provider attests about a person; "" when not given. */
struct kg_oidc_person {
  char zIssuer[256];
  char zSubject[256];
  char zEmail[256];
  int bEmailVerified;
  char zFullName[256];
  char zBirthDate[11]; /* YYYY-MM-DD */
  /* the OIDC address claim */
  char zAddrFormatted[512];
  char zAddrStreet[256];
  char zAddrLocality[128];
  char zAddrRegion[128];
  char zAddrPostal[16];
  char zAddressId[64]; /* --oidc-address-id-claim */
  char zHolderId[64];  /* --oidc-holder-id-claim, as given */
};

/* Second leg: exchanges zCode (with the verifier of pSec) at the token
 * endpoint, checks the ID token against pSec's nonce at tNow, reads
 * userinfo, and fills *pOut. KG_EIO when the provider cannot be reached;
 * KG_EGONE when it refuses the code (used, expired, unknown); KG_EINVAL
 * when a token or an answer fails a check. zWhy (may be NULL) gets a short
 * reason for the log: no personal data, no token. */
enum kg_err kg_oidc_complete(struct kg_oidc *p, const char *zCode,
                             const struct kg_oidc_secrets *pSec, int64_t tNow,
                             struct kg_oidc_person *pOut /* OUT */, char *zWhy /* OUT */,
                             size_t nWhy);

/* ---- right holders' identifiers (holder.c) ----
 *
 * A holder identifier (SNILS of a person, INN of a person or an
 * organisation) is never stored: the rights register and a sign-in that
 * attests one meet on its keyed hash, HMAC-SHA-256 of the normalised digits
 * with a server key kept in a file outside the database (--holder-key-file,
 * by default "<db>.holder-key"). Identifiers are never logged. */

#define KG_AUTH_HOLDER_KEY_BYTES 32
#define KG_AUTH_HOLDER_HASH_BYTES 32
#define KG_AUTH_HOLDER_DIGITS_SIZE 13 /* 12 digits and a NUL */
#define KG_AUTH_HOLDER_MAX_BYTES 64   /* longest identifier as written */

/* Normalises a holder identifier as written ("123-456-789 01",
 * "7707083893"): digits are kept, spaces, tabs, no-break spaces and hyphens
 * dropped, anything else refused; the digits must be a SNILS (11) or an INN
 * (10 or 12). No check digits are tested (register extracts carry numbers
 * as issued). Returns the number of digits written into zDigits, or 0 (and
 * zDigits "") when zHolder is not such an identifier or is longer than
 * KG_AUTH_HOLDER_MAX_BYTES. Wipe zDigits after use (kg_auth_memzero). */
int kg_auth_holder_normalize(const char *zHolder,
                             char zDigits[KG_AUTH_HOLDER_DIGITS_SIZE] /* OUT */);
/* aHash = HMAC-SHA-256(aKey, normalised zHolder) (libsodium's
 * crypto_auth_hmacsha256). KG_EINVAL (aHash zeroed) when zHolder does not
 * normalise. The same person's SNILS however written gives one hash; another
 * key gives another. */
enum kg_err kg_auth_holder_hash(const unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES],
                                const char *zHolder,
                                unsigned char aHash[KG_AUTH_HOLDER_HASH_BYTES] /* OUT */);
/* A value that tells keys apart without revealing them (HMAC of a fixed
 * label): stored with the rights register so that `serve` can refuse a key
 * other than the one the register was loaded with. */
void kg_auth_holder_key_check(const unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES],
                              unsigned char aCheck[KG_AUTH_HOLDER_HASH_BYTES] /* OUT */);
/* The default key file of database zDb: "<zDb>.holder-key" (heap, free()). */
char *kg_auth_holder_key_default_path(const char *zDb);
/* Reads the key from zPath, first creating the file when it does not exist
 * (mode 0600, created exclusively, KG_AUTH_HOLDER_KEY_BYTES random bytes;
 * *pbCreated, may be NULL, tells). Refuses, with a message in zErr for the
 * operator: a file group or others may read or write (KG_EFORBIDDEN), one
 * that is not exactly KG_AUTH_HOLDER_KEY_BYTES long or not a regular file
 * or a symbolic link (KG_EINVAL), one that cannot be read or made (KG_EIO).
 * Calls kg_auth_init. */
enum kg_err kg_auth_holder_key_load(const char *zPath,
                                    unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES] /* OUT */,
                                    int *pbCreated /* OUT, may be NULL */, char *zErr /* OUT */,
                                    size_t nErr);

#endif

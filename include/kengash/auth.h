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
 * provider. Today there is one, "local": the user declares the data
 * themselves and a moderator verifies it later (verified_by becomes
 * "moderator"). A provider that signs people in elsewhere (OpenID Connect,
 * e.g. the state portal) would fill xAuthorizeUrl and xFetchIdentity and set
 * bAttests, so its data arrive verified; nothing else changes for callers. */

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
  /* Redirect sign-in (NULL for providers without one, such as local): the
   * URL to send the browser to, carrying the anti-forgery zState. */
  enum kg_err (*xAuthorizeUrl)(const struct kg_auth_identity_provider *pProv, const char *zState,
                               char *zUrl /* OUT */, size_t nUrl);
  /* Redirect sign-in, second leg (NULL for local): exchanges the returned
   * code for the person's attested data, written into *pOut. */
  enum kg_err (*xFetchIdentity)(const struct kg_auth_identity_provider *pProv, const char *zCode,
                                struct kg_auth_identity *pOut /* OUT */);
};

/* The local provider: self-declared data, verified later by a moderator. */
extern const struct kg_auth_identity_provider kg_auth_provider_local;
/* A provider by name, or NULL when there is none by that name. */
const struct kg_auth_identity_provider *kg_auth_provider_find(const char *zName);

#endif

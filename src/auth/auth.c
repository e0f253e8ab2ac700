/* auth.c: credentials — argon2id password hashing through libsodium, the
 * password and e-mail rules, session and CSRF tokens, roles, and the local
 * identity provider. See auth.h for the contracts. */
#include "kengash/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(KG_AUTH_HASH_SIZE >= crypto_pwhash_STRBYTES, "hash buffer too small");
_Static_assert(KG_AUTH_TOKEN_HASH_BYTES == crypto_hash_sha256_BYTES, "token hash size");

/* An argon2id hash of a random, forgotten password with the interactive
 * limits, verified against when the e-mail is unknown so the answer takes as
 * long as for a wrong password. Regenerated at init if libsodium's limits
 * ever differ from these, to keep the timing equal. */
static char g_zDummy[KG_AUTH_HASH_SIZE] = "$argon2id$v=19$m=65536,t=2,p=1$BneuHzgnQFzPOyGpR1+r6A$"
                                          "Kmzblq9HwP9BILd6knA0GH5DiwxDrtwijI37O4gwMD4";

static pthread_once_t g_initOnce = PTHREAD_ONCE_INIT;

static void init_once(void) {
  if (sodium_init() < 0) {
    kg_log_error("auth libsodium cannot initialise");
    abort();
  }
  if (crypto_pwhash_str_needs_rehash(g_zDummy, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                     crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    unsigned char aRandom[32];
    char zRandom[65];
    randombytes_buf(aRandom, sizeof(aRandom));
    sodium_bin2hex(zRandom, sizeof(zRandom), aRandom, sizeof(aRandom));
    if (crypto_pwhash_str(g_zDummy, zRandom, strlen(zRandom), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      kg_log_error("auth cannot compute the dummy password hash");
      abort();
    }
  }
}

void kg_auth_init(void) {
  pthread_once(&g_initOnce, init_once);
}

/* ---- passwords ---- */

enum kg_err kg_auth_password_hash(const char *zPassword, char *zHash, size_t nHash) {
  if (!zPassword || nHash < crypto_pwhash_STRBYTES) return KG_EINVAL;
  if (crypto_pwhash_str(zHash, zPassword, strlen(zPassword), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    zHash[0] = 0;
    return KG_ENOMEM;
  }
  return KG_OK;
}

/* 1 when zHash is a NUL-terminated string that fits libsodium's buffer. */
static int hash_fits(const char *zHash) {
  return zHash && memchr(zHash, 0, crypto_pwhash_STRBYTES) != NULL;
}

int kg_auth_password_verify(const char *zHash, const char *zPassword) {
  if (!zPassword || !hash_fits(zHash)) return 0;
  return crypto_pwhash_str_verify(zHash, zPassword, strlen(zPassword)) == 0;
}

void kg_auth_password_verify_dummy(const char *zPassword) {
  if (!zPassword) zPassword = "";
  /* the outcome does not matter, only the work done */
  volatile int rc = crypto_pwhash_str_verify(g_zDummy, zPassword, strlen(zPassword));
  (void)rc;
}

const char *kg_auth_password_dummy_hash(void) {
  kg_auth_init();
  return g_zDummy;
}

int kg_auth_password_needs_rehash(const char *zHash) {
  if (!hash_fits(zHash) || strncmp(zHash, "$argon2id$", 10) != 0) return 1;
  return crypto_pwhash_str_needs_rehash(zHash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

/* Passwords people pick most often (from public breach lists), at least 10
 * bytes long: shorter ones are refused by length anyway. Compared without
 * regard to ASCII case. */
static const char *const azCommon[] = {
    "1234567890",   "0987654321",   "12345678910",  "123456789a",    "1234567890a",
    "1q2w3e4r5t",   "1q2w3e4r5t6y", "1qaz2wsx3edc", "123qweasdzxc",  "zaq12wsxcde",
    "qazwsxedcr",   "qwertyuiop",   "qwerty1234",   "qwerty12345",   "qwerty123456",
    "qwertyqwerty", "asdfghjkl1",   "zxcvbnm123",   "password12",    "password123",
    "password1234", "passw0rd123",  "p@ssw0rd12",   "p@ssword123",   "passwordpassword",
    "iloveyou12",   "iloveyou123",  "1111111111",   "0000000000",    "1234512345",
    "1122334455",   "9876543210",   "abcdefghij",   "abcd123456",    "abc1234567",
    "letmein123",   "welcome123",   "admin12345",   "administrator", "changeme123",
    "football123",  "baseball12",   "sunshine12",   "princess12",    "monkey1234",
    "dragon1234",   "superman12",   "starwars12",   "trustno1234",   "kengash123",
    "йцукенгшщз",   "йцукенгшщзх",  "йцукенгшщзхъ", "пароль1234",    "пароль12345",
    "парольпароль", "я1234567890",
};

/* ASCII case-insensitive equality (other bytes compared as they are). */
static int ascii_iequal(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
    if (x != y) return 0;
    if (!x) return 1;
  }
}

/* Like ascii_iequal, for the first n bytes of b against all of a. */
static int ascii_iequal_n(const char *a, const char *b, size_t n) {
  if (strlen(a) != n) return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
    if (x != y) return 0;
  }
  return 1;
}

/* 1 when z is one code point repeated (any number of times). */
static int one_char_repeated(const char *z) {
  size_t nFirst = 1;
  while (z[nFirst] && ((unsigned char)z[nFirst] & 0xc0) == 0x80)
    nFirst++;
  size_t n = strlen(z);
  if (n % nFirst) return 0;
  for (size_t i = nFirst; i < n; i += nFirst)
    if (memcmp(z, z + i, nFirst) != 0) return 0;
  return 1;
}

static int refuse(char *zReason, size_t nReason, const char *zWhy) {
  if (zReason && nReason) snprintf(zReason, nReason, "%s", zWhy);
  return 0;
}

int kg_auth_password_acceptable(const char *zPassword, const char *zEmail, char *zReason,
                                size_t nReason) {
  if (!zPassword || !*zPassword) return refuse(zReason, nReason, "is required");
  size_t n = strlen(zPassword);
  if (n > KG_AUTH_PASSWORD_MAX_BYTES)
    return refuse(zReason, nReason,
                  "is too long: at most 256 bytes (256 Latin or 128 Cyrillic letters)");
  if (!kg_utf8_valid_text(zPassword, n))
    return refuse(zReason, nReason, "must be text without control characters");
  if (kg_utf8_len(zPassword) < KG_AUTH_PASSWORD_MIN_CHARS)
    return refuse(zReason, nReason, "must be at least 10 characters long");
  if (one_char_repeated(zPassword))
    return refuse(zReason, nReason, "must not be one character repeated");
  for (size_t i = 0; i < sizeof(azCommon) / sizeof(azCommon[0]); i++)
    if (ascii_iequal(zPassword, azCommon[i]))
      return refuse(zReason, nReason,
                    "is one of the most common passwords; choose one that is harder to guess");
  if (zEmail && *zEmail) {
    const char *zAt = strchr(zEmail, '@');
    if (ascii_iequal(zPassword, zEmail) ||
        (zAt && ascii_iequal_n(zPassword, zEmail, (size_t)(zAt - zEmail))))
      return refuse(zReason, nReason, "must not be your e-mail address or a part of it");
  }
  if (zReason && nReason) zReason[0] = 0;
  return 1;
}

/* ---- e-mail ---- */

int kg_auth_email_valid(const char *zEmail) {
  if (!zEmail) return 0;
  size_t n = strlen(zEmail);
  if (n < 3 || n > 254 || !kg_utf8_valid_text(zEmail, n)) return 0;
  const char *zAt = strchr(zEmail, '@');
  if (!zAt || strchr(zAt + 1, '@')) return 0;
  size_t nLocal = (size_t)(zAt - zEmail);
  if (nLocal < 1 || nLocal > 64) return 0;
  for (const char *z = zEmail; *z; z++) {
    unsigned char c = (unsigned char)*z;
    if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\,;:\"", c)) return 0;
  }
  /* the local part may not start or end with a dot, nor hold two in a row */
  if (zEmail[0] == '.' || zAt[-1] == '.') return 0;
  for (const char *z = zEmail; z < zAt; z++)
    if (z[0] == '.' && z[1] == '.') return 0;
  /* domain: labels of 1..63 bytes separated by dots, at least two labels */
  const char *zDomain = zAt + 1;
  int nLabel = 0;
  const char *zLabel = zDomain;
  for (const char *z = zDomain;; z++) {
    if (*z == '.' || *z == 0) {
      size_t nLen = (size_t)(z - zLabel);
      if (nLen < 1 || nLen > 63 || zLabel[0] == '-' || z[-1] == '-') return 0;
      nLabel++;
      if (!*z) break;
      zLabel = z + 1;
    }
  }
  return nLabel >= 2;
}

/* ---- tokens ---- */

void kg_auth_token_new(char zToken[KG_AUTH_TOKEN_SIZE]) {
  unsigned char a[KG_AUTH_TOKEN_BYTES];
  randombytes_buf(a, sizeof(a));
  sodium_bin2base64(zToken, KG_AUTH_TOKEN_SIZE, a, sizeof(a),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(a, sizeof(a));
}

int kg_auth_token_well_formed(const char *z) {
  if (!z) return 0;
  size_t i = 0;
  for (; z[i]; i++) {
    char c = z[i];
    if (i >= KG_AUTH_TOKEN_CHARS) return 0;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return 0;
  }
  return i == KG_AUTH_TOKEN_CHARS;
}

void kg_auth_token_hash(const char *zToken, unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES]) {
  crypto_hash_sha256(aHash, (const unsigned char *)zToken, strlen(zToken));
}

void kg_auth_csrf_new(char zCsrf[KG_AUTH_CSRF_SIZE]) {
  unsigned char a[KG_AUTH_CSRF_CHARS / 2];
  randombytes_buf(a, sizeof(a));
  sodium_bin2hex(zCsrf, KG_AUTH_CSRF_SIZE, a, sizeof(a));
}

int kg_auth_csrf_equal(const char *zExpected, const char *zGiven) {
  if (!zExpected || !zGiven) return 0;
  if (strlen(zExpected) != KG_AUTH_CSRF_CHARS || strlen(zGiven) != KG_AUTH_CSRF_CHARS) return 0;
  return sodium_memcmp(zExpected, zGiven, KG_AUTH_CSRF_CHARS) == 0;
}

void kg_auth_memzero(void *p, size_t n) {
  if (p && n) sodium_memzero(p, n);
}

/* ---- roles ---- */

/* 1 citizen, 2 moderator, 3 admin, 0 unknown. */
static int role_rank(const char *zRole) {
  if (!zRole) return 0;
  if (strcmp(zRole, "citizen") == 0) return 1;
  if (strcmp(zRole, "moderator") == 0) return 2;
  if (strcmp(zRole, "admin") == 0) return 3;
  return 0;
}

int kg_auth_role_valid(const char *zRole) {
  return role_rank(zRole) != 0;
}

int kg_auth_role_at_least(const char *zRole, const char *zMin) {
  int nRole = role_rank(zRole), nMin = role_rank(zMin);
  return nRole && nMin && nRole >= nMin;
}

/* ---- the local identity provider ---- */

static int set_field(char *zField, size_t nField, char *zReason, size_t nReason, const char *zName,
                     const char *zWhy) {
  if (zField && nField) snprintf(zField, nField, "%s", zName);
  if (zReason && nReason) snprintf(zReason, nReason, "%s", zWhy);
  return 0;
}

/* 1 when z is valid text of 1..nMax characters that is not only spaces. */
static int text_ok(const char *z, size_t nMax) {
  size_t n = strlen(z);
  if (!kg_utf8_valid_text(z, n) || kg_utf8_len(z) > nMax) return 0;
  for (size_t i = 0; i < n; i++)
    if (z[i] != ' ' && z[i] != '\t' && z[i] != '\n' && z[i] != '\r') return 1;
  return 0;
}

static enum kg_err local_check(const struct kg_auth_identity_provider *pProv,
                               const struct kg_auth_identity *pId, char *zField, size_t nField,
                               char *zReason, size_t nReason) {
  (void)pProv;
  if (!text_ok(pId->zFullName, 200)) {
    set_field(zField, nField, zReason, nReason, "full_name",
              "must be your full name, 1 to 200 characters");
    return KG_EINVAL;
  }
  int64_t t = 0;
  if (strlen(pId->zBirthDate) != 10 || kg_time_parse(pId->zBirthDate, &t) != KG_OK ||
      t > kg_time_now()) {
    set_field(zField, nField, zReason, nReason, "birth_date",
              "must be a date in the past written as YYYY-MM-DD");
    return KG_EINVAL;
  }
  if (!text_ok(pId->zAddress, 500)) {
    set_field(zField, nField, zReason, nReason, "address",
              "must be your address of residence, 1 to 500 characters");
    return KG_EINVAL;
  }
  return KG_OK;
}

static const char *local_verified_by(const struct kg_auth_identity_provider *pProv) {
  (void)pProv;
  return "self-declared";
}

const struct kg_auth_identity_provider kg_auth_provider_local = {
    .zName = "local",
    .zDescription = "data declared by the person, verified by a moderator",
    .bAttests = 0,
    .xCheck = local_check,
    .xVerifiedBy = local_verified_by,
};

static const struct kg_auth_identity_provider *const aProvider[] = {&kg_auth_provider_local};

const struct kg_auth_identity_provider *kg_auth_provider_find(const char *zName) {
  if (!zName) return NULL;
  for (size_t i = 0; i < sizeof(aProvider) / sizeof(aProvider[0]); i++)
    if (strcmp(aProvider[i]->zName, zName) == 0) return aProvider[i];
  return NULL;
}

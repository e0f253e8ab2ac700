/* test_auth.c: unit tests for auth/ — argon2id hashing and verification,
 * rehash detection, password and e-mail rules, session and CSRF tokens,
 * roles, the local identity provider, and holder identifiers' keyed hashes
 * with their key file. Uses the real hashing cost. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kengash/auth.h"
#include "kengash/core.h"

#include "test.h"

/* ---- passwords ---- */

static void password_hash_then_verify_matches(void) {
  char zHash[KG_AUTH_HASH_SIZE];
  CHECK(kg_auth_password_hash("correct horse battery", zHash, sizeof(zHash)) == KG_OK);
  CHECK(kg_auth_password_verify(zHash, "correct horse battery"));
  /* same password, new salt: a different string that verifies too */
  char zHash2[KG_AUTH_HASH_SIZE];
  CHECK(kg_auth_password_hash("correct horse battery", zHash2, sizeof(zHash2)) == KG_OK);
  CHECK(strcmp(zHash, zHash2) != 0);
  CHECK(kg_auth_password_verify(zHash2, "correct horse battery"));
  /* UTF-8 passwords */
  CHECK(kg_auth_password_hash("съешь же ещё этих булок", zHash, sizeof(zHash)) == KG_OK);
  CHECK(kg_auth_password_verify(zHash, "съешь же ещё этих булок"));
}

static void wrong_password_does_not_verify(void) {
  char zHash[KG_AUTH_HASH_SIZE];
  CHECK(kg_auth_password_hash("correct horse battery", zHash, sizeof(zHash)) == KG_OK);
  CHECK(!kg_auth_password_verify(zHash, "correct horse batterY"));
  CHECK(!kg_auth_password_verify(zHash, "correct horse battery "));
  CHECK(!kg_auth_password_verify(zHash, ""));
  CHECK(!kg_auth_password_verify(zHash, NULL));
}

static void malformed_hash_never_verifies(void) {
  CHECK(!kg_auth_password_verify("", "anything at all"));
  CHECK(!kg_auth_password_verify("$argon2id$garbage", "anything at all"));
  CHECK(!kg_auth_password_verify("plaintext-password", "plaintext-password"));
  CHECK(!kg_auth_password_verify(NULL, "anything at all"));
  /* not NUL-terminated within the hash size */
  char zLong[300];
  memset(zLong, 'a', sizeof(zLong) - 1);
  zLong[sizeof(zLong) - 1] = 0;
  CHECK(!kg_auth_password_verify(zLong, "anything at all"));
}

static void hash_is_argon2id_with_interactive_cost(void) {
  char zHash[KG_AUTH_HASH_SIZE];
  CHECK(kg_auth_password_hash("correct horse battery", zHash, sizeof(zHash)) == KG_OK);
  CHECK(strncmp(zHash, "$argon2id$", 10) == 0);
  CHECK(strstr(zHash, "$m=65536,t=2,p=1$") != NULL);
  CHECK(!kg_auth_password_needs_rehash(zHash));
  char zSmall[16];
  CHECK(kg_auth_password_hash("correct horse battery", zSmall, sizeof(zSmall)) == KG_EINVAL);
}

static void weaker_or_other_hashes_need_rehash(void) {
  char zHash[crypto_pwhash_STRBYTES];
  const char *zPw = "correct horse battery";
  /* argon2id with a lower cost than ours */
  CHECK(crypto_pwhash_str_alg(zHash, zPw, strlen(zPw), crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) == 0);
  CHECK(kg_auth_password_verify(zHash, zPw));
  CHECK(kg_auth_password_needs_rehash(zHash));
  /* argon2i, the older variant */
  CHECK(crypto_pwhash_str_alg(zHash, zPw, strlen(zPw), crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2I13) == 0);
  CHECK(kg_auth_password_verify(zHash, zPw));
  CHECK(kg_auth_password_needs_rehash(zHash));
  CHECK(kg_auth_password_needs_rehash("not a hash"));
}

static void unknown_account_check_costs_as_much_as_a_real_one(void) {
  /* No clock: the dummy check verifies against an argon2id hash with the
   * very parameters (algorithm, memory, passes, lanes) of a real one, so it
   * does the same work. */
  char zHash[KG_AUTH_HASH_SIZE];
  CHECK(kg_auth_password_hash("correct horse battery", zHash, sizeof(zHash)) == KG_OK);
  const char *zDummy = kg_auth_password_dummy_hash();
  REQUIRE(zDummy != NULL);
  CHECK(!kg_auth_password_needs_rehash(zDummy));
  const char *zReal = strrchr(zHash, '$'), *zFake = strrchr(zDummy, '$');
  REQUIRE(zReal && zFake);
  zReal = memrchr(zHash, '$', (size_t)(zReal - zHash));
  zFake = memrchr(zDummy, '$', (size_t)(zFake - zDummy));
  REQUIRE(zReal && zFake);
  /* "$argon2id$v=19$m=65536,t=2,p=1$": everything before the salt */
  CHECK(zReal - zHash == zFake - zDummy && memcmp(zHash, zDummy, (size_t)(zReal - zHash)) == 0);
  CHECK(strncmp(zDummy, "$argon2id$", 10) == 0);
  CHECK(!kg_auth_password_verify(zDummy, "wrong password here"));
  kg_auth_password_verify_dummy("wrong password here");
  kg_auth_password_verify_dummy(NULL);
}

static void password_rules_refuse_weak_ones(void) {
  char zWhy[200];
  const char *zEmail = "Aigul.Nurieva@example.org";
  CHECK(kg_auth_password_acceptable("tulpan-na-kazanke", zEmail, zWhy, sizeof(zWhy)));
  CHECK(zWhy[0] == 0);
  CHECK(kg_auth_password_acceptable("тюльпан на казанке", zEmail, zWhy, sizeof(zWhy)));
  /* short: 9 characters; 10 Cyrillic letters are 20 bytes but still 10 characters */
  CHECK(!kg_auth_password_acceptable("abcdefgh9", zEmail, zWhy, sizeof(zWhy)));
  CHECK(strstr(zWhy, "at least 10 characters") != NULL);
  CHECK(!kg_auth_password_acceptable("казань123", zEmail, zWhy, sizeof(zWhy)));
  CHECK(strstr(zWhy, "at least 10 characters") != NULL);
  CHECK(kg_auth_password_acceptable("казань1234", zEmail, zWhy, sizeof(zWhy)));
  CHECK(!kg_auth_password_acceptable("", zEmail, zWhy, sizeof(zWhy)));
  CHECK(!kg_auth_password_acceptable(NULL, zEmail, zWhy, sizeof(zWhy)));
  /* common, in any ASCII case */
  CHECK(!kg_auth_password_acceptable("password123", zEmail, zWhy, sizeof(zWhy)));
  CHECK(strstr(zWhy, "common") != NULL);
  CHECK(!kg_auth_password_acceptable("PassWord123", zEmail, zWhy, sizeof(zWhy)));
  CHECK(!kg_auth_password_acceptable("qwertyuiop", zEmail, zWhy, sizeof(zWhy)));
  CHECK(!kg_auth_password_acceptable("1234567890", zEmail, zWhy, sizeof(zWhy)));
  CHECK(!kg_auth_password_acceptable("йцукенгшщз", zEmail, zWhy, sizeof(zWhy)));
  /* the e-mail or its local part */
  CHECK(!kg_auth_password_acceptable("aigul.nurieva@example.org", zEmail, zWhy, sizeof(zWhy)));
  CHECK(strstr(zWhy, "e-mail") != NULL);
  CHECK(!kg_auth_password_acceptable("aigul.nurieva", zEmail, zWhy, sizeof(zWhy)));
  CHECK(kg_auth_password_acceptable("aigul.nurieva", NULL, zWhy, sizeof(zWhy)));
  /* one character repeated */
  CHECK(!kg_auth_password_acceptable("zzzzzzzzzzzz", zEmail, zWhy, sizeof(zWhy)));
  CHECK(!kg_auth_password_acceptable("жжжжжжжжжжжж", zEmail, zWhy, sizeof(zWhy)));
  /* control characters and broken UTF-8 */
  CHECK(!kg_auth_password_acceptable("abcdefghij\x01k", zEmail, zWhy, sizeof(zWhy)));
  CHECK(!kg_auth_password_acceptable("abcdefghij\xff", zEmail, zWhy, sizeof(zWhy)));
  CHECK(strstr(zWhy, "control characters") != NULL);
  /* 256 bytes are fine, 257 are not */
  char zLong[258];
  for (int i = 0; i < 257; i++)
    zLong[i] = (char)('a' + i % 26);
  zLong[256] = 0;
  CHECK(kg_auth_password_acceptable(zLong, zEmail, zWhy, sizeof(zWhy)));
  zLong[256] = 'x';
  zLong[257] = 0;
  CHECK(!kg_auth_password_acceptable(zLong, zEmail, zWhy, sizeof(zWhy)));
  CHECK(strstr(zWhy, "256 bytes") != NULL);
  /* the reason is cut to the buffer, never overflows it */
  char zTiny[8];
  CHECK(!kg_auth_password_acceptable("short", zEmail, zTiny, sizeof(zTiny)));
  CHECK(strlen(zTiny) == 7);
  CHECK(!kg_auth_password_acceptable("short", zEmail, NULL, 0));
}

/* ---- e-mail ---- */

static void email_syntax_table(void) {
  static const struct {
    const char *z;
    int ok;
  } a[] = {
      {"a@b.ru", 1},
      {"aigul.nurieva@example.org", 1},
      {"first+tag@mail.kazan.ru", 1},
      {"o'brien@example.co.uk", 1},
      {"user@xn--80aswg.xn--p1ai", 1},
      {"гульнара@пример.рф", 1},
      {"", 0},
      {"plainaddress", 0},
      {"@example.org", 0},
      {"user@", 0},
      {"user@localhost", 0},
      {"user@@example.org", 0},
      {"a@b@example.org", 0},
      {"user name@example.org", 0},
      {" user@example.org", 0},
      {"user@example.org ", 0},
      {"user@exa mple.org", 0},
      {"user@example..org", 0},
      {"user@.example.org", 0},
      {"user@example.org.", 0},
      {"user@-example.org", 0},
      {".user@example.org", 0},
      {"user.@example.org", 0},
      {"us..er@example.org", 0},
      {"user\t@example.org", 0},
      {"user@example.org\r\nBcc: x@y.z", 0},
      {"<user@example.org>", 0},
      {"\"user\"@example.org", 0},
      {"user,other@example.org", 0},
      {"user@\xff.org", 0},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    if (kg_auth_email_valid(a[i].z) != a[i].ok) {
      FAIL("e-mail %zu: expected %d", i, a[i].ok);
      return;
    }
  }
  CHECK(!kg_auth_email_valid(NULL));
  /* length limits: 254 bytes in all, 64 in the local part */
  char z[300];
  memset(z, 'a', 64);
  strcpy(z + 64, "@example.org");
  CHECK(kg_auth_email_valid(z));
  memset(z, 'a', 65);
  strcpy(z + 65, "@example.org");
  CHECK(!kg_auth_email_valid(z));
  /* 64 + 1 + 189 bytes of domain = 254 */
  size_t n = 0;
  memset(z, 'a', 64);
  n = 64;
  z[n++] = '@';
  while (n < 254 - 4) {
    size_t nLabel = 254 - 4 - n < 60 ? 254 - 4 - n : 60;
    memset(z + n, 'b', nLabel);
    n += nLabel;
    if (n < 254 - 4) z[n++] = '.';
  }
  strcpy(z + n, ".org");
  CHECK(strlen(z) == 254);
  CHECK(kg_auth_email_valid(z));
  z[254] = 'g';
  z[255] = 0;
  CHECK(!kg_auth_email_valid(z));
}

/* ---- tokens ---- */

static int is_b64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

static void token_is_random_base64url_of_256_bits(void) {
  enum { N = 1000 };
  static char az[N][KG_AUTH_TOKEN_SIZE];
  for (int i = 0; i < N; i++) {
    kg_auth_token_new(az[i]);
    CHECK(strlen(az[i]) == KG_AUTH_TOKEN_CHARS);
    for (int j = 0; az[i][j]; j++)
      CHECK(is_b64url(az[i][j]));
    CHECK(kg_auth_token_well_formed(az[i]));
    unsigned char a[64];
    size_t nBin = 0;
    CHECK(sodium_base642bin(a, sizeof(a), az[i], strlen(az[i]), NULL, &nBin, NULL,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
    CHECK(nBin == KG_AUTH_TOKEN_BYTES);
  }
  for (int i = 0; i < N; i++)
    for (int j = i + 1; j < N; j++)
      CHECK(strcmp(az[i], az[j]) != 0);
  /* every alphabet position is used about equally: count characters of
   * the first 42 positions (the 43rd carries only 4 bits) */
  int aCount[256] = {0};
  for (int i = 0; i < N; i++)
    for (int j = 0; j < 42; j++)
      aCount[(unsigned char)az[i][j]]++;
  int nMin = N * 42, nMax = 0;
  for (int c = 0; c < 256; c++) {
    if (!is_b64url((char)c)) continue;
    if (aCount[c] < nMin) nMin = aCount[c];
    if (aCount[c] > nMax) nMax = aCount[c];
  }
  /* expected 656 each; a broken generator is far outside this */
  CHECK(nMin > 450 && nMax < 900);
}

static void token_shape_check_refuses_garbage(void) {
  CHECK(!kg_auth_token_well_formed(NULL));
  CHECK(!kg_auth_token_well_formed(""));
  CHECK(!kg_auth_token_well_formed("short"));
  CHECK(kg_auth_token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  CHECK(!kg_auth_token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  CHECK(!kg_auth_token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
  CHECK(!kg_auth_token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"));
  CHECK(!kg_auth_token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA "));
}

static void token_hash_is_stable_sha256(void) {
  unsigned char a1[32], a2[32];
  char zHex[65];
  kg_auth_token_hash("abc", a1);
  kg_hex_encode(a1, 32, zHex);
  CHECK(strcmp(zHex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
  char zTok[KG_AUTH_TOKEN_SIZE], zTok2[KG_AUTH_TOKEN_SIZE];
  kg_auth_token_new(zTok);
  kg_auth_token_new(zTok2);
  kg_auth_token_hash(zTok, a1);
  kg_auth_token_hash(zTok, a2);
  CHECK(memcmp(a1, a2, 32) == 0);
  kg_auth_token_hash(zTok2, a2);
  CHECK(memcmp(a1, a2, 32) != 0);
}

static void csrf_tokens_compare_in_constant_time(void) {
  char z1[KG_AUTH_CSRF_SIZE], z2[KG_AUTH_CSRF_SIZE], zCopy[KG_AUTH_CSRF_SIZE];
  kg_auth_csrf_new(z1);
  kg_auth_csrf_new(z2);
  CHECK(strlen(z1) == KG_AUTH_CSRF_CHARS);
  for (int i = 0; z1[i]; i++)
    CHECK(strchr("0123456789abcdef", z1[i]) != NULL);
  CHECK(strcmp(z1, z2) != 0);
  memcpy(zCopy, z1, sizeof(zCopy));
  CHECK(kg_auth_csrf_equal(z1, zCopy));
  CHECK(!kg_auth_csrf_equal(z1, z2));
  zCopy[63] = zCopy[63] == '0' ? '1' : '0';
  CHECK(!kg_auth_csrf_equal(z1, zCopy));
  CHECK(!kg_auth_csrf_equal(z1, NULL));
  CHECK(!kg_auth_csrf_equal(NULL, z1));
  CHECK(!kg_auth_csrf_equal(z1, ""));
  char zPrefix[40];
  memcpy(zPrefix, z1, 39);
  zPrefix[39] = 0;
  CHECK(!kg_auth_csrf_equal(z1, zPrefix));
  char zLonger[70];
  snprintf(zLonger, sizeof(zLonger), "%sab", z1);
  CHECK(!kg_auth_csrf_equal(z1, zLonger));
  /* an empty stored token never matches an empty header */
  CHECK(!kg_auth_csrf_equal("", ""));
}

/* ---- roles and providers ---- */

static void roles_rank_citizen_moderator_admin(void) {
  CHECK(kg_auth_role_valid("citizen") && kg_auth_role_valid("moderator") &&
        kg_auth_role_valid("admin"));
  CHECK(!kg_auth_role_valid("Admin") && !kg_auth_role_valid("") && !kg_auth_role_valid(NULL));
  CHECK(kg_auth_role_at_least("admin", "moderator"));
  CHECK(kg_auth_role_at_least("moderator", "moderator"));
  CHECK(!kg_auth_role_at_least("citizen", "moderator"));
  CHECK(kg_auth_role_at_least("citizen", "citizen"));
  CHECK(!kg_auth_role_at_least("moderator", "admin"));
  CHECK(!kg_auth_role_at_least("root", "citizen"));
  CHECK(!kg_auth_role_at_least("admin", "superuser"));
  CHECK(!kg_auth_role_at_least(NULL, "citizen"));
}

static void local_provider_takes_self_declared_data(void) {
  const struct kg_auth_identity_provider *p = kg_auth_provider_find("local");
  REQUIRE(p == &kg_auth_provider_local);
  CHECK(kg_auth_provider_find("esia") == NULL);
  CHECK(kg_auth_provider_find(NULL) == NULL);
  CHECK(!p->bAttests);
  CHECK(strcmp(p->xVerifiedBy(p), "self-declared") == 0);
  struct kg_auth_identity id = {0};
  char zField[32], zWhy[120];
  snprintf(id.zFullName, sizeof(id.zFullName), "Нуриева Айгуль Ринатовна");
  snprintf(id.zBirthDate, sizeof(id.zBirthDate), "1987-04-12");
  snprintf(id.zAddress, sizeof(id.zAddress), "Казань, ул. Баумана, 1, кв. 5");
  CHECK(p->xCheck(p, &id, zField, sizeof(zField), zWhy, sizeof(zWhy)) == KG_OK);
  snprintf(id.zBirthDate, sizeof(id.zBirthDate), "2999-01-01");
  CHECK(p->xCheck(p, &id, zField, sizeof(zField), zWhy, sizeof(zWhy)) == KG_EINVAL);
  CHECK(strcmp(zField, "birth_date") == 0);
  snprintf(id.zBirthDate, sizeof(id.zBirthDate), "12.04.1987");
  CHECK(p->xCheck(p, &id, zField, sizeof(zField), zWhy, sizeof(zWhy)) == KG_EINVAL);
  snprintf(id.zBirthDate, sizeof(id.zBirthDate), "1987-04-12");
  snprintf(id.zFullName, sizeof(id.zFullName), "   ");
  CHECK(p->xCheck(p, &id, zField, sizeof(zField), zWhy, sizeof(zWhy)) == KG_EINVAL);
  CHECK(strcmp(zField, "full_name") == 0);
  snprintf(id.zFullName, sizeof(id.zFullName), "Нуриева Айгуль Ринатовна");
  id.zAddress[0] = 0;
  CHECK(p->xCheck(p, &id, zField, sizeof(zField), zWhy, sizeof(zWhy)) == KG_EINVAL);
  CHECK(strcmp(zField, "address") == 0);
}

/* ---- right holders' identifiers ---- */

static void holder_ids_normalise_to_digits_or_are_refused(void) {
  static const struct {
    const char *zIn;
    const char *zOut; /* NULL: refused */
  } a[] = {
      {"123-456-789 01", "12345678901"},
      {"12345678901", "12345678901"},
      {" 123 456 789 01 ", "12345678901"},
      {"123-456-789-01", "12345678901"},
      {"123\xc2\xa0"
       "456\xc2\xa0"
       "789\xc2\xa0"
       "01",
       "12345678901"}, /* no-break spaces */
      {"123\t456789 01", "12345678901"},
      {"7707083893", "7707083893"},       /* INN of an organisation */
      {"5001-0073-2259", "500100732259"}, /* INN of a person */
      {"", NULL},
      {"   ", NULL},
      {"123", NULL},
      {"123456789", NULL},     /* 9 digits */
      {"1234567890123", NULL}, /* 13 digits */
      {"12345678901234567890", NULL},
      {"123-456-789 0a", NULL},
      {"123.456.789 01", NULL},
      {"+12345678901", NULL},
      {"１２３４５６７８９０１", NULL}, /* full-width digits */
      {"123\xc2 456789 01", NULL},      /* a broken sequence */
      {"123-456-789 01\n", NULL},
  };
  char zDigits[KG_AUTH_HOLDER_DIGITS_SIZE];
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    int n = kg_auth_holder_normalize(a[i].zIn, zDigits);
    if (a[i].zOut) {
      if (n != (int)strlen(a[i].zOut) || strcmp(zDigits, a[i].zOut) != 0) {
        FAIL("%s -> %d %s", a[i].zIn, n, zDigits);
        return;
      }
    } else {
      if (n != 0 || zDigits[0] != 0) {
        FAIL("%s accepted as %s", a[i].zIn, zDigits);
        return;
      }
    }
  }
  CHECK(kg_auth_holder_normalize(NULL, zDigits) == 0);
  /* longer than KG_AUTH_HOLDER_MAX_BYTES as written, even if the digits fit */
  char zLong[KG_AUTH_HOLDER_MAX_BYTES + 2];
  memset(zLong, ' ', sizeof(zLong) - 1);
  memcpy(zLong + 10, "12345678901", 11);
  zLong[sizeof(zLong) - 1] = 0;
  CHECK(kg_auth_holder_normalize(zLong, zDigits) == 0);
  zLong[KG_AUTH_HOLDER_MAX_BYTES] = 0; /* exactly the limit: fine */
  CHECK(kg_auth_holder_normalize(zLong, zDigits) == 11);
}

static void holder_hash_is_hmac_of_the_digits_and_depends_on_the_key(void) {
  unsigned char aKey1[KG_AUTH_HOLDER_KEY_BYTES], aKey2[KG_AUTH_HOLDER_KEY_BYTES];
  unsigned char a1[KG_AUTH_HOLDER_HASH_BYTES], a2[KG_AUTH_HOLDER_HASH_BYTES];
  unsigned char aWant[KG_AUTH_HOLDER_HASH_BYTES], aZero[KG_AUTH_HOLDER_HASH_BYTES] = {0};
  memset(aKey1, 0x11, sizeof(aKey1));
  memset(aKey2, 0x11, sizeof(aKey2));
  aKey2[31] = 0x12; /* one bit apart */
  /* HMAC-SHA-256 of the digits, whatever the spelling */
  crypto_auth_hmacsha256(aWant, (const unsigned char *)"12345678901", 11, aKey1);
  CHECK(kg_auth_holder_hash(aKey1, "123-456-789 01", a1) == KG_OK);
  CHECK(memcmp(a1, aWant, sizeof(a1)) == 0);
  CHECK(kg_auth_holder_hash(aKey1, " 12345678901", a2) == KG_OK);
  CHECK(memcmp(a1, a2, sizeof(a1)) == 0);
  /* another key, another hash */
  CHECK(kg_auth_holder_hash(aKey2, "123-456-789 01", a2) == KG_OK);
  CHECK(memcmp(a1, a2, sizeof(a1)) != 0);
  /* another person, another hash */
  CHECK(kg_auth_holder_hash(aKey1, "123-456-789 02", a2) == KG_OK);
  CHECK(memcmp(a1, a2, sizeof(a1)) != 0);
  /* an INN is not a SNILS that happens to share digits */
  CHECK(kg_auth_holder_hash(aKey1, "1234567890", a2) == KG_OK);
  CHECK(memcmp(a1, a2, sizeof(a1)) != 0);
  /* refused: EINVAL and a zero hash, never a hash of garbage */
  memset(a2, 0xff, sizeof(a2));
  CHECK(kg_auth_holder_hash(aKey1, "123-456-789", a2) == KG_EINVAL);
  CHECK(memcmp(a2, aZero, sizeof(a2)) == 0);
  CHECK(kg_auth_holder_hash(aKey1, NULL, a2) == KG_EINVAL);
  /* the key check tells keys apart and is no identifier's hash */
  unsigned char c1[KG_AUTH_HOLDER_HASH_BYTES], c2[KG_AUTH_HOLDER_HASH_BYTES];
  kg_auth_holder_key_check(aKey1, c1);
  kg_auth_holder_key_check(aKey2, c2);
  CHECK(memcmp(c1, c2, sizeof(c1)) != 0);
  CHECK(memcmp(c1, a1, sizeof(c1)) != 0);
  kg_auth_holder_key_check(aKey1, c2);
  CHECK(memcmp(c1, c2, sizeof(c1)) == 0);
}

/* Writes n bytes of 0x5a to zPath with mode. */
static int write_file(const char *zPath, size_t n, mode_t mode) {
  unsigned char a[64];
  memset(a, 0x5a, sizeof(a));
  unlink(zPath);
  int fd = open(zPath, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return 0;
  int ok = write(fd, a, n) == (ssize_t)n && fchmod(fd, mode) == 0;
  close(fd);
  return ok;
}

static void holder_key_file_is_made_0600_and_unsafe_ones_are_refused(void) {
  char *zDir = test_path("holder");
  REQUIRE(mkdir(zDir, 0700) == 0);
  char *zDb = kg_xasprintf("%s/k.sqlite", zDir);
  char *zPath = kg_auth_holder_key_default_path(zDb);
  char zErr[600];
  unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES], aAgain[KG_AUTH_HOLDER_KEY_BYTES];
  int bCreated = 0;
  struct stat st;
  CHECK(strcmp(zPath + strlen(zDir), "/k.sqlite.holder-key") == 0);
  /* made when missing, even under a permissive umask */
  mode_t old = umask(0);
  enum kg_err rc = kg_auth_holder_key_load(zPath, aKey, &bCreated, zErr, sizeof(zErr));
  umask(old);
  CHECK(rc == KG_OK && bCreated);
  CHECK(stat(zPath, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 32);
  /* read back, the same key, not made again */
  CHECK(kg_auth_holder_key_load(zPath, aAgain, &bCreated, zErr, sizeof(zErr)) == KG_OK);
  CHECK(!bCreated && memcmp(aKey, aAgain, sizeof(aKey)) == 0);
  /* two new keys differ (random) */
  char *zOther = kg_xasprintf("%s/other.key", zDir);
  CHECK(kg_auth_holder_key_load(zOther, aAgain, &bCreated, zErr, sizeof(zErr)) == KG_OK);
  CHECK(bCreated && memcmp(aKey, aAgain, sizeof(aKey)) != 0);
  /* readable by the group or the world: refused, and says how to fix it */
  CHECK(chmod(zPath, 0644) == 0);
  CHECK(kg_auth_holder_key_load(zPath, aAgain, NULL, zErr, sizeof(zErr)) == KG_EFORBIDDEN);
  CHECK(strstr(zErr, "chmod 600") && strstr(zErr, zPath));
  CHECK(chmod(zPath, 0640) == 0);
  CHECK(kg_auth_holder_key_load(zPath, aAgain, NULL, zErr, sizeof(zErr)) == KG_EFORBIDDEN);
  CHECK(chmod(zPath, 0602) == 0); /* writable by others */
  CHECK(kg_auth_holder_key_load(zPath, aAgain, NULL, zErr, sizeof(zErr)) == KG_EFORBIDDEN);
  CHECK(chmod(zPath, 0400) == 0); /* read-only for the owner is fine */
  CHECK(kg_auth_holder_key_load(zPath, aAgain, NULL, zErr, sizeof(zErr)) == KG_OK);
  CHECK(memcmp(aKey, aAgain, sizeof(aKey)) == 0);
  /* too short, too long */
  CHECK(write_file(zOther, 16, 0600));
  CHECK(kg_auth_holder_key_load(zOther, aAgain, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(strstr(zErr, "too short"));
  CHECK(write_file(zOther, 0, 0600));
  CHECK(kg_auth_holder_key_load(zOther, aAgain, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(write_file(zOther, 33, 0600));
  CHECK(kg_auth_holder_key_load(zOther, aAgain, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(write_file(zOther, 32, 0600));
  CHECK(kg_auth_holder_key_load(zOther, aAgain, NULL, zErr, sizeof(zErr)) == KG_OK);
  /* a symbolic link or a directory is not a key file */
  char *zLink = kg_xasprintf("%s/link.key", zDir);
  CHECK(symlink(zPath, zLink) == 0);
  CHECK(kg_auth_holder_key_load(zLink, aAgain, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(kg_auth_holder_key_load(zDir, aAgain, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  /* a directory that cannot hold it */
  char *zMissing = kg_xasprintf("%s/no/such/dir/key", zDir);
  CHECK(kg_auth_holder_key_load(zMissing, aAgain, NULL, zErr, sizeof(zErr)) == KG_EIO);
  unlink(zLink);
  unlink(zOther);
  unlink(zPath);
  rmdir(zDir);
  free(zMissing);
  free(zLink);
  free(zOther);
  free(zPath);
  free(zDb);
  free(zDir);
}

int main(void) {
  harness_begin();
  kg_auth_init();
  kg_auth_init(); /* idempotent */
  RUN(password_hash_then_verify_matches);
  RUN(wrong_password_does_not_verify);
  RUN(malformed_hash_never_verifies);
  RUN(hash_is_argon2id_with_interactive_cost);
  RUN(weaker_or_other_hashes_need_rehash);
  RUN(unknown_account_check_costs_as_much_as_a_real_one);
  RUN(password_rules_refuse_weak_ones);
  RUN(email_syntax_table);
  RUN(token_is_random_base64url_of_256_bits);
  RUN(token_shape_check_refuses_garbage);
  RUN(token_hash_is_stable_sha256);
  RUN(csrf_tokens_compare_in_constant_time);
  RUN(roles_rank_citizen_moderator_admin);
  RUN(local_provider_takes_self_declared_data);
  RUN(holder_ids_normalise_to_digits_or_are_refused);
  RUN(holder_hash_is_hmac_of_the_digits_and_depends_on_the_key);
  RUN(holder_key_file_is_made_0600_and_unsafe_ones_are_refused);
  return harness_end();
}

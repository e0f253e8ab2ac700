/* holder.c: right holders' identifiers (SNILS, INN) as keyed hashes. The
 * rights register and a sign-in that attests a holder identifier meet on
 * HMAC-SHA-256(key, normalised digits): the database keeps only that hash,
 * and the key lives in a file outside the database, so a copy of the
 * database does not let anyone test guessed identifiers (there are only
 * 10^11 SNILS). See auth.h for the contracts. */
#define _GNU_SOURCE
#include "kengash/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(KG_AUTH_HOLDER_KEY_BYTES == crypto_auth_hmacsha256_KEYBYTES, "holder key size");
_Static_assert(KG_AUTH_HOLDER_HASH_BYTES == crypto_auth_hmacsha256_BYTES, "holder hash size");

int kg_auth_holder_normalize(const char *zHolder, char zDigits[KG_AUTH_HOLDER_DIGITS_SIZE]) {
  size_t nIn, nOut = 0;
  zDigits[0] = 0;
  if (!zHolder || (nIn = strlen(zHolder)) > KG_AUTH_HOLDER_MAX_BYTES) return 0;
  for (size_t i = 0; i < nIn; i++) {
    unsigned char c = (unsigned char)zHolder[i];
    if (c >= '0' && c <= '9') {
      if (nOut >= KG_AUTH_HOLDER_DIGITS_SIZE - 1) goto bad;
      zDigits[nOut++] = (char)c;
    } else if (c == 0xC2 && (unsigned char)zHolder[i + 1] == 0xA0) {
      i++; /* a no-break space, as spreadsheets write "123 456 789 01" */
    } else if (c != ' ' && c != '-' && c != '\t') {
      goto bad;
    }
  }
  if (nOut != 10 && nOut != 11 && nOut != 12) goto bad;
  zDigits[nOut] = 0;
  return (int)nOut;
bad:
  sodium_memzero(zDigits, KG_AUTH_HOLDER_DIGITS_SIZE);
  return 0;
}

enum kg_err kg_auth_holder_hash(const unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES],
                                const char *zHolder,
                                unsigned char aHash[KG_AUTH_HOLDER_HASH_BYTES]) {
  char zDigits[KG_AUTH_HOLDER_DIGITS_SIZE];
  int n = kg_auth_holder_normalize(zHolder, zDigits);
  if (n == 0) {
    memset(aHash, 0, KG_AUTH_HOLDER_HASH_BYTES);
    return KG_EINVAL;
  }
  crypto_auth_hmacsha256(aHash, (const unsigned char *)zDigits, (unsigned long long)n, aKey);
  sodium_memzero(zDigits, sizeof(zDigits));
  return KG_OK;
}

void kg_auth_holder_key_check(const unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES],
                              unsigned char aCheck[KG_AUTH_HOLDER_HASH_BYTES]) {
  /* not digits, so never the hash of an identifier */
  static const char zLabel[] = "kengash holder key check v1";
  crypto_auth_hmacsha256(aCheck, (const unsigned char *)zLabel, sizeof(zLabel) - 1, aKey);
}

char *kg_auth_holder_key_default_path(const char *zDb) {
  return kg_xasprintf("%s.holder-key", zDb && *zDb ? zDb : "kengash.sqlite");
}

/* Writes a new key file: 0600, created exclusively, synced. KG_ECONFLICT
 * when the file appeared meanwhile (another process made it). */
static enum kg_err create_key(const char *zPath, char *zErr, size_t nErr) {
  unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES];
  int fd = open(zPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return KG_ECONFLICT;
    snprintf(zErr, nErr, "cannot create the holder key file %s: %s", zPath, strerror(errno));
    return KG_EIO;
  }
  /* exactly 0600, whatever the umask took away (it never adds bits) */
  if (fchmod(fd, 0600) != 0) goto fail;
  randombytes_buf(aKey, sizeof(aKey));
  ssize_t n = write(fd, aKey, sizeof(aKey));
  sodium_memzero(aKey, sizeof(aKey));
  if (n != (ssize_t)sizeof(aKey) || fsync(fd) != 0) goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  return KG_OK;
fail:
  snprintf(zErr, nErr, "cannot write the holder key file %s: %s", zPath, strerror(errno));
  if (fd >= 0) close(fd);
  unlink(zPath);
  return KG_EIO;
}

enum kg_err kg_auth_holder_key_load(const char *zPath, unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES],
                                    int *pbCreated, char *zErr, size_t nErr) {
  unsigned char aBuf[KG_AUTH_HOLDER_KEY_BYTES + 1];
  struct stat st;
  enum kg_err rc;
  int fd = -1;
  ssize_t nRead = 0;
  if (pbCreated) *pbCreated = 0;
  if (zErr && nErr) zErr[0] = 0;
  memset(aKey, 0, KG_AUTH_HOLDER_KEY_BYTES);
  kg_auth_init();
  for (int nTry = 0; fd < 0; nTry++) {
    fd = open(zPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) break;
    if (errno == ELOOP) {
      snprintf(zErr, nErr, "the holder key file %s is a symbolic link; give the file itself",
               zPath);
      return KG_EINVAL;
    }
    if (errno != ENOENT || nTry > 0) {
      snprintf(zErr, nErr, "cannot read the holder key file %s: %s", zPath, strerror(errno));
      return KG_EIO;
    }
    rc = create_key(zPath, zErr, nErr);
    if (rc == KG_OK && pbCreated) *pbCreated = 1;
    if (rc != KG_OK && rc != KG_ECONFLICT) return rc;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(zErr, nErr, "the holder key file %s is not a regular file", zPath);
    rc = KG_EINVAL;
    goto out;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    snprintf(zErr, nErr,
             "the holder key file %s may be read or changed by other users (mode %03o); "
             "make it readable by its owner only: chmod 600 %s",
             zPath, (unsigned)(st.st_mode & 0777), zPath);
    rc = KG_EFORBIDDEN;
    goto out;
  }
  for (;;) {
    ssize_t n = read(fd, aBuf + nRead, sizeof(aBuf) - (size_t)nRead);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      snprintf(zErr, nErr, "cannot read the holder key file %s: %s", zPath, strerror(errno));
      rc = KG_EIO;
      goto out;
    }
    if (n == 0 || (nRead += n) == (ssize_t)sizeof(aBuf)) break;
  }
  if (nRead != KG_AUTH_HOLDER_KEY_BYTES) {
    snprintf(zErr, nErr,
             "the holder key file %s must hold exactly %d bytes (it has %s); make a new one "
             "with: head -c 32 /dev/urandom > FILE && chmod 600 FILE (and load the rights "
             "register again)",
             zPath, KG_AUTH_HOLDER_KEY_BYTES,
             nRead < KG_AUTH_HOLDER_KEY_BYTES ? "fewer: too short" : "more");
    rc = KG_EINVAL;
    goto out;
  }
  memcpy(aKey, aBuf, KG_AUTH_HOLDER_KEY_BYTES);
  rc = KG_OK;
out:
  sodium_memzero(aBuf, sizeof(aBuf));
  close(fd);
  return rc;
}

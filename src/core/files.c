/* files.c: content-addressed document storage on disk (see files.h). */
#define _GNU_SOURCE
#include "kengash/files.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_sha_hex(const char *z) {
  size_t n = 0;
  for (; z[n]; n++)
    if (!((z[n] >= '0' && z[n] <= '9') || (z[n] >= 'a' && z[n] <= 'f'))) return 0;
  return n == 64;
}

enum kg_err kg_files_path(const char *zDir, const char *zSha256, char *zOut, size_t nOut) {
  if (!is_sha_hex(zSha256)) return KG_EINVAL;
  int n = snprintf(zOut, nOut, "%s/%.2s/%s", zDir, zSha256, zSha256);
  return n > 0 && (size_t)n < nOut ? KG_OK : KG_ETOOBIG;
}

static int fsync_dir(const char *zDir) {
  int fd = open(zDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  int ok = fsync(fd) == 0;
  close(fd);
  return ok;
}

enum kg_err kg_files_adopt(const char *zDir, const char *zTmpPath, const char *zSha256) {
  char zPath[1200], zSub[1100];
  enum kg_err rc = kg_files_path(zDir, zSha256, zPath, sizeof(zPath));
  if (rc) return rc;
  snprintf(zSub, sizeof(zSub), "%s/%.2s", zDir, zSha256);
  if (mkdir(zSub, 0750) != 0 && errno != EEXIST) return errno == ENOSPC ? KG_EFULL : KG_EIO;
  struct stat st;
  if (stat(zPath, &st) == 0) {
    unlink(zTmpPath);
    return KG_OK;
  }
  if (rename(zTmpPath, zPath) != 0) return KG_EIO;
  return fsync_dir(zSub) ? KG_OK : KG_EIO;
}

int kg_files_mktemp(const char *zDir, const char *zPrefix, char *zOut, size_t nOut) {
  /* mkostemp's template: the name ends in six X characters, which it replaces */
  int n = nOut > 7 ? snprintf(zOut, nOut - 6, "%s/%s", zDir, zPrefix) : -1;
  if (n < 0 || (size_t)n >= nOut - 6) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memset(zOut + n, 'X', 6);
  zOut[n + 6] = 0;
  return mkostemp(zOut, O_CLOEXEC);
}

enum kg_err kg_files_put(const char *zDir, const void *pData, size_t n, char zShaOut[65]) {
  unsigned char aSha[32];
  crypto_hash_sha256(aSha, pData, n);
  kg_hex_encode(aSha, 32, zShaOut);
  char zTmp[1100];
  int fd = kg_files_mktemp(zDir, "put-", zTmp, sizeof(zTmp));
  if (fd < 0) return errno == ENAMETOOLONG ? KG_ETOOBIG : KG_EIO;
  const char *p = pData;
  size_t left = n;
  while (left) {
    ssize_t k = write(fd, p, left);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) {
      close(fd);
      unlink(zTmp);
      return KG_EIO;
    }
    p += k;
    left -= (size_t)k;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(zTmp);
    return KG_EIO;
  }
  enum kg_err rc = kg_files_adopt(zDir, zTmp, zShaOut);
  if (rc) unlink(zTmp);
  return rc;
}

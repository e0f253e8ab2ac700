/* restore.c: `kengash backup --verify` and `kengash restore` — a backup is
 * trusted once its checks pass, and a restore brings back the database and
 * the documents together: every document row's file must be there and hash
 * to its name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "kengash/cli.h"
#include "kengash/files.h"

int kg_cli_backup_verify(struct kg_store *pStore, const char *zTo) {
  struct kg_store_check ck;
  enum kg_err err = kg_store_backup_verified(pStore, zTo, &ck);
  if (err == KG_ECONFLICT) {
    fprintf(stderr, "kengash backup: %s already exists\n", zTo);
    return 1;
  }
  if (err == KG_EINVAL) {
    fprintf(stderr, "kengash backup: the copy %s FAILED its check: %s\n", zTo, ck.zMsg);
    return 1;
  }
  if (err != KG_OK) {
    fprintf(stderr, "kengash backup: the copy failed (%s)\n", kg_err_name(err));
    return 1;
  }
  printf("kengash: backup written to %s and verified: integrity ok, %d spatial indexes ok, "
         "%d tables with %lld rows as in the database%s\n",
         zTo, ck.nIndexes, ck.nTables, (long long)ck.nRows,
         ck.nInvalid ? " (some stored geometries are invalid, as in the database)" : "");
  return 0;
}

/* SHA-256 of the file at zPath as hex into zHex; copies it into fdOut
 * meanwhile when fdOut >= 0. 0 when the file cannot be read (or written). */
static int hash_file(const char *zPath, int fdOut, char zHex[65]) {
  int fd = open(zPath, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  static __thread unsigned char aBuf[1 << 16];
  int ok = 1;
  for (;;) {
    ssize_t n = read(fd, aBuf, sizeof(aBuf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = 0;
      break;
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&st, aBuf, (unsigned long long)n);
    for (ssize_t off = 0; fdOut >= 0 && off < n;) {
      ssize_t k = write(fdOut, aBuf + off, (size_t)(n - off));
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) {
        ok = 0;
        break;
      }
      off += k;
    }
    if (!ok) break;
  }
  close(fd);
  unsigned char aSha[32];
  crypto_hash_sha256_final(&st, aSha);
  kg_hex_encode(aSha, 32, zHex);
  return ok;
}

struct restore_files {
  const char *zFiles;     /* where the restored server keeps documents */
  const char *zFromFiles; /* the backed-up documents; NULL: check zFiles only */
  long nOk, nCopied, nMissing, nBad;
};

/* One document: already right in zFiles, or copied from zFromFiles when its
 * hash checks out there; otherwise reported (ids and hashes only). */
static int restore_one(void *pArg, int64_t id, const char *zSha, int64_t nSize) {
  struct restore_files *p = pArg;
  char zPath[1200], zFrom[1200], zHex[65];
  struct stat st;
  if (kg_files_path(p->zFiles, zSha, zPath, sizeof(zPath)) != KG_OK) {
    fprintf(stderr, "kengash restore: document %lld has a malformed hash\n", (long long)id);
    p->nBad++;
    return 0;
  }
  if (stat(zPath, &st) == 0 && st.st_size == nSize && hash_file(zPath, -1, zHex) &&
      strcmp(zHex, zSha) == 0) {
    p->nOk++;
    return 0;
  }
  if (!p->zFromFiles) {
    fprintf(stderr, "kengash restore: document %lld: %s %s\n", (long long)id, zSha,
            stat(zPath, &st) == 0 ? "does not match its hash" : "is missing");
    if (stat(zPath, &st) == 0)
      p->nBad++;
    else
      p->nMissing++;
    return 0;
  }
  kg_files_path(p->zFromFiles, zSha, zFrom, sizeof(zFrom));
  if (stat(zFrom, &st) != 0) {
    fprintf(stderr, "kengash restore: document %lld: %s is missing from %s\n", (long long)id, zSha,
            p->zFromFiles);
    p->nMissing++;
    return 0;
  }
  char zTmp[1100];
  int fd = kg_files_mktemp(p->zFiles, "put-", zTmp, sizeof(zTmp));
  if (fd < 0) {
    fprintf(stderr, "kengash restore: cannot write into %s: %s\n", p->zFiles, strerror(errno));
    p->nBad++;
    return 0;
  }
  int ok = hash_file(zFrom, fd, zHex) && fsync(fd) == 0;
  if (close(fd) != 0) ok = 0;
  if (!ok || strcmp(zHex, zSha) != 0) {
    unlink(zTmp);
    fprintf(stderr, "kengash restore: document %lld: %s %s\n", (long long)id, zSha,
            ok ? "in the backup does not match its hash" : "could not be copied");
    p->nBad++;
    return 0;
  }
  if (kg_files_adopt(p->zFiles, zTmp, zSha) != KG_OK) {
    unlink(zTmp);
    fprintf(stderr, "kengash restore: document %lld: cannot store %s\n", (long long)id, zSha);
    p->nBad++;
    return 0;
  }
  p->nCopied++;
  return 0;
}

/* Removes a database file and its -wal and -shm files. */
static void remove_db(const char *zDb) {
  char *z;
  unlink(zDb);
  z = kg_xasprintf("%s-wal", zDb);
  unlink(z);
  free(z);
  z = kg_xasprintf("%s-shm", zDb);
  unlink(z);
  free(z);
}

int kg_cli_restore(const char *zFrom, const char *zDb, const char *zFromFiles, const char *zFiles) {
  struct kg_store_check ck;
  struct stat st;
  if (stat(zDb, &st) == 0) {
    fprintf(stderr,
            "kengash restore: %s exists; stop the server and move it (and its -wal and -shm "
            "files) aside first\n",
            zDb);
    return 1;
  }
  enum kg_err err = kg_store_restore_db(zFrom, zDb);
  if (err != KG_OK) {
    fprintf(stderr, "kengash restore: cannot write %s from %s (%s)\n", zDb, zFrom,
            kg_err_name(err));
    return 1;
  }
  /* checked as restored, so the backup copy itself is never written to */
  err = kg_store_copy_check(zDb, &ck);
  if (err != KG_OK) {
    if (err == KG_EINVAL)
      fprintf(stderr, "kengash restore: the copy %s FAILED its check: %s\n", zFrom, ck.zMsg);
    else
      fprintf(stderr, "kengash restore: cannot check %s (%s)\n", zDb, kg_err_name(err));
    remove_db(zDb);
    return 1;
  }
  printf("kengash: database restored to %s (integrity ok, %d spatial indexes ok, %d tables, "
         "%lld rows)\n",
         zDb, ck.nIndexes, ck.nTables, (long long)ck.nRows);
  if (mkdir(zFiles, 0750) != 0 && errno != EEXIST) {
    fprintf(stderr, "kengash restore: cannot create %s: %s\n", zFiles, strerror(errno));
    return 1;
  }
  struct kg_store *pStore = NULL;
  if (kg_store_open(zDb, &pStore) != KG_OK) {
    fprintf(stderr, "kengash restore: cannot open %s\n", zDb);
    return 1;
  }
  struct restore_files rf = {.zFiles = zFiles, .zFromFiles = zFromFiles};
  err = kg_store_document_each(pStore, restore_one, &rf);
  kg_store_close(pStore);
  if (err != KG_OK) {
    fprintf(stderr, "kengash restore: cannot list the documents (%s)\n", kg_err_name(err));
    return 1;
  }
  printf("kengash: documents in %s: %ld verified, %ld copied, %ld missing, %ld damaged\n", zFiles,
         rf.nOk, rf.nCopied, rf.nMissing, rf.nBad);
  if (rf.nMissing || rf.nBad) {
    fprintf(stderr,
            "kengash restore: %ld documents are missing or damaged (listed above); the database "
            "is restored, put those files in place before serving\n",
            rf.nMissing + rf.nBad);
    return 1;
  }
  return 0;
}

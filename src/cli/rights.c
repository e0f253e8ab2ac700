/* rights.c: `kengash import --layer rights FILE.csv` — loads an extract of
 * the rights register: CSV (RFC 4180, read by csv.c: commas, optional
 * double quotes with "" inside, CRLF, LF or CR line ends, UTF-8 with an
 * optional BOM) with the
 * header cadastral_number,holder_id. The holder identifier (SNILS or INN)
 * is normalised and kept only as its keyed hash (kg_auth_holder_hash); it
 * never reaches the database, the terminal or a log. The file replaces the
 * register, in one transaction: a bad row is reported by its line number
 * and nothing is loaded. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "kengash/auth.h"
#include "kengash/cli.h"

#define MAX_FILE_BYTES (512LL * 1024 * 1024)
/* Longest field as written; the columns' own rules are stricter. */
#define MAX_FIELD_BYTES 256
#define MAX_CADASTRAL_BYTES 40
#define PROGRESS_ROWS 100000

/* Reads the header; sets *piCad and *piHolder to the columns' positions.
 * Returns 0 after writing why into zErr. */
static int read_header(struct kg_cli_csv *c, int *piCad, int *piHolder, char *zErr, size_t nErr) {
  if (!kg_cli_csv_skip_bom(c)) {
    snprintf(zErr, nErr, "line 1: the header must be cadastral_number,holder_id");
    return 0;
  }
  int rc = kg_cli_csv_read(c, zErr, nErr);
  if (rc < 0) return 0;
  *piCad = *piHolder = -1;
  for (int i = 0; rc > 0 && i < c->nField; i++) {
    const char *z = kg_cli_csv_field(c, i);
    if (strcasecmp(z, "cadastral_number") == 0) *piCad = i;
    if (strcasecmp(z, "holder_id") == 0) *piHolder = i;
  }
  if (rc == 0 || c->nField != 2 || *piCad < 0 || *piHolder < 0) {
    snprintf(zErr, nErr, "line 1: the header must be cadastral_number,holder_id");
    return 0;
  }
  return 1;
}

int kg_cli_import_rights(struct kg_store *pStore, const unsigned char *aKey, const char *zFile) {
  struct kg_cli_csv *c = NULL;
  unsigned char aHash[KG_AUTH_HOLDER_HASH_BYTES], aCheck[KG_AUTH_HOLDER_HASH_BYTES];
  struct kg_rights_info info;
  struct stat st;
  char zErr[300] = "";
  int iCad = 0, iHolder = 1, rc = 1, bTx = 0, r;
  long nRows = 0, nRepeated = 0;
  int64_t tNow = kg_time_now();
  if (stat(zFile, &st) != 0 || !S_ISREG(st.st_mode) ||
      !(c = kg_cli_csv_open(zFile, 2, MAX_FIELD_BYTES,
                            "more than two fields (expected cadastral_number,holder_id)"))) {
    fprintf(stderr, "kengash import: cannot read %s\n", zFile);
    goto out;
  }
  if (st.st_size > MAX_FILE_BYTES) {
    fprintf(stderr, "kengash import: %s is larger than 512 MB; split it\n", zFile);
    goto out;
  }
  if (!read_header(c, &iCad, &iHolder, zErr, sizeof(zErr))) goto bad;
  if (kg_store_begin(pStore) != KG_OK) {
    fprintf(stderr, "kengash import: the database is busy\n");
    goto out;
  }
  bTx = 1;
  kg_auth_holder_key_check(aKey, aCheck);
  if (kg_store_rights_reset(pStore, aCheck, tNow) != KG_OK) {
    snprintf(zErr, sizeof(zErr), "the database refused to empty the register");
    goto bad;
  }
  while ((r = kg_cli_csv_read(c, zErr, sizeof(zErr))) > 0) {
    if (c->nField == 1 && c->anField[0] == 0) continue; /* a blank line */
    if (c->nField != 2) {
      snprintf(zErr, sizeof(zErr), "line %ld: expected two fields (cadastral_number,holder_id)",
               c->nRecordLine);
      goto bad;
    }
    const char *azField[2];
    for (int i = 0; i < 2; i++) {
      azField[i] = kg_cli_csv_field(c, i);
      if (!kg_utf8_valid_text(azField[i], c->anField[i])) {
        snprintf(zErr, sizeof(zErr), "line %ld: field %d is not UTF-8 text", c->nRecordLine, i + 1);
        goto bad;
      }
    }
    const char *zCad = azField[iCad], *zHolder = azField[iHolder];
    if (!*zCad || strlen(zCad) > MAX_CADASTRAL_BYTES || !kg_cadastral_number_valid(zCad)) {
      snprintf(zErr, sizeof(zErr),
               "line %ld: cadastral_number: must be a cadastral number such as 16:50:011105:123 "
               "(NN:NN:NNNNNN(N):N, digits only)",
               c->nRecordLine);
      goto bad;
    }
    if (kg_auth_holder_hash(aKey, zHolder, aHash) != KG_OK) {
      snprintf(zErr, sizeof(zErr),
               "line %ld: holder_id: must be a SNILS (11 digits, such as NNN-NNN-NNN NN) or an INN "
               "(10 or 12 digits)",
               c->nRecordLine);
      goto bad;
    }
    int bAdded = 0;
    if (kg_store_rights_insert(pStore, zCad, aHash, tNow, &bAdded) != KG_OK) {
      snprintf(zErr, sizeof(zErr), "line %ld: the database refused the row", c->nRecordLine);
      goto bad;
    }
    nRows++;
    nRepeated += !bAdded;
    if (nRows % PROGRESS_ROWS == 0) {
      fprintf(stderr, "kengash import: %ld rows read (line %ld)\n", nRows, c->nLine);
      fflush(stderr);
    }
  }
  if (r < 0) goto bad;
  if (kg_store_rights_info(pStore, &info) != KG_OK || kg_store_commit(pStore) != KG_OK) {
    fprintf(stderr, "kengash import: the commit failed; nothing was imported\n");
    goto out;
  }
  bTx = 0;
  printf("imported %ld rows into rights", nRows);
  if (nRepeated) printf(" (%ld repeated rows counted once)", nRepeated);
  printf("\n");
  if (info.nNoParcel)
    printf("%lld of them name a cadastral number missing from the parcels layer: they verify "
           "nothing until those parcels are imported\n",
           (long long)info.nNoParcel);
  rc = 0;
  goto out;
bad:
  fprintf(stderr, "kengash import: %s: %s; nothing was imported\n", zFile, zErr);
out:
  if (bTx) kg_store_rollback(pStore);
  kg_cli_csv_close(c); /* zeroes the fields: holder identifiers */
  kg_auth_memzero(aHash, sizeof(aHash));
  return rc;
}

/* rights.c: `kengash import --layer rights FILE.csv` — loads an extract of
 * the rights register: CSV (RFC 4180: commas, optional double quotes with
 * "" inside, CRLF or LF line ends, UTF-8 with an optional BOM) with the
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

#include "kengash/auth.h"
#include "kengash/cli.h"

#define MAX_FILE_BYTES (512LL * 1024 * 1024)
/* Longest field as written; the columns' own rules are stricter. */
#define MAX_FIELD_BYTES 256
#define MAX_CADASTRAL_BYTES 40
#define PROGRESS_ROWS 100000

/* One record: up to two fields (the register has two columns). */
struct csv {
  FILE *f;
  long nLine;       /* physical line of the next byte, from 1 */
  long nRecordLine; /* where the record just read starts */
  int nField;
  size_t anField[2];
  char aField[2][MAX_FIELD_BYTES + 1];
};

/* Reads the next record into c. Returns 1 with a record, 0 at the end of
 * the file, -1 after writing why into zErr (naming the line, never the
 * field's text). */
static int csv_read(struct csv *c, char *zErr, size_t nErr) {
  int ch = getc_unlocked(c->f);
  c->nRecordLine = c->nLine;
  c->nField = 0;
  if (ch == EOF) return ferror(c->f) ? (snprintf(zErr, nErr, "read error"), -1) : 0;
  for (;;) {
    size_t n = 0;
    if (c->nField >= 2) {
      snprintf(zErr, nErr, "line %ld: more than two fields (expected cadastral_number,holder_id)",
               c->nRecordLine);
      return -1;
    }
    char *z = c->aField[c->nField];
    if (ch == '"') {
      for (;;) {
        ch = getc_unlocked(c->f);
        if (ch == EOF) {
          snprintf(zErr, nErr, "line %ld: a quoted field is not closed", c->nRecordLine);
          return -1;
        }
        if (ch == '"') {
          ch = getc_unlocked(c->f);
          if (ch != '"') break; /* the closing quote; ch is what follows */
        } else if (ch == '\n') {
          c->nLine++;
        }
        if (n >= MAX_FIELD_BYTES) goto too_long;
        z[n++] = (char)ch;
      }
      if (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
        snprintf(zErr, nErr,
                 "line %ld: field %d: a closing quote must be followed by a comma or the end of "
                 "the line",
                 c->nLine, c->nField + 1);
        return -1;
      }
    } else {
      while (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
        if (ch == '"') {
          snprintf(zErr, nErr,
                   "line %ld: field %d: a quote inside an unquoted field (quote the whole field "
                   "and double the quote inside)",
                   c->nLine, c->nField + 1);
          return -1;
        }
        if (n >= MAX_FIELD_BYTES) goto too_long;
        z[n++] = (char)ch;
        ch = getc_unlocked(c->f);
      }
    }
    z[n] = 0;
    c->anField[c->nField++] = n;
    if (ch == ',') {
      ch = getc_unlocked(c->f);
      continue;
    }
    if (ch == '\r' && (ch = getc_unlocked(c->f)) != '\n') {
      snprintf(zErr, nErr, "line %ld: a carriage return not followed by a line feed", c->nLine);
      return -1;
    }
    if (ch == '\n') c->nLine++;
    if (ferror(c->f)) {
      snprintf(zErr, nErr, "read error");
      return -1;
    }
    return 1;
  }
too_long:
  snprintf(zErr, nErr, "line %ld: field %d is longer than %d bytes", c->nLine, c->nField + 1,
           MAX_FIELD_BYTES);
  return -1;
}

/* Field i without the spaces around it (in place). */
static char *trimmed(struct csv *c, int i) {
  char *z = c->aField[i];
  size_t n = c->anField[i];
  while (n && (z[n - 1] == ' ' || z[n - 1] == '\t'))
    z[--n] = 0;
  while (*z == ' ' || *z == '\t')
    z++;
  return z;
}

/* 1 when z is a cadastral number NN:NN:NNNNNN(N):N... (the same rule as
 * the API's). */
static int cadastral_valid(const char *z) {
  static const int aMin[] = {2, 2, 6, 1}, aMax[] = {2, 2, 7, 10};
  for (int part = 0; part < 4; part++) {
    int n = 0;
    while (z[n] >= '0' && z[n] <= '9')
      n++;
    if (n < aMin[part] || n > aMax[part]) return 0;
    z += n;
    if (part < 3) {
      if (*z != ':') return 0;
      z++;
    }
  }
  return *z == 0;
}

/* Reads the header; sets *piCad and *piHolder to the columns' positions.
 * Returns 0 after writing why into zErr. */
static int read_header(struct csv *c, int *piCad, int *piHolder, char *zErr, size_t nErr) {
  unsigned char aBom[3];
  size_t nBom = fread(aBom, 1, 3, c->f);
  /* a UTF-8 byte order mark (spreadsheets write one) is skipped */
  if (!(nBom == 3 && aBom[0] == 0xEF && aBom[1] == 0xBB && aBom[2] == 0xBF) &&
      fseek(c->f, 0, SEEK_SET) != 0) {
    snprintf(zErr, nErr, "cannot read the file");
    return 0;
  }
  int rc = csv_read(c, zErr, nErr);
  if (rc < 0) return 0;
  *piCad = *piHolder = -1;
  for (int i = 0; rc > 0 && i < c->nField; i++) {
    const char *z = trimmed(c, i);
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
  struct csv *c = kg_xcalloc(1, sizeof(*c));
  unsigned char aHash[KG_AUTH_HOLDER_HASH_BYTES], aCheck[KG_AUTH_HOLDER_HASH_BYTES];
  struct kg_rights_info info;
  struct stat st;
  char zErr[300] = "";
  int iCad = 0, iHolder = 1, rc = 1, bTx = 0, r;
  long nRows = 0, nRepeated = 0;
  int64_t tNow = kg_time_now();
  c->nLine = 1;
  if (stat(zFile, &st) != 0 || !S_ISREG(st.st_mode) || !(c->f = fopen(zFile, "rb"))) {
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
  while ((r = csv_read(c, zErr, sizeof(zErr))) > 0) {
    if (c->nField == 1 && c->anField[0] == 0) continue; /* a blank line */
    if (c->nField != 2) {
      snprintf(zErr, sizeof(zErr), "line %ld: expected two fields (cadastral_number,holder_id)",
               c->nRecordLine);
      goto bad;
    }
    for (int i = 0; i < 2; i++) {
      if (!kg_utf8_valid_text(c->aField[i], c->anField[i])) {
        snprintf(zErr, sizeof(zErr), "line %ld: field %d is not UTF-8 text", c->nRecordLine, i + 1);
        goto bad;
      }
    }
    const char *zCad = trimmed(c, iCad), *zHolder = trimmed(c, iHolder);
    if (!*zCad || strlen(zCad) > MAX_CADASTRAL_BYTES || !cadastral_valid(zCad)) {
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
  if (c->f) fclose(c->f);
  kg_auth_memzero(c, sizeof(*c));
  kg_auth_memzero(aHash, sizeof(aHash));
  free(c);
  return rc;
}

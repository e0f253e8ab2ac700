/* csv.c: the one CSV reader of the importers (address register, rights
 * register): RFC 4180 records with bounded fields, errors by line and
 * field position, never by the field's text (it may be personal). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

struct kg_cli_csv *kg_cli_csv_open(const char *zFile, int nMaxField, size_t nMaxBytes,
                                   const char *zTooMany) {
  FILE *f = fopen(zFile, "rb");
  if (!f) return NULL;
  struct kg_cli_csv *c = kg_xcalloc(1, sizeof(*c));
  c->f = f;
  c->nLine = 1;
  c->nMaxField = nMaxField;
  c->nMaxBytes = nMaxBytes;
  c->zTooMany = zTooMany;
  c->anField = kg_xcalloc((size_t)nMaxField, sizeof(*c->anField));
  c->aField = kg_xcalloc((size_t)nMaxField, nMaxBytes + 1);
  return c;
}

void kg_cli_csv_close(struct kg_cli_csv *c) {
  if (!c) return;
  fclose(c->f);
  /* the fields may hold personal data (holder identifiers) */
  kg_auth_memzero(c->aField, (size_t)c->nMaxField * (c->nMaxBytes + 1));
  free(c->anField);
  free(c->aField);
  free(c);
}

int kg_cli_csv_skip_bom(struct kg_cli_csv *c) {
  int ch = getc_unlocked(c->f);
  if (ch == 0xEF) /* a UTF-8 byte order mark (spreadsheets write one) */
    return getc_unlocked(c->f) == 0xBB && getc_unlocked(c->f) == 0xBF;
  if (ch != EOF) ungetc(ch, c->f);
  return 1;
}

/* Appends byte ch to the field being read (n bytes so far). 0 after
 * writing why into zErr when the field is too long. */
static int field_put(struct kg_cli_csv *c, char *z, size_t *pn, int ch, char *zErr, size_t nErr) {
  if (*pn == c->nMaxBytes) {
    snprintf(zErr, nErr, "line %ld: field %d is longer than %zu bytes", c->nRecordLine,
             c->nField + 1, c->nMaxBytes);
    return 0;
  }
  z[(*pn)++] = (char)ch;
  return 1;
}

/* Reads a quoted field (the opening quote read) into z; returns the byte
 * after the closing quote, or -2 after writing why into zErr. */
static int quoted_field(struct kg_cli_csv *c, char *z, size_t *pn, char *zErr, size_t nErr) {
  int ch;
  for (;;) {
    ch = getc_unlocked(c->f);
    if (ch == EOF) {
      snprintf(zErr, nErr, "line %ld: a quoted field is not closed", c->nRecordLine);
      return -2;
    }
    if (ch == '"') {
      ch = getc_unlocked(c->f);
      if (ch != '"') break; /* the closing quote; ch is what follows */
    }
    if (ch == '\n') c->nLine++;
    if (ch == 0) break; /* refused below */
    if (!field_put(c, z, pn, ch, zErr, nErr)) return -2;
  }
  if (ch != ',' && ch != '\r' && ch != '\n' && ch != EOF) {
    snprintf(zErr, nErr, "line %ld: field %d: %s", c->nRecordLine, c->nField + 1,
             ch ? "a closing quote must be followed by a comma or the end of the line"
                : "a NUL byte");
    return -2;
  }
  return ch;
}

/* Reads an unquoted field starting with byte ch into z; returns the byte
 * after it, or -2 after writing why into zErr. */
static int plain_field(struct kg_cli_csv *c, int ch, char *z, size_t *pn, char *zErr, size_t nErr) {
  while (ch != ',' && ch != '\r' && ch != '\n' && ch != EOF) {
    if (ch == '"' || ch == 0) {
      snprintf(zErr, nErr, "line %ld: field %d: %s", c->nRecordLine, c->nField + 1,
               ch ? "a quote inside an unquoted field (quote the whole field and double the "
                    "quote inside)"
                  : "a NUL byte");
      return -2;
    }
    if (!field_put(c, z, pn, ch, zErr, nErr)) return -2;
    ch = getc_unlocked(c->f);
  }
  return ch;
}

int kg_cli_csv_read(struct kg_cli_csv *c, char *zErr, size_t nErr) {
  int ch = getc_unlocked(c->f);
  c->nRecordLine = c->nLine;
  c->nField = 0;
  if (ch == EOF) return ferror(c->f) ? (snprintf(zErr, nErr, "read error"), -1) : 0;
  for (;;) {
    size_t n = 0;
    if (c->nField == c->nMaxField) {
      snprintf(zErr, nErr, "line %ld: %s", c->nRecordLine, c->zTooMany);
      return -1;
    }
    char *z = c->aField + (size_t)c->nField * (c->nMaxBytes + 1);
    ch = ch == '"' ? quoted_field(c, z, &n, zErr, nErr) : plain_field(c, ch, z, &n, zErr, nErr);
    if (ch == -2) return -1;
    z[n] = 0;
    c->anField[c->nField++] = n;
    if (ch == ',') {
      ch = getc_unlocked(c->f);
      continue;
    }
    if (ch == '\r') {
      ch = getc_unlocked(c->f);
      if (ch != '\n' && ch != EOF) ungetc(ch, c->f);
    }
    if (ch != EOF) c->nLine++;
    if (ferror(c->f)) {
      snprintf(zErr, nErr, "read error");
      return -1;
    }
    return 1;
  }
}

char *kg_cli_csv_field(struct kg_cli_csv *c, int i) {
  char *z = c->aField + (size_t)i * (c->nMaxBytes + 1);
  size_t n = c->anField[i];
  while (n && (z[n - 1] == ' ' || z[n - 1] == '\t'))
    z[--n] = 0;
  while (*z == ' ' || *z == '\t') {
    z++;
    n--;
  }
  c->anField[i] = n;
  return z;
}

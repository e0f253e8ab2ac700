/* backup.c: backups proven by checks — a copy taken with the row counts of
 * the same snapshot, and the checks a copy must pass before it is trusted
 * (SQLite's integrity check, SpatiaLite's spatial indexes, decodable
 * geometries, row counts), plus restoring a copy into a new database. */
#define _GNU_SOURCE
#include "store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct table_count {
  char *zName;
  int64_t n;
};

struct counts {
  struct table_count *a;
  int n;
};

static void counts_free(struct counts *p) {
  for (int i = 0; i < p->n; i++)
    free(p->a[i].zName);
  free(p->a);
  p->a = NULL;
  p->n = 0;
}

static void check_fail(struct kg_store_check *pCheck, const char *zFmt, ...)
    __attribute__((format(printf, 2, 3)));
static void check_fail(struct kg_store_check *pCheck, const char *zFmt, ...) {
  if (pCheck->zMsg[0]) return; /* the first failure is the one reported */
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(pCheck->zMsg, sizeof(pCheck->zMsg), zFmt, ap);
  va_end(ap);
}

/* The one integer of zSql (built with sqlite3_mprintf from identifiers
 * read from the schema: values are never spliced in) into *pn. */
static enum kg_err query_count(struct kg_store *p, char *zSql, int64_t *pn, int64_t *pn2) {
  struct kg_db_stmt *s = NULL;
  if (!zSql) abort();
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  sqlite3_free(zSql);
  if (rc == KG_OK && (rc = kg_store_sql_one(p, s, "backup count")) == KG_OK) {
    *pn = kg_db_col_i64(s, 0);
    if (pn2) *pn2 = kg_db_col_i64(s, 1);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* Counts the rows of every ordinary table (virtual tables are skipped:
 * their shadow tables are counted instead) in the connection's current
 * read transaction, sorted by name. */
static enum kg_err count_tables(struct kg_store *p, struct counts *pOut /* OUT */) {
  struct kg_db_stmt *pList = NULL;
  int nAlloc = 0;
  pOut->a = NULL;
  pOut->n = 0;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
      "'sqlite\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
      &pList);
  while (rc == KG_OK && (rc = kg_store_sql_row(p, pList, "backup tables")) == KG_OK) {
    const char *zName = kg_db_col_text(pList, 0);
    int64_t n = 0;
    rc = query_count(p, sqlite3_mprintf("SELECT count(*) FROM \"%w\"", zName), &n, NULL);
    if (rc) break;
    if (pOut->n == nAlloc) {
      nAlloc = nAlloc ? 2 * nAlloc : 64;
      pOut->a = kg_xrealloc(pOut->a, (size_t)nAlloc * sizeof(*pOut->a));
    }
    pOut->a[pOut->n].zName = kg_xstrdup(zName);
    pOut->a[pOut->n].n = n;
    pOut->n++;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, pList);
  if (rc != KG_OK) counts_free(pOut);
  return rc;
}

/* PRAGMA integrity_check answers one row "ok", or up to 100 rows of
 * problems: the first goes to pCheck->zMsg. */
static enum kg_err check_integrity(struct kg_store *p, struct kg_store_check *pCheck) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, "PRAGMA integrity_check", &s);
  while (rc == KG_OK && (rc = kg_store_sql_row(p, s, "integrity check")) == KG_OK) {
    const char *z = kg_db_col_text(s, 0);
    if (!z || strcmp(z, "ok") != 0) check_fail(pCheck, "integrity check: %s", z ? z : "(null)");
  }
  kg_store_sql_done(p, s);
  return rc == KG_ENOTFOUND ? KG_OK : rc;
}

/* Geometry column zT.zC: every stored geometry decodes (ST_IsValid counts
 * are reported only: the copy holds what the live database holds) and,
 * when bIndexed, its spatial index matches. */
static enum kg_err check_geometry_column(struct kg_store *p, const char *zT, const char *zC,
                                         int bIndexed, struct kg_store_check *pCheck) {
  struct kg_db_stmt *q = NULL;
  int64_t nBad = 0, nInvalid = 0;
  enum kg_err rc = query_count(p,
                               sqlite3_mprintf("SELECT count(*) FILTER (WHERE "
                                               "GeometryType(\"%w\") IS NULL), count(*) FILTER "
                                               "(WHERE ST_IsValid(\"%w\") = 0) FROM \"%w\" "
                                               "WHERE \"%w\" IS NOT NULL",
                                               zC, zC, zT, zC),
                               &nBad, &nInvalid);
  if (rc) return rc;
  pCheck->nInvalid += nInvalid;
  if (nBad) check_fail(pCheck, "%lld geometries in %s.%s do not decode", (long long)nBad, zT, zC);
  if (!bIndexed) return KG_OK;
  if ((rc = kg_store_sql_prepare(p, "SELECT CheckSpatialIndex(?1, ?2)", &q))) return rc;
  kg_store_bind_text(q, 1, zT);
  kg_store_bind_text(q, 2, zC);
  if ((rc = kg_store_sql_one(p, q, "spatial index check")) == KG_OK) {
    if (kg_db_col_is_null(q, 0) || kg_db_col_int(q, 0) != 1)
      check_fail(pCheck, "the spatial index of %s.%s does not match its geometries", zT, zC);
    pCheck->nIndexes++;
  }
  kg_store_sql_done(p, q);
  return rc;
}

/* Integrity, spatial indexes and geometries of an open copy; failures go
 * to pCheck->zMsg. KG_EDB only when the checks themselves cannot run. */
static enum kg_err check_open_copy(struct kg_store *p, struct kg_store_check *pCheck) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = check_integrity(p, pCheck);
  if (rc || pCheck->zMsg[0]) return rc;
  rc = kg_store_sql_prepare(p,
                            "SELECT f_table_name, f_geometry_column, spatial_index_enabled "
                            "FROM geometry_columns ORDER BY f_table_name, f_geometry_column",
                            &s);
  while (rc == KG_OK && (rc = kg_store_sql_row(p, s, "geometry columns")) == KG_OK) {
    const char *zT = kg_db_col_text(s, 0);
    const char *zC = kg_db_col_text(s, 1);
    if (zT && zC) rc = check_geometry_column(p, zT, zC, kg_db_col_int(s, 2) == 1, pCheck);
  }
  kg_store_sql_done(p, s);
  return rc == KG_ENOTFOUND ? KG_OK : rc;
}

/* Opens a copy for checking with SpatiaLite loaded (kg_store_open).
 * Read-write: CheckSpatialIndex notes its run in spatialite_history, and
 * fails when it cannot; the row counts are taken before it runs. */
static enum kg_err open_copy(const char *zCopy, struct kg_store **ppCopy /* OUT */) {
  return kg_store_open(zCopy, ppCopy);
}

enum kg_err kg_store_copy_check(const char *zCopy, struct kg_store_check *pCheck) {
  struct kg_store *pCopy = NULL;
  struct counts c = {0};
  memset(pCheck, 0, sizeof(*pCheck));
  enum kg_err rc = open_copy(zCopy, &pCopy);
  if (rc != KG_OK) goto out;
  if ((rc = count_tables(pCopy, &c)) != KG_OK) goto out;
  pCheck->nTables = c.n;
  for (int i = 0; i < c.n; i++)
    pCheck->nRows += c.a[i].n;
  rc = check_open_copy(pCopy, pCheck);
out:
  counts_free(&c);
  if (pCopy) kg_store_close(pCopy);
  if (rc == KG_OK && pCheck->zMsg[0]) rc = KG_EINVAL;
  return rc;
}

enum kg_err kg_store_backup_verified(struct kg_store *p, const char *zTo,
                                     struct kg_store_check *pCheck) {
  struct counts live = {0}, copy = {0};
  struct kg_store *pCopy = NULL;
  struct kg_store_tx tx;
  memset(pCheck, 0, sizeof(*pCheck));
  /* One read transaction for the counts and the copy: the backup API reads
   * through the transaction already open on the source connection, so the
   * counts are those of the very snapshot that is copied. */
  enum kg_err rc = kg_store_tx_begin_read(p, &tx);
  if (rc) return rc;
  rc = count_tables(p, &live);
  if (rc == KG_OK) rc = kg_store_backup(p, zTo);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc != KG_OK) goto out;
  if ((rc = open_copy(zTo, &pCopy)) != KG_OK) goto out;
  if ((rc = count_tables(pCopy, &copy)) != KG_OK) goto out;
  pCheck->nTables = copy.n;
  for (int i = 0; i < copy.n; i++)
    pCheck->nRows += copy.a[i].n;
  /* both lists are sorted by name */
  int i = 0, j = 0;
  while (i < live.n || j < copy.n) {
    int cmp = i == live.n ? 1 : j == copy.n ? -1 : strcmp(live.a[i].zName, copy.a[j].zName);
    if (cmp < 0) {
      check_fail(pCheck, "table %s is missing from the copy", live.a[i].zName);
      i++;
    } else if (cmp > 0) {
      check_fail(pCheck, "table %s is in the copy only", copy.a[j].zName);
      j++;
    } else {
      if (live.a[i].n != copy.a[j].n)
        check_fail(pCheck, "table %s has %lld rows in the copy and %lld in the database",
                   live.a[i].zName, (long long)copy.a[j].n, (long long)live.a[i].n);
      i++;
      j++;
    }
  }
  rc = check_open_copy(pCopy, pCheck);
out:
  counts_free(&live);
  counts_free(&copy);
  if (pCopy) kg_store_close(pCopy);
  if (rc == KG_OK && pCheck->zMsg[0]) rc = KG_EINVAL;
  return rc;
}

enum kg_err kg_store_restore_db(const char *zCopy, const char *zTo) {
  struct kg_store *pCopy = NULL;
  enum kg_err rc = open_copy(zCopy, &pCopy);
  if (rc != KG_OK) return rc;
  /* the copy is only read: no checkpoint or history row lands in it */
  if (sqlite3_exec(pCopy->db, "PRAGMA query_only=1", NULL, NULL, NULL) != SQLITE_OK) {
    kg_store_close(pCopy);
    return KG_EDB;
  }
  rc = kg_store_backup(pCopy, zTo);
  kg_store_close(pCopy);
  return rc;
}

enum kg_err kg_store_document_each(struct kg_store *p,
                                   int (*xEach)(void *pArg, int64_t id, const char *zSha256,
                                                int64_t nSize),
                                   void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT id, sha256, size FROM documents ORDER BY id", &s);
  while (rc == KG_OK && (rc = kg_store_sql_row(p, s, "documents listing")) == KG_OK) {
    const char *zSha = kg_db_col_text(s, 1);
    if (xEach(pArg, kg_db_col_i64(s, 0), zSha ? zSha : "", kg_db_col_i64(s, 2))) break;
  }
  kg_store_sql_done(p, s);
  return rc == KG_ENOTFOUND ? KG_OK : rc;
}

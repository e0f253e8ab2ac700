/* pg_migrate.c: kg_store_pg_migrate, the work of `kengash
 * migrate-to-postgres` (issue 22). Moves a city's SQLite + SpatiaLite
 * database into an empty PostgreSQL + PostGIS one, in one PostgreSQL
 * transaction: the embedded PostgreSQL migrations (src/store/migrations/pg/),
 * the tables they seed emptied, every table copied with COPY FROM STDIN in
 * foreign-key order with triggers off, geometries as hex EWKB; then the
 * derived full-text tables rebuilt, identity sequences moved past the
 * copied ids, and every table counted and hashed (SHA-256 over a canonical
 * rendering of its rows in primary-key order) on both sides. COMMIT only
 * when everything agrees.
 *
 * Derived data. Not read from SQLite: SpatiaLite's metadata and R*Tree
 * tables (PostGIS and the GiST indexes of the migrations stand for them),
 * the FTS5 indexes of comments and discussions and their queues (FTS5
 * with the C tokenizer kg_stem). In PostgreSQL comments_fts and
 * discussions_fts are rebuilt from the copied rows with the statements of
 * their triggers (pg/0001, pg/0004; the tsvector is a generated column)
 * and checked by count; their queues stay empty, as the PostgreSQL
 * triggers index directly. address_fts is copied (its tokens come from C,
 * kg_store_address_key), with address_index_queue. open_comments is copied
 * and then must equal what PostgreSQL's own open_comments_src computes, so
 * that the triggers keep it the same way afterwards.
 *
 * No personal data in messages: errors while rows move name the table,
 * the SQLSTATE in plain words, the constraint, column and the row's place
 * in key order, never PostgreSQL's message (it may quote a value). */
#define _GNU_SOURCE
#include <endian.h>
#include <libpq-fe.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <spatialite.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_int.h"

#define PROGRESS_ROWS 100000
#define COPY_FLUSH (64 * 1024) /* COPY data is sent in pieces of about this size */
#define MIN_SERVER 150000      /* PostgreSQL 15 */
#define LOCK_KEY "7161540921"  /* pg_advisory_xact_lock: one migration at a time */

/* How a column's values are written and hashed, from its PostgreSQL type. */
enum kind { K_INT, K_REAL, K_TEXT, K_BYTEA, K_GEOM };

struct col {
  char *zName;
  enum kind e;
};

struct table {
  char *zName;
  struct col *aCol;
  int nCol, nColAlloc;
  int aiPk[8]; /* primary key columns, indexes into aCol, in key order */
  int nPk;
  char *zIdentity; /* identity column, NULL when none */
  int bDerived;    /* rebuilt in PostgreSQL, not copied */
  int bFts;        /* an FTS5 table in SQLite: column id is its rowid */
  int bPlaced;     /* foreign-key ordering */
  int64_t nRows;   /* rows copied */
};

struct mig {
  sqlite3 *db;
  void *pCache; /* SpatiaLite's connection cache */
  PGconn *pg;
  struct table *aTab; /* in copy order once ordered */
  int nTab;
  char (*azEdge)[2][64]; /* foreign keys: child, parent */
  int nEdge;
  int bReplica; /* session_replication_role = replica; else triggers disabled per table */
  kg_store_pg_progress_fn xProgress;
  void *pArg;
  struct kg_store_pg_report *pRep;
  struct kg_buf copy; /* COPY data not yet sent */
};

/* Tables of the PostgreSQL schema that are not copied (see the top). */
static const char *const azDerived[] = {"comments_fts", "discussions_fts", "comments_fts_queue",
                                        "discussions_fts_queue"};
/* SpatiaLite's own tables (name prefixes): no counterpart in PostgreSQL. */
static const char *const azSpatialite[] = {"geometry_columns",
                                           "views_geometry_columns",
                                           "virts_geometry_columns",
                                           "spatial_ref_sys",
                                           "spatialite_history",
                                           "sql_statements_log",
                                           "data_licenses",
                                           "vector_layers",
                                           "geom_cols_ref_sys",
                                           "ElementaryGeometries",
                                           "KNN",
                                           "SpatialIndex",
                                           "SE_",
                                           "rl2map_",
                                           "ISO_metadata",
                                           "stored_",
                                           "topologies",
                                           "networks",
                                           "raster_coverages",
                                           "vector_coverages",
                                           "wms_"};

/* ---- errors and progress ---- */

/* Records the first failure's message; returns rc. */
static enum kg_err fail(struct mig *m, enum kg_err rc, const char *zFmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum kg_err fail(struct mig *m, enum kg_err rc, const char *zFmt, ...) {
  if (!m->pRep->zMsg[0]) {
    va_list ap;
    va_start(ap, zFmt);
    vsnprintf(m->pRep->zMsg, sizeof(m->pRep->zMsg), zFmt, ap);
    va_end(ap);
    /* one line (libpq's messages end in a line break) */
    char *z = m->pRep->zMsg;
    for (; *z; z++)
      if (*z == '\n' || *z == '\r' || *z == '\t') *z = ' ';
    while (z > m->pRep->zMsg && z[-1] == ' ')
      *--z = 0;
  }
  return rc;
}

/* Plain words for the SQLSTATEs rows may meet (PostgreSQL's own message
 * may quote the value). */
static const char *state_words(const char *zState) {
  static const struct {
    const char *zState, *zWords;
  } aWords[] = {
      {"22021", "a text is not valid UTF-8"},
      {"22P02", "a value does not fit its column's type"},
      {"22003", "a number is out of range"},
      {"22001", "a value is too long for its column"},
      {"23502", "a NULL in a NOT NULL column"},
      {"23503", "a foreign key points at no row"},
      {"23505", "a duplicate key"},
      {"23514", "a CHECK constraint fails"},
      {"XX000", "PostGIS cannot read a geometry, or an internal error"},
  };
  for (size_t i = 0; zState && i < sizeof(aWords) / sizeof(aWords[0]); i++)
    if (strcmp(zState, aWords[i].zState) == 0) return aWords[i].zWords;
  return "see the server's log";
}

/* A failed PostgreSQL result (or connection, when res is NULL). bData:
 * rows were moving, so only plain words for the SQLSTATE, the constraint,
 * the column and COPY's line (the row's place in primary-key order) are
 * named. */
static enum kg_err pg_fail(struct mig *m, PGresult *res, const char *zWhat, int bData) {
  const char *zState = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *zMsg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (!zMsg) zMsg = PQerrorMessage(m->pg);
  if (!bData)
    return fail(m, KG_EDB, "%s failed in PostgreSQL: %s (SQLSTATE %s)", zWhat, zMsg,
                zState ? zState : "none");
  const char *zCon = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
  const char *zCol = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
  const char *zCtx = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
  const char *zLine = zCtx && strncmp(zCtx, "COPY ", 5) == 0 ? strstr(zCtx, ", line ") : NULL;
  long nLine = zLine ? strtol(zLine + 7, NULL, 10) : 0;
  char zRow[48] = "";
  if (nLine > 0) snprintf(zRow, sizeof(zRow), ", row %ld in key order", nLine);
  return fail(m, KG_EDB, "%s failed in PostgreSQL: %s (SQLSTATE %s%s%s%s%s%s)", zWhat,
              state_words(zState), zState ? zState : "none", zRow, zCon ? ", constraint " : "",
              zCon ? zCon : "", zCol ? ", column " : "", zCol ? zCol : "");
}

static void progress(struct mig *m, enum kg_store_pg_step e, const char *zTable, int64_t nDone,
                     int64_t nTotal) {
  if (m->xProgress) m->xProgress(m->pArg, e, zTable, nDone, nTotal);
}

static int is_derived(const char *zName) {
  for (size_t i = 0; i < sizeof(azDerived) / sizeof(azDerived[0]); i++)
    if (strcmp(zName, azDerived[i]) == 0) return 1;
  return 0;
}

static struct table *find_table(struct mig *m, const char *zName) {
  for (int i = 0; i < m->nTab; i++)
    if (strcmp(m->aTab[i].zName, zName) == 0) return &m->aTab[i];
  return NULL;
}

/* "name" quoted for both dialects. Free with free(). */
static char *quote(const char *zName) {
  size_t n = strlen(zName);
  char *z = kg_xmalloc(2 * n + 3), *p = z;
  *p++ = '"';
  for (const char *s = zName; *s; s++) {
    if (*s == '"') *p++ = '"';
    *p++ = *s;
  }
  *p++ = '"';
  *p = 0;
  return z;
}

/* ---- PostgreSQL helpers ---- */

/* Runs zSql (one or more statements, no parameters) that returns no rows. */
static enum kg_err pg_run(struct mig *m, const char *zSql, const char *zWhat) {
  PGresult *res = PQexec(m->pg, zSql);
  ExecStatusType st = PQresultStatus(res);
  enum kg_err rc = KG_OK;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) rc = pg_fail(m, res, zWhat, 0);
  PQclear(res);
  return rc;
}

/* Runs a query with text parameters; the result (PGRES_TUPLES_OK) through
 * *pRes, PQclear() it. */
static enum kg_err pg_query(struct mig *m, const char *zSql, int nParam, const char *const *azParam,
                            const char *zWhat, PGresult **pRes /* OUT */) {
  *pRes = PQexecParams(m->pg, zSql, nParam, NULL, azParam, NULL, NULL, 0);
  if (PQresultStatus(*pRes) == PGRES_TUPLES_OK) return KG_OK;
  enum kg_err rc = pg_fail(m, *pRes, zWhat, 0);
  PQclear(*pRes);
  *pRes = NULL;
  return rc;
}

/* The first column of the first row of a one-row query as an integer; -1
 * after fail(). */
static int64_t pg_int(struct mig *m, const char *zSql, const char *zWhat) {
  PGresult *res;
  if (pg_query(m, zSql, 0, NULL, zWhat, &res) != KG_OK) return -1;
  int64_t n = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
  PQclear(res);
  if (n < 0) fail(m, KG_EDB, "%s: no answer from PostgreSQL", zWhat);
  return n;
}

/* Notices (e.g. "extension postgis already exists, skipping") are not
 * printed: libpq would write them to stderr. */
static void quiet_notice(void *pArg, const char *zMsg) {
  (void)pArg;
  (void)zMsg;
}

/* ---- the SQLite side ---- */

/* The first column of a one-row query; -1 when it fails (rc, if wanted,
 * gets SQLite's code). */
static int64_t sq_int(struct mig *m, const char *zSql, int *pRc /* OUT, may be NULL */) {
  sqlite3_stmt *s = NULL;
  int64_t n = -1;
  int rc = sqlite3_prepare_v2(m->db, zSql, -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  if (pRc) *pRc = rc == SQLITE_ROW ? SQLITE_OK : rc;
  return n;
}

/* Opens zPath read-only with SpatiaLite, starts the read transaction the
 * whole run sees, and checks that it is a Kengash database at the newest
 * schema version. */
static enum kg_err open_sqlite(struct mig *m, const char *zPath) {
  struct stat st;
  int rc;
  if (stat(zPath, &st) != 0) return fail(m, KG_ENOTFOUND, "%s: no such file", zPath);
  if (!S_ISREG(st.st_mode)) return fail(m, KG_EINVAL, "%s is not a file", zPath);
  if (sqlite3_open_v2(zPath, &m->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    return fail(m, KG_EIO, "cannot open %s: %s", zPath,
                m->db ? sqlite3_errmsg(m->db) : "out of memory");
  sqlite3_extended_result_codes(m->db, 1);
  sqlite3_busy_timeout(m->db, KG_STORE_BUSY_MS);
  if (!(m->pCache = spatialite_alloc_connection()))
    return fail(m, KG_EDB, "cannot start SpatiaLite");
  spatialite_init_ex(m->db, m->pCache, 0);
  if (sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return fail(m, KG_EDB, "%s: cannot start a read transaction", zPath);
  int64_t n = sq_int(m,
                     "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                     "('accounts', 'projects', 'discussions', 'comments')",
                     &rc);
  if ((rc & 0xff) == SQLITE_NOTADB) return fail(m, KG_EINVAL, "%s is not a database", zPath);
  if (n < 0) return fail(m, KG_EDB, "%s cannot be read: %s", zPath, sqlite3_errmsg(m->db));
  if (n < 4) return fail(m, KG_EINVAL, "%s is not a Kengash database", zPath);
  int nNewest = kg_store_aMigration[kg_store_nMigration - 1].nVersion;
  if (kg_store_pg_aMigration[kg_store_pg_nMigration - 1].nVersion != nNewest)
    return fail(m, KG_EINVAL, "the PostgreSQL schema of this kengash stops at version %d, not %d",
                kg_store_pg_aMigration[kg_store_pg_nMigration - 1].nVersion, nNewest);
  int64_t nVersion = sq_int(m, "PRAGMA user_version", NULL);
  if (nVersion < nNewest)
    return fail(m, KG_EINVAL,
                "%s has schema version %lld, this kengash %d: run this kengash's serve on it once "
                "(it migrates the database), then move it",
                zPath, (long long)nVersion, nNewest);
  if (nVersion > nNewest)
    return fail(m, KG_EINVAL, "%s has schema version %lld, newer than this kengash's %d", zPath,
                (long long)nVersion, nNewest);
  return KG_OK;
}

/* 1 when zName is SpatiaLite's. */
static int is_spatialite(const char *zName) {
  for (size_t i = 0; i < sizeof(azSpatialite) / sizeof(azSpatialite[0]); i++)
    if (strncmp(zName, azSpatialite[i], strlen(azSpatialite[i])) == 0) return 1;
  return 0;
}

/* Every table of the PostgreSQL plan exists in SQLite with its columns (an
 * FTS5 table's id is its rowid), and every SQLite table that is data (not
 * SpatiaLite's, not a virtual table or one's shadow) is in the plan. */
static enum kg_err check_sqlite_tables(struct mig *m) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = KG_OK;
  for (int i = 0; i < m->nTab && rc == KG_OK; i++) {
    struct table *t = &m->aTab[i];
    if (t->bDerived) continue;
    char *zSql = sqlite3_mprintf("SELECT sql LIKE 'CREATE VIRTUAL TABLE%%', "
                                 "(SELECT group_concat(name, ' ') FROM pragma_table_info(%Q)) "
                                 "FROM sqlite_master WHERE type = 'table' AND name = %Q",
                                 t->zName, t->zName);
    if (sqlite3_prepare_v2(m->db, zSql, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
      rc = fail(m, KG_EINVAL, "the SQLite database has no table %s", t->zName);
    else {
      t->bFts = sqlite3_column_int(s, 0);
      char *zCols = kg_xasprintf(" %s ", (const char *)sqlite3_column_text(s, 1));
      for (int j = 0; j < t->nCol && rc == KG_OK; j++) {
        char *zNeedle = kg_xasprintf(" %s ", t->aCol[j].zName);
        if (!strstr(zCols, zNeedle) && !(t->bFts && strcmp(t->aCol[j].zName, "id") == 0))
          rc = fail(m, KG_EINVAL, "the SQLite table %s has no column %s", t->zName,
                    t->aCol[j].zName);
        free(zNeedle);
      }
      free(zCols);
    }
    sqlite3_finalize(s);
    sqlite3_free(zSql);
  }
  if (rc != KG_OK) return rc;
  if (sqlite3_prepare_v2(m->db,
                         "SELECT t.name FROM sqlite_master t WHERE t.type = 'table' AND "
                         "t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND "
                         "t.sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS (SELECT 1 FROM "
                         "sqlite_master v WHERE v.type = 'table' AND v.sql LIKE "
                         "'CREATE VIRTUAL TABLE%' AND t.name LIKE v.name || '\\_%' ESCAPE '\\')",
                         -1, &s, NULL) != SQLITE_OK)
    return fail(m, KG_EDB, "listing the SQLite tables: %s", sqlite3_errmsg(m->db));
  while (rc == KG_OK && sqlite3_step(s) == SQLITE_ROW) {
    const char *zName = (const char *)sqlite3_column_text(s, 0);
    if (!is_spatialite(zName) && !find_table(m, zName))
      rc = fail(m, KG_EINVAL, "the SQLite table %s has no counterpart in the PostgreSQL schema",
                zName);
  }
  sqlite3_finalize(s);
  return rc;
}

/* ---- the plan: tables, columns and keys from the PostgreSQL catalog ---- */

/* The names after "CREATE TABLE " in the PostgreSQL migrations, as a
 * PostgreSQL array literal (they are plain identifiers). Free with free(). */
static char *kengash_tables(void) {
  char *zOut = kg_xstrdup("");
  for (int i = 0; i < kg_store_pg_nMigration; i++) {
    const char *z = kg_store_pg_aMigration[i].zSql;
    while ((z = strstr(z, "CREATE TABLE "))) {
      z += strlen("CREATE TABLE ");
      if (strncmp(z, "IF NOT EXISTS ", 14) == 0) z += 14;
      int n = (int)strspn(z, "abcdefghijklmnopqrstuvwxyz0123456789_");
      if (n == 0) continue;
      char *zNext = kg_xasprintf("%s%s%.*s", zOut, *zOut ? "," : "", n, z);
      free(zOut);
      zOut = zNext;
    }
  }
  char *zArray = kg_xasprintf("{%s}", zOut);
  free(zOut);
  return zArray;
}

static enum kg_err col_kind(struct mig *m, const char *zTable, const char *zCol, const char *zType,
                            enum kind *pE /* OUT */) {
  static const struct {
    const char *zType;
    enum kind e;
  } aMap[] = {{"int8", K_INT},     {"int4", K_INT},    {"int2", K_INT},
              {"float8", K_REAL},  {"float4", K_REAL}, {"text", K_TEXT},
              {"varchar", K_TEXT}, {"bytea", K_BYTEA}, {"geometry", K_GEOM}};
  for (size_t i = 0; i < sizeof(aMap) / sizeof(aMap[0]); i++)
    if (strcmp(zType, aMap[i].zType) == 0) {
      *pE = aMap[i].e;
      return KG_OK;
    }
  return fail(m, KG_EINVAL, "column %s.%s has type %s, which the copy does not know", zTable, zCol,
              zType);
}

/* Adds one catalog row (table, column, type, identity, position in the
 * primary key or 0) to the plan. */
static enum kg_err plan_add_column(struct mig *m, PGresult *res, int r) {
  const char *zTable = PQgetvalue(res, r, 0), *zCol = PQgetvalue(res, r, 1);
  struct table *t = m->nTab ? &m->aTab[m->nTab - 1] : NULL;
  if (!t || strcmp(t->zName, zTable) != 0) {
    m->aTab = kg_xrealloc(m->aTab, (size_t)(m->nTab + 1) * sizeof(*m->aTab));
    t = &m->aTab[m->nTab++];
    memset(t, 0, sizeof(*t));
    t->zName = kg_xstrdup(zTable);
    t->bDerived = is_derived(zTable);
  }
  if (strchr(zTable, '"') || strchr(zCol, '"'))
    return fail(m, KG_EINVAL, "a table or column name holds a double quote");
  if (t->nCol == t->nColAlloc) {
    t->nColAlloc = t->nColAlloc ? 2 * t->nColAlloc : 16;
    t->aCol = kg_xrealloc(t->aCol, (size_t)t->nColAlloc * sizeof(*t->aCol));
  }
  struct col *c = &t->aCol[t->nCol];
  enum kg_err rc = col_kind(m, zTable, zCol, PQgetvalue(res, r, 2), &c->e);
  if (rc != KG_OK) return rc;
  c->zName = kg_xstrdup(zCol);
  if (strcmp(PQgetvalue(res, r, 3), "t") == 0 && !t->zIdentity) t->zIdentity = kg_xstrdup(zCol);
  int iPk = atoi(PQgetvalue(res, r, 4));
  if (iPk > 0) {
    if (iPk > (int)(sizeof(t->aiPk) / sizeof(t->aiPk[0])))
      return fail(m, KG_EINVAL, "the primary key of %s is too long", zTable);
    t->aiPk[iPk - 1] = t->nCol;
    if (iPk > t->nPk) t->nPk = iPk;
  }
  t->nCol++;
  return KG_OK;
}

/* The Kengash tables of the current schema after the migrations (not
 * others the database may hold, nor PostGIS's spatial_ref_sys), their
 * stored columns (not generated ones) and keys, and the foreign keys
 * between them. */
static enum kg_err plan_read(struct mig *m) {
  PGresult *res;
  char *zNames = kengash_tables();
  const char *azParam[] = {zNames};
  enum kg_err rc = pg_query(
      m,
      "SELECT c.relname, a.attname, t.typname, a.attidentity <> '', "
      "coalesce(array_position(string_to_array(i.indkey::text, ' ')::int2[], a.attnum), 0) "
      "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT "
      "a.attisdropped AND a.attgenerated = '' JOIN pg_type t ON t.oid = a.atttypid "
      "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
      "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND "
      "c.relname = ANY ($1::text[]) ORDER BY c.relname, a.attnum",
      1, azParam, "reading the schema", &res);
  free(zNames);
  if (rc != KG_OK) return rc;
  for (int r = 0; r < PQntuples(res) && rc == KG_OK; r++)
    rc = plan_add_column(m, res, r);
  PQclear(res);
  for (int i = 0; i < m->nTab && rc == KG_OK; i++)
    if (m->aTab[i].nPk == 0)
      rc = fail(m, KG_EINVAL, "table %s has no primary key", m->aTab[i].zName);
  if (rc != KG_OK) return rc;
  if ((rc =
           pg_query(m,
                    "SELECT a.relname, b.relname FROM pg_constraint k JOIN pg_class a ON a.oid = "
                    "k.conrelid JOIN pg_class b ON b.oid = k.confrelid WHERE k.contype = 'f' AND "
                    "k.conrelid <> k.confrelid AND a.relnamespace = current_schema()::regnamespace",
                    0, NULL, "reading the foreign keys", &res)) != KG_OK)
    return rc;
  m->nEdge = PQntuples(res);
  m->azEdge = kg_xcalloc((size_t)m->nEdge + 1, sizeof(*m->azEdge));
  for (int r = 0; r < m->nEdge; r++) {
    snprintf(m->azEdge[r][0], sizeof(m->azEdge[r][0]), "%s", PQgetvalue(res, r, 0));
    snprintf(m->azEdge[r][1], sizeof(m->azEdge[r][1]), "%s", PQgetvalue(res, r, 1));
  }
  PQclear(res);
  return KG_OK;
}

/* 1 when every table t refers to is already placed. */
static int parents_placed(struct mig *m, const struct table *t) {
  for (int e = 0; e < m->nEdge; e++) {
    if (strcmp(m->azEdge[e][0], t->zName) != 0) continue;
    struct table *p = find_table(m, m->azEdge[e][1]);
    if (p && !p->bPlaced) return 0;
  }
  return 1;
}

/* Orders aTab so that a table comes after those it refers to (a cycle,
 * which the schema does not have, is broken at the first name). */
static void plan_order(struct mig *m) {
  struct table *aOut = kg_xcalloc((size_t)m->nTab + 1, sizeof(*aOut));
  for (int n = 0; n < m->nTab; n++) {
    int iPick = -1;
    for (int i = 0; i < m->nTab && iPick < 0; i++)
      if (!m->aTab[i].bPlaced && parents_placed(m, &m->aTab[i])) iPick = i;
    for (int i = 0; i < m->nTab && iPick < 0; i++)
      if (!m->aTab[i].bPlaced) iPick = i;
    m->aTab[iPick].bPlaced = 1;
    aOut[n] = m->aTab[iPick];
  }
  free(m->aTab);
  m->aTab = aOut;
}

/* ---- the schema ---- */

/* In the open transaction: waits for any other migration to this database,
 * refuses a target that holds a Kengash table, applies the migrations. */
static enum kg_err apply_schema(struct mig *m) {
  enum kg_err rc = pg_run(m, "SELECT pg_advisory_xact_lock(" LOCK_KEY ")", "taking the lock");
  if (rc != KG_OK) return rc;
  char *zNames = kengash_tables();
  const char *azParam[] = {zNames};
  PGresult *res;
  rc = pg_query(m,
                "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
                "AND relname = ANY ($1::text[]) ORDER BY relname",
                1, azParam, "looking for Kengash tables", &res);
  free(zNames);
  if (rc != KG_OK) return rc;
  if (PQntuples(res) > 0)
    rc = fail(m, KG_ECONFLICT,
              "the target database already holds %d Kengash tables (%s, ...): it must hold none",
              PQntuples(res), PQgetvalue(res, 0, 0));
  PQclear(res);
  for (int i = 0; i < kg_store_pg_nMigration && rc == KG_OK; i++) {
    const struct kg_store_migration *p = &kg_store_pg_aMigration[i];
    char zWhat[128];
    snprintf(zWhat, sizeof(zWhat), "migration %s", p->zName);
    if ((rc = pg_run(m, p->zSql, zWhat)) == KG_OK)
      progress(m, KG_STORE_PG_SCHEMA, NULL, i + 1, kg_store_pg_nMigration);
  }
  return rc;
}

/* Triggers off for the copy: session_replication_role = replica when the
 * role may (a superuser), else every table's user triggers disabled (the
 * owner may: the migrations just made them). Also empties the tables the
 * migrations seeded (their rows come from SQLite). bOn turns them back on. */
static enum kg_err triggers(struct mig *m, int bOn) {
  enum kg_err rc = KG_OK;
  if (!bOn) {
    if ((rc = pg_run(m, "SAVEPOINT kg_role", "savepoint")) != KG_OK) return rc;
    PGresult *res = PQexec(m->pg, "SET LOCAL session_replication_role = replica");
    m->bReplica = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    rc = pg_run(m, m->bReplica ? "RELEASE SAVEPOINT kg_role" : "ROLLBACK TO SAVEPOINT kg_role",
                "savepoint");
  } else if (m->bReplica)
    return pg_run(m, "SET LOCAL session_replication_role = origin", "turning triggers on");
  for (int i = 0; i < m->nTab && rc == KG_OK; i++) {
    char *zName = quote(m->aTab[i].zName);
    char *zSql = bOn           ? kg_xasprintf("ALTER TABLE %s ENABLE TRIGGER USER", zName)
                 : m->bReplica ? kg_xasprintf("DELETE FROM %s", zName)
                               : kg_xasprintf("ALTER TABLE %s DISABLE TRIGGER USER; DELETE FROM %s",
                                              zName, zName);
    rc = pg_run(m, zSql, bOn ? "turning triggers on" : "turning triggers off");
    free(zSql);
    free(zName);
  }
  return rc;
}

/* ---- rendering values: COPY text and the canonical form that is hashed ---- */

/* Text for COPY's text format: backslash, newline, return and tab escaped. */
static void copy_text(struct kg_buf *b, const unsigned char *z, size_t n) {
  size_t iStart = 0;
  for (size_t i = 0; i < n; i++) {
    const char *zEsc = z[i] == '\\'   ? "\\\\"
                       : z[i] == '\n' ? "\\n"
                       : z[i] == '\r' ? "\\r"
                       : z[i] == '\t' ? "\\t"
                                      : NULL;
    if (!zEsc) continue;
    kg_buf_append(b, z + iStart, i - iStart);
    kg_buf_append(b, zEsc, 2);
    iStart = i + 1;
  }
  kg_buf_append(b, z + iStart, n - iStart);
}

/* The bytes of a text or bytea value of SQLite: a blob's bytes, else its
 * text (SQLite's own rendering of a number). */
static const unsigned char *sq_bytes(sqlite3_stmt *s, int i, size_t *pn /* OUT */) {
  const unsigned char *z = sqlite3_column_type(s, i) == SQLITE_BLOB
                               ? (const unsigned char *)sqlite3_column_blob(s, i)
                               : sqlite3_column_text(s, i);
  *pn = (size_t)sqlite3_column_bytes(s, i);
  return z ? z : (const unsigned char *)"";
}

/* Appends column c of the row of s (column i; a geometry's is its hex
 * EWKB, then i + 1 says whether the value is NULL) in COPY text format. */
static enum kg_err copy_value(struct mig *m, const struct table *t, const struct col *c,
                              sqlite3_stmt *s, int i) {
  static const char azHex[] = "0123456789abcdef";
  int eType = sqlite3_column_type(s, i);
  size_t n;
  if (c->e == K_GEOM && eType == SQLITE_NULL && sqlite3_column_int(s, i + 1))
    return fail(m, KG_EINVAL, "table %s: a value of column %s is not a SpatiaLite geometry",
                t->zName, c->zName);
  struct kg_buf *b = &m->copy;
  if (eType == SQLITE_NULL) {
    kg_buf_append(b, "\\N", 2);
  } else if (c->e == K_INT && eType == SQLITE_INTEGER) {
    kg_buf_i64(b, sqlite3_column_int64(s, i));
  } else if (c->e == K_REAL && (eType == SQLITE_INTEGER || eType == SQLITE_FLOAT)) {
    kg_buf_printf(b, "%.17g", sqlite3_column_double(s, i));
  } else if (c->e == K_BYTEA) {
    const unsigned char *z = sq_bytes(s, i, &n);
    kg_buf_append(b, "\\\\x", 3);
    if (kg_buf_reserve(b, 2 * n) == KG_OK) { /* the hex digits, written in place */
      char *zHex = b->a + b->n;
      for (size_t k = 0; k < n; k++) {
        zHex[2 * k] = azHex[z[k] >> 4];
        zHex[2 * k + 1] = azHex[z[k] & 15];
      }
      b->n += 2 * n;
      b->a[b->n] = 0;
    }
  } else {
    const unsigned char *z = sq_bytes(s, i, &n);
    copy_text(b, z, n);
  }
  return KG_OK;
}

/* The canonical rendering that is hashed: a tag, then the value. N null; I
 * integer; R a double as %.17g; T text and B bytes with their length; G a
 * geometry's SRID and its little-endian WKB. The same on both sides. */
static void hash_int(crypto_hash_sha256_state *h, char cTag, long long v) {
  char z[32];
  int n = snprintf(z, sizeof(z), "%c%lld;", cTag, v);
  crypto_hash_sha256_update(h, (const unsigned char *)z, (unsigned long long)n);
}

static void hash_real(crypto_hash_sha256_state *h, double v) {
  char z[40];
  int n = snprintf(z, sizeof(z), "R%.17g;", v);
  crypto_hash_sha256_update(h, (const unsigned char *)z, (unsigned long long)n);
}

static void hash_bytes(crypto_hash_sha256_state *h, char cTag, const void *p, size_t n) {
  char z[32];
  int nz = snprintf(z, sizeof(z), "%c%zu:", cTag, n);
  crypto_hash_sha256_update(h, (const unsigned char *)z, (unsigned long long)nz);
  crypto_hash_sha256_update(h, p, n);
}

/* Column c of an SQLite row at i (a geometry: SRID at i, WKB at i + 1).
 * A value of another storage class than the PostgreSQL type holds gets a
 * tag of its own, so that it cannot agree by accident. */
static void hash_sq_value(crypto_hash_sha256_state *h, const struct col *c, sqlite3_stmt *s,
                          int i) {
  int eType = sqlite3_column_type(s, c->e == K_GEOM ? i + 1 : i);
  size_t n;
  if (eType == SQLITE_NULL) {
    crypto_hash_sha256_update(h, (const unsigned char *)"N", 1);
  } else if (c->e == K_GEOM) {
    hash_int(h, 'G', sqlite3_column_int64(s, i));
    hash_bytes(h, 'W', sqlite3_column_blob(s, i + 1), (size_t)sqlite3_column_bytes(s, i + 1));
  } else if (c->e == K_INT) {
    if (eType == SQLITE_INTEGER)
      hash_int(h, 'I', sqlite3_column_int64(s, i));
    else
      hash_bytes(h, 'X', sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i));
  } else if (c->e == K_REAL) {
    if (eType == SQLITE_INTEGER || eType == SQLITE_FLOAT)
      hash_real(h, sqlite3_column_double(s, i));
    else
      hash_bytes(h, 'X', sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i));
  } else {
    const unsigned char *z = sq_bytes(s, i, &n);
    hash_bytes(h, c->e == K_BYTEA ? 'B' : 'T', z, n);
  }
}

/* A big-endian binary integer of PostgreSQL (2, 4 or 8 bytes). */
static long long pg_bin_int(const char *p, int n) {
  if (n == 2) {
    uint16_t v;
    memcpy(&v, p, 2);
    return (int16_t)be16toh(v);
  }
  if (n == 4) {
    uint32_t v;
    memcpy(&v, p, 4);
    return (int32_t)be32toh(v);
  }
  uint64_t v = 0;
  if (n == 8) memcpy(&v, p, 8);
  return (long long)(int64_t)be64toh(v);
}

/* Column c of a PostgreSQL row in binary format at i, as hash_sq_value. */
static void hash_pg_value(crypto_hash_sha256_state *h, const struct col *c, PGresult *res, int i) {
  int iVal = c->e == K_GEOM ? i + 1 : i;
  if (PQgetisnull(res, 0, iVal)) {
    crypto_hash_sha256_update(h, (const unsigned char *)"N", 1);
    return;
  }
  const char *p = PQgetvalue(res, 0, iVal);
  int n = PQgetlength(res, 0, iVal);
  if (c->e == K_GEOM) {
    hash_int(h, 'G', pg_bin_int(PQgetvalue(res, 0, i), PQgetlength(res, 0, i)));
    hash_bytes(h, 'W', p, (size_t)n);
  } else if (c->e == K_INT) {
    hash_int(h, 'I', pg_bin_int(p, n));
  } else if (c->e == K_REAL) {
    double v;
    if (n == 4) {
      uint32_t u;
      float f;
      memcpy(&u, p, 4);
      u = be32toh(u);
      memcpy(&f, &u, 4);
      v = f;
    } else {
      uint64_t u = 0;
      memcpy(&u, p, n == 8 ? 8 : 0);
      u = be64toh(u);
      memcpy(&v, &u, 8);
    }
    hash_real(h, v);
  } else {
    hash_bytes(h, c->e == K_BYTEA ? 'B' : 'T', p, (size_t)n);
  }
}

/* ---- copying ---- */

/* The SELECT list or ORDER BY of t for one side. eWhat: 'c' the copy
 * (geometry as hex EWKB and a not-null flag), 's' hashing on SQLite
 * (geometry as SRID and WKB), 'p' hashing on PostgreSQL, 'o' the primary
 * key order on SQLite, 'q' on PostgreSQL (text in byte order on both).
 * Free with free(). */
static char *column_list(const struct table *t, char eWhat) {
  char *zOut = kg_xstrdup("");
  int bOrder = eWhat == 'o' || eWhat == 'q';
  for (int k = 0; k < (bOrder ? t->nPk : t->nCol); k++) {
    const struct col *c = &t->aCol[bOrder ? t->aiPk[k] : k];
    char *zq = (t->bFts && strcmp(c->zName, "id") == 0 && eWhat != 'p' && eWhat != 'q')
                   ? kg_xstrdup("rowid")
                   : quote(c->zName);
    char *zExpr;
    if (c->e == K_GEOM && eWhat == 'c')
      zExpr = kg_xasprintf("AsEWKB(%s), %s IS NOT NULL", zq, zq);
    else if (c->e == K_GEOM && eWhat == 's')
      zExpr = kg_xasprintf("ST_SRID(%s), AsBinary(%s)", zq, zq);
    else if (c->e == K_GEOM && eWhat == 'p')
      zExpr = kg_xasprintf("ST_SRID(%s), ST_AsBinary(%s, 'NDR')", zq, zq);
    else if (c->e == K_TEXT && eWhat == 'o')
      zExpr = kg_xasprintf("%s COLLATE BINARY", zq);
    else if (c->e == K_TEXT && eWhat == 'q')
      zExpr = kg_xasprintf("%s COLLATE \"C\"", zq);
    else
      zExpr = kg_xstrdup(zq);
    char *zNext = kg_xasprintf("%s%s%s", zOut, k ? ", " : "", zExpr);
    free(zOut);
    free(zExpr);
    free(zq);
    zOut = zNext;
  }
  return zOut;
}

/* Empties the COPY buffer (keeping its memory). */
static void copy_reset(struct mig *m) {
  m->copy.n = 0;
  if (m->copy.a) m->copy.a[0] = 0;
}

/* Sends what the buffer holds as COPY data. */
static enum kg_err copy_flush(struct mig *m, const struct table *t) {
  if (kg_buf_failed(&m->copy))
    return fail(m, KG_ENOMEM, "copying table %s: no memory for a row", t->zName);
  if (m->copy.n > INT_MAX)
    return fail(m, KG_ETOOBIG, "copying table %s: a row of over 2 GB", t->zName);
  if (m->copy.n && PQputCopyData(m->pg, m->copy.a, (int)m->copy.n) != 1)
    return fail(m, KG_EDB, "copying table %s: %s", t->zName, PQerrorMessage(m->pg));
  copy_reset(m);
  return KG_OK;
}

/* Streams the rows of s into the COPY under way, with progress. */
static enum kg_err copy_rows(struct mig *m, struct table *t, sqlite3_stmt *s, int64_t nTotal) {
  enum kg_err rc = KG_OK;
  int src;
  while (rc == KG_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
    for (int k = 0, i = 0; k < t->nCol && rc == KG_OK; k++) {
      if (k) kg_buf_append(&m->copy, "\t", 1);
      rc = copy_value(m, t, &t->aCol[k], s, i);
      i += t->aCol[k].e == K_GEOM ? 2 : 1;
    }
    kg_buf_append(&m->copy, "\n", 1);
    if (rc == KG_OK && (m->copy.n >= COPY_FLUSH || kg_buf_failed(&m->copy))) rc = copy_flush(m, t);
    if (++t->nRows % PROGRESS_ROWS == 0) progress(m, KG_STORE_PG_COPY, t->zName, t->nRows, nTotal);
  }
  if (rc == KG_OK && src != SQLITE_DONE)
    rc = fail(m, KG_EDB, "reading table %s from SQLite: %s", t->zName, sqlite3_errmsg(m->db));
  if (rc == KG_OK) rc = copy_flush(m, t);
  return rc;
}

/* Ends the COPY (aborted with zAbort non-NULL) and checks its outcome. */
static enum kg_err copy_end(struct mig *m, struct table *t, const char *zAbort, enum kg_err rc) {
  PGresult *res;
  char zWhat[160];
  snprintf(zWhat, sizeof(zWhat), "copying table %s", t->zName);
  PQputCopyEnd(m->pg, zAbort);
  while ((res = PQgetResult(m->pg))) {
    if (rc == KG_OK && PQresultStatus(res) != PGRES_COMMAND_OK) rc = pg_fail(m, res, zWhat, 1);
    if (rc == KG_OK && strtoll(PQcmdTuples(res), NULL, 10) != t->nRows)
      rc = fail(m, KG_EDB, "copying table %s: PostgreSQL took %s rows of %lld", t->zName,
                PQcmdTuples(res), (long long)t->nRows);
    PQclear(res);
  }
  return rc;
}

/* Copies table t from SQLite with COPY FROM STDIN. */
static enum kg_err copy_table(struct mig *m, struct table *t) {
  char *zName = quote(t->zName), *zCols = column_list(t, 'c'), *zOrder = column_list(t, 'o');
  char *zPgCols = NULL, *zSql = kg_xasprintf("SELECT count(*) FROM %s", zName);
  sqlite3_stmt *s = NULL;
  enum kg_err rc = KG_OK;
  int64_t nTotal = sq_int(m, zSql, NULL);
  free(zSql);
  zSql = kg_xasprintf("SELECT %s FROM %s ORDER BY %s", zCols, zName, zOrder);
  if (nTotal < 0 || sqlite3_prepare_v2(m->db, zSql, -1, &s, NULL) != SQLITE_OK) {
    rc = fail(m, KG_EDB, "reading table %s from SQLite: %s", t->zName, sqlite3_errmsg(m->db));
    goto out;
  }
  for (int k = 0; k < t->nCol; k++) {
    char *zq = quote(t->aCol[k].zName);
    char *zNext = kg_xasprintf("%s%s%s", zPgCols ? zPgCols : "", k ? ", " : "", zq);
    free(zq);
    free(zPgCols);
    zPgCols = zNext;
  }
  free(zSql);
  zSql = kg_xasprintf("COPY %s (%s) FROM STDIN", zName, zPgCols);
  PGresult *res = PQexec(m->pg, zSql);
  if (PQresultStatus(res) != PGRES_COPY_IN) {
    rc = pg_fail(m, res, "starting the copy", 0);
    PQclear(res);
    goto out;
  }
  PQclear(res);
  copy_reset(m);
  rc = copy_rows(m, t, s, nTotal);
  rc = copy_end(m, t, rc == KG_OK ? NULL : "kengash stopped the copy", rc);
  if (rc == KG_OK) {
    progress(m, KG_STORE_PG_COPY, t->zName, t->nRows, nTotal);
    m->pRep->nRows += t->nRows;
  }
out:
  sqlite3_finalize(s);
  free(zSql);
  free(zPgCols);
  free(zOrder);
  free(zCols);
  free(zName);
  return rc;
}

/* After the copy: the derived full-text tables rebuilt as their triggers
 * write them (pg/0001, pg/0004), identity sequences past the largest id. */
static enum kg_err rebuild_derived(struct mig *m) {
  enum kg_err rc =
      pg_run(m,
             "INSERT INTO comments_fts (id, body) SELECT id, replace(replace(body, 'ё', 'е'), "
             "'Ё', 'Е') FROM comments;"
             "INSERT INTO discussions_fts (id, title, project_title, description) SELECT d.id, "
             "d.title, p.title, p.description FROM discussions d JOIN projects p ON p.id = "
             "d.project_id",
             "rebuilding the full-text tables");
  for (int i = 0; i < m->nTab && rc == KG_OK; i++) {
    const struct table *t = &m->aTab[i];
    if (!t->zIdentity) continue;
    char *zName = quote(t->zName), *zCol = quote(t->zIdentity);
    char *zLitT = PQescapeLiteral(m->pg, zName, strlen(zName));
    char *zLitC = PQescapeLiteral(m->pg, t->zIdentity, strlen(t->zIdentity));
    char *zSql = kg_xasprintf("SELECT setval(pg_get_serial_sequence(%s, %s), "
                              "coalesce((SELECT max(%s) FROM %s), 0) + 1, false)",
                              zLitT ? zLitT : "''", zLitC ? zLitC : "''", zCol, zName);
    rc = pg_run(m, zSql, "setting an identity sequence");
    free(zSql);
    PQfreemem(zLitT);
    PQfreemem(zLitC);
    free(zCol);
    free(zName);
  }
  return rc;
}

/* ---- checking ---- */

/* Count and SHA-256 of t on the SQLite side. */
static enum kg_err hash_sqlite(struct mig *m, const struct table *t, int64_t *pn /* OUT */,
                               unsigned char aHash[32] /* OUT */) {
  char *zName = quote(t->zName), *zCols = column_list(t, 's'), *zOrder = column_list(t, 'o');
  char *zSql = kg_xasprintf("SELECT %s FROM %s ORDER BY %s", zCols, zName, zOrder);
  sqlite3_stmt *s = NULL;
  crypto_hash_sha256_state h;
  enum kg_err rc = KG_OK;
  int src;
  crypto_hash_sha256_init(&h);
  *pn = 0;
  if (sqlite3_prepare_v2(m->db, zSql, -1, &s, NULL) != SQLITE_OK) {
    rc = fail(m, KG_EDB, "hashing table %s in SQLite: %s", t->zName, sqlite3_errmsg(m->db));
    goto out;
  }
  while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    for (int k = 0, i = 0; k < t->nCol; k++) {
      hash_sq_value(&h, &t->aCol[k], s, i);
      i += t->aCol[k].e == K_GEOM ? 2 : 1;
    }
    crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    (*pn)++;
  }
  if (src != SQLITE_DONE)
    rc = fail(m, KG_EDB, "hashing table %s in SQLite: %s", t->zName, sqlite3_errmsg(m->db));
  crypto_hash_sha256_final(&h, aHash);
out:
  sqlite3_finalize(s);
  free(zSql);
  free(zOrder);
  free(zCols);
  free(zName);
  return rc;
}

/* Count and SHA-256 of t on the PostgreSQL side: the rows in binary
 * format, one at a time. */
static enum kg_err hash_pg(struct mig *m, const struct table *t, int64_t *pn /* OUT */,
                           unsigned char aHash[32] /* OUT */) {
  char *zName = quote(t->zName), *zCols = column_list(t, 'p'), *zOrder = column_list(t, 'q');
  char *zSql = kg_xasprintf("SELECT %s FROM %s ORDER BY %s", zCols, zName, zOrder);
  crypto_hash_sha256_state h;
  enum kg_err rc = KG_OK;
  PGresult *res;
  crypto_hash_sha256_init(&h);
  *pn = 0;
  if (!PQsendQueryParams(m->pg, zSql, 0, NULL, NULL, NULL, NULL, 1) || !PQsetSingleRowMode(m->pg))
    rc = fail(m, KG_EDB, "hashing table %s in PostgreSQL: %s", t->zName, PQerrorMessage(m->pg));
  while ((res = PQgetResult(m->pg))) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_SINGLE_TUPLE && rc == KG_OK) {
      for (int k = 0, i = 0; k < t->nCol; k++) {
        hash_pg_value(&h, &t->aCol[k], res, i);
        i += t->aCol[k].e == K_GEOM ? 2 : 1;
      }
      crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
      (*pn)++;
    } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && rc == KG_OK) {
      char zWhat[160];
      snprintf(zWhat, sizeof(zWhat), "hashing table %s", t->zName);
      rc = pg_fail(m, res, zWhat, 1);
    }
    PQclear(res);
  }
  crypto_hash_sha256_final(&h, aHash);
  free(zSql);
  free(zOrder);
  free(zCols);
  free(zName);
  return rc;
}

/* Counts and hashes every copied table on both sides. A mismatch is
 * reported per table and counted; the first one names the failure. */
static enum kg_err verify_tables(struct mig *m) {
  enum kg_err rc = KG_OK;
  for (int i = 0; i < m->nTab && rc == KG_OK; i++) {
    const struct table *t = &m->aTab[i];
    if (t->bDerived) continue;
    unsigned char aSq[32], aPg[32];
    int64_t nSq, nPg;
    if ((rc = hash_sqlite(m, t, &nSq, aSq)) != KG_OK || (rc = hash_pg(m, t, &nPg, aPg)) != KG_OK)
      break;
    int bSame = nSq == nPg && memcmp(aSq, aPg, 32) == 0;
    progress(m, KG_STORE_PG_VERIFY, t->zName, nPg, bSame);
    if (bSame) continue;
    m->pRep->nMismatch++;
    if (nSq != nPg)
      fail(m, KG_EDB, "table %s: %lld rows in SQLite, %lld in PostgreSQL", t->zName, (long long)nSq,
           (long long)nPg);
    else
      fail(m, KG_EDB, "table %s: the rows differ between SQLite and PostgreSQL (SHA-256)",
           t->zName);
  }
  if (rc == KG_OK && m->pRep->nMismatch) rc = KG_EDB;
  return rc;
}

/* The derived tables: the full-text tables hold one row per comment and
 * discussion, their queues none, and open_comments equals what
 * open_comments_src computes from the copied rows. */
static enum kg_err verify_derived(struct mig *m) {
  static const struct {
    const char *zSql, *zMsg;
  } aCheck[] = {
      {"SELECT (SELECT count(*) FROM comments_fts) - (SELECT count(*) FROM comments)",
       "comments_fts does not hold one row per comment"},
      {"SELECT (SELECT count(*) FROM discussions_fts) - (SELECT count(*) FROM discussions)",
       "discussions_fts does not hold one row per discussion"},
      {"SELECT (SELECT count(*) FROM comments_fts_queue) + (SELECT count(*) FROM "
       "discussions_fts_queue)",
       "the full-text queues are not empty"},
      {"SELECT count(*) FROM ((SELECT * FROM open_comments EXCEPT ALL SELECT * FROM "
       "open_comments_src) UNION ALL (SELECT * FROM open_comments_src EXCEPT ALL SELECT * FROM "
       "open_comments)) AS x",
       "open_comments differs from what PostgreSQL's open_comments_src computes"},
  };
  for (size_t i = 0; i < sizeof(aCheck) / sizeof(aCheck[0]); i++) {
    int64_t n = pg_int(m, aCheck[i].zSql, "checking the derived tables");
    if (n < 0) return KG_EDB;
    if (n != 0) {
      m->pRep->nMismatch++;
      return fail(m, KG_EDB, "%s (%lld rows)", aCheck[i].zMsg, (long long)n);
    }
  }
  return KG_OK;
}

/* ---- the whole ---- */

/* Connects with zConninfo (refused when it carries a password) and
 * zPassword, and sets the session up. */
static enum kg_err connect_pg(struct mig *m, const char *zConninfo, const char *zPassword) {
  char *zErr = NULL;
  PQconninfoOption *aOpt = PQconninfoParse(zConninfo, &zErr);
  /* libpq's message may quote the string, and with it a password */
  PQfreemem(zErr);
  if (!aOpt)
    return fail(m, KG_EINVAL,
                "the connection string is not one libpq reads (key=value pairs or "
                "a postgresql:// URI)");
  int bPassword = 0;
  for (PQconninfoOption *o = aOpt; o->keyword; o++)
    if (strcmp(o->keyword, "password") == 0 && o->val && *o->val) bPassword = 1;
  PQconninfoFree(aOpt);
  if (bPassword)
    return fail(m, KG_EINVAL,
                "the connection string holds a password: give it with "
                "--password-file or PGPASSWORD instead");
  /* later keywords override the string's own (expand_dbname): the
   * timeout comes first so that the string may set another */
  const char *azKey[5] = {"connect_timeout", "dbname", "fallback_application_name"};
  const char *azVal[5] = {"10", zConninfo, "kengash migrate-to-postgres"};
  if (zPassword && *zPassword) azKey[3] = "password", azVal[3] = zPassword;
  m->pg = PQconnectdbParams(azKey, azVal, 1);
  if (!m->pg) return fail(m, KG_EIO, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(m->pg) != CONNECTION_OK)
    return fail(m, KG_EIO, "cannot connect to PostgreSQL: %s", PQerrorMessage(m->pg));
  PQsetNoticeProcessor(m->pg, quiet_notice, NULL);
  snprintf(m->pRep->zTarget, sizeof(m->pRep->zTarget), "database %s on %s port %s", PQdb(m->pg),
           PQhost(m->pg), PQport(m->pg));
  if (PQserverVersion(m->pg) < MIN_SERVER)
    return fail(m, KG_EINVAL, "PostgreSQL %d is too old: 15 or newer is needed",
                PQserverVersion(m->pg) / 10000);
  return pg_run(m,
                "SET client_encoding = 'UTF8'; SET extra_float_digits = 3; "
                "SET statement_timeout = 0; SET client_min_messages = warning",
                "setting the session up");
}

/* The steps inside the PostgreSQL transaction. */
static enum kg_err migrate_tx(struct mig *m) {
  enum kg_err rc;
  if ((rc = apply_schema(m)) != KG_OK || (rc = plan_read(m)) != KG_OK ||
      (rc = check_sqlite_tables(m)) != KG_OK)
    return rc;
  plan_order(m);
  if ((rc = triggers(m, 0)) != KG_OK) return rc;
  for (int i = 0; i < m->nTab && rc == KG_OK; i++)
    if (!m->aTab[i].bDerived && (rc = copy_table(m, &m->aTab[i])) == KG_OK) m->pRep->nTables++;
  if (rc == KG_OK) rc = rebuild_derived(m);
  if (rc == KG_OK) rc = triggers(m, 1);
  if (rc == KG_OK) rc = verify_tables(m);
  if (rc == KG_OK) rc = verify_derived(m);
  return rc;
}

enum kg_err kg_store_pg_migrate(const char *zSqlite, const char *zConninfo, const char *zPassword,
                                kg_store_pg_progress_fn xProgress, void *pArg,
                                struct kg_store_pg_report *pRep) {
  struct mig m = {.xProgress = xProgress, .pArg = pArg, .pRep = pRep};
  memset(pRep, 0, sizeof(*pRep));
  kg_buf_init(&m.copy, SIZE_MAX / 2);
  enum kg_err rc = open_sqlite(&m, zSqlite);
  if (rc == KG_OK) rc = connect_pg(&m, zConninfo, zPassword);
  if (rc == KG_OK && (rc = pg_run(&m, "BEGIN", "starting the transaction")) == KG_OK) {
    rc = migrate_tx(&m);
    if (rc == KG_OK)
      rc = pg_run(&m, "COMMIT", "committing");
    else
      PQclear(PQexec(m.pg, "ROLLBACK"));
  }
  if (rc != KG_OK) {
    pRep->nTables = 0;
    pRep->nRows = 0;
    if (!pRep->zMsg[0]) fail(&m, rc, "the move failed (%s)", kg_err_name(rc));
  }
  PQfinish(m.pg);
  if (m.db) sqlite3_close_v2(m.db);
  if (m.pCache) spatialite_cleanup_ex(m.pCache);
  for (int i = 0; i < m.nTab; i++) {
    for (int k = 0; k < m.aTab[i].nCol; k++)
      free(m.aTab[i].aCol[k].zName);
    free(m.aTab[i].aCol);
    free(m.aTab[i].zName);
    free(m.aTab[i].zIdentity);
  }
  free(m.aTab);
  free(m.azEdge);
  kg_buf_free(&m.copy);
  return rc;
}

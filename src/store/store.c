/* store.c: connections (open, pragmas, SpatiaLite), the per-thread pool,
 * migrations, backup, the statement cache, the step/bind/column helpers
 * every aggregate uses, and transactions: they all end in kg_store_tx_end,
 * which runs the commit hooks the aggregates register. */
#define _GNU_SOURCE
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spatialite.h>

/* ---- statements ---- */

/* FNV-1a of the SQL text. */
static uint32_t sql_hash(const char *z) {
  uint32_t h = 2166136261u;
  while (*z) {
    h ^= (unsigned char)*z++;
    h *= 16777619u;
  }
  return h;
}

/* A new statement for zSql on p's engine (bPersist: it will be cached). */
static enum kg_err sql_prepare_flags(struct kg_store *p, const char *zSql, int bPersist,
                                     struct kg_db_stmt **ppStmt) {
  sqlite3_stmt *pLite = NULL;
  *ppStmt = NULL;
  if (p->pPg) return kg_pg_prepare(p->pPg, zSql, ppStmt);
  if (sqlite3_prepare_v3(p->db, zSql, -1, bPersist ? SQLITE_PREPARE_PERSISTENT : 0, &pLite, NULL) !=
      SQLITE_OK) {
    kg_log_error("store prepare failed err=\"%s\"", sqlite3_errmsg(p->db));
    sqlite3_finalize(pLite);
    return KG_EDB;
  }
  *ppStmt = kg_xcalloc(1, sizeof(**ppStmt));
  (*ppStmt)->pLite = pLite;
  return KG_OK;
}

/* Frees a statement of either engine (NULL: nothing). */
static void sql_finalize(struct kg_db_stmt *s) {
  if (!s) return;
  if (s->pLite)
    sqlite3_finalize(s->pLite);
  else
    kg_pg_finalize(s->pPg);
  free(s);
}

/* A statement for one use, finalized by kg_store_sql_done. */
static enum kg_err sql_prepare_loose(struct kg_store *p, const char *zSql,
                                     struct kg_db_stmt **ppStmt) {
  enum kg_err rc = sql_prepare_flags(p, zSql, 0, ppStmt);
  if (rc) return rc;
  if (p->nLoose == p->nLooseAlloc) {
    p->nLooseAlloc = p->nLooseAlloc ? 2 * p->nLooseAlloc : 4;
    p->apLoose = kg_xrealloc(p->apLoose, (size_t)p->nLooseAlloc * sizeof(*p->apLoose));
  }
  p->apLoose[p->nLoose++] = *ppStmt;
  return KG_OK;
}

/* The slot holding zSql (-1 when none; *piFree then gets the free slot
 * where it belongs), through the address memo first. */
static int sql_slot(struct kg_store *p, const char *zSql, unsigned *piFree, uint32_t *pH) {
  unsigned m =
      (unsigned)(((uintptr_t)zSql * 0x9E3779B97F4A7C15ull) >> 56) & (KG_STORE_SQL_MEMO - 1);
  int iMemo = p->aMemo[m].iSlot;
  if (p->aMemo[m].zSql == zSql && strcmp(p->aSql[iMemo].zSql, zSql) == 0) return iMemo;
  uint32_t h = sql_hash(zSql);
  unsigned i = h & (KG_STORE_SQL_SLOTS - 1);
  *pH = h;
  for (; p->aSql[i].zSql; i = (i + 1) & (KG_STORE_SQL_SLOTS - 1)) {
    if (p->aSql[i].h != h || strcmp(p->aSql[i].zSql, zSql) != 0) continue;
    p->aMemo[m].zSql = zSql;
    p->aMemo[m].iSlot = (int)i;
    return (int)i;
  }
  *piFree = i;
  return -1;
}

enum kg_err kg_store_sql_prepare(struct kg_store *p, const char *zSql, struct kg_db_stmt **ppStmt) {
  unsigned iFree = 0;
  uint32_t h = 0;
  int i = sql_slot(p, zSql, &iFree, &h);
  *ppStmt = NULL;
  if (i >= 0) {
    struct kg_db_stmt *s = p->aSql[i].pStmt;
    if (s->pLite ? sqlite3_stmt_busy(s->pLite) : kg_pg_busy(s->pPg))
      return sql_prepare_loose(p, zSql, ppStmt);
    *ppStmt = p->aSql[i].pStmt;
    return KG_OK;
  }
  if (p->nSql >= KG_STORE_SQL_MAX) return sql_prepare_loose(p, zSql, ppStmt);
  enum kg_err rc = sql_prepare_flags(p, zSql, 1, ppStmt);
  if (rc) return rc;
  p->aSql[iFree].h = h;
  p->aSql[iFree].zSql = kg_xstrdup(zSql);
  p->aSql[iFree].pStmt = *ppStmt;
  p->nSql++;
  return KG_OK;
}

void kg_store_sql_done(struct kg_store *p, struct kg_db_stmt *pStmt) {
  if (!pStmt) return;
  for (int i = p->nLoose - 1; i >= 0; i--) {
    if (p->apLoose[i] == pStmt) {
      p->apLoose[i] = p->apLoose[--p->nLoose];
      sql_finalize(pStmt);
      return;
    }
  }
  if (pStmt->pLite) {
    sqlite3_reset(pStmt->pLite);
    sqlite3_clear_bindings(pStmt->pLite);
  } else {
    kg_pg_reset(pStmt->pPg);
  }
}

enum kg_err kg_store_sql_run(struct kg_store *p, struct kg_db_stmt *s, const char *zWhat) {
  int src = kg_db_step(s);
  enum kg_err rc = src == SQLITE_DONE ? KG_OK : kg_store_dberr(p, src, zWhat);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_sql_change(struct kg_store *p, struct kg_db_stmt *s, const char *zWhat) {
  enum kg_err rc = kg_store_sql_run(p, s, zWhat);
  return rc == KG_OK && kg_db_changes(p) == 0 ? KG_ENOTFOUND : rc;
}

enum kg_err kg_store_sql_insert(struct kg_store *p, struct kg_db_stmt *s, const char *zWhat,
                                int64_t *pId) {
  if (!p->pPg && kg_db_col_count(s) == 0) {            /* SQLite, without RETURNING */
    enum kg_err rc = kg_store_sql_change(p, s, zWhat); /* steps and finishes s */
    if (rc == KG_OK && pId) *pId = sqlite3_last_insert_rowid(p->db);
    return rc;
  }
  enum kg_err rc = kg_store_sql_row(p, s, zWhat);
  if (rc == KG_OK) {
    if (pId) *pId = kg_db_col_i64(s, 0);
    int src = kg_db_step(s); /* one row inserted: done */
    if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, zWhat);
  }
  kg_store_sql_done(p, s);
  return rc;
}

int kg_db_changes(struct kg_store *p) {
  return p->pPg ? kg_pg_changes(p->pPg) : sqlite3_changes(p->db);
}

const char *kg_db_errmsg(struct kg_store *p) {
  return p->pPg ? kg_pg_errmsg(p->pPg) : sqlite3_errmsg(p->db);
}

int kg_db_in_tx(struct kg_store *p) {
  return p->pPg ? kg_pg_in_tx(p->pPg) : !sqlite3_get_autocommit(p->db);
}

static void bindv(struct kg_db_stmt *s, const char *zFmt, va_list ap) {
  for (int i = 1; zFmt[i - 1]; i++) {
    switch (zFmt[i - 1]) {
    case 'i':
      kg_db_bind_i64(s, i, va_arg(ap, int64_t));
      break;
    case 'n':
      kg_store_bind_id(s, i, va_arg(ap, int64_t));
      break;
    case 'k':
      kg_db_bind_int(s, i, va_arg(ap, int));
      break;
    case 'd':
      kg_db_bind_double(s, i, va_arg(ap, double));
      break;
    case 't':
      kg_store_bind_text(s, i, va_arg(ap, const char *));
      break;
    case 'h':
      kg_db_bind_blob(s, i, va_arg(ap, const unsigned char *), 32);
      break;
    default:
      kg_log_error("store bind: unknown letter '%c'", zFmt[i - 1]);
      abort(); /* a programming error */
    }
  }
}

void kg_store_cols(struct kg_db_stmt *s, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  for (int i = 0; zFmt[i]; i++) {
    switch (zFmt[i]) {
    case 'i':
      *va_arg(ap, int64_t *) = kg_db_col_i64(s, i);
      break;
    case 'k':
      *va_arg(ap, int *) = kg_db_col_int(s, i);
      break;
    case 'd':
      *va_arg(ap, double *) = kg_db_col_double(s, i);
      break;
    case 't':
      *va_arg(ap, const char **) = kg_db_col_text(s, i);
      break;
    default:
      kg_log_error("store columns: unknown letter '%c'", zFmt[i]);
      abort(); /* a programming error */
    }
  }
  va_end(ap);
}

void kg_store_bind(struct kg_db_stmt *s, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  bindv(s, zFmt, ap);
  va_end(ap);
}

enum kg_err kg_store_sql_query(struct kg_store *p, struct kg_db_stmt **ppStmt, const char *zSql,
                               const char *zFmt, ...) {
  enum kg_err rc = kg_store_sql_prepare(p, zSql, ppStmt);
  if (rc) return rc;
  va_list ap;
  va_start(ap, zFmt);
  bindv(*ppStmt, zFmt, ap);
  va_end(ap);
  return KG_OK;
}

/* kg_store_sql_exec, _exec_change and _exec_id: bChange adds KG_ENOTFOUND;
 * pId (not NULL) reads the id an INSERT ... RETURNING id returns. */
static enum kg_err sql_execv(struct kg_store *p, const char *zWhat, const char *zSql, int bChange,
                             int64_t *pId, const char *zFmt, va_list ap) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  bindv(s, zFmt, ap);
  if (pId) return kg_store_sql_insert(p, s, zWhat, pId);
  return bChange ? kg_store_sql_change(p, s, zWhat) : kg_store_sql_run(p, s, zWhat);
}

enum kg_err kg_store_sql_exec_id(struct kg_store *p, const char *zWhat, const char *zSql,
                                 int64_t *pId, const char *zFmt, ...) {
  int64_t id = 0;
  va_list ap;
  va_start(ap, zFmt);
  enum kg_err rc = sql_execv(p, zWhat, zSql, 0, &id, zFmt, ap);
  va_end(ap);
  if (pId) *pId = rc == KG_OK ? id : 0;
  return rc;
}

enum kg_err kg_store_sql_exec(struct kg_store *p, const char *zWhat, const char *zSql,
                              const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  enum kg_err rc = sql_execv(p, zWhat, zSql, 0, NULL, zFmt, ap);
  va_end(ap);
  return rc;
}

enum kg_err kg_store_sql_exec_change(struct kg_store *p, const char *zWhat, const char *zSql,
                                     const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  enum kg_err rc = sql_execv(p, zWhat, zSql, 1, NULL, zFmt, ap);
  va_end(ap);
  return rc;
}

enum kg_err kg_store_sql_row(struct kg_store *p, struct kg_db_stmt *s, const char *zWhat) {
  int src = kg_db_step(s);
  if (src == SQLITE_ROW) return KG_OK;
  return src == SQLITE_DONE ? KG_ENOTFOUND : kg_store_dberr(p, src, zWhat);
}

enum kg_err kg_store_sql_one(struct kg_store *p, struct kg_db_stmt *s, const char *zWhat) {
  int src = kg_db_step(s);
  return src == SQLITE_ROW ? KG_OK : kg_store_dberr(p, src, zWhat);
}

enum kg_err kg_store_sql_each(struct kg_store *p, struct kg_db_stmt *s, kg_store_row_fn xRow,
                              void *pArg, const char *zWhat) {
  int src;
  while ((src = kg_db_step(s)) == SQLITE_ROW)
    if (xRow(pArg, s)) return KG_OK;
  return src == SQLITE_DONE ? KG_OK : kg_store_dberr(p, src, zWhat);
}

void kg_store_tx_finish(struct kg_store *p, struct kg_store_tx *pTx, enum kg_err *pRc) {
  if (!pTx->bActive) return;
  enum kg_err rc2 = kg_store_tx_end(p, pTx, *pRc == KG_OK);
  if (*pRc == KG_OK) *pRc = rc2;
}

enum kg_err kg_store_dberr(struct kg_store *p, int rc, const char *zWhat) {
  switch (rc) {
  case SQLITE_CONSTRAINT_UNIQUE:
  case SQLITE_CONSTRAINT_PRIMARYKEY:
    kg_log_debug("store conflict op=%s err=\"%s\"", zWhat, kg_db_errmsg(p));
    return KG_ECONFLICT;
  case SQLITE_CONSTRAINT_CHECK:
  case SQLITE_CONSTRAINT_NOTNULL:
  case SQLITE_CONSTRAINT_FOREIGNKEY:
  case SQLITE_CONSTRAINT_TRIGGER:
    kg_log_warn("store constraint op=%s err=\"%s\"", zWhat, kg_db_errmsg(p));
    return KG_EINVAL;
  case SQLITE_FULL: /* ENOSPC, or PRAGMA max_page_count reached */
    kg_log_error("store full op=%s err=\"%s\"", zWhat, kg_db_errmsg(p));
    return KG_EFULL;
  case SQLITE_CANTOPEN: /* PostgreSQL: the server is gone (db_pg.c) */
    kg_log_warn("store unreachable op=%s err=\"%s\"", zWhat, kg_db_errmsg(p));
    return KG_EDOWN;
  default:
    kg_log_error("store error op=%s code=%d err=\"%s\"", zWhat, rc, kg_db_errmsg(p));
    return KG_EDB;
  }
}

/* Runs constant SQL (no user data) without results. */
static enum kg_err exec(struct kg_store *p, const char *zSql, const char *zWhat) {
  if (p->pPg) {
    int src = kg_pg_exec(p->pPg, zSql);
    if (src == SQLITE_OK) return KG_OK;
    kg_log_error("store exec failed op=%s err=\"%s\"", zWhat, kg_pg_errmsg(p->pPg));
    return src == SQLITE_FULL ? KG_EFULL : src == SQLITE_CANTOPEN ? KG_EDOWN : KG_EDB;
  }
  char *zErr = NULL;
  int rc = sqlite3_exec(p->db, zSql, NULL, NULL, &zErr);
  if (rc != SQLITE_OK) {
    kg_log_error("store exec failed op=%s code=%d err=\"%s\"", zWhat, rc,
                 zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return (rc & 0xff) == SQLITE_FULL ? KG_EFULL : KG_EDB;
  }
  return KG_OK;
}

/* ---- transactions ---- */

enum kg_err kg_store_tx_begin(struct kg_store *p, struct kg_store_tx *pTx) {
  memset(pTx, 0, sizeof(*pTx));
  pTx->bSavepoint = kg_db_in_tx(p);
  enum kg_err rc = exec(p, pTx->bSavepoint ? "SAVEPOINT kg_tx" : "BEGIN IMMEDIATE", "begin");
  if (rc == KG_OK) pTx->bActive = 1;
  return rc;
}

enum kg_err kg_store_tx_begin_read(struct kg_store *p, struct kg_store_tx *pTx) {
  memset(pTx, 0, sizeof(*pTx));
  enum kg_err rc = exec(p, "BEGIN", "begin read");
  if (rc == KG_OK) pTx->bActive = p->bReadTx = 1;
  return rc;
}

void kg_store_commit_hook_add(struct kg_store *p, kg_store_hook_fn xHook) {
  if (p->nHook == KG_STORE_MAX_HOOKS) {
    kg_log_error("store: more than %d commit hooks", KG_STORE_MAX_HOOKS);
    abort(); /* a programming error: raise KG_STORE_MAX_HOOKS */
  }
  p->axHook[p->nHook++] = xHook;
}

/* Runs the commit hooks for e in order; the first error stops them. */
static enum kg_err run_hooks(struct kg_store *p, enum kg_store_tx_event e) {
  enum kg_err rc = KG_OK;
  for (int i = 0; i < p->nHook && rc == KG_OK; i++)
    rc = p->axHook[i](p, e);
  return rc;
}

enum kg_err kg_store_tx_end(struct kg_store *p, struct kg_store_tx *pTx, int bOk) {
  enum kg_err rc = KG_OK;
  if (!pTx->bActive) return KG_OK;
  pTx->bActive = 0;
  if (pTx->bSavepoint) {
    if (bOk && (rc = exec(p, "RELEASE kg_tx", "commit")) == KG_OK) return KG_OK;
    exec(p, "ROLLBACK TO kg_tx; RELEASE kg_tx", "rollback");
    return rc;
  }
  int bHooks = !p->bReadTx;
  p->bReadTx = 0;
  if (bOk) {
    if (bHooks) rc = run_hooks(p, KG_STORE_TX_COMMIT);
    if (rc == KG_OK) rc = exec(p, "COMMIT", "commit");
    if (rc == KG_OK) {
      if (bHooks) run_hooks(p, KG_STORE_TX_COMMITTED);
      return KG_OK;
    }
  }
  /* SQLite may have rolled back already (an error while writing) */
  if (kg_db_in_tx(p)) exec(p, "ROLLBACK", "rollback");
  if (bHooks) run_hooks(p, KG_STORE_TX_ROLLBACK);
  return rc;
}

enum kg_err kg_store_begin(struct kg_store *p) {
  return exec(p, "BEGIN IMMEDIATE", "begin");
}
enum kg_err kg_store_commit(struct kg_store *p) {
  struct kg_store_tx tx = {.bActive = 1};
  return kg_store_tx_end(p, &tx, 1);
}
void kg_store_rollback(struct kg_store *p) {
  struct kg_store_tx tx = {.bActive = 1};
  kg_store_tx_end(p, &tx, 0);
}

/* ---- columns ---- */

void kg_store_col_copy(struct kg_db_stmt *s, int i, char *z, size_t n) {
  const char *zCol = kg_db_col_text(s, i);
  size_t k;
  if (n == 0) return;
  if (!zCol) {
    z[0] = 0;
    return;
  }
  k = (size_t)kg_db_col_bytes(s, i);
  if (k >= n) {
    k = n - 1;
    while (k > 0 && ((unsigned char)zCol[k] & 0xC0) == 0x80)
      k--; /* UTF-8 boundary */
  }
  memcpy(z, zCol, k);
  z[k] = 0;
}

char *kg_store_col_dup(struct kg_db_stmt *s, int i) {
  const char *zCol = kg_db_col_text(s, i);
  return zCol ? kg_xstrndup(zCol, (size_t)kg_db_col_bytes(s, i)) : NULL;
}

/* ---- connections ---- */

/* Once per process, before the first connection: no memory statistics.
 * With them on, every sqlite3_malloc and free of every thread takes one
 * global mutex (a quarter of the eligibility check's time under load). */
static void sqlite_global_config(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* PRAGMA max_page_count for every connection opened from now on; 0: SQLite's
 * default. Set once at start-up, before any thread opens a connection. */
static int64_t g_nMaxPages;

void kg_store_set_max_pages(int64_t nPages) {
  g_nMaxPages = nPages;
}

int kg_store_is_pg(const char *z) {
  static const char *const azKey[] = {"host",     "hostaddr", "port",    "dbname",  "user",
                                      "password", "passfile", "service", "sslmode", "options"};
  if (strncmp(z, "postgresql://", 13) == 0 || strncmp(z, "postgres://", 11) == 0) return 1;
  z += strspn(z, " \t");
  size_t n = strspn(z, "abcdefghijklmnopqrstuvwxyz_");
  if (z[n + strspn(z + n, " \t")] != '=') return 0;
  for (size_t i = 0; i < sizeof(azKey) / sizeof(azKey[0]); i++)
    if (strlen(azKey[i]) == n && strncmp(z, azKey[i], n) == 0) return 1;
  return 0;
}

/* kg_store_open on PostgreSQL. No commit hooks yet: the full-text queues
 * they flush are FTS5's (see docs/postgres-spike.md, "The engine seam"). */
static enum kg_err open_pg(const char *zConninfo, struct kg_store **ppStore) {
  struct kg_store *p = kg_xcalloc(1, sizeof(*p));
  *ppStore = NULL;
  p->nFtsBatch = 1;
  enum kg_err rc = kg_pg_open(zConninfo, &p->pPg);
  if (rc) {
    free(p);
    return rc;
  }
  *ppStore = p;
  return KG_OK;
}

enum kg_err kg_store_open(const char *zPath, struct kg_store **ppStore) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  if (kg_store_is_pg(zPath)) return open_pg(zPath, ppStore);
  pthread_once(&once, sqlite_global_config);
  struct kg_store *p = kg_xcalloc(1, sizeof(*p));
  enum kg_err rc = KG_EDB;
  p->nFtsBatch = 1;
  int src;
  *ppStore = NULL;
  src = sqlite3_open_v2(zPath, &p->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (src != SQLITE_OK) {
    kg_log_error("store open failed code=%d err=\"%s\"", src,
                 p->db ? sqlite3_errmsg(p->db) : sqlite3_errstr(src));
    goto out;
  }
  sqlite3_extended_result_codes(p->db, 1);
  p->pCache = spatialite_alloc_connection();
  if (!p->pCache) {
    kg_log_error("store spatialite cache allocation failed");
    goto out;
  }
  spatialite_init_ex(p->db, p->pCache, 0);
  kg_store_address_functions(p->db);
  kg_store_point_functions(p->db);
  if (kg_store_search_register(p->db) != SQLITE_OK) goto out;
  /* in this order: the comments' index, then the discussions' */
  kg_store_commit_hook_add(p, kg_store_comment_fts_hook);
  kg_store_commit_hook_add(p, kg_store_search_hook);
  sqlite3_busy_timeout(p->db, KG_STORE_BUSY_MS);
  if ((rc = exec(p,
                 "PRAGMA journal_mode=WAL;"
                 "PRAGMA synchronous=" KG_STORE_SYNCHRONOUS ";"
                 "PRAGMA foreign_keys=ON;",
                 "pragmas")) != KG_OK)
    goto out;
  if (g_nMaxPages > 0) {
    char zSql[64];
    snprintf(zSql, sizeof(zSql), "PRAGMA max_page_count=%lld", (long long)g_nMaxPages);
    if ((rc = exec(p, zSql, "max_page_count")) != KG_OK) goto out;
  }
  *ppStore = p;
  p = NULL;
  rc = KG_OK;
out:
  if (p) kg_store_close(p);
  return rc;
}

void kg_store_cache_kib(struct kg_store *p, int nKiB) {
  if (p->pPg) return; /* PostgreSQL's page cache is the server's (shared_buffers) */
  char zSql[48];
  snprintf(zSql, sizeof(zSql), "PRAGMA cache_size=-%d", nKiB);
  exec(p, zSql, "cache size"); /* logged on failure; the default stays */
}

void kg_store_close(struct kg_store *p) {
  if (!p) return;
  for (int i = 0; i < KG_STORE_SQL_SLOTS; i++) {
    sql_finalize(p->aSql[i].pStmt);
    free(p->aSql[i].zSql);
  }
  for (int i = 0; i < p->nLoose; i++)
    sql_finalize(p->apLoose[i]);
  free(p->apLoose);
  if (p->db) {
    int rc = sqlite3_close(p->db);
    if (rc != SQLITE_OK) {
      kg_log_error("store close failed code=%d (statement left open)", rc);
      sqlite3_close_v2(p->db);
    }
  }
  if (p->pCache) spatialite_cleanup_ex(p->pCache);
  kg_pg_close(p->pPg);
  free(p);
}

/* On PostgreSQL the one-row kg_schema_version: counting pg_class (400-700
 * rows with PostGIS) cost the server some 40 us more a call. */
enum kg_err kg_store_health(struct kg_store *p) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p, p->pPg ? "SELECT count(*) FROM kg_schema_version" : "SELECT count(*) FROM sqlite_master",
      &s);
  if (rc == KG_OK) rc = kg_store_sql_one(p, s, "health");
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_pg_size(struct kg_store *p, int64_t *pnBytes) {
  struct kg_db_stmt *s = NULL;
  if (!p->pPg) return KG_EINVAL;
  enum kg_err rc = kg_store_sql_prepare(p, "SELECT pg_database_size(current_database())", &s);
  if (rc == KG_OK && (rc = kg_store_sql_one(p, s, "database size")) == KG_OK)
    *pnBytes = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- migrations ---- */

/* One integer from constant SQL; -1 on error (logged). */
static int64_t query_int(struct kg_store *p, const char *zSql) {
  struct kg_db_stmt *s = NULL;
  int64_t v = -1;
  if (kg_store_sql_prepare(p, zSql, &s) == KG_OK && kg_store_sql_one(p, s, "query") == KG_OK)
    v = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  return v;
}

/* Runs one migration's statements in turn. SpatiaLite's management functions
 * (AddGeometryColumn, CreateSpatialIndex, ...) report failure by returning
 * 0, not by an SQL error, so a SELECT whose first column is integer 0 fails
 * the migration. */
static enum kg_err exec_migration(struct kg_store *p, const struct kg_store_migration *m) {
  const char *zTail = m->zSql;
  sqlite3_stmt *s = NULL;
  enum kg_err rc = KG_OK;
  while (zTail && *zTail) {
    int src = sqlite3_prepare_v2(p->db, zTail, -1, &s, &zTail);
    if (src != SQLITE_OK) {
      kg_log_error("store migration %s: prepare failed err=\"%s\"", m->zName,
                   sqlite3_errmsg(p->db));
      rc = KG_EDB;
      goto out;
    }
    if (!s) continue; /* only whitespace or comments left */
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
      if (sqlite3_column_count(s) > 0 && sqlite3_column_type(s, 0) == SQLITE_INTEGER &&
          sqlite3_column_int64(s, 0) == 0) {
        kg_log_error("store migration %s: statement returned 0: %.80s", m->zName, sqlite3_sql(s));
        rc = KG_EDB;
        goto out;
      }
    }
    if (src != SQLITE_DONE) {
      kg_log_error("store migration %s: step failed err=\"%s\" sql=%.80s", m->zName,
                   sqlite3_errmsg(p->db), sqlite3_sql(s));
      rc = KG_EDB;
      goto out;
    }
    sqlite3_finalize(s);
    s = NULL;
  }
out:
  sqlite3_finalize(s);
  return rc;
}

/* The schema version of a PostgreSQL store, in the open transaction: the
 * row of kg_schema_version, created on first use. A database filled by
 * `kengash migrate-to-postgres` (every migration applied, no such row)
 * counts as the newest version. -1 on error (logged). */
static int64_t pg_version(struct kg_store *p) {
  char zSql[320];
  if (exec(p, "CREATE TABLE IF NOT EXISTS kg_schema_version (version integer NOT NULL)",
           "schema version") != KG_OK)
    return -1;
  snprintf(zSql, sizeof(zSql),
           "INSERT INTO kg_schema_version SELECT CASE WHEN to_regclass('accounts') IS NULL "
           "THEN 0 ELSE %d END WHERE NOT EXISTS (SELECT 1 FROM kg_schema_version)",
           kg_store_pg_aMigration[kg_store_pg_nMigration - 1].nVersion);
  if (exec(p, zSql, "schema version") != KG_OK) return -1;
  return query_int(p, "SELECT version FROM kg_schema_version");
}

/* kg_store_migrate on PostgreSQL: the pg/ migrations not yet applied, each
 * in its own transaction (an advisory lock keeps two processes apart),
 * then the compatibility functions (migrations/pg-compat/0001_compat.sql), which are
 * all CREATE OR REPLACE and run every time. */
static enum kg_err migrate_pg(struct kg_store *p, int *pnVersion) {
  enum kg_err rc = KG_OK;
  struct kg_store_tx tx = {0, 0};
  int64_t nVersion = 0;
  for (int i = 0; i < kg_store_pg_nMigration && rc == KG_OK; i++) {
    const struct kg_store_migration *m = &kg_store_pg_aMigration[i];
    char zSql[96];
    if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) break;
    rc = exec(p, "SELECT pg_advisory_xact_lock(4202201)", "migrate lock");
    if (rc == KG_OK && (nVersion = pg_version(p)) < 0) rc = KG_EDB;
    if (rc == KG_OK && nVersion < m->nVersion) {
      snprintf(zSql, sizeof(zSql), "UPDATE kg_schema_version SET version = %d", m->nVersion);
      if ((rc = exec(p, m->zSql, m->zName)) == KG_OK) rc = exec(p, zSql, "migrate version");
      if (rc == KG_OK) {
        nVersion = m->nVersion;
        kg_log_info("store migrated version=%d name=%s", m->nVersion, m->zName);
      }
    }
    kg_store_tx_finish(p, &tx, &rc);
  }
  if (rc == KG_OK) rc = exec(p, kg_store_pgcompat_aMigration[0].zSql, "compatibility functions");
  if (rc == KG_OK && pnVersion) *pnVersion = (int)nVersion;
  return rc;
}

enum kg_err kg_store_migrate(struct kg_store *p, int *pnVersion) {
  if (p->pPg) return migrate_pg(p, pnVersion);
  enum kg_err rc = KG_OK;
  int64_t nVersion;
  struct kg_store_tx tx = {0, 0};
  char zSql[64];

  if (pnVersion) *pnVersion = 0;
  int64_t bMeta = query_int(p, "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                               "name IN ('spatial_ref_sys','geometry_columns')");
  if (bMeta < 0) return KG_EDB;
  if (bMeta < 2) {
    /* argument 1: SpatiaLite runs it as one transaction (much faster) */
    if (query_int(p, "SELECT InitSpatialMetadata(1)") != 1) {
      kg_log_error("store InitSpatialMetadata failed");
      return KG_EDB;
    }
    kg_log_info("store spatial metadata created");
  }
  for (int i = 0; i < kg_store_nMigration; i++) {
    const struct kg_store_migration *m = &kg_store_aMigration[i];
    if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
    /* read inside the write transaction: another process may have migrated */
    if ((nVersion = query_int(p, "PRAGMA user_version")) < 0) {
      rc = KG_EDB;
      goto out;
    }
    if (nVersion >= m->nVersion) {
      if ((rc = kg_store_tx_end(p, &tx, 1)) != KG_OK) goto out;
      continue;
    }
    if ((rc = exec_migration(p, m)) != KG_OK) goto out;
    snprintf(zSql, sizeof(zSql), "PRAGMA user_version=%d", m->nVersion);
    if ((rc = exec(p, zSql, "migrate version")) != KG_OK) goto out;
    if ((rc = kg_store_tx_end(p, &tx, 1)) != KG_OK) goto out;
    kg_log_info("store migrated version=%d name=%s", m->nVersion, m->zName);
  }
out:
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK && pnVersion) {
    nVersion = query_int(p, "PRAGMA user_version");
    if (nVersion < 0)
      rc = KG_EDB;
    else
      *pnVersion = (int)nVersion;
  }
  return rc;
}

/* ---- backup ---- */

enum kg_err kg_store_backup(struct kg_store *p, const char *zTo) {
  enum kg_err rc = KG_EDB;
  sqlite3 *pDst = NULL;
  sqlite3_backup *pB = NULL;
  int bCreated = 0, src;
  if (p->pPg) { /* SQLite's backup API copies SQLite's pages only */
    kg_log_error("store backup: a PostgreSQL database is copied with pg_dump or a base backup");
    return KG_EINVAL;
  }
  /* O_EXCL: never overwrite, and no window between the check and the copy */
  int fd = open(zTo, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return KG_ECONFLICT;
    kg_log_error("store backup cannot create target errno=%d", errno);
    return KG_EIO;
  }
  close(fd);
  bCreated = 1;
  src = sqlite3_open_v2(zTo, &pDst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (src != SQLITE_OK) {
    kg_log_error("store backup open failed code=%d", src);
    goto out;
  }
  pB = sqlite3_backup_init(pDst, "main", p->db, "main");
  if (!pB) {
    kg_log_error("store backup init failed err=\"%s\"", sqlite3_errmsg(pDst));
    goto out;
  }
  /* all pages in one step: one read transaction, so the copy is consistent */
  src = sqlite3_backup_step(pB, -1);
  int srcFinish = sqlite3_backup_finish(pB);
  pB = NULL;
  if (src != SQLITE_DONE || srcFinish != SQLITE_OK) {
    kg_log_error("store backup failed code=%d err=\"%s\"", src, sqlite3_errmsg(pDst));
    goto out;
  }
  /* leave a self-contained file: fold the copy's WAL back into it */
  if (sqlite3_exec(pDst, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
    kg_log_error("store backup checkpoint failed err=\"%s\"", sqlite3_errmsg(pDst));
    goto out;
  }
  rc = KG_OK;
out:
  if (pB) sqlite3_backup_finish(pB);
  if (pDst && sqlite3_close(pDst) != SQLITE_OK && rc == KG_OK) rc = KG_EDB;
  if (rc != KG_OK && bCreated) {
    char *zSide;
    unlink(zTo);
    zSide = kg_xasprintf("%s-wal", zTo);
    unlink(zSide);
    free(zSide);
    zSide = kg_xasprintf("%s-shm", zTo);
    unlink(zSide);
    free(zSide);
  }
  return rc;
}

/* ---- per-thread pool ---- */

/* The page cache of each request thread's connection, KiB: about SQLite's
 * default (2,000), which GDAL's connections (QGIS, MapServer) keep. 512
 * KiB saved 6 MB at 4 threads and cost open-data reads a quarter of their
 * CPU in pread (docs/performance.md, "2 MB page caches"). */
#define KG_STORE_THREAD_CACHE_KIB 2048

struct pool_entry {
  struct kg_store *p;
  struct pool_entry *pNext;
};

static pthread_mutex_t g_poolMutex = PTHREAD_MUTEX_INITIALIZER;
/* each thread's connection to the database, and to a replica (public
 * reads, kg_store_thread_replica) when replicas are given */
static pthread_key_t g_poolKey, g_replicaKey;
static int g_bPoolKey;
static char *g_zPoolPath;
static char **g_azReplica;    /* the replicas' connection strings */
static atomic_int g_nReplica; /* written under the lock, read without it */
static int g_iNextReplica;
static struct pool_entry *g_pPool;

/* Removes p from the pool list; 1 when it was there (the caller now owns it). */
static int pool_unlink(struct kg_store *p) {
  for (struct pool_entry **pp = &g_pPool; *pp; pp = &(*pp)->pNext) {
    if ((*pp)->p == p) {
      struct pool_entry *e = *pp;
      *pp = e->pNext;
      free(e);
      return 1;
    }
  }
  return 0;
}

/* Thread exit: close this thread's connection unless shutdown already did. */
static void pool_thread_exit(void *pArg) {
  struct kg_store *p = pArg;
  int bOwn;
  pthread_mutex_lock(&g_poolMutex);
  bOwn = pool_unlink(p);
  pthread_mutex_unlock(&g_poolMutex);
  if (bOwn) kg_store_close(p);
}

void kg_store_pool_init(const char *zPath) {
  pthread_mutex_lock(&g_poolMutex);
  free(g_zPoolPath);
  g_zPoolPath = kg_xstrdup(zPath);
  if (!g_bPoolKey) {
    int bPool = pthread_key_create(&g_poolKey, pool_thread_exit) == 0;
    g_bPoolKey = bPool && pthread_key_create(&g_replicaKey, pool_thread_exit) == 0;
    if (bPool && !g_bPoolKey) pthread_key_delete(g_poolKey);
    if (!g_bPoolKey) kg_log_error("store pool: pthread_key_create failed");
  }
  pthread_mutex_unlock(&g_poolMutex);
}

/* Replaces the replicas' connection strings (the pool's lock held). */
static void set_replicas(const char *const *azConninfo, int n) {
  for (int i = 0; i < g_nReplica; i++)
    free(g_azReplica[i]);
  free(g_azReplica);
  g_azReplica = n > 0 ? kg_xcalloc((size_t)n, sizeof(*g_azReplica)) : NULL;
  for (int i = 0; i < n; i++)
    g_azReplica[i] = kg_xstrdup(azConninfo[i]);
  atomic_store(&g_nReplica, n > 0 ? n : 0);
}

void kg_store_pool_replicas(const char *const *azConninfo, int n) {
  pthread_mutex_lock(&g_poolMutex);
  set_replicas(azConninfo, n);
  pthread_mutex_unlock(&g_poolMutex);
}

int kg_store_has_replicas(void) {
  /* asked on every request: no lock (set once before serving) */
  return atomic_load_explicit(&g_nReplica, memory_order_relaxed) > 0;
}

/* This thread's connection under key (opened on first use: on the
 * database, or on the next replica in turn). NULL when none can be had. */
static struct kg_store *pool_get(int bReplica) {
  struct kg_store *p = NULL;
  char *zPath = NULL;
  pthread_mutex_lock(&g_poolMutex);
  if (g_bPoolKey && g_zPoolPath && (!bReplica || g_nReplica > 0)) {
    p = pthread_getspecific(bReplica ? g_replicaKey : g_poolKey);
    if (!p) zPath = kg_xstrdup(bReplica ? g_azReplica[g_iNextReplica++ % g_nReplica] : g_zPoolPath);
  }
  pthread_mutex_unlock(&g_poolMutex);
  if (p || !zPath) {
    free(zPath);
    return p;
  }
  /* open outside the lock: it touches the disk */
  if (kg_store_open(zPath, &p) != KG_OK) p = NULL;
  free(zPath);
  if (!p) return NULL;
  /* One per request thread: the hot reads are served from the response
   * cache (api/cache.c); the open-data layer's boxes and the sessions'
   * rows are read here, so each thread keeps SQLite's usual cache. */
  kg_store_cache_kib(p, KG_STORE_THREAD_CACHE_KIB);
  struct pool_entry *e = kg_xmalloc(sizeof(*e));
  e->p = p;
  pthread_mutex_lock(&g_poolMutex);
  if (!g_bPoolKey) { /* shut down meanwhile */
    pthread_mutex_unlock(&g_poolMutex);
    free(e);
    kg_store_close(p);
    return NULL;
  }
  e->pNext = g_pPool;
  g_pPool = e;
  pthread_setspecific(bReplica ? g_replicaKey : g_poolKey, p);
  pthread_mutex_unlock(&g_poolMutex);
  return p;
}

struct kg_store *kg_store_thread(void) {
  return pool_get(0);
}

struct kg_store *kg_store_thread_replica(void) {
  struct kg_store *p = pool_get(1);
  /* a replica lost (and not back yet): the database answers meanwhile */
  return p && kg_pg_ready(p->pPg) == SQLITE_OK ? p : NULL;
}

void kg_store_pool_shutdown(void) {
  struct pool_entry *pList;
  pthread_mutex_lock(&g_poolMutex);
  pList = g_pPool;
  g_pPool = NULL;
  if (g_bPoolKey) {
    /* no destructor runs after this, so threads still alive do not close
     * connections that are freed below */
    pthread_key_delete(g_poolKey);
    pthread_key_delete(g_replicaKey);
    g_bPoolKey = 0;
  }
  free(g_zPoolPath);
  g_zPoolPath = NULL;
  set_replicas(NULL, 0);
  pthread_mutex_unlock(&g_poolMutex);
  while (pList) {
    struct pool_entry *e = pList;
    pList = e->pNext;
    kg_store_close(e->p);
    free(e);
  }
}

/* db.h: private to src/store/. The engine seam: the one statement API the
 * aggregate files use instead of an engine's own, so the same code runs on
 * SQLite + SpatiaLite (the embedded default) and on PostgreSQL + PostGIS
 * (db_pg.c). A statement is a struct kg_db_stmt from kg_store_sql_prepare;
 * on SQLite it wraps the sqlite3_stmt and every call below is a static
 * inline that tests one pointer and calls SQLite, so the embedded engine
 * pays one predictable branch; on PostgreSQL it holds a named server-side
 * statement and its text parameters (db_pg.c).
 *
 * Result codes: the seam speaks SQLite's (SQLITE_ROW, SQLITE_DONE and the
 * extended error codes). The PostgreSQL driver maps SQLSTATEs onto them
 * (23505 -> SQLITE_CONSTRAINT_UNIQUE, ...), so kg_store_dberr stays the one
 * place where an engine's error becomes a kg_err. */
#ifndef KENGASH_STORE_DB_H
#define KENGASH_STORE_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "kengash/core.h"

struct kg_store;
struct kg_pg;      /* a PostgreSQL connection and its statements (db_pg.c) */
struct kg_pg_stmt; /* one prepared statement on it (db_pg.c) */

#if defined(__GNUC__)
#define KG_DB_LITE(s) __builtin_expect((s)->pLite != NULL, 1)
#else
#define KG_DB_LITE(s) ((s)->pLite != NULL)
#endif

/* One statement of one connection: exactly one of the two is set. */
struct kg_db_stmt {
  sqlite3_stmt *pLite;
  struct kg_pg_stmt *pPg;
};

/* ---- the PostgreSQL driver (db_pg.c); called only through the inlines
 * below and from store.c ---- */
/* Connects to zConninfo (a postgresql:// URI or key=value conninfo; never
 * logged: it may hold a password). */
enum kg_err kg_pg_open(const char *zConninfo, struct kg_pg **ppPg /* OUT */);
void kg_pg_close(struct kg_pg *pPg);
/* Runs constant SQL (no values); SQLITE_OK or the mapped error code. */
int kg_pg_exec(struct kg_pg *pPg, const char *zSql);
enum kg_err kg_pg_prepare(struct kg_pg *pPg, const char *zSql, struct kg_db_stmt **ppStmt);
void kg_pg_finalize(struct kg_pg_stmt *s);
void kg_pg_reset(struct kg_pg_stmt *s);
int kg_pg_busy(struct kg_pg_stmt *s);
int kg_pg_changes(struct kg_pg *pPg);
const char *kg_pg_errmsg(struct kg_pg *pPg);
int kg_pg_in_tx(struct kg_pg *pPg);
/* SQLITE_OK when the connection is usable, after connecting again if it
 * was lost outside a transaction (at most every few hundred ms). */
int kg_pg_ready(struct kg_pg *pPg);
int kg_pg_bind_i64(struct kg_pg_stmt *s, int i, int64_t v);
int kg_pg_bind_double(struct kg_pg_stmt *s, int i, double v);
int kg_pg_bind_text(struct kg_pg_stmt *s, int i, const char *z, int n);
int kg_pg_bind_blob(struct kg_pg_stmt *s, int i, const void *a, int n);
int kg_pg_bind_null(struct kg_pg_stmt *s, int i);
int kg_pg_bind_null_i64(struct kg_pg_stmt *s, int i);
int kg_pg_bind_count(struct kg_pg_stmt *s);
int kg_pg_step(struct kg_pg_stmt *s);
int64_t kg_pg_col_i64(struct kg_pg_stmt *s, int i);
double kg_pg_col_double(struct kg_pg_stmt *s, int i);
const char *kg_pg_col_text(struct kg_pg_stmt *s, int i);
const void *kg_pg_col_blob(struct kg_pg_stmt *s, int i);
int kg_pg_col_bytes(struct kg_pg_stmt *s, int i);
int kg_pg_col_is_null(struct kg_pg_stmt *s, int i);
int kg_pg_col_count(struct kg_pg_stmt *s);

/* ---- binding: ?N positions from 1; SQLite's return codes ---- */

static inline int kg_db_bind_i64(struct kg_db_stmt *s, int i, int64_t v) {
  if (KG_DB_LITE(s)) return sqlite3_bind_int64(s->pLite, i, v);
  return kg_pg_bind_i64(s->pPg, i, v);
}
static inline int kg_db_bind_int(struct kg_db_stmt *s, int i, int v) {
  if (KG_DB_LITE(s)) return sqlite3_bind_int(s->pLite, i, v);
  return kg_pg_bind_i64(s->pPg, i, v);
}
static inline int kg_db_bind_double(struct kg_db_stmt *s, int i, double v) {
  if (KG_DB_LITE(s)) return sqlite3_bind_double(s->pLite, i, v);
  return kg_pg_bind_double(s->pPg, i, v);
}
static inline int kg_db_bind_null(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_bind_null(s->pLite, i);
  return kg_pg_bind_null(s->pPg, i);
}
/* NULL where an integer goes (an optional id): bigint on PostgreSQL, so a
 * statement whose types come from its bindings does not take it for text. */
static inline int kg_db_bind_null_i64(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_bind_null(s->pLite, i);
  return kg_pg_bind_null_i64(s->pPg, i);
}
/* z[n] (n < 0: up to its NUL) copied; NULL binds NULL. */
static inline int kg_db_bind_textn(struct kg_db_stmt *s, int i, const char *z, int n) {
  if (!z) return kg_db_bind_null(s, i);
  if (KG_DB_LITE(s)) return sqlite3_bind_text(s->pLite, i, z, n, SQLITE_TRANSIENT);
  return kg_pg_bind_text(s->pPg, i, z, n);
}
static inline int kg_db_bind_text(struct kg_db_stmt *s, int i, const char *z) {
  return kg_db_bind_textn(s, i, z, -1);
}
/* a[n] copied, as a BLOB (bytea on PostgreSQL). */
static inline int kg_db_bind_blob(struct kg_db_stmt *s, int i, const void *a, int n) {
  if (KG_DB_LITE(s)) return sqlite3_bind_blob(s->pLite, i, a, n, SQLITE_TRANSIENT);
  return kg_pg_bind_blob(s->pPg, i, a, n);
}
/* The largest ?N of the statement. */
static inline int kg_db_bind_count(struct kg_db_stmt *s) {
  if (KG_DB_LITE(s)) return sqlite3_bind_parameter_count(s->pLite);
  return kg_pg_bind_count(s->pPg);
}

/* ---- stepping: SQLITE_ROW, SQLITE_DONE or an (extended) error code.
 * Callers use kg_store_sql_row/_one/_each/_run rather than this. ---- */
static inline int kg_db_step(struct kg_db_stmt *s) {
  if (KG_DB_LITE(s)) return sqlite3_step(s->pLite);
  return kg_pg_step(s->pPg);
}

/* ---- columns of the current row, from 0 ---- */

static inline int64_t kg_db_col_i64(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_column_int64(s->pLite, i);
  return kg_pg_col_i64(s->pPg, i);
}
static inline int kg_db_col_int(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_column_int(s->pLite, i);
  return (int)kg_pg_col_i64(s->pPg, i);
}
static inline double kg_db_col_double(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_column_double(s->pLite, i);
  return kg_pg_col_double(s->pPg, i);
}
/* Borrowed until the next step; NULL for NULL. */
static inline const char *kg_db_col_text(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return (const char *)sqlite3_column_text(s->pLite, i);
  return kg_pg_col_text(s->pPg, i);
}
/* Borrowed until the next step; its size is kg_db_col_bytes (call it
 * after kg_db_col_text or _blob, as with SQLite). */
static inline const void *kg_db_col_blob(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_column_blob(s->pLite, i);
  return kg_pg_col_blob(s->pPg, i);
}
static inline int kg_db_col_bytes(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_column_bytes(s->pLite, i);
  return kg_pg_col_bytes(s->pPg, i);
}
static inline int kg_db_col_is_null(struct kg_db_stmt *s, int i) {
  if (KG_DB_LITE(s)) return sqlite3_column_type(s->pLite, i) == SQLITE_NULL;
  return kg_pg_col_is_null(s->pPg, i);
}
static inline int kg_db_col_count(struct kg_db_stmt *s) {
  if (KG_DB_LITE(s)) return sqlite3_column_count(s->pLite);
  return kg_pg_col_count(s->pPg);
}

/* ---- the connection (store.c, which knows struct kg_store) ---- */

/* Rows changed by the last INSERT, UPDATE or DELETE on p. */
int kg_db_changes(struct kg_store *p);
/* The last error's message on p (no values: engines do not quote them). */
const char *kg_db_errmsg(struct kg_store *p);
/* 1 inside a transaction, 0 in autocommit. */
int kg_db_in_tx(struct kg_store *p);

#endif

/* db_pg.c: the PostgreSQL driver behind the engine seam (db.h). A store
 * opened on a postgresql:// conninfo holds one PGconn; each statement the
 * store prepares becomes a named server-side prepared statement (kg_sN),
 * once per connection, its ?N parameters rewritten to $N, on its first
 * run (so a parameter whose type PostgreSQL cannot infer, `?3 IS NULL`,
 * gets the type of its first binding). Parameters are
 * sent as text (bytea as binary); a step runs the statement on its first
 * call and walks the PGresult after; columns are converted from text.
 * Errors keep SQLite's codes (db.h): SQLSTATEs are mapped onto them, and
 * the message kept is PostgreSQL's primary one, which quotes no values.
 *
 * A lost connection (the primary killed, a failover) is SQLITE_CANTOPEN
 * (the store's KG_EDOWN: 503 with Retry-After). The next statement
 * outside a transaction connects again with the same parameters (PQreset:
 * with several hosts and target_session_attrs=read-write, libpq finds the
 * new primary) and prepares its statements anew. Inside a transaction the
 * connection is not replaced: every statement fails until the caller's
 * ROLLBACK, so no part of a transaction ever runs outside it. */
#define _GNU_SOURCE
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_int.h"

#define BOOL_OID 16
#define BYTEA_OID 17
#define INT8_OID 20
#define TEXT_OID 25
#define FLOAT8_OID 701

/* Milliseconds between tries to reach a lost PostgreSQL, per connection. */
#define KG_PG_RETRY_MS 200

struct kg_pg {
  PGconn *pConn;
  unsigned nGen;  /* connections made so far: a statement prepared under an
                     older one is prepared again */
  int bTx;        /* a transaction was begun and not yet ended (BEGIN) */
  int64_t tRetry; /* after a failed reconnection: no new try before (ms) */
  int nStmt;      /* statements prepared so far: names kg_s1, kg_s2, ... */
  int nChanges;   /* rows the last statement changed */
  char zErr[256]; /* the last error's primary message */
};

struct kg_pg_stmt {
  struct kg_pg *pPg;
  char zName[24];
  char *zSql;    /* the text with $N */
  unsigned nGen; /* prepared on the server on connection nGen; 0: not yet */
  int nParam;
  Oid *aType;     /* each parameter's type as last bound (0: text or NULL) */
  char **azParam; /* owned; NULL: NULL */
  int *anLen;
  int *aFormat;   /* 0 text, 1 binary (bytea) */
  PGresult *pRes; /* the running statement's rows; NULL: not run */
  int iRow, nRow;
  int bWrite;           /* INSERT, UPDATE or DELETE: in a transaction, under a savepoint */
  unsigned char *aBlob; /* the last bytea decoded (kg_pg_col_blob) */
  size_t nBlob;
  int iBlobCol; /* its column; -1: none */
};

/* ---- errors ---- */

/* Keeps res's primary message (no DETAIL: it quotes the row's values) and
 * maps its SQLSTATE onto SQLite's code. */
static int pg_error(struct kg_pg *pPg, const PGresult *res) {
  const char *zState = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *zMsg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (PQstatus(pPg->pConn) == CONNECTION_BAD) {
    snprintf(pPg->zErr, sizeof(pPg->zErr), "connection to PostgreSQL lost");
    return SQLITE_CANTOPEN;
  }
  snprintf(pPg->zErr, sizeof(pPg->zErr), "%s%s%s", zState ? zState : "", zState ? " " : "",
           zMsg ? zMsg : "error");
  if (!zState) return SQLITE_ERROR;
  if (!strcmp(zState, "23505")) return SQLITE_CONSTRAINT_UNIQUE;
  if (!strcmp(zState, "23514")) return SQLITE_CONSTRAINT_CHECK;
  if (!strcmp(zState, "23502")) return SQLITE_CONSTRAINT_NOTNULL;
  if (!strcmp(zState, "23503")) return SQLITE_CONSTRAINT_FOREIGNKEY;
  if (!strcmp(zState, "P0001")) return SQLITE_CONSTRAINT_TRIGGER; /* RAISE in a trigger */
  if (!strcmp(zState, "40001") || !strcmp(zState, "40P01")) return SQLITE_BUSY;
  if (!strcmp(zState, "53100")) return SQLITE_FULL;
  return SQLITE_ERROR;
}

const char *kg_pg_errmsg(struct kg_pg *pPg) {
  return pPg->zErr;
}

/* Runs constant SQL without results; SQLITE_OK or the mapped error. */
static int pg_exec(struct kg_pg *pPg, const char *zSql) {
  PGresult *res = PQexec(pPg->pConn, zSql);
  ExecStatusType e = PQresultStatus(res);
  int rc = e == PGRES_COMMAND_OK || e == PGRES_TUPLES_OK ? SQLITE_OK : pg_error(pPg, res);
  PQclear(res);
  return rc;
}

/* The session's settings, on every new connection. */
static int pg_session(struct kg_pg *pPg) {
  return pg_exec(pPg, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
}

/* A usable connection: outside a transaction a lost one is replaced (see
 * the head of this file). SQLITE_OK or SQLITE_CANTOPEN. */
int kg_pg_ready(struct kg_pg *pPg) {
  if (PQstatus(pPg->pConn) == CONNECTION_OK) return SQLITE_OK;
  if (pPg->bTx) return pg_error(pPg, NULL); /* until the caller's ROLLBACK */
  int64_t tNow = kg_time_mono_ms();
  if (tNow >= pPg->tRetry) { /* a request or two a connection while it is down */
    PQreset(pPg->pConn);
    if (PQstatus(pPg->pConn) == CONNECTION_OK && pg_session(pPg) == SQLITE_OK) {
      pPg->nGen++;
      kg_log_warn("store postgresql connected again");
      return SQLITE_OK;
    }
    pPg->tRetry = tNow + KG_PG_RETRY_MS;
  }
  snprintf(pPg->zErr, sizeof(pPg->zErr), "PostgreSQL unreachable");
  return SQLITE_CANTOPEN;
}

int kg_pg_exec(struct kg_pg *pPg, const char *zSql) {
  /* SQLite's writer lock has no PostgreSQL spelling: row locks and
   * unique keys serialise the writers there */
  if (!strncmp(zSql, "BEGIN IMMEDIATE", 15)) zSql = "BEGIN";
  int bBegin = !strncmp(zSql, "BEGIN", 5);
  int bEnd = !strncmp(zSql, "COMMIT", 6) ||
             (!strncmp(zSql, "ROLLBACK", 8) && strncmp(zSql, "ROLLBACK TO", 11) != 0);
  int rc = kg_pg_ready(pPg);
  if (rc == SQLITE_OK) rc = pg_exec(pPg, zSql);
  if (bBegin) pPg->bTx = rc == SQLITE_OK;
  if (bEnd) pPg->bTx = 0; /* ended, or lost with the connection */
  return rc;
}

/* ---- connections ---- */

static void quiet_notice(void *pArg, const char *zMsg) {
  (void)pArg;
  (void)zMsg; /* NOTICEs (IF NOT EXISTS, ...) are not errors */
}

enum kg_err kg_pg_open(const char *zConninfo, struct kg_pg **ppPg) {
  struct kg_pg *pPg = kg_xcalloc(1, sizeof(*pPg));
  *ppPg = NULL;
  pPg->pConn = PQconnectdb(zConninfo);
  if (PQstatus(pPg->pConn) != CONNECTION_OK) {
    /* libpq's message names host and port, never the password */
    const char *zMsg = PQerrorMessage(pPg->pConn);
    int n = (int)strcspn(zMsg, "\n");
    kg_log_error("store postgresql connect failed err=\"%.*s\"", n, zMsg);
    kg_pg_close(pPg);
    return KG_EDB;
  }
  PQsetNoticeProcessor(pPg->pConn, quiet_notice, NULL);
  pPg->nGen = 1;
  if (pg_session(pPg) != SQLITE_OK) {
    kg_log_error("store postgresql session setup failed err=\"%s\"", pPg->zErr);
    kg_pg_close(pPg);
    return KG_EDB;
  }
  *ppPg = pPg;
  return KG_OK;
}

void kg_pg_close(struct kg_pg *pPg) {
  if (!pPg) return;
  PQfinish(pPg->pConn);
  free(pPg);
}

int kg_pg_in_tx(struct kg_pg *pPg) {
  if (PQstatus(pPg->pConn) != CONNECTION_OK) return pPg->bTx; /* lost: until ROLLBACK */
  return PQtransactionStatus(pPg->pConn) != PQTRANS_IDLE;
}

int kg_pg_changes(struct kg_pg *pPg) {
  return pPg->nChanges;
}

/* ---- statements ---- */

/* The length of the identifier at z. */
static size_t ident_len(const char *z) {
  size_t k = 0;
  while (z[k] == '_' || (z[k] >= 'a' && z[k] <= 'z') || (z[k] >= 'A' && z[k] <= 'Z') ||
         (z[k] >= '0' && z[k] <= '9'))
    k++;
  return k;
}

/* zSql in PostgreSQL's dialect (new heap string), outside string literals,
 * quoted identifiers and comments: ?N becomes $N; SQLite's planner hints
 * (NOT INDEXED, INDEXED BY x) go; INSERT OR IGNORE becomes INSERT ... ON
 * CONFLICT DO NOTHING. *pnParam: the largest N. The one place where the
 * statement texts are translated; what it cannot do is listed in
 * docs/postgres-spike.md, "The engine seam". */
static char *rewrite_params(const char *zSql, int *pnParam) {
  static const char zIgnore[] = "INSERT OR IGNORE INTO";
  static const char zNothing[] = " ON CONFLICT DO NOTHING";
  size_t n = strlen(zSql);
  char *zOut = kg_xmalloc(n + sizeof(zNothing) + 1), *z = zOut;
  const char *zReturning = NULL;
  char cQuote = 0;
  int bIgnore = !strncmp(zSql, zIgnore, sizeof(zIgnore) - 1);
  *pnParam = 0;
  if (bIgnore) {
    memcpy(z, "INSERT INTO", 11);
    z += 11;
    zSql += sizeof(zIgnore) - 1;
  }
  for (const char *s = zSql; *s; s++) {
    if (cQuote) {
      if (*s == cQuote) cQuote = 0;
    } else if (*s == '\'' || *s == '"') {
      cQuote = *s;
    } else if (s[0] == '-' && s[1] == '-') {
      size_t k = strcspn(s, "\n");
      memcpy(z, s, k);
      z += k;
      s += k - 1;
      continue;
    } else if (!strncmp(s, " NOT INDEXED", 12)) {
      s += 11; /* SQLite's planner hints: PostgreSQL plans alone */
      continue;
    } else if (!strncmp(s, " INDEXED BY ", 12)) {
      s += 11 + ident_len(s + 12);
      continue;
    } else if (bIgnore && !strncmp(s, " RETURNING ", 11)) {
      zReturning = s;
      break;
    } else if (*s == '?' && s[1] >= '0' && s[1] <= '9') {
      int iParam = (int)strtol(s + 1, NULL, 10);
      if (iParam > *pnParam) *pnParam = iParam;
      *z++ = '$';
      continue;
    }
    *z++ = *s;
  }
  if (bIgnore) {
    memcpy(z, zNothing, sizeof(zNothing) - 1);
    z += sizeof(zNothing) - 1;
  }
  *z = 0;
  if (zReturning) { /* the RETURNING clause after ON CONFLICT; it has no ?N */
    size_t k = strlen(zReturning), nHead = (size_t)(z - zOut);
    zOut = kg_xrealloc(zOut, nHead + k + 1);
    memcpy(zOut + nHead, zReturning, k + 1);
  }
  return zOut;
}

/* 1 when zSql changes rows (its first word). */
static int is_write(const char *zSql) {
  while (*zSql == ' ' || *zSql == '\n' || *zSql == '(')
    zSql++;
  return !strncasecmp(zSql, "INSERT", 6) || !strncasecmp(zSql, "UPDATE", 6) ||
         !strncasecmp(zSql, "DELETE", 6) || !strncasecmp(zSql, "WITH", 4);
}

enum kg_err kg_pg_prepare(struct kg_pg *pPg, const char *zSql, struct kg_db_stmt **ppStmt) {
  struct kg_pg_stmt *s = kg_xcalloc(1, sizeof(*s));
  s->zSql = rewrite_params(zSql, &s->nParam);
  s->pPg = pPg;
  s->iBlobCol = -1;
  s->bWrite = is_write(zSql);
  snprintf(s->zName, sizeof(s->zName), "kg_s%d", ++pPg->nStmt);
  if (s->nParam) {
    s->aType = kg_xcalloc((size_t)s->nParam, sizeof(*s->aType));
    s->azParam = kg_xcalloc((size_t)s->nParam, sizeof(*s->azParam));
    s->anLen = kg_xcalloc((size_t)s->nParam, sizeof(*s->anLen));
    s->aFormat = kg_xcalloc((size_t)s->nParam, sizeof(*s->aFormat));
  }
  *ppStmt = kg_xcalloc(1, sizeof(**ppStmt));
  (*ppStmt)->pPg = s;
  return KG_OK;
}

/* Drops the current result and the decoded bytea. */
static void stmt_clear_result(struct kg_pg_stmt *s) {
  PQclear(s->pRes);
  s->pRes = NULL;
  s->iRow = s->nRow = 0;
  PQfreemem(s->aBlob);
  s->aBlob = NULL;
  s->iBlobCol = -1;
}

void kg_pg_reset(struct kg_pg_stmt *s) {
  stmt_clear_result(s);
  for (int i = 0; i < s->nParam; i++) {
    free(s->azParam[i]);
    s->azParam[i] = NULL;
  }
}

void kg_pg_finalize(struct kg_pg_stmt *s) {
  if (!s) return;
  kg_pg_reset(s);
  char zSql[48];
  snprintf(zSql, sizeof(zSql), "DEALLOCATE %s", s->zName);
  if (s->nGen == s->pPg->nGen && PQstatus(s->pPg->pConn) == CONNECTION_OK) pg_exec(s->pPg, zSql);
  free(s->zSql);
  free(s->aType);
  free(s->azParam);
  free(s->anLen);
  free(s->aFormat);
  free(s);
}

int kg_pg_busy(struct kg_pg_stmt *s) {
  return s->pRes != NULL;
}

int kg_pg_bind_count(struct kg_pg_stmt *s) {
  return s->nParam;
}

/* Sets parameter i (from 1) to a copy of a[n] in format eFormat. */
static int bind_raw(struct kg_pg_stmt *s, int i, const void *a, size_t n, int eFormat, Oid type) {
  if (i < 1 || i > s->nParam) return SQLITE_RANGE;
  if (type) s->aType[i - 1] = type; /* a typed NULL too (kg_pg_bind_null_i64) */
  free(s->azParam[i - 1]);
  s->azParam[i - 1] = NULL;
  if (!a) return SQLITE_OK;
  s->azParam[i - 1] = kg_xmalloc(n + 1);
  memcpy(s->azParam[i - 1], a, n);
  s->azParam[i - 1][n] = 0;
  s->anLen[i - 1] = (int)n;
  s->aFormat[i - 1] = eFormat;
  return SQLITE_OK;
}

int kg_pg_bind_i64(struct kg_pg_stmt *s, int i, int64_t v) {
  char z[24];
  int n = snprintf(z, sizeof(z), "%lld", (long long)v);
  return bind_raw(s, i, z, (size_t)n, 0, INT8_OID);
}

int kg_pg_bind_double(struct kg_pg_stmt *s, int i, double v) {
  char z[32];
  int n = snprintf(z, sizeof(z), "%.17g", v);
  return bind_raw(s, i, z, (size_t)n, 0, FLOAT8_OID);
}

int kg_pg_bind_text(struct kg_pg_stmt *s, int i, const char *z, int n) {
  return bind_raw(s, i, z, n < 0 ? strlen(z) : (size_t)n, 0, 0);
}

int kg_pg_bind_blob(struct kg_pg_stmt *s, int i, const void *a, int n) {
  if (n < 0) return SQLITE_MISUSE; /* SQLite leaves it undefined; never a copy of -1 bytes */
  return bind_raw(s, i, a ? a : "", (size_t)n, 1, BYTEA_OID);
}

int kg_pg_bind_null(struct kg_pg_stmt *s, int i) {
  return bind_raw(s, i, NULL, 0, 0, 0);
}

int kg_pg_bind_null_i64(struct kg_pg_stmt *s, int i) {
  return bind_raw(s, i, NULL, 0, 0, INT8_OID);
}

/* Prepares s on the server: first leaving the type of every parameter but
 * real numbers and bytes to PostgreSQL, which then reads '1' as a boolean
 * where one is wanted; when
 * it cannot tell a type (42P18, 42P08), again with the types of the
 * current bindings (bigint, double precision, bytea; text and NULL as
 * text). Inside a transaction the first try runs under a savepoint: a
 * failed PREPARE aborts a PostgreSQL transaction, and the retry (or the
 * caller's next statement) would then meet 25P02. Once per statement and
 * connection. */
static int stmt_prepare(struct kg_pg_stmt *s) {
  struct kg_pg *pPg = s->pPg;
  int bSave = kg_pg_in_tx(pPg) && pg_exec(pPg, "SAVEPOINT kg_prep") == SQLITE_OK;
  /* a real number or bytes bound now says the parameter's type (`?2 > 0`
   * alone makes PostgreSQL read ?2 as an integer and refuse 0.5) */
  Oid *aFirst = kg_xcalloc((size_t)s->nParam + 1, sizeof(*aFirst));
  for (int i = 0; i < s->nParam; i++)
    if (s->aType[i] == FLOAT8_OID || s->aType[i] == BYTEA_OID) aFirst[i] = s->aType[i];
  PGresult *res = PQprepare(pPg->pConn, s->zName, s->zSql, s->nParam, aFirst);
  free(aFirst);
  const char *zState = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  if (zState && (!strcmp(zState, "42P18") || !strcmp(zState, "42P08"))) {
    PQclear(res);
    if (bSave) pg_exec(pPg, "ROLLBACK TO kg_prep");
    for (int i = 0; i < s->nParam; i++)
      if (!s->aType[i]) s->aType[i] = TEXT_OID; /* text, or NULL so far */
    res = PQprepare(pPg->pConn, s->zName, s->zSql, s->nParam, s->aType);
  }
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? SQLITE_OK : pg_error(pPg, res);
  PQclear(res);
  if (bSave)
    pg_exec(pPg, rc == SQLITE_OK ? "RELEASE kg_prep" : "ROLLBACK TO kg_prep; RELEASE kg_prep");
  if (rc != SQLITE_OK) {
    /* the statement's head: constant text, no values */
    kg_log_error("store prepare failed err=\"%s\" sql=\"%.120s\"", pPg->zErr, s->zSql);
    return rc;
  }
  s->nGen = pPg->nGen;
  return SQLITE_OK;
}

/* Runs s. A write inside a transaction runs under a savepoint, so that its
 * failure leaves the transaction usable, as a failed statement does in
 * SQLite (PostgreSQL would abort the whole transaction). */
static int stmt_run(struct kg_pg_stmt *s) {
  struct kg_pg *pPg = s->pPg;
  int rc0 = kg_pg_ready(pPg);
  if (rc0 != SQLITE_OK) return rc0;
  int bSave = s->bWrite && kg_pg_in_tx(pPg);
  if (bSave && pg_exec(pPg, "SAVEPOINT kg_stmt") != SQLITE_OK) return pg_error(pPg, NULL);
  rc0 = s->nGen != pPg->nGen ? stmt_prepare(s) : SQLITE_OK;
  if (rc0 != SQLITE_OK) {
    if (bSave) pg_exec(pPg, "ROLLBACK TO kg_stmt; RELEASE kg_stmt");
    return rc0;
  }
  PGresult *res = PQexecPrepared(pPg->pConn, s->zName, s->nParam, (const char *const *)s->azParam,
                                 s->anLen, s->aFormat, 0);
  ExecStatusType e = PQresultStatus(res);
  if (e != PGRES_COMMAND_OK && e != PGRES_TUPLES_OK) {
    int rc = pg_error(pPg, res);
    PQclear(res);
    if (bSave) pg_exec(pPg, "ROLLBACK TO kg_stmt; RELEASE kg_stmt");
    return rc;
  }
  if (bSave) pg_exec(pPg, "RELEASE kg_stmt");
  const char *zChanged = PQcmdTuples(res);
  if (s->bWrite) pPg->nChanges = zChanged[0] ? atoi(zChanged) : 0;
  s->pRes = res;
  s->nRow = e == PGRES_TUPLES_OK ? PQntuples(res) : 0;
  s->iRow = -1;
  return SQLITE_OK;
}

int kg_pg_step(struct kg_pg_stmt *s) {
  if (!s->pRes) {
    int rc = stmt_run(s);
    if (rc != SQLITE_OK) return rc;
  }
  PQfreemem(s->aBlob);
  s->aBlob = NULL;
  s->iBlobCol = -1;
  if (s->iRow + 1 >= s->nRow) {
    s->iRow = s->nRow;
    return SQLITE_DONE;
  }
  s->iRow++;
  return SQLITE_ROW;
}

/* ---- columns ---- */

/* 1 when row iRow holds a value in column i. */
static int has_value(struct kg_pg_stmt *s, int i) {
  return s->pRes && s->iRow >= 0 && s->iRow < s->nRow && i >= 0 && i < PQnfields(s->pRes) &&
         !PQgetisnull(s->pRes, s->iRow, i);
}

int kg_pg_col_is_null(struct kg_pg_stmt *s, int i) {
  return !has_value(s, i);
}

int kg_pg_col_count(struct kg_pg_stmt *s) {
  return s->pRes ? PQnfields(s->pRes) : 0;
}

const char *kg_pg_col_text(struct kg_pg_stmt *s, int i) {
  return has_value(s, i) ? PQgetvalue(s->pRes, s->iRow, i) : NULL;
}

int64_t kg_pg_col_i64(struct kg_pg_stmt *s, int i) {
  const char *z = kg_pg_col_text(s, i);
  if (!z) return 0;
  if (PQftype(s->pRes, i) == BOOL_OID) return z[0] == 't';
  if (strchr(z, '.') || strchr(z, 'e')) return (int64_t)strtod(z, NULL); /* as SQLite casts */
  return strtoll(z, NULL, 10);
}

double kg_pg_col_double(struct kg_pg_stmt *s, int i) {
  const char *z = kg_pg_col_text(s, i);
  if (!z) return 0.0;
  if (PQftype(s->pRes, i) == BOOL_OID) return z[0] == 't';
  return strtod(z, NULL);
}

const void *kg_pg_col_blob(struct kg_pg_stmt *s, int i) {
  const char *z = kg_pg_col_text(s, i);
  if (!z || PQftype(s->pRes, i) != BYTEA_OID) return z;
  if (s->iBlobCol != i) {
    PQfreemem(s->aBlob);
    s->aBlob = PQunescapeBytea((const unsigned char *)z, &s->nBlob);
    s->iBlobCol = s->aBlob ? i : -1;
  }
  return s->aBlob;
}

int kg_pg_col_bytes(struct kg_pg_stmt *s, int i) {
  if (!has_value(s, i)) return 0;
  if (PQftype(s->pRes, i) != BYTEA_OID) return PQgetlength(s->pRes, s->iRow, i);
  return kg_pg_col_blob(s, i) ? (int)s->nBlob : 0;
}

/* store_pg.h: moving a city's database to PostgreSQL + PostGIS (issue 22;
 * src/store/pg_migrate.c). The PostgreSQL store itself does not exist yet:
 * this only fills a PostgreSQL database with the schema of
 * src/store/migrations/pg/ and every row of an SQLite database, and checks
 * the copy. One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_PG_H
#define KENGASH_STORE_PG_H

/* What kg_store_pg_migrate is doing, for progress reports. */
enum kg_store_pg_step {
  KG_STORE_PG_SCHEMA, /* PostgreSQL migration nDone of nTotal applied (zTable NULL) */
  KG_STORE_PG_COPY,   /* nDone of nTotal rows of zTable copied: every 100,000 and at the end */
  KG_STORE_PG_VERIFY  /* zTable counted and hashed on both sides: nDone rows, nTotal 1 when
                         they agree, 0 when not */
};
typedef void (*kg_store_pg_progress_fn)(void *pArg, enum kg_store_pg_step e, const char *zTable,
                                        int64_t nDone, int64_t nTotal);

/* The outcome of kg_store_pg_migrate. */
struct kg_store_pg_report {
  char zMsg[512];    /* why it failed, one line without personal data; "" on success */
  char zTarget[256]; /* "database D on host H port P" once connected */
  int nTables;       /* tables copied (and verified, on success) */
  int64_t nRows;     /* rows copied */
  int nMismatch;     /* tables whose row count or hash differs */
};

/* Copies the SQLite database zSqlite (opened read-only, one snapshot; its
 * schema version must be the newest migration) into the PostgreSQL
 * database zConninfo (a libpq connection string or URI that must carry no
 * password: zPassword, or NULL for libpq's own PGPASSWORD / password
 * file). The target must hold no Kengash table. In one PostgreSQL
 * transaction: the PostgreSQL migrations, every table copied with COPY in
 * foreign-key order with triggers off, the derived full-text tables
 * rebuilt, identity sequences set past the largest id, then per table the
 * row count and a SHA-256 over every row in primary-key order computed on
 * both sides and compared; COMMIT only when all agree, else nothing is
 * left behind. xProgress (may be NULL) hears about each step.
 * KG_ENOTFOUND: no file zSqlite. KG_EINVAL: not a Kengash database, a
 * schema version other than the newest, a bad connection string.
 * KG_ECONFLICT: the target holds Kengash tables. KG_EIO: cannot connect.
 * KG_EDB: a database error, or a mismatch (pRep->nMismatch > 0). */
enum kg_err kg_store_pg_migrate(const char *zSqlite, const char *zConninfo, const char *zPassword,
                                kg_store_pg_progress_fn xProgress, void *pArg,
                                struct kg_store_pg_report *pRep /* OUT */);

#endif

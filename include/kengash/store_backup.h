/* store_backup.h: online copies of the database, checking a copy and
 * restoring one (store.c, backup.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_BACKUP_H
#define KENGASH_STORE_BACKUP_H

/* Online, consistent copy to zTo through SQLite's backup API. KG_EINVAL on
 * a PostgreSQL store (pg_dump or a base backup copies that). */
enum kg_err kg_store_backup(struct kg_store *p, const char *zTo);
/* What checking a database copy found (src/store/backup.c). */
struct kg_store_check {
  char zMsg[512];   /* the first failed check in plain words; "" when all passed */
  int nTables;      /* ordinary tables whose rows were counted */
  int64_t nRows;    /* rows in them, in the copy */
  int nIndexes;     /* spatial indexes checked (CheckSpatialIndex) */
  int64_t nInvalid; /* geometries ST_IsValid calls invalid: reported, not a failure */
};
/* kg_store_backup, then checks the copy: PRAGMA integrity_check, every
 * geometry decodes, CheckSpatialIndex on every indexed geometry column, and
 * the row count of every ordinary table equals the source's, counted in the
 * read transaction the copy is taken from (the same snapshot). KG_OK when
 * all pass; KG_EINVAL with pCheck->zMsg when a check fails (the copy is
 * kept for inspection); other errors as kg_store_backup. */
enum kg_err kg_store_backup_verified(struct kg_store *p, const char *zTo,
                                     struct kg_store_check *pCheck /* OUT */);
/* The same checks on a database alone (no row counts to compare); it is
 * opened read-write (SpatiaLite's index check writes its history). */
enum kg_err kg_store_copy_check(const char *zCopy, struct kg_store_check *pCheck /* OUT */);
/* Writes a new database zTo (must not exist) from the copy zCopy through
 * the backup API, leaving zCopy as it was. */
enum kg_err kg_store_restore_db(const char *zCopy, const char *zTo);
/* Calls xEach(pArg, id, sha256, size) for every document row, by id, until
 * it returns non-zero. */
enum kg_err kg_store_document_each(struct kg_store *p,
                                   int (*xEach)(void *pArg, int64_t id, const char *zSha256,
                                                int64_t nSize),
                                   void *pArg);

#endif

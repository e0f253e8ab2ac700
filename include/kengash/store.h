/* store.h: the embedded spatial store (SQLite + SpatiaLite, one file). The
 * only module that speaks SQL. Each thread uses its own connection
 * (kg_store_thread), in WAL mode with a busy timeout; the schema is applied
 * by versioned migrations embedded at build time. Geometries are stored in
 * EPSG:4326 with a spatial index on every geometry column. This header
 * declares the connections and transactions; each aggregate's part is in
 * its own kengash/store_<aggregate>.h, all included at the end. */
#ifndef KENGASH_STORE_H
#define KENGASH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "kengash/core.h"

struct kg_store; /* one connection; not shared between threads */

/* ---- connections ---- */

/* 1 when zDb names a PostgreSQL database rather than an SQLite file: a
 * postgresql:// or postgres:// URI, or libpq key=value pairs starting with
 * one of libpq's keywords (host=..., dbname=...). */
int kg_store_is_pg(const char *zDb);
/* Opens (creating if needed) the database at zPath, sets pragmas and
 * initialises SpatiaLite on the connection; or connects to the PostgreSQL
 * database zPath names (kg_store_is_pg; libpq takes the password from
 * PGPASSWORD, PGPASSFILE or ~/.pgpass). Does not migrate. */
enum kg_err kg_store_open(const char *zPath, struct kg_store **ppStore /* OUT */);
void kg_store_close(struct kg_store *p);
/* Applies pending migrations (creates the spatial metadata on a new file).
 * Idempotent. *pnVersion gets the schema version after. */
enum kg_err kg_store_migrate(struct kg_store *p, int *pnVersion /* OUT, may be NULL */);
/* Remembers zPath for kg_store_thread(); call once before serving. */
void kg_store_pool_init(const char *zPath);
/* This thread's connection, opened on first use; closed when the thread
 * exits or at kg_store_pool_shutdown(). NULL if it cannot be opened. */
struct kg_store *kg_store_thread(void);
/* PostgreSQL streaming replicas for public reads (--db-replica): each
 * thread gets a connection to one of them, taken in turn. Call once after
 * kg_store_pool_init, before serving. */
void kg_store_pool_replicas(const char *const *azConninfo, int n);
/* 1 when replicas were given. */
int kg_store_has_replicas(void);
/* This thread's connection to a replica, opened on first use; NULL when
 * there are none or it cannot be opened (read the database then). A
 * replica may lag the database: only for reads that may be a little old. */
struct kg_store *kg_store_thread_replica(void);
void kg_store_pool_shutdown(void);
/* Group commit: starts the single writer thread with its own connection
 * to zPath. From then on proposals (kg_store_comment_submit) from many
 * threads are committed together, one transaction and one fsync per group,
 * each caller answered after its group is durable. Stop drains the queue;
 * without a writer every call commits on its own. */
enum kg_err kg_store_writer_start(const char *zPath);
void kg_store_writer_stop(void);
/* Jobs waiting now, jobs in the group being committed, and jobs and
 * groups done so far; histograms (counts per bucket, not cumulative; the
 * last bucket is above the last bound) of the jobs per group and of the
 * time of a group's transaction, BEGIN to durable COMMIT. Recorded by the
 * writer with relaxed atomics. */
#define KG_STORE_WRITER_NSIZE 9    /* group size bounds: 1, 2, 4, ... 256 */
#define KG_STORE_WRITER_NCOMMIT 12 /* commit time bounds, kg_store_writer_commit_bounds_us */
extern const int64_t kg_store_writer_commit_bounds_us[KG_STORE_WRITER_NCOMMIT];
struct kg_store_writer_stats {
  int nQueued, nRunning;
  int64_t nJob, nGroup;
  int64_t aGroupSize[KG_STORE_WRITER_NSIZE + 1]; /* bucket i: at most 1 << i jobs */
  int64_t aCommit[KG_STORE_WRITER_NCOMMIT + 1];
  int64_t nCommitUsSum; /* total commit time, microseconds */
  int64_t nSync;        /* the syncer's fdatasyncs of the WAL (SQLite) */
};
void kg_store_writer_stats(struct kg_store_writer_stats *pOut /* OUT */);
/* The content versions a cached response depends on (bumped by triggers
 * on every write): aV[0] for the catalogue (projects, documents,
 * discussions, their stages, expositions and reports), aV[1] for the
 * comments of discussionId (0 when discussionId is 0 or has none). */
enum kg_err kg_store_content_versions(struct kg_store *p, int64_t discussionId,
                                      int64_t aV[2] /* OUT */);
/* KG_OK when the database answers a read. */
enum kg_err kg_store_health(struct kg_store *p);
/* The database's size in bytes on PostgreSQL (pg_database_size); on SQLite
 * the file's size is read from the file system instead (KG_EINVAL). */
enum kg_err kg_store_pg_size(struct kg_store *p, int64_t *pnBytes /* OUT */);
/* Caps every connection opened afterwards at nPages database pages
 * (PRAGMA max_page_count; 0: no cap). For tests of a full disk: the
 * database then cannot grow and writes fail with KG_EFULL. */
void kg_store_set_max_pages(int64_t nPages);
/* Transactions for multi-step work (BEGIN IMMEDIATE / COMMIT / ROLLBACK). */
enum kg_err kg_store_begin(struct kg_store *p);
enum kg_err kg_store_commit(struct kg_store *p);
void kg_store_rollback(struct kg_store *p);
/* Reports the result of an asynchronous store call (pDoneArg is the
 * caller's): kg_store_comment_submit_async,
 * kg_store_password_reset_request_async. */
typedef void (*kg_store_done_fn)(void *pDoneArg, enum kg_err rc);

/* The parts, one per aggregate (include/kengash/store_*.h). Each part
 * includes this header first, outside its own guard, so whichever header
 * a file includes first, every part is declared in this order. */
#include "kengash/store_backup.h"
#include "kengash/store_accounts.h"
#include "kengash/store_projects.h"
#include "kengash/store_discussions.h"
#include "kengash/store_modlog.h"
#include "kengash/store_reference.h"
#include "kengash/store_addresses.h"
#include "kengash/store_stats.h"
#include "kengash/store_rights.h"
#include "kengash/store_participants.h"
#include "kengash/store_comments.h"
#include "kengash/store_outbox.h"
#include "kengash/store_ogc.h"
#include "kengash/store_reports.h"
#include "kengash/store_support.h"
#include "kengash/store_identities.h"
#include "kengash/store_tiles.h"
#include "kengash/store_round.h"
#include "kengash/store_notify.h"
#include "kengash/store_alerts.h"
#include "kengash/store_feeds.h"
#include "kengash/store_dept.h"
#include "kengash/store_pg.h"

#endif

/* test_store_writer.c: src/store/writer.c's syncer, the durability half of
 * the group commit. The writer commits a group with synchronous=NORMAL and
 * the syncer answers it once an fdatasync of the WAL has returned. This
 * program stands in for fdatasync (the writer is linked in statically and
 * SQLite resolves it through this executable): on the syncer's thread it
 * can hold the call or make it fail; everywhere else it is the system call.
 * The rest of the group commit (groups, refusals in savepoints, the WAL
 * kept bounded) is tested in test_store_comments.c. */
#define _GNU_SOURCE /* pthread_getname_np */
#include "store_harness.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

static atomic_int g_bHold;  /* the syncer's fdatasync waits while set */
static atomic_int g_bFail;  /* the syncer's fdatasync fails with EIO */
static atomic_int g_nHeld;  /* syncer calls that found g_bHold set */
static atomic_int g_nSyncs; /* syncer calls */

static int on_syncer_thread(void) {
  char zName[16] = "";
  pthread_getname_np(pthread_self(), zName, sizeof(zName));
  return strcmp(zName, "kg-syncer") == 0;
}

int fdatasync(int fd) {
  if (on_syncer_thread()) {
    atomic_fetch_add(&g_nSyncs, 1);
    if (atomic_load(&g_bHold)) {
      atomic_fetch_add(&g_nHeld, 1);
      while (atomic_load(&g_bHold))
        usleep(1000);
    }
    if (atomic_load(&g_bFail)) {
      errno = EIO;
      return -1;
    }
  }
  return (int)syscall(SYS_fdatasync, fd);
}

/* ---- a write job and its answer ---- */

static enum kg_err insert_job(struct kg_store *p, void *pArg) {
  char zSql[80];
  snprintf(zSql, sizeof(zSql), "INSERT INTO t (x) VALUES (%d)", *(int *)pArg);
  return sqlite3_exec(p->db, zSql, NULL, NULL, NULL) == SQLITE_OK ? KG_OK : KG_EDB;
}

/* The synchronous setting of the connection the job runs on, into *pArg. */
static enum kg_err synchronous_job(struct kg_store *p, void *pArg) {
  *(int *)pArg = (int)q_int(p, "PRAGMA synchronous");
  return KG_OK;
}

struct answer {
  atomic_int bDone;
  enum kg_err rc;
};

static void on_answer(void *pArg, enum kg_err rc) {
  struct answer *a = pArg;
  a->rc = rc;
  atomic_store(&a->bDone, 1);
}

/* Waits up to 3 s for a; whether it came. */
static int answered(struct answer *a) {
  for (int i = 0; i < 3000 && !atomic_load(&a->bDone); i++)
    usleep(1000);
  return atomic_load(&a->bDone);
}

/* Waits up to 3 s until zSql on p counts n rows; whether it did. */
static int counts(struct kg_store *p, const char *zSql, int64_t n) {
  for (int i = 0; i < 3000; i++) {
    if (q_int(p, zSql) == n) return 1;
    usleep(1000);
  }
  return 0;
}

/* A database file with table t (*pzPath, free()), the writer started on
 * it, and a request thread's connection *ppReq (NULL when it failed). */
static void start(char **pzPath, struct kg_store **ppReq) {
  struct kg_store *p = NULL;
  *ppReq = NULL;
  *pzPath = db_path();
  REQUIRE(kg_store_open(*pzPath, &p) == KG_OK);
  CHECK(exec_ok(p, "CREATE TABLE t (x INTEGER)"));
  kg_store_close(p);
  REQUIRE(kg_store_writer_start(*pzPath) == KG_OK);
  REQUIRE(kg_store_open(*pzPath, ppReq) == KG_OK);
}

/* ---- tests ---- */

/* A committed group is on disk before any of its jobs is answered: its
 * rows are visible to other connections from the commit on, but the answer
 * waits for the syncer's fdatasync of the WAL; the writer meanwhile runs
 * the next group. */
static void a_group_is_answered_only_after_the_wal_is_synced(void) {
  struct kg_store *pReq = NULL;
  char *zPath = NULL;
  start(&zPath, &pReq);
  REQUIRE(pReq);
  atomic_store(&g_bHold, 1);
  int aX[2] = {1, 2};
  struct answer a1 = {0, KG_EDB}, a2 = {0, KG_EDB};
  kg_store_write_async(pReq, insert_job, &aX[0], on_answer, &a1);
  CHECK(counts(pReq, "SELECT count(*) FROM t WHERE x = 1", 1));
  for (int i = 0; i < 3000 && atomic_load(&g_nHeld) == 0; i++)
    usleep(1000);
  CHECK(atomic_load(&g_nHeld) >= 1);
  /* committed and read, but not answered while its fsync has not returned */
  usleep(50000);
  CHECK(!atomic_load(&a1.bDone));
  /* the writer is not held up: the next group commits meanwhile */
  kg_store_write_async(pReq, insert_job, &aX[1], on_answer, &a2);
  CHECK(counts(pReq, "SELECT count(*) FROM t WHERE x = 2", 1));
  CHECK(!atomic_load(&a2.bDone));
  atomic_store(&g_bHold, 0);
  CHECK(answered(&a1) && a1.rc == KG_OK);
  CHECK(answered(&a2) && a2.rc == KG_OK);
  /* the syncer's fsyncs cover groups: at most one a group here, counted
   * for metrics (kengash_writer_syncs_total) */
  CHECK(atomic_load(&g_nSyncs) >= 1 && atomic_load(&g_nSyncs) <= 2);
  struct kg_store_writer_stats st;
  kg_store_writer_stats(&st);
  CHECK(st.nSync == atomic_load(&g_nSyncs));
  kg_store_writer_stop();
  kg_store_close(pReq);
  free(zPath);
}

/* When the WAL cannot be made durable the job is not acknowledged as
 * stored (KG_EDB: its row may or may not survive a power loss); the writer
 * goes on, and the next group is answered once a sync succeeds again. */
static void a_group_whose_wal_sync_fails_is_not_acknowledged(void) {
  struct kg_store *pReq = NULL;
  char *zPath = NULL;
  start(&zPath, &pReq);
  REQUIRE(pReq);
  atomic_store(&g_bFail, 1);
  int x = 7;
  CHECK(kg_store_write(pReq, insert_job, &x) == KG_EDB);
  atomic_store(&g_bFail, 0);
  x = 8;
  CHECK(kg_store_write(pReq, insert_job, &x) == KG_OK);
  CHECK(q_int(pReq, "SELECT count(*) FROM t WHERE x = 8") == 1);
  kg_store_writer_stop();
  kg_store_close(pReq);
  free(zPath);
}

/* Stopping the writer answers every job queued or waiting for its sync. */
static void stop_answers_every_job_after_its_sync(void) {
  struct kg_store *pReq = NULL;
  char *zPath = NULL;
  start(&zPath, &pReq);
  REQUIRE(pReq);
  enum { N = 64 };
  int aX[N];
  struct answer a[N];
  for (int i = 0; i < N; i++) {
    aX[i] = 100 + i;
    a[i] = (struct answer){0, KG_EDB};
    kg_store_write_async(pReq, insert_job, &aX[i], on_answer, &a[i]);
  }
  kg_store_writer_stop();
  int nOk = 0;
  for (int i = 0; i < N; i++)
    nOk += atomic_load(&a[i].bDone) && a[i].rc == KG_OK;
  CHECK(nOk == N);
  CHECK(q_int(pReq, "SELECT count(*) FROM t WHERE x >= 100") == N);
  kg_store_close(pReq);
  free(zPath);
}

/* The writer's connection commits without an fsync only beside a syncer
 * (operators find it by name, top -H); after stop a write commits on its
 * own connection, durable by its own commit. */
static void the_syncer_runs_beside_the_writer_only(void) {
  struct kg_store *pReq = NULL;
  char *zPath = NULL;
  start(&zPath, &pReq);
  REQUIRE(pReq);
  CHECK(thread_named("kg-syncer"));
  CHECK(q_int(pReq, "PRAGMA synchronous") == 2); /* FULL on every other connection */
  /* NORMAL (1) on the writer's own, read by a job it runs */
  int nWriter = -1;
  CHECK(kg_store_write(pReq, synchronous_job, &nWriter) == KG_OK && nWriter == 1);
  kg_store_writer_stop();
  /* after stop the job runs on the caller's connection: FULL */
  CHECK(kg_store_write(pReq, synchronous_job, &nWriter) == KG_OK && nWriter == 2);
  int x = 9;
  int nBefore = atomic_load(&g_nSyncs);
  CHECK(kg_store_write(pReq, insert_job, &x) == KG_OK);
  CHECK(atomic_load(&g_nSyncs) == nBefore);
  kg_store_close(pReq);
  free(zPath);
}

int main(void) {
  harness_begin();
  RUN(a_group_is_answered_only_after_the_wal_is_synced);
  RUN(a_group_whose_wal_sync_fails_is_not_acknowledged);
  RUN(stop_answers_every_job_after_its_sync);
  RUN(the_syncer_runs_beside_the_writer_only);
  return harness_end();
}

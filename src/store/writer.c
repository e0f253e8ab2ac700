/* writer.c: group commit. One writer thread with its own connection takes
 * the write jobs queued by request threads, runs all that are waiting in
 * one transaction (each job in its own savepoint, so a refused job does not
 * undo the others), commits once, and hands the group to the syncer, which
 * makes the WAL durable (one fdatasync for every group committed since its
 * last) and only then answers each job: it wakes a waiting caller
 * (kg_store_write) or calls its callback (kg_store_write_async). A job is
 * therefore on disk before its request is answered, under load the cost of
 * the fsync is shared by every request of the groups it covers, and the
 * writer runs the next group while the last one's fsync is under way. A
 * third thread, the checkpointer, copies the WAL back into the database. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

/* Jobs run in one transaction at most; a bound on how long the write lock
 * is held and how long the first job of a group waits. */
#define KG_WRITER_GROUP_MAX 256
/* The writer connection's page cache, KiB. */
#define KG_WRITER_CACHE_KIB 4096
/* While more jobs wait, new comments are indexed for full-text search once
 * this many have been committed (FTS5 writes a segment per flush and merges
 * them: per group of 16 that was a third of the writer's time); a group
 * that no job waits behind, or the writer before it sleeps, indexes the
 * rest. Search lags only under load, by at most this many comments. */
#define KG_WRITER_FTS_BATCH 256

/* A queued job: the writer runs it, calls xDone with its result and frees
 * it (kg_store_write waits for its own xDone). */
struct writer_job {
  kg_store_job_fn xJob;
  void *pArg;
  enum kg_err rc;
  kg_store_done_fn xDone;
  void *pDoneArg;
  struct writer_job *pNext;
};

/* WAL frames (pages) after which the checkpointer copies them into the
 * database: SQLite's automatic threshold (4 MB). Larger made more
 * proposals a second but a worse p99: the copy and its fsync compete with
 * the writer and the workers for the two cores (docs/performance.md). */
#define KG_WRITER_CHECKPOINT_FRAMES 1000
/* The checkpointer: its own thread and connection, so that copying the WAL
 * into the database file (and its fsync) does not stop the writer — it was
 * a fifth of the writer's time when the writer ran it after a commit. */
static struct {
  pthread_mutex_t mutex;
  pthread_cond_t cond; /* work for the checkpointer */
  pthread_t thread;
  int bRunning, bStop, bWanted;
  int bBusy;     /* the checkpointer is copying */
  int bCaughtUp; /* it has copied what the WAL held when it started */
  int nFrames;   /* the threshold, KG_WRITER_CHECKPOINT_FRAMES but in tests */
  struct kg_store *p;
} g_c = {.mutex = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* Set by the writer's WAL hook (the writer thread only): the checkpointer
 * has caught up, and the writer copies the frames committed since then
 * once no job waits (finish_wal). */
static int g_bFinishWanted;
/* A WAL this many times the threshold is finished at once, jobs waiting
 * or not, so that it cannot grow without bound under a steady stream. */
#define KG_WRITER_FINISH_CAP 4

/* Copies the frames the checkpointer left (the writer's connection db);
 * its next transaction then starts the WAL over. */
static void finish_wal(sqlite3 *db) {
  g_bFinishWanted = 0;
  pthread_mutex_lock(&g_c.mutex);
  int bBusy = g_c.bBusy; /* its next pass asks again once it has caught up */
  pthread_mutex_unlock(&g_c.mutex);
  if (!bBusy) sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* The writer's WAL hook, after each commit: past the threshold, wakes the
 * checkpointer. The WAL starts over only at a transaction that finds it
 * wholly copied, which a checkpointer beside a steady stream of commits
 * never leaves behind; so once it has caught up, the writer copies the few
 * frames committed meanwhile itself, when no job waits (the copy and the
 * fsync of the database take 10-20 ms, which held up every waiting job
 * when it ran after the commit), and its next transaction starts the WAL
 * over. The file thus stays near the threshold. */
static int on_wal_commit(void *pArg, sqlite3 *db, const char *zDb, int nFrames) {
  (void)pArg;
  (void)zDb;
  if (nFrames < g_c.nFrames) return SQLITE_OK;
  pthread_mutex_lock(&g_c.mutex);
  int bCaughtUp = g_c.bCaughtUp && !g_c.bBusy;
  g_c.bCaughtUp = 0;
  if (!bCaughtUp) {
    g_c.bWanted = 1;
    pthread_cond_signal(&g_c.cond);
  }
  pthread_mutex_unlock(&g_c.mutex);
  if (bCaughtUp) g_bFinishWanted = 1;
  if (g_bFinishWanted && nFrames >= KG_WRITER_FINISH_CAP * g_c.nFrames) finish_wal(db);
  return SQLITE_OK;
}

static void *checkpointer_main(void *pArg) {
  (void)pArg;
  pthread_mutex_lock(&g_c.mutex);
  for (;;) {
    while (!g_c.bWanted && !g_c.bStop)
      pthread_cond_wait(&g_c.cond, &g_c.mutex);
    if (g_c.bStop) break;
    g_c.bWanted = 0;
    g_c.bBusy = 1;
    pthread_mutex_unlock(&g_c.mutex);
    /* PASSIVE: copies what no reader still needs, never waits for a lock */
    int src = sqlite3_wal_checkpoint_v2(g_c.p->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (src != SQLITE_OK && src != SQLITE_BUSY)
      kg_log_warn("store checkpoint failed err=\"%s\"", sqlite3_errmsg(g_c.p->db));
    pthread_mutex_lock(&g_c.mutex);
    g_c.bBusy = 0;
    g_c.bCaughtUp = src == SQLITE_OK;
    if (g_c.bCaughtUp) g_c.bWanted = 0; /* the writer's turn to finish */
  }
  pthread_mutex_unlock(&g_c.mutex);
  return NULL;
}

/* Starts the checkpointer on zPath and hands the writer's checkpoints
 * (connection pW) to it; without it (logged) the writer keeps SQLite's
 * automatic checkpoints. */
static void checkpointer_start(const char *zPath, struct kg_store *pW) {
  struct kg_store *p = NULL;
  if (kg_store_open(zPath, &p) != KG_OK) {
    kg_log_warn("store writer: no checkpointer connection, the writer checkpoints");
    return;
  }
  g_c.p = p;
  g_c.bStop = g_c.bWanted = 0;
  if (pthread_create(&g_c.thread, NULL, checkpointer_main, NULL) != 0) {
    kg_log_warn("store writer: no checkpointer thread, the writer checkpoints");
    kg_store_close(p);
    g_c.p = NULL;
    return;
  }
  pthread_setname_np(g_c.thread, "kg-checkpoint"); /* top -H, perf */
  g_c.bRunning = 1;
  sqlite3_wal_hook(pW->db, on_wal_commit, NULL); /* replaces the automatic checkpoints */
}

/* Sets *pbStop under mutex, wakes thread (waiting on cond) and joins it. */
static void stop_thread(pthread_mutex_t *mutex, pthread_cond_t *cond, int *pbStop,
                        pthread_t thread) {
  pthread_mutex_lock(mutex);
  *pbStop = 1;
  pthread_cond_signal(cond);
  pthread_mutex_unlock(mutex);
  pthread_join(thread, NULL);
}

static void checkpointer_stop(void) {
  if (!g_c.bRunning) return;
  stop_thread(&g_c.mutex, &g_c.cond, &g_c.bStop, g_c.thread);
  g_c.bRunning = 0;
  kg_store_close(g_c.p);
  g_c.p = NULL;
}

/* Answers the jobs of pList and frees them; a job that succeeded gets
 * rcSync (the syncer's fdatasync failed: the job's rows may or may not
 * survive a power loss, so it is not acknowledged as stored). */
static void answer_jobs(struct writer_job *pList, enum kg_err rcSync) {
  for (struct writer_job *j = pList, *pNext; j; j = pNext) {
    pNext = j->pNext;
    j->xDone(j->pDoneArg, j->rc == KG_OK ? rcSync : j->rc);
    free(j);
  }
}

/* The syncer. The writer's connection commits with synchronous=NORMAL: in
 * WAL mode SQLite then writes a commit's frames without an fsync (it still
 * syncs the WAL before each checkpoint, the database after it, and the
 * WAL's header when the WAL starts over). The writer hands each committed
 * group here; this thread takes every group handed over so far,
 * fdatasyncs the WAL file, which holds all their frames, and then answers
 * them. A group's frames are thus durable before any of its jobs is
 * answered, as with synchronous=FULL, while the writer already runs the
 * next group: the fsync was most of its time (docs/performance.md). Other
 * connections can read a group's rows from its commit on, that is, for
 * the length of one fsync before they are durable; a write that depends
 * on them commits after them and is answered after a later fsync. */
static struct {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  pthread_t thread;
  int bRunning, bStop;
  char *zWal;                         /* the WAL file */
  atomic_llong nSync;                 /* fdatasyncs done (metrics) */
  struct writer_job *pHead, **ppTail; /* committed, waiting for the fsync */
} g_s = {.mutex = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* Makes the WAL file's frames durable. Opened for each sync (a few
 * microseconds against the fsync), so it is always the file SQLite
 * writes; an fsync on any descriptor of a file flushes all its pages. */
static enum kg_err sync_wal(void) {
  int fd = open(g_s.zWal, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    kg_log_error("store syncer: cannot open the WAL err=\"%s\"", strerror(errno));
    return KG_EDB;
  }
  int bOk = fdatasync(fd) == 0;
  if (!bOk) kg_log_error("store syncer: fdatasync of the WAL failed err=\"%s\"", strerror(errno));
  close(fd);
  return bOk ? KG_OK : KG_EDB;
}

static void *syncer_main(void *pArg) {
  (void)pArg;
  pthread_mutex_lock(&g_s.mutex);
  for (;;) {
    while (!g_s.pHead && !g_s.bStop)
      pthread_cond_wait(&g_s.cond, &g_s.mutex);
    if (!g_s.pHead) break; /* stopped, and every group answered */
    struct writer_job *pList = g_s.pHead;
    g_s.pHead = NULL;
    g_s.ppTail = &g_s.pHead;
    pthread_mutex_unlock(&g_s.mutex);
    enum kg_err rc = sync_wal();
    atomic_fetch_add_explicit(&g_s.nSync, 1, memory_order_relaxed); /* counted before answered */
    answer_jobs(pList, rc);
    pthread_mutex_lock(&g_s.mutex);
  }
  pthread_mutex_unlock(&g_s.mutex);
  return NULL;
}

/* Starts the syncer for the writer's connection pW and turns its commits'
 * fsync off; without it (logged) the writer commits with synchronous=FULL
 * and answers its groups itself. */
static void syncer_start(struct kg_store *pW) {
  const char *zDb = sqlite3_db_filename(pW->db, "main");
  const char *zWal = zDb && zDb[0] ? sqlite3_filename_wal(zDb) : NULL;
  struct kg_db_stmt *s = NULL;
  int bWal = 0;
  if (kg_store_sql_prepare(pW, "PRAGMA journal_mode", &s) == KG_OK) {
    bWal = kg_store_sql_row(pW, s, "journal mode") == KG_OK && kg_store_col_text(s, 0) &&
           strcmp(kg_store_col_text(s, 0), "wal") == 0;
    kg_store_sql_done(pW, s);
  }
  if (!zWal || !zWal[0] || !bWal) return; /* a database without a WAL file */
  g_s.zWal = kg_xstrdup(zWal);
  g_s.pHead = NULL;
  g_s.ppTail = &g_s.pHead;
  g_s.bStop = 0;
  if (pthread_create(&g_s.thread, NULL, syncer_main, NULL) != 0) {
    kg_log_warn("store writer: no syncer thread, the writer syncs its commits");
    free(g_s.zWal);
    g_s.zWal = NULL;
    return;
  }
  pthread_setname_np(g_s.thread, "kg-syncer"); /* top -H, perf */
  if (sqlite3_exec(pW->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
    kg_log_warn("store writer: synchronous=NORMAL refused err=\"%s\"", kg_db_errmsg(pW));
  g_s.bRunning = 1;
}

/* Answers every group handed over (after their fsync) and stops. */
static void syncer_stop(void) {
  if (!g_s.bRunning) return;
  stop_thread(&g_s.mutex, &g_s.cond, &g_s.bStop, g_s.thread);
  g_s.bRunning = 0;
  free(g_s.zWal);
  g_s.zWal = NULL;
}

/* Hands a committed group pList..pLast to the syncer, or answers it
 * without one. */
static void syncer_hand(struct writer_job *pList, struct writer_job *pLast) {
  if (!g_s.bRunning) {
    answer_jobs(pList, KG_OK);
    return;
  }
  pthread_mutex_lock(&g_s.mutex);
  *g_s.ppTail = pList;
  g_s.ppTail = &pLast->pNext;
  pthread_cond_signal(&g_s.cond);
  pthread_mutex_unlock(&g_s.mutex);
}

static struct {
  pthread_mutex_t mutex;
  pthread_cond_t condWork;
  pthread_t thread;
  int bRunning; /* accepting jobs */
  int bStop;
  struct kg_store *p; /* the writer's connection */
  struct writer_job *pHead, **ppTail;
  int nQueued, nRunning;
  int64_t nJob, nGroup; /* done so far */
} g_w = {.mutex = PTHREAD_MUTEX_INITIALIZER, .condWork = PTHREAD_COND_INITIALIZER};

const int64_t kg_store_writer_commit_bounds_us[KG_STORE_WRITER_NCOMMIT] = {
    250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 5000000};

/* Histograms for metrics: written by the writer thread only, read by
 * kg_store_writer_stats; relaxed atomics, no lock. */
static struct {
  atomic_llong aGroupSize[KG_STORE_WRITER_NSIZE + 1];
  atomic_llong aCommit[KG_STORE_WRITER_NCOMMIT + 1];
  atomic_llong nCommitUsSum;
} g_h;

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void record_group(int n, int64_t nUs) {
  int i = 0;
  while (i < KG_STORE_WRITER_NSIZE && n > (1 << i))
    i++;
  atomic_fetch_add_explicit(&g_h.aGroupSize[i], 1, memory_order_relaxed);
  int k = 0;
  while (k < KG_STORE_WRITER_NCOMMIT && nUs > kg_store_writer_commit_bounds_us[k])
    k++;
  atomic_fetch_add_explicit(&g_h.aCommit[k], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&g_h.nCommitUsSum, nUs, memory_order_relaxed);
}

/* Runs one group: BEGIN IMMEDIATE, every job in a savepoint (the job's own
 * kg_store_tx_begin becomes one), COMMIT. */
static void run_group(struct writer_job *pList) {
  struct kg_store *p = g_w.p;
  struct kg_store_tx tx = {0, 0};
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  for (struct writer_job *j = pList; j; j = j->pNext) {
    if (rc != KG_OK) {
      j->rc = rc;
      continue;
    }
    j->rc = j->xJob(p, j->pArg);
    /* SQLite may roll the whole transaction back on an error (a full disk
     * while spilling pages): then no job of the group is saved, so each
     * fails with that error (a full disk answers 503), and none after it
     * runs on its own outside the group. */
    if (!kg_db_in_tx(p)) {
      rc = j->rc != KG_OK ? j->rc : KG_EDB;
      for (struct writer_job *k = pList; k != j->pNext; k = k->pNext)
        k->rc = rc;
      kg_store_tx_finish(p, &tx, &rc); /* nothing left to roll back: runs the hooks */
      kg_log_error("store writer: the group's transaction was rolled back err=%s", kg_err_name(rc));
    }
  }
  if (rc == KG_OK) {
    pthread_mutex_lock(&g_w.mutex);
    p->nFtsBatch = g_w.pHead ? KG_WRITER_FTS_BATCH : 1;
    pthread_mutex_unlock(&g_w.mutex);
    /* refused jobs rolled back their savepoints; a failed commit fails all */
    kg_store_tx_finish(p, &tx, &rc);
    if (rc != KG_OK)
      for (struct writer_job *j = pList; j; j = j->pNext)
        if (j->rc == KG_OK) j->rc = rc;
  }
}

/* Indexes the comments that the last groups left for full-text search:
 * an empty transaction whose commit hook flushes the queue
 * (kg_store_comment_fts_hook). */
static void fts_catch_up(struct kg_store *p) {
  struct kg_store_tx tx;
  p->nFtsBatch = 1;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc != KG_OK) p->nFtsLeft = 0; /* logged; the next flush takes them */
}

static void *writer_main(void *pArg) {
  (void)pArg;
  pthread_mutex_lock(&g_w.mutex);
  for (;;) {
    if (!g_w.pHead && g_w.p->nFtsLeft) {
      pthread_mutex_unlock(&g_w.mutex);
      fts_catch_up(g_w.p);
      pthread_mutex_lock(&g_w.mutex);
      continue;
    }
    if (!g_w.pHead && g_bFinishWanted) {
      pthread_mutex_unlock(&g_w.mutex);
      finish_wal(g_w.p->db);
      pthread_mutex_lock(&g_w.mutex);
      continue;
    }
    while (!g_w.pHead && !g_w.bStop)
      pthread_cond_wait(&g_w.condWork, &g_w.mutex);
    if (!g_w.pHead && g_w.bStop) break;
    /* take up to KG_WRITER_GROUP_MAX jobs off the queue */
    struct writer_job *pList = g_w.pHead, *pLast = pList;
    int n = 1;
    while (pLast->pNext && n < KG_WRITER_GROUP_MAX) {
      pLast = pLast->pNext;
      n++;
    }
    g_w.pHead = pLast->pNext;
    if (!g_w.pHead) g_w.ppTail = &g_w.pHead;
    pLast->pNext = NULL;
    g_w.nQueued -= n;
    g_w.nRunning = n;
    pthread_mutex_unlock(&g_w.mutex);

    int64_t t0 = mono_us();
    run_group(pList);
    record_group(n, mono_us() - t0);

    /* the counts first, so that a caller answered later sees its group in
     * kg_store_writer_stats; the answers outside the lock (xDone may take
     * other locks), once the group is durable */
    pthread_mutex_lock(&g_w.mutex);
    g_w.nRunning = 0;
    g_w.nJob += n;
    g_w.nGroup++;
    pthread_mutex_unlock(&g_w.mutex);
    syncer_hand(pList, pLast);
    pthread_mutex_lock(&g_w.mutex);
  }
  pthread_mutex_unlock(&g_w.mutex);
  return NULL;
}

enum kg_err kg_store_writer_start(const char *zPath) {
  return kg_store_writer_start_ex(zPath, KG_WRITER_CHECKPOINT_FRAMES);
}

enum kg_err kg_store_writer_start_ex(const char *zPath, int nCheckpointFrames) {
  struct kg_store *p = NULL;
  enum kg_err rc = kg_store_open(zPath, &p);
  if (rc != KG_OK) return rc;
  /* PostgreSQL has its own cache, journal and checkpoints: the group
   * commit (one COMMIT, so one WAL flush, for the group) is all there. */
  if (!p->pPg) {
    /* Every proposal updates a few random B-tree pages (indexes, R*Tree,
     * the discussion's counter); a larger cache than the request threads'
     * keeps them from being read back with pread before each change. */
    kg_store_cache_kib(p, KG_WRITER_CACHE_KIB);
    /* Each job runs in a savepoint, so the first change of a page in a job
     * copies the page to the statement journal; past 64 KiB SQLite spills
     * that to a temporary file (created, written, deleted per group). In
     * memory: a job touches a few dozen pages at most. */
    if (sqlite3_exec(p->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL) != SQLITE_OK)
      kg_log_warn("store writer: temp_store=MEMORY refused err=\"%s\"", kg_db_errmsg(p));
  }
  pthread_mutex_lock(&g_w.mutex);
  if (g_w.bRunning) {
    pthread_mutex_unlock(&g_w.mutex);
    kg_store_close(p);
    return KG_ECONFLICT;
  }
  g_w.p = p;
  g_w.pHead = NULL;
  g_w.ppTail = &g_w.pHead;
  g_w.bStop = 0;
  g_w.nQueued = 0;
  g_w.nJob = g_w.nGroup = 0;
  g_c.nFrames = nCheckpointFrames > 0 ? nCheckpointFrames : KG_WRITER_CHECKPOINT_FRAMES;
  if (!p->pPg) {
    checkpointer_start(zPath, p);
    syncer_start(p);
  }
  if (pthread_create(&g_w.thread, NULL, writer_main, NULL) != 0) {
    syncer_stop();
    checkpointer_stop();
    g_w.p = NULL;
    pthread_mutex_unlock(&g_w.mutex);
    kg_store_close(p);
    kg_log_error("store writer: cannot start its thread");
    return KG_ENOMEM;
  }
  pthread_setname_np(g_w.thread, "kg-writer"); /* top -H, perf */
  g_w.bRunning = 1;
  pthread_mutex_unlock(&g_w.mutex);
  return KG_OK;
}

void kg_store_writer_stop(void) {
  pthread_mutex_lock(&g_w.mutex);
  if (!g_w.bRunning) {
    pthread_mutex_unlock(&g_w.mutex);
    return;
  }
  g_w.bRunning = 0; /* new jobs run on their own connection from now on */
  g_w.bStop = 1;
  pthread_cond_signal(&g_w.condWork);
  pthread_mutex_unlock(&g_w.mutex);
  pthread_join(g_w.thread, NULL); /* drains the queue first */
  syncer_stop();                  /* and answers its last groups */
  checkpointer_stop();
  kg_log_info("store writer stopped jobs=%lld groups=%lld", (long long)g_w.nJob,
              (long long)g_w.nGroup);
  kg_store_close(g_w.p);
  g_w.p = NULL;
}

void kg_store_write_async(struct kg_store *p, kg_store_job_fn xJob, void *pArg,
                          kg_store_done_fn xDone, void *pDoneArg) {
  /* inside the caller's transaction the job must see and join it */
  int bDirect = kg_db_in_tx(p);
  struct writer_job *j = NULL;
  pthread_mutex_lock(&g_w.mutex);
  bDirect = bDirect || !g_w.bRunning || p == g_w.p;
  if (!bDirect) {
    j = kg_xcalloc(1, sizeof(*j));
    j->xJob = xJob;
    j->pArg = pArg;
    j->xDone = xDone;
    j->pDoneArg = pDoneArg;
    *g_w.ppTail = j;
    g_w.ppTail = &j->pNext;
    g_w.nQueued++;
    pthread_cond_signal(&g_w.condWork);
  }
  pthread_mutex_unlock(&g_w.mutex);
  if (bDirect) xDone(pDoneArg, xJob(p, pArg));
}

/* kg_store_write's wait for its job's answer. */
struct sync_wait {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  int bDone;
  enum kg_err rc;
};

static void sync_done(void *pArg, enum kg_err rc) {
  struct sync_wait *w = pArg;
  pthread_mutex_lock(&w->mutex);
  w->rc = rc;
  w->bDone = 1;
  pthread_cond_signal(&w->cond); /* under the mutex: w may go once it is released */
  pthread_mutex_unlock(&w->mutex);
}

enum kg_err kg_store_write(struct kg_store *p, kg_store_job_fn xJob, void *pArg) {
  struct sync_wait w = {.bDone = 0, .rc = KG_OK};
  pthread_mutex_init(&w.mutex, NULL);
  pthread_cond_init(&w.cond, NULL);
  kg_store_write_async(p, xJob, pArg, sync_done, &w);
  pthread_mutex_lock(&w.mutex);
  while (!w.bDone)
    pthread_cond_wait(&w.cond, &w.mutex);
  pthread_mutex_unlock(&w.mutex);
  pthread_cond_destroy(&w.cond);
  pthread_mutex_destroy(&w.mutex);
  return w.rc;
}

void kg_store_writer_stats(struct kg_store_writer_stats *pOut) {
  pthread_mutex_lock(&g_w.mutex);
  pOut->nQueued = g_w.nQueued;
  pOut->nRunning = g_w.nRunning;
  pOut->nJob = g_w.nJob;
  pOut->nGroup = g_w.nGroup;
  pthread_mutex_unlock(&g_w.mutex);
  for (int i = 0; i <= KG_STORE_WRITER_NSIZE; i++)
    pOut->aGroupSize[i] = atomic_load_explicit(&g_h.aGroupSize[i], memory_order_relaxed);
  for (int i = 0; i <= KG_STORE_WRITER_NCOMMIT; i++)
    pOut->aCommit[i] = atomic_load_explicit(&g_h.aCommit[i], memory_order_relaxed);
  pOut->nCommitUsSum = atomic_load_explicit(&g_h.nCommitUsSum, memory_order_relaxed);
  pOut->nSync = atomic_load_explicit(&g_s.nSync, memory_order_relaxed);
}

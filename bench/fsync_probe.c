/* fsync_probe.c: the disk's rate of durable one-row commits, the yardstick
 * for POST comment in bench/run. A probe of the disk, not application code
 * (so its SQL lives here, not in src/store/): a fresh SQLite file in WAL
 * mode with synchronous=FULL, as the server's connections use, and N
 * single-row INSERT transactions, each its own COMMIT (one fsync of the
 * WAL each). Stops after N commits or after the time limit, whichever
 * comes first.
 *
 * Usage: bench-fsync-probe DIR [N=2000] [SECONDS=5]
 * Prints "commits=N seconds=S rate=R" (R = commits per second). The file
 * (DIR/fsync-probe.sqlite and its -wal, -shm) is removed afterwards. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *zSql) {
  char *zErr = NULL;
  if (sqlite3_exec(db, zSql, NULL, NULL, &zErr) != SQLITE_OK) {
    fprintf(stderr, "bench-fsync-probe: %s: %s\n", zSql, zErr ? zErr : "?");
    sqlite3_free(zErr);
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench-fsync-probe DIR [N=2000] [SECONDS=5]\n");
    return 2;
  }
  long nMax = argc > 2 ? atol(argv[2]) : 2000;
  double tLimit = argc > 3 ? atof(argv[3]) : 5;
  char zPath[4096], zWal[4200], zShm[4200];
  snprintf(zPath, sizeof(zPath), "%s/fsync-probe.sqlite", argv[1]);
  snprintf(zWal, sizeof(zWal), "%s-wal", zPath);
  snprintf(zShm, sizeof(zShm), "%s-shm", zPath);
  unlink(zPath);
  unlink(zWal);
  unlink(zShm);
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  int rc = 1;
  long n = 0;
  if (sqlite3_open(zPath, &db) != SQLITE_OK) {
    fprintf(stderr, "bench-fsync-probe: cannot open %s\n", zPath);
    goto out;
  }
  if (!exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                "CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, body TEXT)"))
    goto out;
  if (sqlite3_prepare_v2(db, "INSERT INTO t (at, body) VALUES (?1, ?2)", -1, &s, NULL) != SQLITE_OK)
    goto out;
  double t0 = now_s(), t = t0;
  for (; n < nMax && t - t0 < tLimit; n++) {
    if (!exec(db, "BEGIN IMMEDIATE")) goto out;
    sqlite3_bind_int64(s, 1, n);
    sqlite3_bind_text(s, 2, "Предлагаю сохранить деревья во дворе.", -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
      fprintf(stderr, "bench-fsync-probe: insert: %s\n", sqlite3_errmsg(db));
      goto out;
    }
    sqlite3_reset(s);
    if (!exec(db, "COMMIT")) goto out;
    t = now_s();
  }
  printf("commits=%ld seconds=%.3f rate=%.1f\n", n, t - t0, (double)n / (t - t0));
  rc = 0;
out:
  sqlite3_finalize(s);
  sqlite3_close(db);
  unlink(zPath);
  unlink(zWal);
  unlink(zShm);
  return rc;
}

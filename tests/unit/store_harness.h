/* store_harness.h: what the store's unit tests share — CHECK, RUN with one
 * line per test and a "N passed, M failed" summary, stores on real
 * SpatiaLite files in a temporary directory (kept when KG_TEST_KEEP is
 * set), and one-value queries. Included by exactly one test file per
 * binary (everything here is static). Usage:
 *   int main(void) { harness_begin(); RUN(a_test); return harness_end(); } */
#ifndef KENGASH_TESTS_STORE_HARNESS_H
#define KENGASH_TESTS_STORE_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/store/store_int.h"
#include "kengash/store.h"

static int g_nPass, g_nFail, g_bFailed;
static char g_zDir[] = "/tmp/kg_unit_store_XXXXXX";
static int g_nDb;

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c);                      \
      g_bFailed = 1;                                                                               \
    }                                                                                              \
  } while (0)

static void run(const char *zName, void (*xTest)(void)) {
  g_bFailed = 0;
  xTest();
  printf("%s %s\n", zName, g_bFailed ? "FAIL" : "ok");
  fflush(stdout);
  if (g_bFailed)
    g_nFail++;
  else
    g_nPass++;
}
#define RUN(x) run(#x, x)

/* Makes the temporary directory; exits 2 when it cannot. */
static void harness_begin(void) {
  if (!mkdtemp(g_zDir)) {
    perror("mkdtemp");
    exit(2);
  }
  kg_log_set_level(KG_LOG_ERROR);
}

/* Prints the summary, removes the directory; the exit code. */
static int harness_end(void) {
  printf("%d passed, %d failed\n", g_nPass, g_nFail);
  if (!getenv("KG_TEST_KEEP")) {
    char *zCmd = kg_xasprintf("rm -rf '%s'", g_zDir);
    if (system(zCmd) != 0) fprintf(stderr, "cannot remove %s\n", g_zDir);
    free(zCmd);
  }
  return g_nFail ? 1 : 0;
}

#ifndef HARNESS_OWN_HELPERS /* files with their own store helpers define it */
/* A new, empty database file in the directory, not migrated. */
static struct kg_store *open_new(void) {
  char *zPath = kg_xasprintf("%s/db%d.sqlite", g_zDir, ++g_nDb);
  struct kg_store *p = NULL;
  if (kg_store_open(zPath, &p) != KG_OK) {
    fprintf(stderr, "cannot open a test store\n");
    exit(2);
  }
  free(zPath);
  return p;
}

/* A new database with every migration applied. */
static struct kg_store *fresh(void) {
  struct kg_store *p = open_new();
  int nVersion = -1;
  if (kg_store_migrate(p, &nVersion) != KG_OK) {
    fprintf(stderr, "cannot migrate a test store\n");
    exit(2);
  }
  return p;
}

/* The first column of the first row of zSql as an integer; -999 (and a
 * message) when there is none. */
static int64_t q_int(struct kg_store *p, const char *zSql) {
  sqlite3_stmt *s = NULL;
  int64_t v = -999;
  if (sqlite3_prepare_v2(p->db, zSql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  else
    fprintf(stderr, "  q_int failed: %s: %s\n", zSql, sqlite3_errmsg(p->db));
  sqlite3_finalize(s);
  return v;
}
#endif

#endif

/* test.h: the one harness of the unit tests (tests/unit/test_*.c): CHECK and
 * REQUIRE, RUN with one line per test and a "N passed, M failed" summary, a
 * nonzero exit on any failure, and a temporary directory made at the start
 * and removed at the end (kept when KG_TEST_KEEP is set). Included by
 * exactly one test file per binary (everything here is static). Usage:
 *   static void a_test(void) { CHECK(1 + 1 == 2); }
 *   int main(void) { harness_begin(); RUN(a_test); return harness_end(); }
 * A check that fails prints the expression with its file and line, marks the
 * running test failed, and lets it go on (CHECK) or ends it (REQUIRE: for a
 * value the rest of the test uses, such as a pointer); FAIL says why in its
 * own words (a table's row, say). */
#ifndef KENGASH_TESTS_TEST_H
#define KENGASH_TESTS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kengash/core.h"

static int g_nPass, g_nFail, g_bFailed;
static char g_zDir[] = "/tmp/kg_unit_XXXXXX";

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c);                      \
      g_bFailed = 1;                                                                               \
    }                                                                                              \
  } while (0)

/* Only in a test function (void): ends the test when c is false. */
#define REQUIRE(c)                                                                                 \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "  %s:%d: REQUIRE(%s) failed\n", __FILE__, __LINE__, #c);                    \
      g_bFailed = 1;                                                                               \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

/* Marks the running test failed with a message (printf format). */
#define FAIL(...)                                                                                  \
  do {                                                                                             \
    fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                                              \
    fprintf(stderr, __VA_ARGS__);                                                                  \
    fputc('\n', stderr);                                                                           \
    g_bFailed = 1;                                                                                 \
  } while (0)

/* Runs one test and prints "name ok" or "name FAIL". */
static void run(const char *zName, void (*xTest)(void)) {
  g_bFailed = 0;
  fflush(stdout);
  xTest();
  printf("%s %s\n", zName, g_bFailed ? "FAIL" : "ok");
  fflush(stdout);
  if (g_bFailed)
    g_nFail++;
  else
    g_nPass++;
}
#define RUN(x) run(#x, x)

/* Makes the temporary directory (exits 2 when it cannot) and keeps the log
 * to errors: the refusals tests provoke are not news. */
static void harness_begin(void) {
  if (!mkdtemp(g_zDir)) {
    perror("mkdtemp");
    exit(2);
  }
  kg_log_set_level(KG_LOG_ERROR);
}

/* A path named zName in the temporary directory (free()). */
static inline char *test_path(const char *zName) {
  return kg_xasprintf("%s/%s", g_zDir, zName);
}

/* Prints the summary and removes the directory; the exit code. */
static int harness_end(void) {
  printf("%d passed, %d failed\n", g_nPass, g_nFail);
  if (!getenv("KG_TEST_KEEP")) {
    char *zCmd = kg_xasprintf("rm -rf '%s'", g_zDir);
    if (system(zCmd) != 0) fprintf(stderr, "cannot remove %s\n", g_zDir);
    free(zCmd);
  }
  return g_nFail ? 1 : 0;
}

#endif

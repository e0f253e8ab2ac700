/* test_comments.c: unit tests for src/store/comments.c against real
 * SpatiaLite files in a temporary directory: the full-text query builder
 * (Russian endings), registration numbers, the status gate, the rate limit,
 * the location rule, moderation, supports, lists and the moderation log.
 * Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/store/store_int.h"
#include "kengash/store.h"

#define HARNESS_OWN_HELPERS
#include "store_harness.h"

static struct kg_store *fresh(void) {
  char *zPath = kg_xasprintf("%s/db%d.sqlite", g_zDir, ++g_nDb);
  struct kg_store *p = NULL;
  if (kg_store_open(zPath, &p) != KG_OK || kg_store_migrate(p, NULL) != KG_OK) {
    fprintf(stderr, "cannot create a test store\n");
    exit(2);
  }
  free(zPath);
  return p;
}

/* An open discussion on the square [49.118, 49.123] x [55.787, 55.792]. */
static int64_t open_discussion(struct kg_store *p) {
  struct kg_project pr = {0,          (char *)"Проект",  (char *)"territory_planning",
                          (char *)"", (char *)"Комитет", 0};
  struct kg_discussion d = {0};
  int64_t projectId = 0, id = 0;
  char zErr[200];
  CHECK(kg_store_project_insert(p, &pr, 0, &projectId) == KG_OK);
  d.projectId = projectId;
  d.zTitle = (char *)"Обсуждение";
  d.announceAt = 1;
  d.opensAt = 2;
  d.closesAt = 4000000000;
  d.areaM2 = 1;
  CHECK(kg_store_discussion_insert(p, &d,
                                   "MULTIPOLYGON(((49.118 55.787,49.123 55.787,49.123 55.792,"
                                   "49.118 55.792,49.118 55.787)))",
                                   NULL, 0, 0, &id, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_ANNOUNCED, 0, NULL, 10, NULL) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_OPEN, 0, NULL, 10, NULL) == KG_OK);
  return id;
}

static int64_t add_account(struct kg_store *p, const char *zEmail) {
  int64_t id = 0;
  CHECK(kg_store_account_insert(p, zEmail, "x", "Имя Фамилия", "citizen", 1, &id) == KG_OK);
  return id;
}

static struct kg_comment_new comment(int64_t discussionId, int64_t authorId) {
  struct kg_comment_new n = {0};
  n.discussionId = discussionId;
  n.authorId = authorId;
  n.zKind = "proposal";
  n.zBody = "Сохранить деревья";
  n.zBasis = "resident";
  n.zDisplayName = "Имя Ф.";
  n.bRateLimit = 1;
  return n;
}

/* One integer from constant SQL on p's connection; -1 on error. */
static int64_t q_int(struct kg_store *p, const char *zSql) {
  sqlite3_stmt *s = NULL;
  int64_t v = -1;
  if (sqlite3_prepare_v2(p->db, zSql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* ---- tests ---- */

/* the words stay whole: the index's tokenizer stems them (search.c) */
static void fts_query_folds_and_quotes_words(void) {
  static const struct {
    const char *zIn, *zWant;
  } a[] = {
      {"деревья", "\"деревья\"*"},
      {"ДЕРЕВЬЯМИ", "\"деревьями\"*"},
      {"ёлками", "\"елками\"*"},
      {"парк", "\"парк\"*"},
      {"Tree-lined, «аллея»", "\"tree\"* \"lined\"* \"аллея\"*"},
      {"\"*(NEAR", "\"near\"*"},
      {"дом", "\"дом\"*"},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    char *z = kg_store_comment_fts_query(a[i].zIn);
    CHECK(z && strcmp(z, a[i].zWant) == 0);
    if (!z || strcmp(z, a[i].zWant) != 0) fprintf(stderr, "  %s -> %s\n", a[i].zIn, z ? z : "NULL");
    free(z);
  }
  CHECK(kg_store_comment_fts_query(" ,.;") == NULL);
  CHECK(kg_store_comment_fts_query(NULL) == NULL);
}

static void registration_numbers_are_sequential_per_discussion(void) {
  struct kg_store *p = fresh();
  int64_t d1 = open_discussion(p), d2 = open_discussion(p), a = add_account(p, "a@x.org");
  char zNo[KG_REGNO_SIZE], zWant[KG_REGNO_SIZE];
  int64_t id = 0;
  for (int i = 1; i <= 3; i++) {
    struct kg_comment_new n = comment(d1, a);
    n.bRateLimit = 0;
    CHECK(kg_store_comment_insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
    snprintf(zWant, sizeof(zWant), "D-%lld/%04d", (long long)d1, i);
    CHECK(strcmp(zNo, zWant) == 0);
  }
  struct kg_comment_new n = comment(d2, a);
  CHECK(kg_store_comment_insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
  snprintf(zWant, sizeof(zWant), "D-%lld/0001", (long long)d2);
  CHECK(strcmp(zNo, zWant) == 0);
  /* official answers are not registered and do not take a number */
  n = comment(d1, a);
  n.bOfficial = 1;
  n.zBasis = NULL;
  CHECK(kg_store_comment_insert(p, &n, 100, &id, zNo, NULL) == KG_OK && zNo[0] == 0);
  struct kg_comment c;
  CHECK(kg_store_comment_get(p, id, &c) == KG_OK);
  CHECK(c.status == KG_CS_PUBLISHED && c.bOfficial && c.zRegNo == NULL);
  kg_comment_clear(&c);
  kg_store_close(p);
}

static void closed_discussion_and_rate_limit_refuse(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = add_account(p, "a@x.org"), retry = 0, id = 0;
  char zNo[KG_REGNO_SIZE];
  struct kg_comment_new n = comment(d, a);
  for (int i = 0; i < KG_COMMENT_RATE_MAX; i++)
    CHECK(kg_store_comment_insert(p, &n, 1000 + i, &id, zNo, &retry) == KG_OK);
  CHECK(kg_store_comment_insert(p, &n, 1020, &id, zNo, &retry) == KG_ELIMIT);
  CHECK(retry == 1000 + KG_COMMENT_RATE_WINDOW - 1020 && zNo[0] == 0);
  CHECK(kg_store_comment_insert(p, &n, 1000 + KG_COMMENT_RATE_WINDOW, &id, zNo, &retry) == KG_OK);
  /* the refused attempt took no number */
  char zWant[KG_REGNO_SIZE];
  snprintf(zWant, sizeof(zWant), "D-%lld/%04d", (long long)d, KG_COMMENT_RATE_MAX + 1);
  CHECK(strcmp(zNo, zWant) == 0);
  CHECK(kg_store_discussion_transition(p, d, KG_ST_CLOSED, 0, NULL, 10, NULL) == KG_OK);
  n.bRateLimit = 0;
  CHECK(kg_store_comment_insert(p, &n, 5000, &id, zNo, NULL) == KG_ECONFLICT);
  n.bOfficial = 1; /* answers still go in */
  CHECK(kg_store_comment_insert(p, &n, 5000, &id, zNo, NULL) == KG_OK);
  kg_store_close(p);
}

static void location_rule_allows_a_100_m_margin(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p);
  int bOk = -1;
  char zErr[200];
  CHECK(kg_store_comment_location_check(p, d, "POINT(49.12 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_OK &&
        bOk == 1);
  /* 0.0012 deg of longitude at 55.79N is about 75 m; 0.002 about 125 m */
  CHECK(kg_store_comment_location_check(p, d, "POINT(49.1242 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_OK &&
        bOk == 1);
  CHECK(kg_store_comment_location_check(p, d, "POINT(49.125 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_OK &&
        bOk == 0);
  CHECK(kg_store_comment_location_check(p, d, "LINESTRING(49.12 55.79,49.14 55.79)", 100, &bOk,
                                        zErr, sizeof(zErr)) == KG_OK &&
        bOk == 0);
  CHECK(kg_store_comment_location_check(
            p, d, "POLYGON((49.119 55.788,49.121 55.79,49.121 55.788,49.119 55.79,49.119 55.788))",
            100, &bOk, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(strstr(zErr, "Self-intersection") != NULL);
  CHECK(kg_store_comment_location_check(p, 999, "POINT(49.12 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_ENOTFOUND);
  int bIn = -1;
  CHECK(kg_store_comment_point_in_territory(p, d, 49.12, 55.79, &bIn) == KG_OK && bIn == 1);
  CHECK(kg_store_comment_point_in_territory(p, d, 49.13, 55.79, &bIn) == KG_OK && bIn == 0);
  kg_store_close(p);
}

static int count_row(void *pArg, const struct kg_comment *c) {
  (void)c;
  ++*(int *)pArg;
  return 0;
}

static int log_row(void *pArg, const struct kg_modlog_entry *e) {
  char *z = pArg;
  strcat(z, e->zAction);
  strcat(z, ";");
  return 0;
}

static void moderation_supports_lists_and_log(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = add_account(p, "a@x.org"), b = add_account(p, "b@x.org");
  int64_t m = add_account(p, "m@x.org"), id = 0, id2 = 0, nSup = 0;
  char zNo[KG_REGNO_SIZE], zLog[256] = "";
  struct kg_comment_new n = comment(d, a);
  CHECK(kg_store_comment_insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
  n.zBody = "Снести гаражи";
  CHECK(kg_store_comment_insert(p, &n, 100, &id2, zNo, NULL) == KG_OK);
  struct kg_comment_filter f = {0};
  int nRow = 0;
  f.discussionId = d;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 0);
  struct kg_comment_mail mail = {"a@x.org", "Тема", "Текст\n"};
  CHECK(kg_store_comment_moderate(p, id, 1, NULL, NULL, m, &mail, 200) == KG_OK);
  CHECK(kg_store_comment_moderate(p, id, 0, "duplicate", "Повтор", m, NULL, 200) == KG_ECONFLICT);
  CHECK(kg_store_comment_moderate(p, id2, 0, "offensive", NULL, m, NULL, 200) == KG_OK);
  CHECK(kg_store_comment_moderate(p, 999, 1, NULL, NULL, m, NULL, 200) == KG_ENOTFOUND);
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 1);
  f.statusMask = 1u << KG_CS_REJECTED;
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 1);
  f.statusMask = 0;
  f.zQuery = "деревьями";
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 1);
  f.zQuery = "гаражи"; /* rejected: not in the published list */
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 0);
  CHECK(kg_store_comment_support(p, id, b, 300, &nSup) == KG_OK && nSup == 1);
  CHECK(kg_store_comment_support(p, id, b, 300, &nSup) == KG_ECONFLICT);
  CHECK(kg_store_comment_withdraw(p, id, 400) == KG_ECONFLICT);
  struct kg_comment_edit e = {0};
  e.zBody = "x";
  CHECK(kg_store_comment_update(p, id, &e, 400) == KG_ECONFLICT);
  CHECK(kg_store_comment_update(p, 999, &e, 400) == KG_ENOTFOUND);
  CHECK(kg_store_modlog_list(p, 0, 10, log_row, zLog) == KG_OK);
  CHECK(strcmp(zLog, "comment.reject;comment.publish;") == 0);
  kg_store_close(p);
}

/* ---- group commit ---- */

#define GROUP_N 16
struct submitter {
  struct kg_store *p;
  struct kg_comment_new n;
  enum kg_err rc;
  char zNo[KG_REGNO_SIZE];
};
static void *submit(void *pArg) {
  struct submitter *s = pArg;
  int64_t id = 0;
  s->rc = kg_store_comment_insert(s->p, &s->n, 100, &id, s->zNo, NULL);
  return NULL;
}

static void group_commit_answers_each_proposal_after_one_commit(void) {
  char *zPath = kg_xasprintf("%s/group.sqlite", g_zDir);
  struct kg_store *p = NULL, *pLock = NULL;
  CHECK(kg_store_open(zPath, &p) == KG_OK && kg_store_migrate(p, NULL) == KG_OK);
  int64_t d = open_discussion(p), dClosed = open_discussion(p);
  CHECK(kg_store_discussion_transition(p, dClosed, KG_ST_CLOSED, 0, NULL, 10, NULL) == KG_OK);
  struct submitter a[GROUP_N];
  memset(a, 0, sizeof(a));
  for (int i = 0; i < GROUP_N; i++) {
    char zEmail[32];
    snprintf(zEmail, sizeof(zEmail), "g%d@x.org", i);
    /* every fourth goes to the closed discussion: refused in its savepoint */
    a[i].n = comment(i % 4 == 3 ? dClosed : d, add_account(p, zEmail));
    CHECK(kg_store_open(zPath, &a[i].p) == KG_OK);
  }
  /* another connection holds the write lock, so the writer's first group
   * waits in BEGIN IMMEDIATE while the rest queue up behind it */
  CHECK(kg_store_open(zPath, &pLock) == KG_OK && kg_store_begin(pLock) == KG_OK);
  CHECK(kg_store_writer_start(zPath) == KG_OK);
  pthread_t at[GROUP_N];
  for (int i = 0; i < GROUP_N; i++)
    CHECK(pthread_create(&at[i], NULL, submit, &a[i]) == 0);
  struct kg_store_writer_stats st = {0};
  for (int k = 0; k < 2000; k++) { /* up to 2 s, under the 5 s busy timeout */
    kg_store_writer_stats(&st);
    if (st.nQueued + st.nRunning == GROUP_N) break;
    usleep(1000);
  }
  CHECK(st.nQueued + st.nRunning == GROUP_N);
  kg_store_rollback(pLock);
  for (int i = 0; i < GROUP_N; i++)
    pthread_join(at[i], NULL);
  kg_store_writer_stats(&st);
  CHECK(st.nJob == GROUP_N && st.nGroup >= 1 && st.nGroup <= 2 && st.nQueued == 0);
  /* the accepted ones have the numbers 1..12 once each, durable; the
   * refused ones took none */
  int aSeen[GROUP_N + 1] = {0}, nOk = 0;
  for (int i = 0; i < GROUP_N; i++) {
    if (i % 4 == 3) {
      CHECK(a[i].rc == KG_ECONFLICT && a[i].zNo[0] == 0);
      continue;
    }
    CHECK(a[i].rc == KG_OK);
    long long dd = 0;
    int seq = 0;
    CHECK(sscanf(a[i].zNo, "D-%lld/%d", &dd, &seq) == 2 && dd == d && seq >= 1 && seq <= GROUP_N);
    if (seq >= 1 && seq <= GROUP_N) aSeen[seq]++;
    nOk++;
  }
  CHECK(nOk == GROUP_N * 3 / 4);
  for (int k = 1; k <= nOk; k++)
    CHECK(aSeen[k] == 1);
  /* the group's comments were indexed for full-text search by its commit
   * (one statement for all of them), and nothing is left queued */
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts_queue") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'деревья'") == nOk);
  kg_store_writer_stop();
  /* after stop, a proposal commits on its own connection */
  struct kg_comment_new n = comment(d, a[0].n.authorId);
  char zNo[KG_REGNO_SIZE];
  int64_t id = 0;
  CHECK(kg_store_comment_insert(a[0].p, &n, 200, &id, zNo, NULL) == KG_OK);
  char zWant[KG_REGNO_SIZE];
  snprintf(zWant, sizeof(zWant), "D-%lld/%04d", (long long)d, nOk + 1);
  CHECK(strcmp(zNo, zWant) == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts_queue") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'деревья'") ==
        nOk + 1);
  for (int i = 0; i < GROUP_N; i++)
    kg_store_close(a[i].p);
  kg_store_close(pLock);
  kg_store_close(p);
  free(zPath);
}

/* The async insert (what the HTTP handler uses): 300 proposals queued
 * while another connection holds the write lock make two groups (256 +
 * 44), every fourth refused (a closed discussion). The first group's 192
 * comments are fewer than the writer's full-text batch, so with jobs
 * waiting behind it the group leaves them queued and the second indexes
 * all: one FTS5 segment, nothing left queued. */
#define ASYNC_N 300
struct async_slot {
  struct kg_comment_new n;
  int64_t id;
  char zNo[KG_REGNO_SIZE];
  enum kg_err rc;
};
static atomic_int g_nAsyncDone;
static void async_done(void *pArg, enum kg_err rc) {
  ((struct async_slot *)pArg)->rc = rc;
  atomic_fetch_add(&g_nAsyncDone, 1);
}

static void async_inserts_share_one_full_text_flush_under_load(void) {
  char *zPath = kg_xasprintf("%s/async.sqlite", g_zDir);
  struct kg_store *p = NULL, *pLock = NULL, *pReq = NULL;
  CHECK(kg_store_open(zPath, &p) == KG_OK && kg_store_migrate(p, NULL) == KG_OK);
  int64_t d = open_discussion(p), dClosed = open_discussion(p);
  CHECK(kg_store_discussion_transition(p, dClosed, KG_ST_CLOSED, 0, NULL, 10, NULL) == KG_OK);
  struct async_slot *a = kg_xcalloc(ASYNC_N, sizeof(*a));
  for (int i = 0; i < ASYNC_N; i++) {
    char zEmail[32];
    snprintf(zEmail, sizeof(zEmail), "a%d@x.org", i);
    a[i].n = comment(i % 4 == 3 ? dClosed : d, add_account(p, zEmail));
  }
  CHECK(kg_store_open(zPath, &pReq) == KG_OK);
  CHECK(kg_store_open(zPath, &pLock) == KG_OK && kg_store_begin(pLock) == KG_OK);
  CHECK(kg_store_writer_start(zPath) == KG_OK);
  atomic_store(&g_nAsyncDone, 0);
  for (int i = 0; i < ASYNC_N; i++)
    kg_store_comment_insert_async(pReq, &a[i].n, 100, &a[i].id, a[i].zNo, NULL, async_done, &a[i]);
  struct kg_store_writer_stats st = {0};
  for (int k = 0; k < 2000; k++) {
    kg_store_writer_stats(&st);
    if (st.nQueued + st.nRunning == ASYNC_N) break;
    usleep(1000);
  }
  CHECK(st.nQueued + st.nRunning == ASYNC_N && atomic_load(&g_nAsyncDone) == 0);
  kg_store_rollback(pLock);
  for (int k = 0; k < 5000 && atomic_load(&g_nAsyncDone) < ASYNC_N; k++)
    usleep(1000);
  CHECK(atomic_load(&g_nAsyncDone) == ASYNC_N);
  kg_store_writer_stats(&st);
  CHECK(st.nGroup == 2 && st.nJob == ASYNC_N);
  int nOk = 0, nBad = 0;
  for (int i = 0; i < ASYNC_N; i++) {
    if (i % 4 == 3)
      nBad += a[i].rc != KG_ECONFLICT || a[i].zNo[0];
    else
      nOk += a[i].rc == KG_OK && a[i].id > 0 && a[i].zNo[0] == 'D';
  }
  CHECK(nOk == ASYNC_N * 3 / 4 && nBad == 0);
  CHECK(q_int(p, "SELECT count(DISTINCT registration_number) FROM comments") == nOk);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts_queue") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'деревья'") == nOk);
  CHECK(q_int(p, "SELECT count(DISTINCT segid) FROM comments_fts_idx") == 1);
  kg_store_writer_stop();
  kg_store_close(pLock);
  kg_store_close(pReq);
  kg_store_close(p);
  free(a);
  free(zPath);
}

/* The writer leaves checkpoints to the checkpointer thread (its own
 * connection), here at every 100 WAL frames: under a stream of proposals
 * (some 5 frames each) the WAL is copied back into the database and
 * started over, so it stays within twice that instead of growing with
 * every commit. */
#define CKPT_N 600
static void writer_wal_stays_bounded_under_a_stream_of_proposals(void) {
  char *zPath = kg_xasprintf("%s/ckpt.sqlite", g_zDir);
  char *zWal = kg_xasprintf("%s-wal", zPath);
  struct kg_store *p = NULL, *pReq = NULL;
  CHECK(kg_store_open(zPath, &p) == KG_OK && kg_store_migrate(p, NULL) == KG_OK);
  int64_t d = open_discussion(p), a = add_account(p, "w@x.org");
  CHECK(kg_store_open(zPath, &pReq) == KG_OK);
  /* the set-up's frames out of the way: the WAL file starts empty */
  CHECK(sqlite3_exec(p->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) == SQLITE_OK);
  CHECK(kg_store_writer_start_ex(zPath, 100) == KG_OK);
  int nOk = 0;
  for (int i = 0; i < CKPT_N; i++) {
    struct kg_comment_new n = comment(d, a);
    char zNo[KG_REGNO_SIZE];
    int64_t id = 0;
    n.bRateLimit = 0;
    nOk += kg_store_comment_insert(pReq, &n, 100 + i, &id, zNo, NULL) == KG_OK;
  }
  CHECK(nOk == CKPT_N);
  struct kg_store_writer_stats st = {0};
  kg_store_writer_stats(&st);
  CHECK(st.nGroup == CKPT_N); /* one at a time: a commit each, some 10 frames */
  struct stat sb;
  CHECK(stat(zWal, &sb) == 0);
  /* without a restart it would hold every frame: about 3,000 of 4 KiB */
  CHECK(sb.st_size < (off_t)300 * 4096);
  CHECK(q_int(p, "SELECT count(*) FROM comments") == CKPT_N);
  kg_store_writer_stop();
  kg_store_close(pReq);
  kg_store_close(p);
  free(zWal);
  free(zPath);
}

/* The spatial index follows a comment's location (migration 0009's
 * triggers, without SpatiaLite's RTreeAlign). */
static void spatial_index_follows_insert_edit_and_clear(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = add_account(p, "r@x.org"), id = 0;
  struct kg_comment_new n = comment(d, a);
  char zNo[KG_REGNO_SIZE];
  n.zLocationWkt = "POINT(49.1201 55.7901)";
  n.zLocationGeoJson = "{\"type\":\"Point\",\"coordinates\":[49.1201,55.7901]}";
  CHECK(kg_store_comment_insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
  char zSql[300];
  snprintf(zSql, sizeof(zSql),
           "SELECT count(*) FROM idx_comments_location WHERE pkid = %lld AND xmin <= 49.1201 "
           "AND xmax >= 49.1201 AND ymin <= 55.7901 AND ymax >= 55.7901",
           (long long)id);
  CHECK(q_int(p, zSql) == 1);
  struct kg_comment_edit e = {0};
  e.zLocationWkt = "POINT(49.1222 55.7911)";
  e.zLocationGeoJson = "{\"type\":\"Point\",\"coordinates\":[49.1222,55.7911]}";
  CHECK(kg_store_comment_update(p, id, &e, 101) == KG_OK);
  CHECK(q_int(p, zSql) == 0);
  snprintf(zSql, sizeof(zSql),
           "SELECT count(*) FROM idx_comments_location WHERE pkid = %lld AND xmin <= 49.1222 "
           "AND xmax >= 49.1222 AND ymin <= 55.7911 AND ymax >= 55.7911",
           (long long)id);
  CHECK(q_int(p, zSql) == 1);
  memset(&e, 0, sizeof(e));
  e.bClearLocation = 1;
  CHECK(kg_store_comment_update(p, id, &e, 102) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM idx_comments_location") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                 "tbl_name = 'comments' AND sql LIKE '%RTreeAlign%'") == 0);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(fts_query_folds_and_quotes_words);
  RUN(registration_numbers_are_sequential_per_discussion);
  RUN(closed_discussion_and_rate_limit_refuse);
  RUN(location_rule_allows_a_100_m_margin);
  RUN(moderation_supports_lists_and_log);
  RUN(group_commit_answers_each_proposal_after_one_commit);
  RUN(async_inserts_share_one_full_text_flush_under_load);
  RUN(spatial_index_follows_insert_edit_and_clear);
  RUN(writer_wal_stays_bounded_under_a_stream_of_proposals);
  return harness_end();
}

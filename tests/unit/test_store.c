/* test_store.c: unit tests for the store as a whole (src/store/store.c,
 * backup.c, stats.c) against real SpatiaLite files in a temporary
 * directory: opening, migrations, the connection pool, the statement cache,
 * commit hooks, the online backup and the counts across tables. Each
 * aggregate's own tests are in test_store_<aggregate>.c. Prints one line per
 * test and "N passed, M failed". */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_harness.h"
#include "../../src/store/store_int.h" /* the statement cache and commit hooks */

/* The tables, geometry columns and spatial indexes a migrated store has, in
 * each engine's catalogue: SQLite's sqlite_master and SpatiaLite's
 * geometry_columns with its R*Trees; PostgreSQL's pg_tables and PostGIS's
 * geometry_columns with GiST indexes of the same names. */
static void check_schema(struct kg_store *p) {
#define TABLES                                                                                     \
  "('accounts','sessions','project_kinds','projects','documents','discussions',"                   \
  "'exposition_places','discussion_events','moderation_log','comments','districts',"               \
  "'address_registry','parcels','discussions_fts')"
#define INDEXES                                                                                    \
  "('idx_discussions_territory','idx_comments_location','idx_districts_geometry',"                 \
  "'idx_address_registry_geometry','idx_parcels_geometry')"
  if (p->pPg) {
    CHECK(q_int(p, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename "
                   "IN " TABLES) == 14);
    CHECK(q_int(p, "SELECT count(*) FROM geometry_columns g JOIN pg_tables t ON t.schemaname = "
                   "g.f_table_schema AND t.tablename = g.f_table_name") >= 5);
    /* every geometry column of a table has its GiST index; open_comments'
     * geom is a plain BLOB in SQLite (its cells are its index, 0019) */
    CHECK(q_int(p, "SELECT count(*) FROM geometry_columns g JOIN pg_tables t ON t.schemaname = "
                   "g.f_table_schema AND t.tablename = g.f_table_name WHERE g.f_table_name <> "
                   "'open_comments' AND NOT EXISTS (SELECT 1 "
                   "FROM pg_indexes i WHERE i.schemaname = t.schemaname AND i.tablename = "
                   "t.tablename AND i.indexname = 'idx_' || g.f_table_name || '_' || "
                   "g.f_geometry_column AND i.indexdef LIKE '% USING gist (%')") == 0);
    CHECK(q_int(p, "SELECT count(*) FROM geometry_columns WHERE f_table_name='discussions' AND "
                   "f_geometry_column='territory' AND srid=4326 AND type='MULTIPOLYGON'") == 1);
    CHECK(q_int(p, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname "
                   "IN " INDEXES) == 5);
    /* what the store sets on its connection (SQLite: WAL and foreign keys,
     * which PostgreSQL always has unless replication turns triggers off) */
    CHECK(q_int(p, "SELECT count(*) FROM pg_settings WHERE (name = 'TimeZone' AND setting = "
                   "'UTC') OR (name = 'client_encoding' AND setting = 'UTF8') OR (name = "
                   "'session_replication_role' AND setting = 'origin')") == 3);
    return;
  }
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN " TABLES) ==
        14);
  /* every geometry column has a spatial index, and its R*Tree exists */
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns") >= 5);
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled <> 1") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns g WHERE NOT EXISTS (SELECT 1 FROM "
                 "sqlite_master m WHERE m.name = 'idx_' || g.f_table_name || '_' || "
                 "g.f_geometry_column)") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns WHERE f_table_name='discussions' AND "
                 "f_geometry_column='territory' AND srid=4326 AND geometry_type=6") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master WHERE name IN " INDEXES) == 5);
  CHECK(q_int(p, "SELECT journal_mode = 'wal' FROM pragma_journal_mode") == 1);
  CHECK(q_int(p, "PRAGMA foreign_keys") == 1);
#undef TABLES
#undef INDEXES
}

/* The schema's objects: SQLite's sqlite_master; PostgreSQL's relations,
 * functions and triggers of the schema public. */
static int64_t schema_objects(struct kg_store *p) {
  if (p->pPg)
    return q_int(p, "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE n.nspname = 'public') + (SELECT count(*) FROM pg_proc f "
                    "JOIN pg_namespace n ON n.oid = f.pronamespace WHERE n.nspname = 'public') + "
                    "(SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)");
  return q_int(p, "SELECT count(*) FROM sqlite_master");
}

static void migrate_new_file_creates_tables_and_spatial_indexes(void) {
  char *zPath = db_path();
  struct kg_store *p = NULL;
  int nVersion = -1;
  CHECK(kg_store_open(zPath, &p) == KG_OK);
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK);
  CHECK(nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
  check_schema(p);
  CHECK(q_int(p, "SELECT count(*) FROM project_kinds") == 7);
  struct kg_project_kind k;
  CHECK(kg_store_project_kind_get(p, "territory_planning", &k) == KG_OK);
  CHECK(k.nNoticeDays == 7 && k.nMinDays == 14 && k.nMaxDays == 30);
  CHECK(strcmp(k.zTitleRu, "Проект планировки территории") == 0);
  CHECK(kg_store_project_kind_get(p, "nope", &k) == KG_ENOTFOUND);
  CHECK(kg_store_project_kind_exists(p, "deviation_permit") == 1);
  CHECK(kg_store_project_kind_exists(p, "Deviation_permit") == 0);
  CHECK(kg_store_health(p) == KG_OK);
  kg_store_close(p);
  free(zPath);
}

static void migrate_twice_is_a_noop(void) {
  char *zPath = db_path();
  struct kg_store *p = NULL;
  int nVersion = -1;
  CHECK(kg_store_open(zPath, &p) == KG_OK);
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK &&
        nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
  int64_t nObjects = schema_objects(p);
  CHECK(nObjects > 100);
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK &&
        nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
  CHECK(schema_objects(p) == nObjects);
  kg_store_close(p);
  /* and from another connection */
  CHECK(kg_store_open(zPath, &p) == KG_OK);
  CHECK(kg_store_migrate(p, NULL) == KG_OK);
  CHECK(schema_objects(p) == nObjects);
  CHECK(q_int(p, "SELECT count(*) FROM project_kinds") == 7);
  kg_store_close(p);
  free(zPath);
}

static void backup_produces_a_file_with_the_same_rows(void) {
  struct kg_store *p = fresh(), *q = NULL;
  int64_t proj = add_project(p, "P", "general_plan", "");
  add_square_discussion(p, proj, "A", 1, 1, 1000, 2000);
  add_square_discussion(p, proj, "B", 2, 2, 1000, 2000);
  if (p->pPg) {
    /* the online backup is SQLite's page copy: a PostgreSQL database is
     * copied with pg_dump or a base backup, so it is refused, no file is
     * written and the database stays as it was */
    char *zFile = kg_xasprintf("%s/pg_backup.sqlite", g_zDir);
    CHECK(kg_store_backup(p, zFile) == KG_EINVAL);
    CHECK(access(zFile, F_OK) != 0);
    CHECK(q_int(p, "SELECT count(*) FROM discussions") == 2);
    free(zFile);
    kg_store_close(p);
    return;
  }
  char *zTo = db_path();
  CHECK(kg_store_backup(p, zTo) == KG_OK);
  CHECK(kg_store_backup(p, zTo) == KG_ECONFLICT);
  CHECK(kg_store_open(zTo, &q) == KG_OK);
  if (q) {
    int nVersion = 0;
    CHECK(kg_store_migrate(q, &nVersion) == KG_OK &&
          nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
    CHECK(q_int(q, "SELECT count(*) FROM discussions") == 2);
    CHECK(q_int(q, "SELECT count(*) FROM projects") == 1);
    CHECK(q_int(q, "SELECT count(*) FROM discussions_fts WHERE discussions_fts MATCH 'a'") == 1);
    struct kg_discussion_filter f = {0};
    struct id_list c;
    f.nLimit = 50;
    f.bBbox = 1;
    f.bbox[0] = 0.5;
    f.bbox[1] = 0.5;
    f.bbox[2] = 1.5;
    f.bbox[3] = 1.5;
    CHECK(list_count(q, &f, &c) == 1);
    kg_store_close(q);
  }
  char *zBad = kg_xasprintf("%s/no/such/dir.sqlite", g_zDir);
  CHECK(kg_store_backup(p, zBad) == KG_EIO);
  free(zBad);
  free(zTo);
  kg_store_close(p);
}

static void stats_counts(void) {
  struct kg_store *p = fresh();
  struct kg_stats st;
  int64_t proj = add_project(p, "P", "general_plan", "");
  add_project(p, "P2", "general_plan", "");
  int64_t a = add_square_discussion(p, proj, "A", 1, 1, 1000, 2000);
  add_square_discussion(p, proj, "B", 2, 2, 1000, 2000);
  int64_t u1 = 0, u2 = 0;
  CHECK(kg_store_account_insert(p, "u1@example.org", "h", "U1", "citizen", 1, &u1) == KG_OK);
  CHECK(kg_store_account_insert(p, "u2@example.org", "h", "U2", "citizen", 1, &u2) == KG_OK);
  CHECK(kg_store_discussion_transition(p, a, KG_ST_CANCELLED, 0, NULL, 5, NULL) == KG_OK);
  char *zSql = kg_xasprintf(
      "INSERT INTO comments (discussion_id, author_id, kind, body, status, created_at, "
      "updated_at, location) VALUES "
      "(%lld, %lld, 'proposal', 'x', 'published', 1, 1, GeomFromText('POINT(1 1)', 4326)),"
      "(%lld, %lld, 'remark', 'y', 'published', 1, 1, NULL),"
      "(%lld, %lld, 'question', 'z', 'pending', 1, 1, NULL)",
      (long long)a, (long long)u1, (long long)a, (long long)u1, (long long)a, (long long)u2);
  CHECK(exec_ok(p, zSql));
  free(zSql);
  CHECK(kg_store_stats(p, &st) == KG_OK);
  CHECK(st.nDiscussions == 2 && st.aDiscussions[KG_ST_DRAFT] == 1 &&
        st.aDiscussions[KG_ST_CANCELLED] == 1 && st.aDiscussions[KG_ST_OPEN] == 0);
  CHECK(st.nProjects == 2 && st.nComments == 2 && st.nParticipants == 2);
  kg_store_close(p);
}

static void *pool_worker(void *pArg) {
  struct kg_store **pp = pArg;
  pp[0] = kg_store_thread();
  pp[1] = kg_store_thread(); /* the same connection again */
  if (pp[0]) kg_store_health(pp[0]);
  return NULL;
}

static void pool_gives_each_thread_its_connection(void) {
  char *zPath = db_path();
  struct kg_store *aT[2] = {0}, *pMain;
  pthread_t t;
  CHECK(kg_store_thread() == NULL); /* before init */
  kg_store_pool_init(zPath);
  pMain = kg_store_thread();
  CHECK(pMain != NULL && pMain == kg_store_thread());
  CHECK(pMain && kg_store_migrate(pMain, NULL) == KG_OK);
  if (pMain && pMain->pPg) /* no page cache per connection: the server's is shared */
    CHECK(q_int(pMain, "SELECT count(*) FROM project_kinds") == 7);
  else
    CHECK(pMain && q_int(pMain, "PRAGMA cache_size") == -2048); /* KiB, not SQLite's 2000 */
  CHECK(pthread_create(&t, NULL, pool_worker, aT) == 0);
  pthread_join(t, NULL); /* its connection is closed by the key's destructor */
  CHECK(aT[0] != NULL && aT[0] == aT[1] && aT[0] != pMain);
  kg_store_pool_shutdown(); /* closes the main thread's */
  CHECK(kg_store_thread() == NULL);
  free(zPath);
}

/* kg_store_open turns SQLite's memory statistics off before the first
 * connection (they take a process-wide mutex on every allocation): the
 * counter then never moves, however much the connections allocate. */
static void open_turns_off_sqlite_memory_statistics(void) {
  struct kg_store *p = fresh();
  if (p->pPg) /* no SQLite behind a PostgreSQL store: nothing allocated through it */
    CHECK(!p->db && q_int(p, "SELECT count(*) FROM pg_class") > 0);
  else
    CHECK(q_int(p, "SELECT count(*) FROM sqlite_master") > 0);
  CHECK(sqlite3_memory_used() == 0);
  kg_store_close(p);
}

static void open_fails_cleanly_on_a_bad_path(void) {
  struct kg_store *p = (struct kg_store *)1;
  char *zBad = kg_xasprintf("%s/missing/dir/x.sqlite", g_zDir);
  CHECK(kg_store_open(zBad, &p) == KG_EDB && p == NULL);
  free(zBad);
  const char *zUrl = getenv("KG_TEST_PG_URL");
  if (zUrl) { /* and a database the cluster does not have */
    zBad = kg_xasprintf("%s/kg_no_such_database", zUrl);
    p = (struct kg_store *)1;
    CHECK(kg_store_open(zBad, &p) == KG_EDB && p == NULL);
    free(zBad);
  }
}

/* ---- the statement cache and commit hooks (src/store/store.c) ---- */

static void sql_cache_gives_the_same_statement_and_a_fresh_one_when_busy(void) {
  struct kg_store *p = fresh();
  struct kg_db_stmt *s1 = NULL, *s2 = NULL, *s3 = NULL;
  char zCopy[64];
  CHECK(kg_store_sql_prepare(p, "SELECT 1 UNION ALL SELECT 2", &s1) == KG_OK && s1);
  kg_store_sql_done(p, s1);
  /* the same text, from another buffer: the same statement */
  snprintf(zCopy, sizeof(zCopy), "%s", "SELECT 1 UNION ALL SELECT 2");
  CHECK(kg_store_sql_prepare(p, zCopy, &s2) == KG_OK && s2 == s1);
  /* in use (stepped, not reset): a fresh one, finalized when handed back */
  CHECK(kg_store_sql_row(p, s2, "test") == KG_OK);
  CHECK(kg_store_sql_prepare(p, zCopy, &s3) == KG_OK && s3 && s3 != s1);
  CHECK(kg_store_sql_row(p, s3, "test") == KG_OK && kg_db_col_int(s3, 0) == 1);
  kg_store_sql_done(p, s3);
  CHECK(p->nLoose == 0);
  kg_store_sql_done(p, s2);
  /* handed back: the cached one again, reset */
  CHECK(kg_store_sql_prepare(p, zCopy, &s3) == KG_OK && s3 == s1 &&
        !(s3->pLite ? sqlite3_stmt_busy(s3->pLite) : kg_pg_busy(s3->pPg)));
  kg_store_sql_done(p, s3);
  /* other texts get other statements; a full cache prepares them for one use */
  int nBefore = p->nSql, nLoose = 0;
  for (int i = 0; p->nSql < KG_STORE_SQL_MAX + 1 && i < 2 * KG_STORE_SQL_MAX; i++) {
    char zSql[48];
    snprintf(zSql, sizeof(zSql), "SELECT %d", i);
    CHECK(kg_store_sql_prepare(p, zSql, &s3) == KG_OK && s3 && s3 != s1);
    nLoose += p->nLoose;
    kg_store_sql_done(p, s3);
  }
  CHECK(nBefore < KG_STORE_SQL_MAX && p->nSql == KG_STORE_SQL_MAX && nLoose > 0);
  CHECK(kg_store_sql_prepare(p, zCopy, &s3) == KG_OK && s3 == s1); /* never evicted */
  kg_store_sql_done(p, s3);
  kg_store_close(p);
}

static int g_aHookSeen[3];
static enum kg_err g_hookRc;
static enum kg_err count_hook(struct kg_store *p, enum kg_store_tx_event e) {
  (void)p;
  g_aHookSeen[e]++;
  return e == KG_STORE_TX_COMMIT ? g_hookRc : KG_OK;
}

static void commit_hooks_run_once_per_outer_transaction_and_may_refuse(void) {
  struct kg_store *p = fresh();
  struct kg_store_tx tx, txInner;
  enum kg_err rc = KG_OK;
  kg_store_commit_hook_add(p, count_hook);
  CHECK(kg_store_tx_begin(p, &tx) == KG_OK && kg_store_tx_begin(p, &txInner) == KG_OK);
  CHECK(txInner.bSavepoint && !tx.bSavepoint);
  CHECK(kg_store_tx_end(p, &txInner, 1) == KG_OK && g_aHookSeen[KG_STORE_TX_COMMIT] == 0);
  kg_store_tx_finish(p, &tx, &rc);
  CHECK(rc == KG_OK && g_aHookSeen[KG_STORE_TX_COMMIT] == 1);
  CHECK(g_aHookSeen[KG_STORE_TX_COMMITTED] == 1 && g_aHookSeen[KG_STORE_TX_ROLLBACK] == 0);
  /* a hook's error rolls the transaction back */
  g_hookRc = KG_EDB;
  CHECK(exec_ok(p, "CREATE TABLE hook_probe (x integer)"));
  CHECK(kg_store_begin(p) == KG_OK && kg_db_in_tx(p));
  CHECK(exec_ok(p, "INSERT INTO hook_probe VALUES (1)"));
  CHECK(kg_store_commit(p) == KG_EDB && !kg_db_in_tx(p));
  CHECK(g_aHookSeen[KG_STORE_TX_ROLLBACK] == 1 && g_aHookSeen[KG_STORE_TX_COMMITTED] == 1);
  CHECK(q_int(p, "SELECT count(*) FROM hook_probe") == 0);
  /* a read transaction runs none */
  g_hookRc = KG_OK;
  CHECK(kg_store_tx_begin_read(p, &tx) == KG_OK && kg_store_tx_end(p, &tx, 1) == KG_OK);
  CHECK(g_aHookSeen[KG_STORE_TX_COMMIT] == 2 && g_aHookSeen[KG_STORE_TX_COMMITTED] == 1);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(sql_cache_gives_the_same_statement_and_a_fresh_one_when_busy);
  RUN(commit_hooks_run_once_per_outer_transaction_and_may_refuse);
  RUN(open_turns_off_sqlite_memory_statistics);
  RUN(migrate_new_file_creates_tables_and_spatial_indexes);
  RUN(migrate_twice_is_a_noop);
  RUN(backup_produces_a_file_with_the_same_rows);
  RUN(stats_counts);
  RUN(pool_gives_each_thread_its_connection);
  RUN(open_fails_cleanly_on_a_bad_path);
  return harness_end();
}

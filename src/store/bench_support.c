/* bench_support.c: what the benchmark data generator (bench/gen-city.c)
 * needs from the store beyond the application's API: a bulk-load mode and
 * a bulk insert of published comments. Linked into bench-gen-city only,
 * never into the server. */
#include <stdio.h>

#include "bench_support.h"
#include "submit_int.h"

static enum kg_err exec(struct kg_store *p, const char *zSql) {
  char *zErr = NULL;
  if (sqlite3_exec(p->db, zSql, NULL, NULL, &zErr) != SQLITE_OK) {
    kg_log_error("store bench err=\"%s\"", zErr ? zErr : "?");
    sqlite3_free(zErr);
    return KG_EDB;
  }
  return KG_OK;
}

/* The secondary indexes of comments and moderation_log (not those behind
 * constraints), saved while the bulk load runs without them, and the
 * spatial-index triggers of comments (migration 0009's), which
 * CreateSpatialIndex replaces with SpatiaLite's own. */
static char *g_zIndexSql;

static int save_index(void *pArg, int nCol, char **azVal, char **azCol) {
  (void)pArg;
  (void)azCol;
  if (nCol < 1 || !azVal[0]) return 0;
  char *z = sqlite3_mprintf("%s%s;\n", g_zIndexSql ? g_zIndexSql : "", azVal[0]);
  sqlite3_free(g_zIndexSql);
  g_zIndexSql = z;
  return 0;
}

enum kg_err kg_store_bench_bulk(struct kg_store *p, int bOn) {
  enum kg_err rc;
  char *zErr = NULL;
  if (bOn) {
    /* Fast and not durable (a failed load is simply made again). The
     * indexes are built once at the end, sorted, instead of row by row;
     * the spatial index of comments too (its triggers run SQL text for
     * every row). */
    if ((rc = exec(p, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
                      "PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY;")))
      return rc;
    sqlite3_free(g_zIndexSql);
    g_zIndexSql = NULL;
    if (sqlite3_exec(p->db,
                     "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                     "AND tbl_name IN ('comments', 'moderation_log') UNION ALL "
                     "SELECT 'DROP TRIGGER IF EXISTS \"' || name || '\"; ' || sql FROM "
                     "sqlite_master WHERE type = 'trigger' AND name IN "
                     "('gii_comments_location', 'giu_comments_location')",
                     save_index, NULL, &zErr) != SQLITE_OK) {
      kg_log_error("store bench err=\"%s\"", zErr ? zErr : "?");
      sqlite3_free(zErr);
      return KG_EDB;
    }
    char *zDrop = sqlite3_mprintf(
        "SELECT group_concat('DROP INDEX \"' || name || '\"', ';') FROM sqlite_master WHERE "
        "type = 'index' AND sql IS NOT NULL AND tbl_name IN ('comments', 'moderation_log')");
    struct kg_db_stmt *s = NULL;
    char *zDo = NULL;
    if (kg_store_sql_prepare(p, zDrop, &s) == KG_OK &&
        kg_store_sql_one(p, s, "bench indexes") == KG_OK && kg_db_col_text(s, 0))
      zDo = sqlite3_mprintf("%s", kg_db_col_text(s, 0));
    kg_store_sql_done(p, s);
    sqlite3_free(zDrop);
    rc = zDo ? exec(p, zDo) : KG_OK;
    sqlite3_free(zDo);
    if (rc) return rc;
    return exec(p, "SELECT DisableSpatialIndex('comments', 'location');"
                   "DROP TABLE IF EXISTS idx_comments_location");
  }
  struct kg_store_tx tx;
  if ((rc = kg_store_tx_begin(p, &tx))) return rc;
  rc = exec(p, "SELECT CreateSpatialIndex('comments', 'location')");
  if (rc == KG_OK && g_zIndexSql) rc = exec(p, g_zIndexSql);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc) return rc;
  sqlite3_free(g_zIndexSql);
  g_zIndexSql = NULL;
  return exec(p, "PRAGMA journal_mode=WAL; PRAGMA synchronous=" KG_STORE_SYNCHRONOUS ";"
                 "PRAGMA cache_size=-2000;");
}

/* Stages comment c (at), numbered as kg_store_comment_submit numbers it,
 * in temp.bench_rows (KG_ECONFLICT when its discussion is not open, the
 * rule kg_store_comment_submit applies). */
static enum kg_err bench_stage_row(struct kg_store *p, const struct kg_comment_new *c, int64_t at) {
  struct kg_db_stmt *s = NULL;
  char zRegNo[KG_REGNO_SIZE];
  int64_t seq = 0;
  enum kg_err rc = kg_store_comment_accepts(p, c->discussionId, 0);
  if (rc == KG_ENOTFOUND) rc = KG_ECONFLICT;
  if (rc || (rc = kg_store_comment_number(p, c->discussionId, &seq, zRegNo)) != KG_OK) return rc;
  rc = kg_store_sql_prepare(
      p, "INSERT INTO temp.bench_rows VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, c->discussionId);
  kg_store_bind_id(s, 2, c->authorId);
  kg_store_bind_text(s, 3, zRegNo);
  kg_store_bind_text(s, 4, c->zKind);
  kg_store_bind_text(s, 5, c->zBody);
  kg_store_bind_text(s, 6, c->zBasis);
  kg_db_bind_i64(s, 7, at);
  kg_store_bind_text(s, 8, c->zDisplayName ? c->zDisplayName : "");
  kg_store_bind_text(s, 9, c->zLocationWkt ? c->zLocationGeoJson : NULL);
  kg_db_bind_i64(s, 10, seq);
  kg_store_bind_text(s, 11, c->zLocationWkt);
  return kg_store_sql_run(p, s, "bench comment row");
}

enum kg_err kg_store_bench_comments_published(struct kg_store *p, const struct kg_comment_new *aIn,
                                              const int64_t *aAt, int n, int64_t moderatorId) {
  struct kg_db_stmt *s = NULL;
  int64_t lastId = 0;
  enum kg_err rc = KG_OK;
  /* Rows go to a temporary table first and into comments with one
   * statement: a statement writing to comments runs in a statement
   * savepoint (triggers), and every savepoint makes FTS5 (SQLite 3.40)
   * flush its pending terms as a new segment, so one statement per row
   * costs a segment per row. */
  if ((rc = exec(p, "CREATE TEMP TABLE IF NOT EXISTS bench_rows (discussion_id INTEGER, "
                    "author_id INTEGER, registration_number TEXT, kind TEXT, body TEXT, "
                    "basis TEXT, at INTEGER, display_name TEXT, geojson TEXT, seq INTEGER, "
                    "wkt TEXT); DELETE FROM temp.bench_rows")))
    return rc;
  for (int i = 0; i < n && rc == KG_OK; i++)
    rc = bench_stage_row(p, &aIn[i], aAt[i]);
  if (rc || (rc = kg_store_sql_prepare(p, "SELECT coalesce(max(id), 0) FROM comments", &s)))
    return rc;
  if ((rc = kg_store_sql_one(p, s, "bench comments max")) == KG_OK) lastId = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  if (rc || (rc = kg_store_sql_prepare(
                 p,
                 "INSERT INTO comments (discussion_id, author_id, registration_number, kind, "
                 "channel, body, status, basis, created_at, updated_at, official, display_name, "
                 "location_geojson, seq, moderated_by, moderated_at, location) SELECT "
                 "discussion_id, author_id, registration_number, kind, 'online', body, "
                 "'published', basis, at, at, 0, display_name, geojson, seq, ?1, at, "
                 "GeomFromText(wkt, 4326) FROM temp.bench_rows ORDER BY rowid",
                 &s)))
    return rc;
  kg_store_bind_id(s, 1, moderatorId);
  if ((rc = kg_store_sql_run(p, s, "bench comments insert"))) return rc;
  p->nFtsTx += n; /* indexed for full-text search at the caller's commit */
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO moderation_log (actor_id, action, target_type, "
                          "target_id, reason, at) SELECT ?1, 'comment.publish', "
                          "'comment', id, NULL, created_at FROM comments WHERE id > ?2 "
                          "ORDER BY id",
                          "ni", moderatorId, lastId);
  if (rc) return rc;
  return kg_store_sql_run(p, s, "bench comments log");
}

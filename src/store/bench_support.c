/* bench_support.c: what the benchmark data generator (bench/gen-city.c)
 * needs from the store beyond the application's API: a bulk-load mode and
 * a bulk insert of published comments. Linked into bench-gen-city only,
 * never into the server. */
#include <stdio.h>

#include "bench_support.h"
#include "store_int.h"

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
    sqlite3_stmt *s = NULL;
    char *zDo = NULL;
    if (sqlite3_prepare_v2(p->db, zDrop, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      zDo = sqlite3_mprintf("%s", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_free(zDrop);
    rc = zDo ? exec(p, zDo) : KG_OK;
    sqlite3_free(zDo);
    if (rc) return rc;
    return exec(p, "SELECT DisableSpatialIndex('comments', 'location');"
                   "DROP TABLE IF EXISTS idx_comments_location");
  }
  if ((rc = exec(p, "BEGIN IMMEDIATE"))) return rc;
  rc = exec(p, "SELECT CreateSpatialIndex('comments', 'location')");
  if (rc == KG_OK && g_zIndexSql) rc = exec(p, g_zIndexSql);
  if (rc == KG_OK) rc = exec(p, "COMMIT");
  if (rc) {
    exec(p, "ROLLBACK");
    return rc;
  }
  sqlite3_free(g_zIndexSql);
  g_zIndexSql = NULL;
  return exec(p, "PRAGMA journal_mode=WAL; PRAGMA synchronous=" KG_STORE_SYNCHRONOUS ";"
                 "PRAGMA cache_size=-2000;");
}

enum kg_err kg_store_bench_comments_published(struct kg_store *p, const struct kg_comment_new *aIn,
                                              const int64_t *aAt, int n, int64_t moderatorId) {
  sqlite3_stmt *sSeq = NULL, *sRow = NULL, *sCopy = NULL, *sLog = NULL;
  enum kg_err rc = KG_OK;
  int src;
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
  if ((rc = kg_store_sql_prepare(p,
                                 "UPDATE discussions SET comment_seq = comment_seq + 1 "
                                 "WHERE id = ?1 AND status = 'open' RETURNING comment_seq",
                                 &sSeq)) ||
      (rc = kg_store_sql_prepare(p,
                                 "INSERT INTO temp.bench_rows VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                 "?7, ?8, ?9, ?10, ?11)",
                                 &sRow)) ||
      (rc = kg_store_sql_prepare(
           p,
           "INSERT INTO comments (discussion_id, author_id, registration_number, kind, "
           "channel, body, status, basis, created_at, updated_at, official, display_name, "
           "location_geojson, seq, moderated_by, moderated_at, location) SELECT "
           "discussion_id, author_id, registration_number, kind, 'online', body, "
           "'published', basis, at, at, 0, display_name, geojson, seq, ?1, at, "
           "GeomFromText(wkt, 4326) FROM temp.bench_rows ORDER BY rowid",
           &sCopy)) ||
      (rc = kg_store_sql_prepare(p,
                                 "INSERT INTO moderation_log (actor_id, action, target_type, "
                                 "target_id, reason, at) SELECT ?1, 'comment.publish', "
                                 "'comment', id, NULL, created_at FROM comments WHERE id > ?2 "
                                 "ORDER BY id",
                                 &sLog)))
    goto out;
  for (int i = 0; i < n; i++) {
    const struct kg_comment_new *c = &aIn[i];
    char zRegNo[KG_REGNO_SIZE];
    int64_t seq = 0;
    sqlite3_bind_int64(sSeq, 1, c->discussionId);
    src = sqlite3_step(sSeq);
    if (src == SQLITE_ROW) seq = sqlite3_column_int64(sSeq, 0);
    while (src == SQLITE_ROW)
      src = sqlite3_step(sSeq);
    sqlite3_reset(sSeq);
    if (src != SQLITE_DONE) {
      rc = kg_store_dberr(p, src, "bench comment sequence");
      goto out;
    }
    if (!seq) {
      rc = KG_ECONFLICT; /* no such discussion, or not open */
      goto out;
    }
    snprintf(zRegNo, sizeof(zRegNo), "D-%lld/%04lld", (long long)c->discussionId, (long long)seq);
    sqlite3_bind_int64(sRow, 1, c->discussionId);
    kg_store_bind_id(sRow, 2, c->authorId);
    kg_store_bind_text(sRow, 3, zRegNo);
    kg_store_bind_text(sRow, 4, c->zKind);
    kg_store_bind_text(sRow, 5, c->zBody);
    kg_store_bind_text(sRow, 6, c->zBasis);
    sqlite3_bind_int64(sRow, 7, aAt[i]);
    kg_store_bind_text(sRow, 8, c->zDisplayName ? c->zDisplayName : "");
    kg_store_bind_text(sRow, 9, c->zLocationWkt ? c->zLocationGeoJson : NULL);
    sqlite3_bind_int64(sRow, 10, seq);
    kg_store_bind_text(sRow, 11, c->zLocationWkt);
    src = sqlite3_step(sRow);
    sqlite3_reset(sRow);
    if (src != SQLITE_DONE) {
      rc = kg_store_dberr(p, src, "bench comment row");
      goto out;
    }
  }
  int64_t lastId = 0;
  {
    sqlite3_stmt *sMax = NULL;
    if ((rc = kg_store_sql_prepare(p, "SELECT coalesce(max(id), 0) FROM comments", &sMax)))
      goto out;
    if (sqlite3_step(sMax) == SQLITE_ROW) lastId = sqlite3_column_int64(sMax, 0);
    kg_store_sql_done(p, sMax);
  }
  kg_store_bind_id(sCopy, 1, moderatorId);
  src = sqlite3_step(sCopy);
  sqlite3_reset(sCopy);
  if (src != SQLITE_DONE) {
    rc = kg_store_dberr(p, src, "bench comments insert");
    goto out;
  }
  p->nFtsTx += n; /* indexed for full-text search at the caller's commit */
  kg_store_bind_id(sLog, 1, moderatorId);
  sqlite3_bind_int64(sLog, 2, lastId);
  src = sqlite3_step(sLog);
  sqlite3_reset(sLog);
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "bench comments log");
out:
  kg_store_sql_done(p, sSeq);
  kg_store_sql_done(p, sRow);
  kg_store_sql_done(p, sCopy);
  kg_store_sql_done(p, sLog);
  return rc;
}

/* round.c: running a round from the console — the moderator's approval of a
 * draft's notice (the schedule then publishes it, see
 * kg_store_discussion_advance_due) and the department-wide list of reasons
 * offered by the conclusion editor. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

enum kg_err kg_store_discussion_schedule(struct kg_store *p, int64_t id, int bSchedule,
                                         int64_t actorId, int64_t tNow) {
  sqlite3_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  enum kg_status st;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  if ((rc = kg_store_discussion_status(p, id, &st, NULL)) != KG_OK) goto out;
  if (st != KG_ST_DRAFT) {
    rc = KG_ECONFLICT;
    goto out;
  }
  rc = kg_store_sql_prepare(p,
                            "UPDATE discussions SET scheduled_at = ?2, scheduled_by = ?3, "
                            "updated_at = ?4 WHERE id = ?1 AND status = 'draft'",
                            &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, id);
  kg_store_bind_id(s, 2, bSchedule ? tNow : 0);
  kg_store_bind_id(s, 3, bSchedule ? actorId : 0);
  sqlite3_bind_int64(s, 4, tNow);
  rc = kg_store_sql_run(p, s, "discussion schedule");
  s = NULL;
  if (rc) goto out;
  rc = kg_store_modlog_insert(p, actorId,
                              bSchedule ? "discussion.schedule" : "discussion.unschedule",
                              "discussion", id, NULL, tNow);
out:
  if (s) kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_discussion_scheduled(struct kg_store *p, int64_t id, int64_t *pAt,
                                          int64_t *pBy) {
  sqlite3_stmt *s = NULL;
  *pAt = 0;
  if (pBy) *pBy = 0;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT scheduled_at, scheduled_by FROM discussions WHERE id = ?1", &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, id);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    *pAt = sqlite3_column_int64(s, 0);
    if (pBy) *pBy = sqlite3_column_int64(s, 1);
  } else if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
  } else {
    rc = kg_store_dberr(p, src, "discussion scheduled");
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- the reasons list ---- */

enum kg_err kg_store_reason_list(struct kg_store *p,
                                 int (*xRow)(void *pArg, int64_t id, const char *zText),
                                 void *pArg) {
  sqlite3_stmt *s = NULL;
  int src;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT id, text FROM conclusion_reasons ORDER BY text COLLATE NOCASE, id LIMIT 1000", &s);
  if (rc) return rc;
  while ((src = sqlite3_step(s)) == SQLITE_ROW)
    if (xRow(pArg, sqlite3_column_int64(s, 0), kg_store_col_text(s, 1))) goto out;
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "reason list");
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_reason_add(struct kg_store *p, const char *zText, int64_t actorId,
                                int64_t tNow, int64_t *pId, int *pbCreated) {
  sqlite3_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  int src;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  *pId = 0;
  *pbCreated = 0;
  if (rc) goto out;
  rc = kg_store_sql_prepare(p, "SELECT id FROM conclusion_reasons WHERE text = ?1", &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, zText);
  src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    *pId = sqlite3_column_int64(s, 0);
  else if (src != SQLITE_DONE)
    rc = kg_store_dberr(p, src, "reason find");
  kg_store_sql_done(p, s);
  s = NULL;
  if (rc || *pId) goto out;
  rc = kg_store_sql_prepare(p,
                            "INSERT INTO conclusion_reasons (text, created_by, created_at) "
                            "VALUES (?1, ?2, ?3)",
                            &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, zText);
  kg_store_bind_id(s, 2, actorId);
  sqlite3_bind_int64(s, 3, tNow);
  rc = kg_store_sql_run(p, s, "reason insert");
  s = NULL;
  if (rc) goto out;
  *pId = sqlite3_last_insert_rowid(p->db);
  *pbCreated = 1;
  rc = kg_store_modlog_insert(p, actorId, "conclusion.reason", "reason", *pId, NULL, tNow);
out:
  if (s) kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

/* ---- right holders entered by a moderator ---- */

enum kg_err kg_store_parcel_in_territory(struct kg_store *p, int64_t id, const char *zCadastral,
                                         int *pbFound, int *pbInside) {
  sqlite3_stmt *s = NULL;
  *pbFound = *pbInside = 0;
  /* the spatial index first, then the exact test */
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT coalesce((SELECT ST_Intersects(pa.geometry, d.territory) FROM discussions d "
      "WHERE d.id = ?1 AND d.id IN (SELECT pkid FROM idx_discussions_territory WHERE "
      "xmin <= MbrMaxX(pa.geometry) AND xmax >= MbrMinX(pa.geometry) AND "
      "ymin <= MbrMaxY(pa.geometry) AND ymax >= MbrMinY(pa.geometry))), 0) "
      "FROM parcels pa WHERE pa.cadastral_number = ?2",
      &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, id);
  kg_store_bind_text(s, 2, zCadastral);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    *pbFound = 1;
    *pbInside = sqlite3_column_int(s, 0) == 1;
  } else if (src != SQLITE_DONE) {
    rc = kg_store_dberr(p, src, "parcel in territory");
  }
  kg_store_sql_done(p, s);
  return rc;
}

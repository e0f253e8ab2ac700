/* round.c: running a round from the console — the moderator's approval of a
 * draft's notice (the schedule then publishes it, see
 * kg_store_discussion_advance_due) and the department-wide list of reasons
 * offered by the conclusion editor. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

enum kg_err kg_store_discussion_schedule(struct kg_store *p, int64_t id, int bSchedule,
                                         int64_t actorId, int64_t tNow) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  enum kg_status st;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  if ((rc = kg_store_discussion_status(p, id, &st, NULL)) != KG_OK) goto out;
  if (st != KG_ST_DRAFT) {
    rc = KG_ECONFLICT;
    goto out;
  }
  rc = kg_store_sql_query(p, &s,
                          "UPDATE discussions SET scheduled_at = ?2, scheduled_by = ?3, "
                          "updated_at = ?4 WHERE id = ?1 AND status = 'draft'",
                          "inni", id, bSchedule ? tNow : 0, bSchedule ? actorId : 0, tNow);
  if (rc) goto out;
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
  struct kg_db_stmt *s = NULL;
  *pAt = 0;
  if (pBy) *pBy = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT scheduled_at, scheduled_by FROM discussions WHERE id = ?1", "i", id);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "discussion scheduled")) == KG_OK) {
    *pAt = kg_db_col_i64(s, 0);
    if (pBy) *pBy = kg_db_col_i64(s, 1);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- the reasons list ---- */

enum kg_err kg_store_reason_list(struct kg_store *p,
                                 int (*xRow)(void *pArg, int64_t id, const char *zText),
                                 void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT id, text FROM conclusion_reasons ORDER BY text COLLATE NOCASE, id LIMIT 1000", &s);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "reason list")) == KG_OK)
    if (xRow(pArg, kg_db_col_i64(s, 0), kg_store_col_text(s, 1))) goto out;
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_reason_add(struct kg_store *p, const char *zText, int64_t actorId,
                                int64_t tNow, int64_t *pId, int *pbCreated) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  *pId = 0;
  *pbCreated = 0;
  if (rc) goto out;
  rc = kg_store_sql_query(p, &s, "SELECT id FROM conclusion_reasons WHERE text = ?1", "t", zText);
  if (rc) goto out;
  if ((rc = kg_store_sql_row(p, s, "reason find")) == KG_OK) *pId = kg_db_col_i64(s, 0);
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  s = NULL;
  if (rc || *pId) goto out;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO conclusion_reasons (text, created_by, created_at) "
                          "VALUES (?1, ?2, ?3) RETURNING id",
                          "tni", zText, actorId, tNow);
  if (rc) goto out;
  rc = kg_store_sql_insert(p, s, "reason insert", pId);
  s = NULL;
  if (rc) goto out;
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
  struct kg_db_stmt *s = NULL;
  *pbFound = *pbInside = 0;
  /* the spatial index first, then the exact test */
#define PARCEL_IN_SQL(IN_BOX)                                                                      \
  "SELECT CASE WHEN EXISTS (SELECT 1 FROM discussions d WHERE d.id = ?1 AND " IN_BOX " AND "       \
  "ST_Intersects(pa.geometry, d.territory) = 1) THEN 1 ELSE 0 END "                                \
  "FROM parcels pa WHERE pa.cadastral_number = ?2"
  enum kg_err rc =
      kg_store_sql_query(p, &s,
                         p->pPg ? PARCEL_IN_SQL(KG_SQL_TERRITORY_BOX_PG("pa.geometry"))
                                : PARCEL_IN_SQL(KG_SQL_TERRITORY_BOX_LITE("pa.geometry")),
                         "it", id, zCadastral);
#undef PARCEL_IN_SQL
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "parcel in territory")) == KG_OK) {
    *pbFound = 1;
    *pbInside = kg_db_col_int(s, 0) == 1;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

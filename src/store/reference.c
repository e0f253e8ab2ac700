/* reference.c: the moderation log, the reference layers used for
 * geocoding and eligibility (addresses, parcels, districts) and the public
 * statistics. */
#include "store_int.h"

#include <string.h>

enum kg_err kg_store_modlog_insert(struct kg_store *p, int64_t actorId, const char *zAction,
                                   const char *zTargetType, int64_t targetId, const char *zReason,
                                   int64_t tNow) {
  return kg_store_sql_exec(p, "modlog insert",
                           "INSERT INTO moderation_log (actor_id, action, "
                           "target_type, target_id, reason, at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           "nttnti", actorId, zAction, zTargetType, targetId, zReason,
                           tNow ? tNow : kg_time_now());
}

/* ---- reference layers ---- */

/* Inserts (?1, ?2, geometry from WKT ?3). A WKT that does not parse into
 * the column's type gives a NULL geometry, refused by NOT NULL: KG_EINVAL. */
static enum kg_err insert_layer(struct kg_store *p, const char *zSql, const char *zWhat,
                                const char *z1, const char *z2, const char *zWkt) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, z1);
  kg_store_bind_text(s, 2, z2);
  kg_store_bind_text(s, 3, zWkt);
  return kg_store_sql_run(p, s, zWhat);
}

enum kg_err kg_store_address_insert(struct kg_store *p, const char *zAddress, const char *zDistrict,
                                    const char *zWkt) {
  return kg_store_address_insert_ext(p, zAddress, zDistrict, NULL, zWkt); /* addresses.c */
}

enum kg_err kg_store_parcel_insert(struct kg_store *p, const char *zCadastral, const char *zUse,
                                   const char *zWkt) {
  return insert_layer(p,
                      "INSERT INTO parcels (cadastral_number, use, geometry) "
                      "VALUES (?1, ?2, CastToMultiPolygon(GeomFromText(?3, 4326)))",
                      "parcel insert", zCadastral, zUse, zWkt);
}

enum kg_err kg_store_district_insert(struct kg_store *p, const char *zName, const char *zOsmId,
                                     const char *zWkt) {
  return insert_layer(p,
                      "INSERT INTO districts (name, osm_id, geometry) "
                      "VALUES (?1, ?2, CastToMultiPolygon(GeomFromText(?3, 4326)))",
                      "district insert", zName, zOsmId, zWkt);
}

/* ---- statistics ---- */

enum kg_err kg_store_stats(struct kg_store *p, struct kg_stats *pOut) {
  struct kg_db_stmt *sSt = NULL, *sCnt = NULL;
  enum kg_err rc;
  memset(pOut, 0, sizeof(*pOut));
  rc = kg_store_sql_prepare(p, "SELECT status, count(*) FROM discussions GROUP BY status", &sSt);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, sSt, "stats status")) == KG_OK) {
    enum kg_status st;
    int64_t n = kg_db_col_i64(sSt, 1);
    if (kg_status_parse(kg_db_col_text(sSt, 0), &st) == KG_OK) pOut->aDiscussions[st] = n;
    pOut->nDiscussions += n;
  }
  if (rc != KG_ENOTFOUND) goto out;
  /* participants: distinct accounts with a comment not withdrawn (rejected
   * proposals still count: their authors took part) */
  rc = kg_store_sql_prepare(p,
                            "SELECT (SELECT count(*) FROM projects), "
                            "(SELECT count(*) FROM comments WHERE status = 'published'), "
                            "(SELECT count(DISTINCT author_id) FROM comments "
                            "WHERE status <> 'withdrawn' AND author_id IS NOT NULL)",
                            &sCnt);
  if (rc || (rc = kg_store_sql_one(p, sCnt, "stats counts"))) goto out;
  pOut->nProjects = kg_db_col_i64(sCnt, 0);
  pOut->nComments = kg_db_col_i64(sCnt, 1);
  pOut->nParticipants = kg_db_col_i64(sCnt, 2);
out:
  kg_store_sql_done(p, sCnt);
  kg_store_sql_done(p, sSt);
  return rc;
}

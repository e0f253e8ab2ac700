/* discussions.c: discussions (territory geometry, dates, expositions), the
 * lifecycle (status names, allowed moves, transitions, schedule), the
 * timeline, and the filtered list (spatial index + full-text). */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- status ---- */

static const char *const azStatus[KG_ST__COUNT] = {
    [KG_ST_DRAFT] = "draft",        [KG_ST_ANNOUNCED] = "announced",
    [KG_ST_OPEN] = "open",          [KG_ST_CLOSED] = "closed",
    [KG_ST_PROTOCOL] = "protocol",  [KG_ST_CONCLUDED] = "concluded",
    [KG_ST_CANCELLED] = "cancelled"};

const char *kg_status_name(enum kg_status s) {
  return (unsigned)s < KG_ST__COUNT ? azStatus[s] : "unknown";
}

enum kg_err kg_status_parse(const char *z, enum kg_status *pOut) {
  for (int i = 0; z && i < KG_ST__COUNT; i++) {
    if (strcmp(z, azStatus[i]) == 0) {
      *pOut = (enum kg_status)i;
      return KG_OK;
    }
  }
  return KG_EINVAL;
}

int kg_status_transition_allowed(enum kg_status a, enum kg_status b) {
  if ((unsigned)a >= KG_ST__COUNT || (unsigned)b >= KG_ST__COUNT) return 0;
  if (b == KG_ST_CANCELLED) return a != KG_ST_CONCLUDED && a != KG_ST_CANCELLED;
  /* forward one step along draft -> announced -> open -> closed -> protocol -> concluded */
  return a < KG_ST_CONCLUDED && b == a + 1;
}

/* Status column i; the CHECK constraint keeps it valid. */
static enum kg_status col_status(struct kg_db_stmt *s, int i) {
  enum kg_status st = KG_ST_DRAFT;
  if (kg_status_parse(kg_db_col_text(s, i), &st) != KG_OK)
    kg_log_error("store unknown discussion status in the database");
  return st;
}

void kg_discussion_clear(struct kg_discussion *p) {
  if (!p) return;
  free(p->zTitle);
  free(p->zTerritory);
  free(p->zNotice);
  free(p->zProjectTitle);
  free(p->zProjectKind);
  memset(p, 0, sizeof(*p));
}

/* ---- insert and get ---- */

/* Checks the territory zWkt: *psGeom (hand back with kg_store_sql_done)
 * holds its row — validity, GeoJSON (column 3), bbox (4..7) and area (8:
 * areaM2 when positive, else ST_Area(g, 1), the geodesic area on the WGS84
 * ellipsoid). KG_EINVAL with the reason in zErr when it is not valid. */
static enum kg_err territory_check(struct kg_store *p, const char *zWkt, double areaM2,
                                   struct kg_db_stmt **psGeom, char *zErr, size_t nErr) {
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT g IS NOT NULL, ST_IsValid(g), IsValidReason(g), AsGeoJSON(g, 9), "
      "MbrMinX(g), MbrMinY(g), MbrMaxX(g), MbrMaxY(g), "
      "CASE WHEN ?2 > 0 THEN ?2 ELSE ST_Area(g, 1) END "
      "FROM (SELECT CastToMultiPolygon(GeomFromText(?1, 4326)) AS g) AS t",
      psGeom);
  struct kg_db_stmt *s = *psGeom;
  if (rc) return rc;
  kg_store_bind_text(s, 1, zWkt);
  kg_db_bind_double(s, 2, areaM2);
  if ((rc = kg_store_sql_one(p, s, "discussion geometry check"))) return rc;
  if (!kg_db_col_int(s, 0)) {
    if (zErr && nErr) snprintf(zErr, nErr, "not a (MULTI)POLYGON in well-known text");
    return KG_EINVAL;
  }
  if (kg_db_col_int(s, 1) != 1) {
    const char *zReason = kg_db_col_text(s, 2);
    if (zErr && nErr) snprintf(zErr, nErr, "%s", zReason ? zReason : "invalid geometry");
    return KG_EINVAL;
  }
  return KG_OK;
}

static enum kg_err expositions_insert(struct kg_store *p, int64_t id,
                                      const struct kg_exposition *aExpo, int nExpo) {
  enum kg_err rc = KG_OK;
  for (int i = 0; i < nExpo && rc == KG_OK; i++) {
    struct kg_db_stmt *s = NULL;
    if ((rc = kg_store_sql_prepare(p,
                                   "INSERT INTO exposition_places (discussion_id, place, hours, "
                                   "opens_at, closes_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                   &s)))
      break;
    kg_db_bind_i64(s, 1, id);
    kg_store_bind_text(s, 2, aExpo[i].zPlace);
    kg_store_bind_text(s, 3, aExpo[i].zHours);
    kg_store_bind_id(s, 4, aExpo[i].opensAt);
    kg_store_bind_id(s, 5, aExpo[i].closesAt);
    rc = kg_store_sql_run(p, s, "exposition insert");
  }
  return rc;
}

enum kg_err kg_store_discussion_insert(struct kg_store *p, const struct kg_discussion *pIn,
                                       const char *zTerritoryWkt, const struct kg_exposition *aExpo,
                                       int nExpo, int64_t createdBy, int64_t *pId, char *zErr,
                                       size_t nErr) {
  struct kg_db_stmt *sGeom = NULL, *sIns = NULL;
  struct kg_store_tx tx = {0, 0};
  int64_t id = 0, tNow = kg_time_now();
  enum kg_err rc;

  if (zErr && nErr) zErr[0] = 0;
  /* validate first */
  if ((rc = territory_check(p, zTerritoryWkt, pIn->areaM2, &sGeom, zErr, nErr))) goto out;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  rc =
      kg_store_sql_query(p, &sIns,
                         "INSERT INTO discussions (project_id, title, status, announce_at, "
                         "opens_at, closes_at, notice, area_m2, territory_geojson, minx, miny, "
                         "maxx, maxy, created_by, created_at, updated_at, territory) "
                         "VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                         "?13, ?14, ?14, CastToMultiPolygon(GeomFromText(?15, 4326))) RETURNING id",
                         "itiiitd", pIn->projectId, pIn->zTitle, pIn->announceAt, pIn->opensAt,
                         pIn->closesAt, pIn->zNotice, kg_db_col_double(sGeom, 8));
  if (rc) goto out;
  /* the API's normalised GeoJSON when given, else SpatiaLite's rendering */
  if (pIn->zTerritory)
    kg_store_bind_text(sIns, 8, pIn->zTerritory);
  else
    kg_store_bind_text(sIns, 8, kg_db_col_text(sGeom, 3));
  for (int i = 0; i < 4; i++)
    kg_db_bind_double(sIns, 9 + i, kg_db_col_double(sGeom, 4 + i));
  kg_store_bind_id(sIns, 13, createdBy);
  kg_db_bind_i64(sIns, 14, tNow);
  kg_store_bind_text(sIns, 15, zTerritoryWkt);
  rc = kg_store_sql_insert(p, sIns, "discussion insert", &id);
  sIns = NULL;
  if (rc) goto out;
  rc = expositions_insert(p, id, aExpo, nExpo);
out:
  kg_store_sql_done(p, sIns);
  kg_store_sql_done(p, sGeom);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK && pId) *pId = id;
  return rc;
}

#define DISCUSSION_COLS                                                                            \
  "d.id, d.project_id, d.title, d.status, d.announce_at, d.opens_at, d.closes_at, "                \
  "d.protocol_at, d.concluded_at, d.area_m2, d.territory_geojson, d.minx, d.miny, d.maxx, "        \
  "d.maxy, d.notice, p.title, p.kind, d.created_at, d.updated_at "                                 \
  "FROM discussions d JOIN projects p ON p.id = d.project_id "

/* Fills *pOut from a DISCUSSION_COLS row: strings copied to the heap when
 * bDup, else borrowed from the row. */
static void discussion_row(struct kg_db_stmt *s, struct kg_discussion *pOut, int bDup) {
  char *(*xText)(struct kg_db_stmt *, int) = bDup ? kg_store_col_dup : kg_store_col_text;
  memset(pOut, 0, sizeof(*pOut));
  pOut->id = kg_db_col_i64(s, 0);
  pOut->projectId = kg_db_col_i64(s, 1);
  pOut->zTitle = xText(s, 2);
  pOut->status = col_status(s, 3);
  pOut->announceAt = kg_db_col_i64(s, 4);
  pOut->opensAt = kg_db_col_i64(s, 5);
  pOut->closesAt = kg_db_col_i64(s, 6);
  pOut->protocolAt = kg_db_col_i64(s, 7);
  pOut->concludedAt = kg_db_col_i64(s, 8);
  pOut->areaM2 = kg_db_col_double(s, 9);
  pOut->zTerritory = xText(s, 10);
  for (int i = 0; i < 4; i++)
    pOut->bbox[i] = kg_db_col_double(s, 11 + i);
  pOut->zNotice = xText(s, 15);
  pOut->zProjectTitle = xText(s, 16);
  pOut->zProjectKind = xText(s, 17);
  pOut->createdAt = kg_db_col_i64(s, 18);
  pOut->updatedAt = kg_db_col_i64(s, 19);
}

enum kg_err kg_store_discussion_get(struct kg_store *p, int64_t id, struct kg_discussion *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_query(p, &s, "SELECT " DISCUSSION_COLS "WHERE d.id = ?1", "i", id);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "discussion get")) == KG_OK) discussion_row(s, pOut, 1);
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- list ---- */

enum { LIST_STATUS = 1, LIST_BBOX = 2, LIST_QUERY = 4, LIST_KIND = 8, LIST_PUBLIC = 16 };
enum kg_err kg_store_discussion_list(struct kg_store *p, const struct kg_discussion_filter *pF,
                                     int (*xRow)(void *pArg, const struct kg_discussion *),
                                     void *pArg) {
  struct kg_db_stmt *s = NULL;
  char *zMatch = NULL;
  unsigned mask = 0;
  char zSql[2048];
  struct kg_discussion d;
  enum kg_err rc = KG_OK;

  /* no word left: no filter */
  if (pF->zQuery) zMatch = kg_store_fts_query(pF->zQuery, p->pPg != NULL);
  if (pF->bStatus) mask |= LIST_STATUS;
  if (pF->bBbox) mask |= LIST_BBOX;
  if (zMatch) mask |= LIST_QUERY;
  if (pF->zKind) mask |= LIST_KIND;
  if (pF->bPublicOnly) mask |= LIST_PUBLIC;
  /* assembled from constant fragments only; user values are all bound */
  snprintf(zSql, sizeof(zSql),
           "SELECT " DISCUSSION_COLS "WHERE d.id > ?1%s%s%s%s%s ORDER BY d.id LIMIT ?9",
           mask & LIST_STATUS ? " AND d.status = ?2" : "",
           /* PostGIS's ST_Intersects uses the GiST index itself */
           !(mask & LIST_BBOX) ? ""
           : p->pPg ? " AND ST_Intersects(d.territory, BuildMbr(?3, ?4, ?5, ?6, 4326)) = 1"
                    : " AND d.id IN (SELECT pkid FROM idx_discussions_territory WHERE xmin <= ?5 "
                      "AND xmax >= ?3 AND ymin <= ?6 AND ymax >= ?4) AND "
                      "ST_Intersects(d.territory, BuildMbr(?3, ?4, ?5, ?6, 4326)) = 1",
           !(mask & LIST_QUERY) ? ""
           : p->pPg
               ? " AND d.id IN (SELECT id FROM discussions_fts WHERE tsv @@ "
                 "to_tsquery('russian', ?7))"
               : " AND d.id IN (SELECT rowid FROM discussions_fts WHERE discussions_fts MATCH ?7)",
           mask & LIST_KIND ? " AND p.kind = ?8" : "",
           mask & LIST_PUBLIC ? " AND d.status <> 'draft'" : "");
  rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) goto out;
  kg_db_bind_i64(s, 1, pF->afterId);
  if (mask & LIST_STATUS) kg_store_bind_text(s, 2, kg_status_name(pF->status));
  if (mask & LIST_BBOX)
    for (int i = 0; i < 4; i++)
      kg_db_bind_double(s, 3 + i, pF->bbox[i]);
  if (mask & LIST_QUERY) kg_store_bind_text(s, 7, zMatch);
  if (mask & LIST_KIND) kg_store_bind_text(s, 8, pF->zKind);
  kg_db_bind_int(s, 9, pF->nLimit > 0 ? pF->nLimit : 50);
  while ((rc = kg_store_sql_row(p, s, "discussion list")) == KG_OK) {
    discussion_row(s, &d, 0);
    if (xRow(pArg, &d)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  free(zMatch);
  return rc;
}

/* ---- timeline and expositions ---- */

/* KG_OK when discussion id exists. */
static enum kg_err discussion_exists(struct kg_store *p, int64_t id) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s, "SELECT 1 FROM discussions WHERE id = ?1", "i", id);
  if (rc) return rc;
  rc = kg_store_sql_row(p, s, "discussion exists");
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_discussion_timeline(struct kg_store *p, int64_t id,
                                         int (*xRow)(void *pArg, const struct kg_timeline_event *),
                                         void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = discussion_exists(p, id);
  if (rc) goto out;
  rc = kg_store_sql_query(p, &s,
                          "SELECT from_status, to_status, at, actor_id, note "
                          "FROM discussion_events WHERE discussion_id = ?1 ORDER BY at, id",
                          "i", id);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "discussion timeline")) == KG_OK) {
    struct kg_timeline_event ev = {col_status(s, 0), col_status(s, 1), kg_db_col_i64(s, 2),
                                   kg_db_col_i64(s, 3), kg_store_col_text(s, 4)};
    if (xRow(pArg, &ev)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_discussion_expositions(struct kg_store *p, int64_t id,
                                            int (*xRow)(void *pArg, const struct kg_exposition *),
                                            void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = discussion_exists(p, id);
  if (rc) goto out;
  rc = kg_store_sql_query(p, &s,
                          "SELECT place, hours, opens_at, closes_at FROM exposition_places "
                          "WHERE discussion_id = ?1 ORDER BY id",
                          "i", id);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "discussion expositions")) == KG_OK) {
    struct kg_exposition e = {kg_store_col_text(s, 0), kg_store_col_text(s, 1), kg_db_col_i64(s, 2),
                              kg_db_col_i64(s, 3)};
    if (xRow(pArg, &e)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- transitions ---- */

/* Sets the status (and protocol_at / concluded_at on entering those) and
 * records the event. Call inside a transaction. */
static enum kg_err move(struct kg_store *p, int64_t id, enum kg_status from, enum kg_status to,
                        int64_t actorId, const char *zNote, int64_t tNow) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "UPDATE discussions SET status = ?2, updated_at = ?3, "
                                      "protocol_at = CASE WHEN ?2 = 'protocol' THEN ?3 ELSE "
                                      "protocol_at END, concluded_at = CASE WHEN ?2 = "
                                      "'concluded' THEN ?3 ELSE concluded_at END WHERE id = ?1",
                                      "iti", id, kg_status_name(to), tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_run(p, s, "discussion set status"))) return rc;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO discussion_events (discussion_id, from_status, "
                          "to_status, at, actor_id, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          "ittint", id, kg_status_name(from), kg_status_name(to), tNow, actorId,
                          zNote);
  if (rc) return rc;
  return kg_store_sql_run(p, s, "discussion event");
}

/* KG_OK when discussion id has a zKind document issued at tNow (the act
 * that moves it), else KG_ECONFLICT: no discussion enters protocol or
 * concluded without its document. */
static enum kg_err require_issued(struct kg_store *p, int64_t id, const char *zKind, int64_t tNow) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT 1 FROM report_documents WHERE discussion_id = ?1 "
                                      "AND kind = ?2 AND issued_at = ?3 LIMIT 1",
                                      "iti", id, zKind, tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "discussion document")) == KG_ENOTFOUND) rc = KG_ECONFLICT;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_discussion_transition(struct kg_store *p, int64_t id, enum kg_status to,
                                           int64_t actorId, const char *zNote, int64_t tNow,
                                           enum kg_status *pFrom) {
  struct kg_store_tx tx = {0, 0};
  enum kg_status from = KG_ST_DRAFT;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  if ((rc = kg_store_discussion_status(p, id, &from, NULL))) goto out;
  if (pFrom) *pFrom = from;
  if (!kg_status_transition_allowed(from, to)) {
    rc = KG_ECONFLICT;
    goto out;
  }
  if ((to == KG_ST_PROTOCOL || to == KG_ST_CONCLUDED) &&
      (rc = require_issued(p, id, to == KG_ST_PROTOCOL ? "protocol" : "conclusion", tNow)) != KG_OK)
    goto out;
  if ((rc = move(p, id, from, to, actorId, zNote, tNow)) != KG_OK) goto out;
  if (actorId)
    rc = kg_store_modlog_insert(p, actorId, "discussion.transition", "discussion", id, zNote, tNow);
out:
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_discussion_advance_due(struct kg_store *p, int64_t tNow, int *pnMoved) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  struct due {
    int64_t id, closesAt, opensAt;
    enum kg_status status;
  } *aDue = NULL;
  size_t nDue = 0, nAlloc = 0;
  int nMoved = 0;
  enum kg_err rc;

  if (pnMoved) *pnMoved = 0;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  rc = kg_store_sql_query(
      p, &s,
      "SELECT id, status, closes_at, opens_at FROM discussions "
      "WHERE (status = 'draft' AND scheduled_at IS NOT NULL AND announce_at <= ?1) "
      "OR (status = 'announced' AND opens_at <= ?1) "
      "OR (status = 'open' AND closes_at <= ?1) ORDER BY id",
      "i", tNow);
  if (rc) goto out;
  /* collect first: the moves update the rows being scanned */
  while ((rc = kg_store_sql_row(p, s, "discussion due")) == KG_OK) {
    if (nDue == nAlloc) {
      nAlloc = nAlloc ? 2 * nAlloc : 16;
      aDue = kg_xrealloc(aDue, nAlloc * sizeof(*aDue));
    }
    aDue[nDue].id = kg_db_col_i64(s, 0);
    aDue[nDue].status = col_status(s, 1);
    aDue[nDue].closesAt = kg_db_col_i64(s, 2);
    aDue[nDue].opensAt = kg_db_col_i64(s, 3);
    nDue++;
  }
  if (rc != KG_ENOTFOUND) goto out;
  rc = KG_OK;
  kg_store_sql_done(p, s);
  s = NULL;
  for (size_t i = 0; i < nDue; i++) {
    enum kg_status st = aDue[i].status;
    if (st == KG_ST_DRAFT) { /* a notice the moderator approved (round.c) */
      if ((rc = move(p, aDue[i].id, st, KG_ST_ANNOUNCED, 0, NULL, tNow)) != KG_OK) goto out;
      nMoved++;
      st = KG_ST_ANNOUNCED;
    }
    if (st == KG_ST_ANNOUNCED && aDue[i].opensAt <= tNow) {
      if ((rc = move(p, aDue[i].id, st, KG_ST_OPEN, 0, NULL, tNow)) != KG_OK) goto out;
      nMoved++;
      st = KG_ST_OPEN;
    }
    if (st == KG_ST_OPEN && aDue[i].closesAt <= tNow) {
      if ((rc = move(p, aDue[i].id, st, KG_ST_CLOSED, 0, NULL, tNow)) != KG_OK) goto out;
      nMoved++;
    }
  }
out:
  kg_store_sql_done(p, s);
  free(aDue);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK && pnMoved) *pnMoved = nMoved;
  return rc;
}

enum kg_err kg_store_discussion_status(struct kg_store *p, int64_t id, enum kg_status *pStatus,
                                       int64_t *pProjectId) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT status, project_id FROM discussions WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "discussion status")) == KG_OK) {
    if (kg_status_parse(kg_db_col_text(s, 0), pStatus) != KG_OK) rc = KG_EDB;
    if (pProjectId) *pProjectId = kg_db_col_i64(s, 1);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- content versions (the response cache) ---- */

enum kg_err kg_store_content_versions(struct kg_store *p, int64_t discussionId, int64_t aV[2]) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT (SELECT v FROM content_versions WHERE scope = 0), "
                           "coalesce((SELECT v FROM content_versions WHERE scope = ?1), 0)",
                           &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, discussionId);
  if ((rc = kg_store_sql_one(p, s, "content versions")) == KG_OK) {
    aV[0] = kg_db_col_i64(s, 0);
    aV[1] = discussionId ? kg_db_col_i64(s, 1) : 0;
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ogc.c: the public open-data layers behind OGC API - Features and the
 * comment exports — districts, territories (published discussions),
 * published located comments, parcels, and a discussion's published
 * comments for CSV. Each layer is a fixed public schema (no personal data)
 * and four statements (items, count, one feature, extent); a bbox goes
 * through the layer's R*Tree (idx_<table>_<column>) directly, as in
 * participants.c, then the exact predicate. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

struct layer {
  const char *zCols;   /* x.id, the geometry text, then one column per field */
  const char *zFrom;   /* FROM ... WHERE <what is public> */
  const char *zTime;   /* temporal predicate on ?4, ?5; "" when none */
  const char *zBbox;   /* spatial predicate on ?6..?9; "" when none */
  const char *zExtent; /* minx, miny, maxx, maxy, tmin, tmax, count */
  const struct kg_ogc_field *aField;
  int nField;
};

static const struct kg_ogc_field aDistrictField[] = {
    {"name", KG_OGC_TEXT},
    {"osm_id", KG_OGC_TEXT},
};
static const struct kg_ogc_field aTerritoryField[] = {
    {"title", KG_OGC_TEXT},        {"status", KG_OGC_TEXT},      {"project_id", KG_OGC_INT},
    {"project_kind", KG_OGC_TEXT}, {"announce_at", KG_OGC_TIME}, {"opens_at", KG_OGC_TIME},
    {"closes_at", KG_OGC_TIME},    {"protocol_at", KG_OGC_TIME}, {"concluded_at", KG_OGC_TIME},
    {"area_m2", KG_OGC_REAL},
};
static const struct kg_ogc_field aCommentField[] = {
    {"discussion_id", KG_OGC_INT}, {"registration_number", KG_OGC_TEXT},
    {"kind", KG_OGC_TEXT},         {"body", KG_OGC_TEXT},
    {"official", KG_OGC_BOOL},     {"created_at", KG_OGC_TIME},
    {"supports", KG_OGC_INT},
};
static const struct kg_ogc_field aParcelField[] = {
    {"cadastral_number", KG_OGC_TEXT},
    {"use", KG_OGC_TEXT},
};
static const struct kg_ogc_field aExportField[] = {
    {"registration_number", KG_OGC_TEXT},
    {"kind", KG_OGC_TEXT},
    {"channel", KG_OGC_TEXT},
    {"status", KG_OGC_TEXT},
    {"created_at", KG_OGC_TIME},
    {"supports", KG_OGC_INT},
    {"body", KG_OGC_TEXT},
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* The R*Tree prefilter and the exact test of x.<col> against the bbox. */
#define BBOX(tbl, col)                                                                             \
  " AND x.id IN (SELECT pkid FROM idx_" tbl "_" col " WHERE xmin <= ?8 AND xmax >= ?6 AND "        \
  "ymin <= ?9 AND ymax >= ?7) AND ST_Intersects(x." col ", BuildMbr(?6, ?7, ?8, ?9, 4326)) = 1"
#define SUPPORTS "(SELECT count(*) FROM comment_supports s WHERE s.comment_id = x.id)"

static const struct layer aLayer[KG_OGC__COUNT] = {
    [KG_OGC_DISTRICTS] = {"x.id, AsGeoJSON(x.geometry, 9), x.name, x.osm_id",
                          "FROM districts x WHERE 1", "", BBOX("districts", "geometry"),
                          "SELECT min(MbrMinX(geometry)), min(MbrMinY(geometry)), "
                          "max(MbrMaxX(geometry)), max(MbrMaxY(geometry)), NULL, NULL, count(*) "
                          "FROM districts",
                          aDistrictField, N(aDistrictField)},
    [KG_OGC_TERRITORIES] = {"x.id, x.territory_geojson, x.title, x.status, x.project_id, p.kind, "
                            "x.announce_at, x.opens_at, x.closes_at, x.protocol_at, "
                            "x.concluded_at, x.area_m2",
                            "FROM discussions x JOIN projects p ON p.id = x.project_id "
                            "WHERE x.status <> 'draft'",
                            " AND x.opens_at <= ?5 AND x.closes_at >= ?4",
                            BBOX("discussions", "territory"),
                            "SELECT min(minx), min(miny), max(maxx), max(maxy), min(opens_at), "
                            "max(closes_at), count(*) FROM discussions WHERE status <> 'draft'",
                            aTerritoryField, N(aTerritoryField)},
    /* Points are most comments: their MBR test is exact, GEOS is not needed. */
    [KG_OGC_COMMENTS] = {"x.id, x.location_geojson, x.discussion_id, x.registration_number, "
                         "x.kind, x.body, x.official, x.created_at, " SUPPORTS,
                         "FROM comments x WHERE x.status = 'published' AND x.location IS NOT NULL",
                         " AND x.created_at BETWEEN ?4 AND ?5",
                         " AND x.id IN (SELECT pkid FROM idx_comments_location WHERE xmin <= ?8 "
                         "AND xmax >= ?6 AND ymin <= ?9 AND ymax >= ?7) "
                         "AND MbrIntersects(x.location, BuildMbr(?6, ?7, ?8, ?9, 4326)) = 1 "
                         "AND (GeometryType(x.location) = 'POINT' "
                         "OR ST_Intersects(x.location, BuildMbr(?6, ?7, ?8, ?9, 4326)) = 1)",
                         "SELECT min(MbrMinX(location)), min(MbrMinY(location)), "
                         "max(MbrMaxX(location)), max(MbrMaxY(location)), min(created_at), "
                         "max(created_at), count(*) FROM comments "
                         "WHERE status = 'published' AND location IS NOT NULL",
                         aCommentField, N(aCommentField)},
    [KG_OGC_PARCELS] = {"x.id, AsGeoJSON(x.geometry, 9), x.cadastral_number, x.use",
                        "FROM parcels x WHERE 1", "", BBOX("parcels", "geometry"),
                        "SELECT min(MbrMinX(geometry)), min(MbrMinY(geometry)), "
                        "max(MbrMaxX(geometry)), max(MbrMaxY(geometry)), NULL, NULL, count(*) "
                        "FROM parcels",
                        aParcelField, N(aParcelField)},
    [KG_OGC_COMMENTS_EXPORT] = {"x.id, AsText(x.location), x.registration_number, x.kind, "
                                "x.channel, x.status, x.created_at, " SUPPORTS ", x.body",
                                "FROM comments x WHERE x.discussion_id = ?10 "
                                "AND x.status = 'published'",
                                "", "", NULL, aExportField, N(aExportField)},
};

const struct kg_ogc_field *kg_store_ogc_fields(enum kg_ogc_layer e, int *pnField) {
  *pnField = aLayer[e].nField;
  return aLayer[e].aField;
}

/* Binds the filter's values to whichever of ?4..?10 the statement has. */
static void bind_filter(sqlite3_stmt *s, const struct kg_ogc_filter *pF, int bBbox) {
  int n = sqlite3_bind_parameter_count(s);
  if (n >= 5) {
    sqlite3_bind_int64(s, 4, pF->tFrom);
    sqlite3_bind_int64(s, 5, pF->tTo);
  }
  if (bBbox && n >= 9)
    for (int i = 0; i < 4; i++)
      sqlite3_bind_double(s, 6 + i, pF->bbox[i]);
  if (n >= 10) sqlite3_bind_int64(s, 10, pF->discussionId);
}

/* Fills *pRow from an items/get row and hands it to xRow. */
static int emit_row(sqlite3_stmt *s, const struct layer *L,
                    int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  struct kg_ogc_row row;
  memset(&row, 0, sizeof(row));
  row.id = sqlite3_column_int64(s, 0);
  row.zGeometry = kg_store_col_text(s, 1);
  for (int i = 0; i < L->nField; i++) {
    int iCol = i + 2;
    if (sqlite3_column_type(s, iCol) == SQLITE_NULL) {
      row.aValue[i].bNull = 1;
      continue;
    }
    switch (L->aField[i].type) {
    case KG_OGC_TEXT:
      row.aValue[i].z = kg_store_col_text(s, iCol);
      break;
    case KG_OGC_REAL:
      row.aValue[i].r = sqlite3_column_double(s, iCol);
      break;
    case KG_OGC_INT:
    case KG_OGC_TIME:
    case KG_OGC_BOOL:
      row.aValue[i].i = sqlite3_column_int64(s, iCol);
      break;
    }
  }
  return xRow(pArg, &row);
}

/* The row walker's context: the layer and the caller's callback. */
struct emit_ctx {
  const struct layer *L;
  int (*xRow)(void *pArg, const struct kg_ogc_row *);
  void *pArg;
};

static int emit_each(void *pArg, sqlite3_stmt *s) {
  struct emit_ctx *c = pArg;
  return emit_row(s, c->L, c->xRow, c->pArg);
}

enum kg_err kg_store_ogc_items(struct kg_store *p, enum kg_ogc_layer e,
                               const struct kg_ogc_filter *pF,
                               int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  const struct layer *L = &aLayer[e];
  int bBbox = pF->bBbox && L->zBbox[0];
  char zSql[2048];
  sqlite3_stmt *s = NULL;
  struct emit_ctx c = {L, xRow, pArg};
  /* assembled from the constant fragments above only; values are bound */
  snprintf(zSql, sizeof(zSql), "SELECT %s %s%s%s AND x.id > ?1 ORDER BY x.id LIMIT ?2 OFFSET ?3",
           L->zCols, L->zFrom, L->zTime, bBbox ? L->zBbox : "");
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, pF->afterId);
  sqlite3_bind_int(s, 2, pF->nLimit > 0 ? pF->nLimit : 100);
  sqlite3_bind_int64(s, 3, pF->nOffset > 0 ? pF->nOffset : 0);
  bind_filter(s, pF, bBbox);
  rc = kg_store_sql_each(p, s, emit_each, &c, "ogc items");
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_ogc_count(struct kg_store *p, enum kg_ogc_layer e,
                               const struct kg_ogc_filter *pF, int64_t *pn) {
  const struct layer *L = &aLayer[e];
  int bBbox = pF->bBbox && L->zBbox[0];
  char zSql[2048];
  sqlite3_stmt *s = NULL;
  *pn = 0;
  snprintf(zSql, sizeof(zSql), "SELECT count(*) %s%s%s", L->zFrom, L->zTime, bBbox ? L->zBbox : "");
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  bind_filter(s, pF, bBbox);
  if ((rc = kg_store_sql_one(p, s, "ogc count")) == KG_OK) *pn = sqlite3_column_int64(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_ogc_get(struct kg_store *p, enum kg_ogc_layer e, int64_t fid,
                             int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  const struct layer *L = &aLayer[e];
  char zSql[2048];
  sqlite3_stmt *s = NULL;
  if (e == KG_OGC_COMMENTS_EXPORT) return KG_ENOTFOUND;
  snprintf(zSql, sizeof(zSql), "SELECT %s %s AND x.id = ?1", L->zCols, L->zFrom);
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, fid);
  rc = kg_store_sql_row(p, s, "ogc get");
  if (rc == KG_OK) emit_row(s, L, xRow, pArg);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_ogc_extent(struct kg_store *p, enum kg_ogc_layer e, double aBox[4],
                                int64_t *ptFrom, int64_t *ptTo, int *pbEmpty) {
  const struct layer *L = &aLayer[e];
  sqlite3_stmt *s = NULL;
  memset(aBox, 0, 4 * sizeof(double));
  *ptFrom = *ptTo = 0;
  *pbEmpty = 1;
  if (!L->zExtent) return KG_OK;
  enum kg_err rc = kg_store_sql_prepare(p, L->zExtent, &s);
  if (rc) return rc;
  rc = kg_store_sql_one(p, s, "ogc extent");
  if (rc == KG_OK && sqlite3_column_int64(s, 6) > 0) {
    *pbEmpty = 0;
    for (int i = 0; i < 4; i++)
      aBox[i] = sqlite3_column_double(s, i);
    *ptFrom = sqlite3_column_int64(s, 4);
    *ptTo = sqlite3_column_int64(s, 5);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ogc.c: the public open-data layers behind OGC API - Features and the
 * comment exports — districts, territories (published discussions),
 * published located comments, parcels, and a discussion's published
 * comments for CSV. Each layer is a fixed public schema (no personal data)
 * and four statements (items, count, one feature, extent); a bbox goes
 * through the layer's R*Tree (idx_<table>_<column>) directly, as in
 * participants.c (on PostgreSQL its GiST index, through &&), then the exact
 * predicate. The comments layer, the large one, also has a clustered copy
 * (open_comments, migration 0019): a bbox there is a few range scans over
 * Z-order cells, see "the clustered copy" below. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
                          "FROM districts x WHERE TRUE", "", BBOX("districts", "geometry"),
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
                        "FROM parcels x WHERE TRUE", "", BBOX("parcels", "geometry"),
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

/* The layers' bbox predicates on PostgreSQL: the GiST index through &&,
 * then the exact test (&& compares float4 boxes, so it alone would let a
 * point just outside the box in; SQLite's MbrIntersects is exact). */
#define BBOX_PG(col)                                                                               \
  " AND x." col " && ST_MakeEnvelope(?6, ?7, ?8, ?9, 4326) "                                       \
  "AND ST_Intersects(x." col ", ST_MakeEnvelope(?6, ?7, ?8, ?9, 4326))"
static const char *const azBboxPg[KG_OGC__COUNT] = {
    [KG_OGC_DISTRICTS] = BBOX_PG("geometry"),
    [KG_OGC_TERRITORIES] = BBOX_PG("territory"),
    [KG_OGC_COMMENTS] = BBOX_PG("location"),
    [KG_OGC_PARCELS] = BBOX_PG("geometry"),
    [KG_OGC_COMMENTS_EXPORT] = "",
};
#undef BBOX_PG

/* Layer e's bbox predicate in p's dialect. */
static const char *layer_bbox(struct kg_store *p, enum kg_ogc_layer e) {
  return p->pPg ? azBboxPg[e] : aLayer[e].zBbox;
}

const struct kg_ogc_field *kg_store_ogc_fields(enum kg_ogc_layer e, int *pnField) {
  *pnField = aLayer[e].nField;
  return aLayer[e].aField;
}

/* Binds the filter's values to whichever of ?4..?10 the statement has. */
static void bind_filter(struct kg_db_stmt *s, const struct kg_ogc_filter *pF, int bBbox) {
  int n = kg_db_bind_count(s);
  if (n >= 5) {
    kg_db_bind_i64(s, 4, pF->tFrom);
    kg_db_bind_i64(s, 5, pF->tTo);
  }
  if (bBbox && n >= 9)
    for (int i = 0; i < 4; i++)
      kg_db_bind_double(s, 6 + i, pF->bbox[i]);
  if (n >= 10) kg_db_bind_i64(s, 10, pF->discussionId);
}

/* Fills *pRow from an items/get row and hands it to xRow. */
static int emit_row(struct kg_db_stmt *s, const struct layer *L,
                    int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  struct kg_ogc_row row;
  memset(&row, 0, sizeof(row));
  row.id = kg_db_col_i64(s, 0);
  row.zGeometry = kg_store_col_text(s, 1);
  for (int i = 0; i < L->nField; i++) {
    int iCol = i + 2;
    if (kg_db_col_is_null(s, iCol)) {
      row.aValue[i].bNull = 1;
      continue;
    }
    switch (L->aField[i].type) {
    case KG_OGC_TEXT:
      row.aValue[i].z = kg_store_col_text(s, iCol);
      break;
    case KG_OGC_REAL:
      row.aValue[i].r = kg_db_col_double(s, iCol);
      break;
    case KG_OGC_INT:
    case KG_OGC_TIME:
    case KG_OGC_BOOL:
      row.aValue[i].i = kg_db_col_i64(s, iCol);
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

static int emit_each(void *pArg, struct kg_db_stmt *s) {
  struct emit_ctx *c = pArg;
  return emit_row(s, c->L, c->xRow, c->pArg);
}

/* ---- the clustered copy of the comments layer ----
 * open_comments (0019) keys each published located comment by cell, then
 * id. A point's cell interleaves 24 bits of longitude and 24 of latitude
 * (Z-order), so the cells of a box are few contiguous key ranges:
 * zcover() finds at most MAX_RANGES of them (whole quadtree nodes, coarser
 * where the budget runs out), each row is tested against the box exactly,
 * and the rows match the R*Tree query's. A page of items scans the table
 * itself over those ranges (its rows lie together: a box of a hundred
 * features is a dozen leaf pages read in order) and keeps each hit's text
 * while they fit in HEAD_BUDGET bytes, so the page needs no second look-up;
 * the hits are sorted by id for the page, and the count comes with them (at
 * most SCAN_CAP). Past the budget (a box of several hundred features) only
 * ids and cells are kept and the page's rows are read again by key. A count
 * alone scans the narrow index. */
#define CELL_BITS 24
#define CELL_MAX ((1 << CELL_BITS) - 1)
#define EXT_REGION ((int64_t)1 << 48) /* + the centre's cell: small non-points */
#define BIG_CELL ((int64_t)1 << 49)   /* non-points over EXT_SIZE */
#define EXT_GROW 0.01                 /* half of 0019's 0.02 */
#define MAX_RANGES 16
#define MAX_EXT_RANGES 4
#define SCAN_CAP 2000
#define HEAD_BUDGET (256 * 1024)
#define HEAD_FIRST (64 * 1024) /* the texts' first buffer: a box of a hundred */
#define SUPPORTS_FIELD 6       /* aCommentField's supports */

/* 0019's quantization, operation for operation (the same doubles). */
static int64_t zquant(double v, double lo, double span) {
  double q = (v - lo) * 16777216.0 / span;
  if (!(q >= 0)) return 0;
  if (q >= CELL_MAX) return CELL_MAX;
  return (int64_t)q;
}

/* The 24 bits of v in the even bits of the result. */
static int64_t zspread(int64_t v) {
  uint64_t x = (uint64_t)v & CELL_MAX;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x << 2)) & 0x3333333333333333ull;
  x = (x | (x << 1)) & 0x5555555555555555ull;
  return (int64_t)x;
}

int64_t kg_store_ogc_cell(double x, double y) {
  return zspread(zquant(x, -180.0, 360.0)) | zspread(zquant(y, -90.0, 180.0)) << 1;
}

struct znode {
  int64_t cx, cy; /* the node's position in units of its size */
  int k;          /* its size: 2^k cells each way */
  int bFull;      /* wholly inside the box */
};
struct zrange {
  int64_t lo, hi;
};

static int zrange_cmp(const void *a, const void *b) {
  const struct zrange *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Appends to a the nodes of size 2^k at (cx, cy) in q that meet the box q
 * (qx0, qy0, qx1, qy1); returns their number. */
static int znodes(const int64_t q[4], int64_t cx0, int64_t cy0, int64_t cx1, int64_t cy1, int k,
                  struct znode *a) {
  int n = 0;
  for (int64_t cy = cy0; cy <= cy1; cy++)
    for (int64_t cx = cx0; cx <= cx1; cx++) {
      int64_t x0 = cx << k, x1 = ((cx + 1) << k) - 1, y0 = cy << k, y1 = ((cy + 1) << k) - 1;
      if (x1 < q[0] || x0 > q[2] || y1 < q[1] || y0 > q[3]) continue;
      a[n++] = (struct znode){cx, cy, k, x0 >= q[0] && x1 <= q[2] && y0 >= q[1] && y1 <= q[3]};
    }
  return n;
}

/* At most nMax key ranges (base + cells) covering the box b (lon/lat), in
 * order and merged; returns their number. */
static int zcover(const double b[4], int64_t base, int nMax, struct zrange *aOut) {
  int64_t q[4] = {zquant(b[0], -180.0, 360.0), zquant(b[1], -90.0, 180.0),
                  zquant(b[2], -180.0, 360.0), zquant(b[3], -90.0, 180.0)};
  struct znode a[4 * MAX_RANGES], aNext[4 * MAX_RANGES];
  int k = 0, n;
  while ((q[2] >> k) - (q[0] >> k) > 1 || (q[3] >> k) - (q[1] >> k) > 1)
    k++;
  n = znodes(q, q[0] >> k, q[1] >> k, q[2] >> k, q[3] >> k, k, a);
  for (; k > 0; k--) { /* refine the partial nodes while the budget allows */
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (a[i].bFull) {
        aNext[m++] = a[i];
        continue;
      }
      m += znodes(q, a[i].cx * 2, a[i].cy * 2, a[i].cx * 2 + 1, a[i].cy * 2 + 1, k - 1, aNext + m);
      if (m > nMax) break;
    }
    if (m > nMax) break;
    memcpy(a, aNext, (size_t)m * sizeof(a[0]));
    n = m;
  }
  for (int i = 0; i < n; i++) {
    int64_t lo = zspread(a[i].cx << a[i].k) | zspread(a[i].cy << a[i].k) << 1;
    aOut[i] = (struct zrange){base + lo, base + lo + ((int64_t)1 << (2 * a[i].k)) - 1};
  }
  qsort(aOut, (size_t)n, sizeof(aOut[0]), zrange_cmp);
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (m && aOut[i].lo <= aOut[m - 1].hi + 1) {
      if (aOut[i].hi > aOut[m - 1].hi) aOut[m - 1].hi = aOut[i].hi;
    } else {
      aOut[m++] = aOut[i];
    }
  }
  return m;
}

/* One matching row of the scan: where it is, its id, and (when the scan
 * kept texts) its supports and the offset of its text in zscan.heads. */
struct zhit {
  int64_t id, cell, supports;
  size_t off;
};

struct zscan {
  struct zhit *a;
  int n;               /* hits collected */
  int bOver;           /* more than SCAN_CAP match */
  int bHeads;          /* every hit's text is in heads */
  struct kg_buf heads; /* the texts, each NUL-terminated */
};

static int zhit_cmp(const void *a, const void *b) {
  const struct zhit *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* The key ranges a as a JSON array of [lo, hi] pairs (bound as one value,
 * so that every range is scanned by one statement: one read transaction). */
static void zranges_json(const struct zrange *a, int n, char *z, size_t nz) {
  size_t k = (size_t)snprintf(z, nz, "[");
  for (int i = 0; i < n && k < nz; i++)
    k += (size_t)snprintf(z + k, nz - k, "%s[%" PRId64 ",%" PRId64 "]", i ? "," : "", a[i].lo,
                          a[i].hi);
  if (k < nz) snprintf(z + k, nz - k, "]");
}

/* The hits' statement: points through the narrow index (their bbox test
 * is exact) or, with the texts, through the table itself (NOT INDEXED: its
 * primary key, the cells), then the other geometries with the exact test. */
#define ZBOX                                                                                       \
  "o.minx <= ?4 AND o.maxx >= ?2 AND o.miny <= ?5 AND o.maxy >= ?3 AND "                           \
  "o.created_at BETWEEN ?6 AND ?7"
#define ZSCAN(cols, idx)                                                                           \
  "SELECT " cols " FROM json_each(?1) r JOIN open_comments o " idx                                 \
  " ON o.cell BETWEEN r.value ->> 0 AND r.value ->> 1 WHERE " ZBOX " UNION ALL SELECT " cols       \
  " FROM json_each(?8) r JOIN open_comments o ON o.cell BETWEEN r.value ->> 0 AND r.value ->> 1 "  \
  "WHERE " ZBOX " AND ST_Intersects(o.geom, BuildMbr(?2, ?3, ?4, ?5, 4326)) = 1"
static const char zScanIds[] = ZSCAN("o.id, o.cell", "INDEXED BY open_comments_scan");
static const char zScanHeads[] = ZSCAN("o.id, o.cell, o.supports, o.head", "NOT INDEXED");
/* The same on PostgreSQL: the ranges through jsonb (whose ->> is text);
 * the planner picks the index there. */
/* PostgreSQL: each range a LATERAL subquery (OFFSET 0 keeps the planner
 * from flattening it into a join), so that each is one range scan of an
 * index led by the cell; as a join the planner, which cannot estimate the
 * JSON's rows, scanned the whole table (200-250 ms a page at 1M comments
 * against 0.4 ms). */
#define ZRANGE_PG(arg)                                                                             \
  " FROM jsonb_array_elements(CAST(" arg " AS jsonb)) r CROSS JOIN LATERAL (SELECT * FROM "        \
  "open_comments o WHERE o.cell BETWEEN CAST(r.value ->> 0 AS bigint) AND "                        \
  "CAST(r.value ->> 1 AS bigint) AND " ZBOX
#define ZSCAN_PG(cols)                                                                             \
  "SELECT " cols ZRANGE_PG("?1") " OFFSET 0) o UNION ALL SELECT " cols ZRANGE_PG(                  \
      "?8") " AND ST_Intersects(o.geom, BuildMbr(?2, ?3, ?4, ?5, 4326)) = 1 OFFSET 0) o"
static const char zScanIdsPg[] = ZSCAN_PG("o.id, o.cell");
static const char zScanHeadsPg[] = ZSCAN_PG("o.id, o.cell, o.supports, o.head");
#undef ZSCAN_PG
#undef ZRANGE_PG
#undef ZSCAN
#undef ZBOX

/* Keeps the current row of the heads' statement in z; stops keeping texts
 * once they pass HEAD_BUDGET. */
static void zkeep(struct zscan *z, struct kg_db_stmt *s) {
  struct zhit *h = &z->a[z->n++];
  *h = (struct zhit){kg_db_col_i64(s, 0), kg_db_col_i64(s, 1), 0, 0};
  if (!z->bHeads) return;
  const char *zHead = kg_store_col_text(s, 3);
  size_t n = (size_t)kg_db_col_bytes(s, 3);
  h->supports = kg_db_col_i64(s, 2);
  h->off = z->heads.n;
  if (!zHead || z->heads.n + n + 1 > HEAD_BUDGET || kg_buf_append(&z->heads, zHead, n + 1)) {
    z->bHeads = 0;
    kg_buf_free(&z->heads);
  }
}

/* Every hit of pF's box (points, small non-points, large ones) into z,
 * sorted by id, with their texts when bHeads and they fit; z->bOver when
 * there are more than SCAN_CAP (then the rest of z is not meaningful).
 * Free z with zscan_free. */
static enum kg_err zscan(struct kg_store *p, const struct kg_ogc_filter *pF, int bHeads,
                         struct zscan *z) {
  struct zrange a[MAX_RANGES], aExt[MAX_EXT_RANGES + 1];
  char zRanges[MAX_RANGES * 44 + 4], zExt[(MAX_EXT_RANGES + 1) * 44 + 4];
  const double *b = pF->bbox;
  double aGrown[4] = {b[0] - EXT_GROW, b[1] - EXT_GROW, b[2] + EXT_GROW, b[3] + EXT_GROW};
  int n = zcover(b, 0, MAX_RANGES, a), src;
  int nExt = zcover(aGrown, EXT_REGION, MAX_EXT_RANGES, aExt);
  aExt[nExt++] = (struct zrange){BIG_CELL, BIG_CELL};
  zranges_json(a, n, zRanges, sizeof(zRanges));
  zranges_json(aExt, nExt, zExt, sizeof(zExt));
  z->a = kg_xmalloc(SCAN_CAP * sizeof(z->a[0]));
  z->n = 0;
  z->bOver = 0;
  z->bHeads = bHeads;
  kg_buf_init(&z->heads, HEAD_BUDGET);
  if (bHeads) kg_buf_reserve(&z->heads, HEAD_FIRST);
  struct kg_db_stmt *s = NULL;
  const char *zSql = p->pPg ? (bHeads ? zScanHeadsPg : zScanIdsPg) : bHeads ? zScanHeads : zScanIds;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_db_bind_text(s, 1, zRanges);
  for (int i = 0; i < 4; i++)
    kg_db_bind_double(s, 2 + i, b[i]);
  kg_db_bind_i64(s, 6, pF->tFrom);
  kg_db_bind_i64(s, 7, pF->tTo);
  kg_db_bind_text(s, 8, zExt);
  while ((src = kg_db_step(s)) == SQLITE_ROW) {
    if (z->n == SCAN_CAP) {
      z->bOver = 1;
      break;
    }
    zkeep(z, s);
  }
  if (src != SQLITE_ROW && src != SQLITE_DONE) rc = kg_store_dberr(p, src, "ogc cells");
  kg_store_sql_done(p, s);
  if (rc == KG_OK && !z->bOver) qsort(z->a, (size_t)z->n, sizeof(z->a[0]), zhit_cmp);
  return rc;
}

static void zscan_free(struct zscan *z) {
  free(z->a);
  kg_buf_free(&z->heads);
}

/* Hands one row of the clustered copy to xRow through *pRow, which the
 * caller zeroed once (only these fields change from row to row); returns
 * xRow's answer (non-zero: stop). */
static int emit_feature(struct kg_ogc_row *pRow, int64_t id, const char *zFeature, int64_t supports,
                        int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  pRow->id = id;
  pRow->zFeature = zFeature;
  pRow->aValue[SUPPORTS_FIELD].i = supports;
  return xRow(pArg, pRow);
}

/* Hands the rows of hits a[0..n) (read whole, in that order, by one
 * statement) to xRow: zFeature and supports. A row gone since the scan
 * (another transaction) is skipped. */
static enum kg_err zemit(struct kg_store *p, const struct zhit *a, int n,
                         int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  struct kg_db_stmt *s = NULL;
  struct kg_buf keys;
  int src;
  kg_buf_init(&keys, (size_t)n * 44 + 4);
  kg_buf_puts(&keys, "[");
  for (int i = 0; i < n; i++)
    kg_buf_printf(&keys, "%s[%" PRId64 ",%" PRId64 "]", i ? "," : "", a[i].cell, a[i].id);
  kg_buf_puts(&keys, "]");
  enum kg_err rc = kg_buf_failed(&keys) ? KG_ENOMEM : KG_OK;
  if (rc == KG_OK)
    rc = kg_store_sql_prepare(p,
                              /* LATERAL: one primary-key lookup per key (ZRANGE_PG) */
                              p->pPg
                                  ? "SELECT o.id, o.head, o.supports FROM "
                                    "jsonb_array_elements(CAST(?1 AS jsonb)) WITH ORDINALITY "
                                    "k(value, key) CROSS JOIN LATERAL (SELECT * FROM "
                                    "open_comments o WHERE o.cell = CAST(k.value ->> 0 AS "
                                    "bigint) AND o.id = CAST(k.value ->> 1 AS bigint) OFFSET 0) o "
                                    "ORDER BY k.key"
                                  : "SELECT o.id, o.head, o.supports FROM json_each(?1) k "
                                    "JOIN open_comments o ON o.cell = k.value ->> 0 "
                                    "AND o.id = k.value ->> 1 ORDER BY k.key",
                              &s);
  if (rc == KG_OK) {
    kg_db_bind_textn(s, 1, keys.a, (int)keys.n);
    struct kg_ogc_row row;
    memset(&row, 0, sizeof(row));
    while ((src = kg_db_step(s)) == SQLITE_ROW)
      if (emit_feature(&row, kg_db_col_i64(s, 0), kg_store_col_text(s, 1), kg_db_col_i64(s, 2),
                       xRow, pArg))
        break;
    if (src != SQLITE_ROW && src != SQLITE_DONE) rc = kg_store_dberr(p, src, "ogc features");
    kg_store_sql_done(p, s);
  }
  kg_buf_free(&keys);
  return rc;
}

/* Hands hits a[0..n) of z, whose texts z kept, to xRow. */
static void zemit_kept(const struct zscan *z, const struct zhit *a, int n,
                       int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  struct kg_ogc_row row;
  memset(&row, 0, sizeof(row));
  for (int i = 0; i < n; i++)
    if (emit_feature(&row, a[i].id, z->heads.a + a[i].off, a[i].supports, xRow, pArg)) break;
}

/* kg_store_ogc_items through the clustered copy; *pbOver (nothing sent)
 * when the box holds more than SCAN_CAP rows. */
static enum kg_err zitems(struct kg_store *p, const struct kg_ogc_filter *pF,
                          int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg,
                          int *pbOver) {
  struct zscan z;
  enum kg_err rc = zscan(p, pF, 1, &z);
  *pbOver = z.bOver;
  if (rc == KG_OK && !z.bOver && pF->pnMatched) *pF->pnMatched = z.n;
  if (rc == KG_OK && !z.bOver) {
    int i = 0;
    int64_t nLimit = pF->nLimit > 0 ? pF->nLimit : 100;
    while (i < z.n && z.a[i].id <= pF->afterId)
      i++;
    i += (int)(pF->nOffset > 0 ? (pF->nOffset < z.n - i ? pF->nOffset : z.n - i) : 0);
    int n = (int)(nLimit < z.n - i ? nLimit : z.n - i);
    if (n > 0 && z.bHeads)
      zemit_kept(&z, z.a + i, n, xRow, pArg);
    else if (n > 0)
      rc = zemit(p, z.a + i, n, xRow, pArg);
  }
  zscan_free(&z);
  return rc;
}

enum kg_err kg_store_ogc_items(struct kg_store *p, enum kg_ogc_layer e,
                               const struct kg_ogc_filter *pF,
                               int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  const struct layer *L = &aLayer[e];
  int bBbox = pF->bBbox && L->zBbox[0];
  char zSql[2048];
  struct kg_db_stmt *s = NULL;
  struct emit_ctx c = {L, xRow, pArg};
  if (e == KG_OGC_COMMENTS && bBbox && pF->bFeatureText) {
    int bOver = 0;
    enum kg_err rc = zitems(p, pF, xRow, pArg, &bOver);
    if (rc || !bOver) return rc;
  }
  /* assembled from the constant fragments above only; values are bound */
  snprintf(zSql, sizeof(zSql), "SELECT %s %s%s%s AND x.id > ?1 ORDER BY x.id LIMIT ?2 OFFSET ?3",
           L->zCols, L->zFrom, L->zTime, bBbox ? layer_bbox(p, e) : "");
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, pF->afterId);
  kg_db_bind_int(s, 2, pF->nLimit > 0 ? pF->nLimit : 100);
  kg_db_bind_i64(s, 3, pF->nOffset > 0 ? pF->nOffset : 0);
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
  struct kg_db_stmt *s = NULL;
  *pn = 0;
  if (e == KG_OGC_COMMENTS && bBbox) {
    struct zscan z;
    enum kg_err rc = zscan(p, pF, 0, &z);
    *pn = z.bOver ? -1 : z.n;
    zscan_free(&z);
    return rc;
  }
  snprintf(zSql, sizeof(zSql), "SELECT count(*) %s%s%s", L->zFrom, L->zTime,
           bBbox ? layer_bbox(p, e) : "");
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  bind_filter(s, pF, bBbox);
  if ((rc = kg_store_sql_one(p, s, "ogc count")) == KG_OK) *pn = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_ogc_get(struct kg_store *p, enum kg_ogc_layer e, int64_t fid,
                             int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg) {
  const struct layer *L = &aLayer[e];
  char zSql[2048];
  struct kg_db_stmt *s = NULL;
  if (e == KG_OGC_COMMENTS_EXPORT) return KG_ENOTFOUND;
  snprintf(zSql, sizeof(zSql), "SELECT %s %s AND x.id = ?1", L->zCols, L->zFrom);
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, fid);
  rc = kg_store_sql_row(p, s, "ogc get");
  if (rc == KG_OK) emit_row(s, L, xRow, pArg);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_ogc_extent(struct kg_store *p, enum kg_ogc_layer e, double aBox[4],
                                int64_t *ptFrom, int64_t *ptTo, int *pbEmpty) {
  const struct layer *L = &aLayer[e];
  struct kg_db_stmt *s = NULL;
  memset(aBox, 0, 4 * sizeof(double));
  *ptFrom = *ptTo = 0;
  *pbEmpty = 1;
  if (!L->zExtent) return KG_OK;
  enum kg_err rc = kg_store_sql_prepare(p, L->zExtent, &s);
  if (rc) return rc;
  rc = kg_store_sql_one(p, s, "ogc extent");
  if (rc == KG_OK && kg_db_col_i64(s, 6) > 0) {
    *pbEmpty = 0;
    for (int i = 0; i < 4; i++)
      aBox[i] = kg_db_col_double(s, i);
    *ptFrom = kg_db_col_i64(s, 4);
    *ptTo = kg_db_col_i64(s, 5);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* point_in_area.c: the SQL function kg_point_in_area(area, point), a quick
 * answer to "does this point lie in this polygon" for the hot paths (the
 * eligibility of a residence, the location rule of a proposal).
 *
 * SpatiaLite's ST_Intersects and ST_Within hand both geometries to GEOS,
 * which prepares a polygon only once it has seen the same one twice on a
 * connection: with proposals spread over many discussions every test
 * builds GEOS's full relate graph, about 30 us for a territory of 16
 * vertices. Here SpatiaLite's own ray test (gaiaIsPointOnPolygonSurface)
 * and its point-to-ring distance (gaiaMinDistance) answer in about a
 * microsecond, but only when the answer cannot depend on rounding: a point
 * nearer than KG_POINT_EDGE_DEG to any ring (an edge, a vertex, a hole's
 * border) gives NULL, and so does anything but a point and a (multi)polygon
 * of the same SRID. Callers write coalesce(kg_point_in_area(t, p) > 0,
 * ST_Intersects(t, p) = 1) (or ST_Within): where the quick answer is given
 * it is the one GEOS gives, elsewhere GEOS decides. */
#include <math.h>

#include "store_int.h" /* sqlite3.h first: SpatiaLite's headers use its types */

#include <spatialite/gaiageo.h>

/* Degrees (the store keeps EPSG:4326): about 0.1 mm. A ray test's
 * rounding error at city coordinates is some 1e-14 degrees. */
#define KG_POINT_EDGE_DEG 1e-9

/* The least distance from (x, y) to the rings of every polygon of a. */
static double edge_distance(gaiaGeomCollPtr a, double x, double y) {
  double d = INFINITY;
  for (gaiaPolygonPtr pg = a->FirstPolygon; pg; pg = pg->Next) {
    gaiaRingPtr r = pg->Exterior;
    d = fmin(d, gaiaMinDistance(x, y, r->DimensionModel, r->Coords, r->Points));
    for (int i = 0; i < pg->NumInteriors; i++) {
      r = &pg->Interiors[i];
      d = fmin(d, gaiaMinDistance(x, y, r->DimensionModel, r->Coords, r->Points));
    }
  }
  return d;
}

/* 2 when the point lies inside the area, 0 when outside, -1 when the
 * quick test cannot say (see the top). */
static int point_in_area(gaiaGeomCollPtr a, gaiaGeomCollPtr p) {
  gaiaPointPtr pt = p->FirstPoint;
  if (!pt || pt != p->LastPoint || p->FirstLinestring || p->FirstPolygon || !a->FirstPolygon ||
      a->FirstPoint || a->FirstLinestring || a->Srid != p->Srid)
    return -1;
  double x = pt->X, y = pt->Y;
  /* the box is the blob's header, which gaiaFromSpatiaLiteBlobWkb read */
  if (x < a->MinX - KG_POINT_EDGE_DEG || x > a->MaxX + KG_POINT_EDGE_DEG ||
      y < a->MinY - KG_POINT_EDGE_DEG || y > a->MaxY + KG_POINT_EDGE_DEG)
    return 0;
  if (!(edge_distance(a, x, y) > KG_POINT_EDGE_DEG)) return -1; /* also NaN */
  for (gaiaPolygonPtr pg = a->FirstPolygon; pg; pg = pg->Next)
    if (gaiaIsPointOnPolygonSurface(pg, x, y)) return 2;
  return 0;
}

static gaiaGeomCollPtr geometry_of(sqlite3_value *v) {
  if (sqlite3_value_type(v) != SQLITE_BLOB) return NULL;
  return gaiaFromSpatiaLiteBlobWkb(sqlite3_value_blob(v), sqlite3_value_bytes(v));
}

static void point_in_area_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  /* the point first: it is the cheap one, and without it the area is not read */
  gaiaGeomCollPtr p = geometry_of(argv[1]), a = p ? geometry_of(argv[0]) : NULL;
  int r = a && p ? point_in_area(a, p) : -1;
  if (r < 0)
    sqlite3_result_null(ctx);
  else
    sqlite3_result_int(ctx, r);
  if (a) gaiaFreeGeomColl(a);
  if (p) gaiaFreeGeomColl(p);
}

void kg_store_point_functions(sqlite3 *db) {
  int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
  if (sqlite3_create_function(db, "kg_point_in_area", 2, f, NULL, point_in_area_fn, NULL, NULL))
    kg_log_error("store point functions err=\"%s\"", sqlite3_errmsg(db));
}

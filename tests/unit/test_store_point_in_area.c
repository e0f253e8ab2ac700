/* test_store_point_in_area.c: kg_point_in_area (src/store/point_in_area.c)
 * against GEOS (SpatiaLite's ST_Intersects and ST_Within) as the oracle:
 * wherever it answers, it answers as GEOS does; near a ring it says NULL. */
#define _GNU_SOURCE
#include "store_harness.h"

#include <math.h>

/* A territory with a hole and a second part, and a thin sliver. */
static const char *const azArea[] = {
    KAZAN_SQUARE_WKT,
    "MULTIPOLYGON(((49.10 55.70,49.20 55.70,49.20 55.80,49.10 55.80,49.10 55.70),"
    "(49.13 55.73,49.17 55.73,49.17 55.77,49.13 55.77,49.13 55.73)),"
    "((49.30 55.70,49.35 55.75,49.30 55.80,49.30 55.70)))",
    "POLYGON((49.0 55.0,49.5 55.0000001,49.0 55.0000002,49.0 55.0))",
};

/* One point: the quick answer and GEOS's, through one statement. */
static void compare(struct kg_store *p, sqlite3_stmt *s, const char *zArea, double x, double y,
                    int *pnQuick, int *pnBad) {
  sqlite3_reset(s);
  sqlite3_bind_text(s, 1, zArea, -1, SQLITE_STATIC);
  sqlite3_bind_double(s, 2, x);
  sqlite3_bind_double(s, 3, y);
  if (sqlite3_step(s) != SQLITE_ROW) {
    FAIL("  step: %s", sqlite3_errmsg(p->db));
    return;
  }
  if (sqlite3_column_type(s, 0) == SQLITE_NULL) return;
  int q = sqlite3_column_int(s, 0), bIntersects = sqlite3_column_int(s, 1) == 1,
      bWithin = sqlite3_column_int(s, 2) == 1;
  ++*pnQuick;
  if ((q == 2) != bWithin || (q == 2) != bIntersects || (q != 0 && q != 2)) {
    if (++*pnBad < 5)
      fprintf(stderr, "  (%.10f %.10f) in %.40s: quick %d, GEOS intersects %d within %d\n", x, y,
              zArea, q, bIntersects, bWithin);
  }
}

static void agrees_with_geos_wherever_it_answers(void) {
  struct kg_store *p = fresh();
  sqlite3_stmt *s = NULL;
  REQUIRE(
      sqlite3_prepare_v2(p->db,
                         "SELECT kg_point_in_area(a, g), ST_Intersects(a, g), ST_Within(g, a) "
                         "FROM (SELECT GeomFromText(?1, 4326) AS a, MakePoint(?2, ?3, 4326) AS g)",
                         -1, &s, NULL) == SQLITE_OK);
  unsigned seed = 17;
  int nQuick = 0, nBad = 0, nTotal = 0;
  for (size_t k = 0; k < sizeof(azArea) / sizeof(azArea[0]); k++) {
    /* random points over the area's box and around it */
    for (int i = 0; i < 4000; i++, nTotal++) {
      double x = 48.9 + 0.7 * rand_r(&seed) / RAND_MAX, y = 54.9 + 1.0 * rand_r(&seed) / RAND_MAX;
      if (k == 0)
        x = 49.1 + 0.04 * rand_r(&seed) / RAND_MAX, y = 55.78 + 0.02 * rand_r(&seed) / RAND_MAX;
      compare(p, s, azArea[k], x, y, &nQuick, &nBad);
    }
  }
  /* on and just off the rings: vertices, edges, the hole's border */
  static const double aNear[][2] = {
      {49.118, 55.787},        {49.1205, 55.787}, {49.123, 55.79},        {49.1205, 55.7870000001},
      {49.1205, 55.786999999}, {49.15, 55.73},    {49.15, 55.7300000001}, {49.15, 55.7299999999},
      {49.13, 55.75},          {49.325, 55.725},  {49.30, 55.75},         {49.25, 55.0000001}};
  for (size_t k = 0; k < sizeof(azArea) / sizeof(azArea[0]); k++)
    for (size_t i = 0; i < sizeof(aNear) / sizeof(aNear[0]); i++, nTotal++)
      compare(p, s, azArea[k], aNear[i][0], aNear[i][1], &nQuick, &nBad);
  CHECK(nBad == 0);
  /* it answers almost everywhere (all but points within 1e-9 of a ring) */
  CHECK(nQuick > nTotal * 9 / 10);
  sqlite3_finalize(s);
  /* points on a ring are left to GEOS */
  CHECK(q_int(p, "SELECT kg_point_in_area(GeomFromText('" KAZAN_SQUARE_WKT "', 4326), "
                 "MakePoint(49.118, 55.79, 4326)) IS NULL") == 1);
  CHECK(q_int(p, "SELECT kg_point_in_area(GeomFromText('" KAZAN_SQUARE_WKT "', 4326), "
                 "MakePoint(49.12, 55.789, 4326))") == 2);
  kg_store_close(p);
}

static void says_null_for_what_it_does_not_handle(void) {
  struct kg_store *p = fresh();
  static const char *const azNull[] = {
      /* a line, a polygon as the "point", two points, another SRID, NULL, not a blob */
      "SELECT kg_point_in_area(GeomFromText('LINESTRING(0 0,1 1)', 4326), MakePoint(0.5, 0.5, "
      "4326)) IS NULL",
      "SELECT kg_point_in_area(GeomFromText('" KAZAN_SQUARE_WKT
      "', 4326), GeomFromText('" KAZAN_SQUARE_WKT "', 4326)) IS NULL",
      "SELECT kg_point_in_area(GeomFromText('" KAZAN_SQUARE_WKT "', 4326), "
      "GeomFromText('MULTIPOINT(49.12 55.789,49.121 55.789)', 4326)) IS NULL",
      "SELECT kg_point_in_area(GeomFromText('" KAZAN_SQUARE_WKT "', 4326), MakePoint(49.12, "
      "55.789, 3857)) IS NULL",
      "SELECT kg_point_in_area(NULL, MakePoint(49.12, 55.789, 4326)) IS NULL",
      "SELECT kg_point_in_area(X'00010203', 'text') IS NULL",
      "SELECT kg_point_in_area(GeomFromText('" KAZAN_SQUARE_WKT "', 4326), X'') IS NULL",
  };
  for (size_t i = 0; i < sizeof(azNull) / sizeof(azNull[0]); i++)
    if (q_int(p, azNull[i]) != 1) FAIL("  not NULL: %s", azNull[i]);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(agrees_with_geos_wherever_it_answers);
  RUN(says_null_for_what_it_does_not_handle);
  return harness_end();
}

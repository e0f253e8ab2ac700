/* test_geo.c: unit tests for src/geo (GeoJSON parsing and validation, PROJ
 * transforms checked against the cs2cs tool, writers, geodesic area, bbox).
 * Prints each test name with ok/FAIL and ends with "N passed, M failed";
 * exits nonzero on any failure. Needs cs2cs (proj-bin) on PATH. */
#define _GNU_SOURCE
#include "kengash/geo.h"

#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static const char zMsk16z1[] =
    "+proj=tmerc +lat_0=0 +lon_0=49.03333333333 +k=1 +x_0=1300000 +y_0=-5709414.70 +ellps=krass "
    "+towgs84=23.57,-140.95,-79.8,0,0.35,0.79,-0.22 +units=m +no_defs";

static struct kg_geo_ctx *gCtx; /* shared by the single-threaded tests */

/* Parses JSON text zJson as a geometry; returns kg_geo_parse()'s code, or
 * -1 when the JSON text itself is malformed. */
static int parse_text(const char *zJson, const char *zCrs, const struct kg_geo_limits *pLim,
                      struct kg_geom *pOut, char *zErr, size_t nErr) {
  json_error_t jerr;
  json_t *pJson = json_loads(zJson, 0, &jerr);
  if (!pJson) {
    fprintf(stderr, "  bad JSON in test: %s\n", jerr.text);
    return -1;
  }
  int rc = (int)kg_geo_parse(gCtx, pJson, zCrs, pLim, pOut, zErr, nErr);
  json_decref(pJson);
  return rc;
}

/* Checks that zJson is refused with code rcWant and a reason starting with
 * zPrefix, and leaves the output empty. */
static void refused(const char *zJson, const char *zCrs, const struct kg_geo_limits *pLim,
                    enum kg_err rcWant, const char *zPrefix) {
  struct kg_geom g;
  char zErr[256];
  int rc = parse_text(zJson, zCrs, pLim, &g, zErr, sizeof(zErr));
  if (rc != (int)rcWant || strncmp(zErr, zPrefix, strlen(zPrefix)) != 0)
    FAIL("%s\n  want rc %d \"%s...\", got rc %d \"%s\"", zJson, (int)rcWant, zPrefix, rc, zErr);
  else if (g.aCoord || g.nVertex || g.type)
    FAIL("output not empty after failure");
}

/* Runs `cs2cs -f %.10f <zFrom> EPSG:4326` on n easting/northing pairs and
 * stores lon,lat pairs in aOut. cs2cs writes EPSG:4326 in its official
 * axis order, latitude first; this swaps to lon,lat. 0 on success. */
static int run_cs2cs(const char *zFrom, const double *aIn, size_t n, double *aOut) {
  char *zIn = test_path("cs2cs.txt");
  FILE *f = fopen(zIn, "w");
  if (!f) {
    free(zIn);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%.3f %.3f\n", aIn[2 * i], aIn[2 * i + 1]);
  fclose(f);
  char zCmd[1024];
  /* cs2cs 9.1.1 refuses a PROJ string passed as one (quoted) argument before
   * a target CRS ("missing target CRS and source CRS is not a projected
   * CRS"); the old form "+proj=... +to EPSG:4326", split into words, works.
   * The PROJ strings here have no shell metacharacters. */
  if (zFrom[0] == '+') {
    snprintf(zCmd, sizeof(zCmd), "cs2cs -f %%.10f %s +to EPSG:4326 < %s", zFrom, zIn);
  } else {
    snprintf(zCmd, sizeof(zCmd), "cs2cs -f %%.10f '%s' EPSG:4326 < %s", zFrom, zIn);
  }
  FILE *p = popen(zCmd, "r");
  size_t nRead = 0;
  if (p) {
    char zLine[256];
    while (nRead < n && fgets(zLine, sizeof(zLine), p)) {
      double lat, lon;
      if (sscanf(zLine, "%lf %lf", &lat, &lon) != 2) break;
      aOut[2 * nRead] = lon;
      aOut[2 * nRead + 1] = lat;
      nRead++;
    }
    if (pclose(p) != 0) nRead = 0;
  }
  unlink(zIn);
  free(zIn);
  if (nRead != n) fprintf(stderr, "  cs2cs failed or missing: %s\n", zCmd);
  return nRead == n ? 0 : -1;
}

/* Builds a closed square ring polygon in GeoJSON around (e,n) with side s. */
static void square_json(char *z, size_t nz, double e, double n, double s) {
  double h = s / 2;
  snprintf(z, nz,
           "{\"type\":\"Polygon\",\"coordinates\":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],"
           "[%.3f,%.3f],[%.3f,%.3f]]]}",
           e - h, n - h, e + h, n - h, e + h, n + h, e - h, n + h, e - h, n - h);
}

/* Parses a polygon given in zCrs and checks every vertex against cs2cs. */
static void matches_cs2cs(const char *zCrs, double e, double n) {
  double aIn[] = {e - 350, n - 420, e + 500, n - 400, e + 480,
                  n + 610, e - 20,  n + 900, e - 350, n - 420};
  char zJson[512];
  snprintf(zJson, sizeof(zJson),
           "{\"type\":\"Polygon\",\"coordinates\":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],"
           "[%.3f,%.3f],[%.3f,%.3f]]]}",
           aIn[0], aIn[1], aIn[2], aIn[3], aIn[4], aIn[5], aIn[6], aIn[7], aIn[8], aIn[9]);
  struct kg_geom g;
  char zErr[256] = "";
  int rc = parse_text(zJson, zCrs, NULL, &g, zErr, sizeof(zErr));
  if (rc) fprintf(stderr, "  parse: %s\n", zErr);
  REQUIRE(rc == KG_OK);
  REQUIRE(g.type == KG_GEOM_POLYGON && g.nVertex == 5 && g.nRing == 1 && g.nPoly == 1);
  double aWant[10];
  int rcTool = run_cs2cs(zCrs, aIn, 5, aWant);
  int bad = rcTool != 0;
  for (size_t i = 0; i < 5 && !bad; i++) {
    double dLon = fabs(g.aCoord[2 * i] - aWant[2 * i]);
    double dLat = fabs(g.aCoord[2 * i + 1] - aWant[2 * i + 1]);
    if (dLon > 1e-7 || dLat > 1e-7) {
      fprintf(stderr, "  vertex %zu: got %.10f %.10f, cs2cs %.10f %.10f\n", i, g.aCoord[2 * i],
              g.aCoord[2 * i + 1], aWant[2 * i], aWant[2 * i + 1]);
      bad = 1;
    }
  }
  /* Kazan is near lon 49.12, lat 55.79: guards against swapped axes. */
  if (!bad && (fabs(g.aCoord[0] - 49.12) > 0.05 || fabs(g.aCoord[1] - 55.79) > 0.05)) {
    fprintf(stderr, "  not near Kazan: %.6f %.6f\n", g.aCoord[0], g.aCoord[1]);
    bad = 1;
  }
  kg_geom_clear(&g);
  CHECK(!bad);
}

/* ---- transforms ---- */

static void territory_in_utm39n_matches_cs2cs(void) {
  matches_cs2cs("EPSG:32639", 382249.0, 6184158.0);
}

static void territory_in_msk16_matches_cs2cs(void) {
  matches_cs2cs(zMsk16z1, 1305671.7, 475708.3);
}

static void msk16_control_point_is_central_kazan(void) {
  /* From geodata/msk16.txt: WGS84 lon 49.1221, lat 55.7887 -> E=1305671.7,
   * N=475708.3 (PROJ strings take easting first). */
  double x = 1305671.7, y = 475708.3;
  CHECK(kg_geo_transform_point(gCtx, zMsk16z1, "EPSG:4326", &x, &y) == KG_OK);
  CHECK(fabs(x - 49.1221) < 1e-5 && fabs(y - 55.7887) < 1e-5);
  CHECK(kg_geo_transform_point(gCtx, "EPSG:4326", zMsk16z1, &x, &y) == KG_OK);
  CHECK(fabs(x - 1305671.7) < 0.01 && fabs(y - 475708.3) < 0.01);
}

static void transform_point_round_trips_through_utm(void) {
  double x = 49.1221, y = 55.7887;
  CHECK(kg_geo_transform_point(gCtx, "CRS84", "EPSG:32639", &x, &y) == KG_OK);
  CHECK(fabs(x - 382249.0) < 1.0 && fabs(y - 6184158.9) < 1.0);
  CHECK(kg_geo_transform_point(gCtx, "EPSG:32639", NULL, &x, &y) == KG_OK);
  CHECK(fabs(x - 49.1221) < 1e-9 && fabs(y - 55.7887) < 1e-9);
}

static void wkt_crs_gives_same_result_as_its_code(void) {
  /* The WKT comes from PROJ itself, as a .prj file or QGIS would give it. */
  PJ *pCrs = proj_create(NULL, "EPSG:32639");
  const char *const azOpt[] = {"MULTILINE=NO", NULL};
  const char *zWkt = pCrs ? proj_as_wkt(NULL, pCrs, PJ_WKT1_GDAL, azOpt) : NULL;
  int bad = !zWkt;
  double x1 = 382249.0, y1 = 6184158.0, x2 = x1, y2 = y1;
  bad = bad || kg_geo_transform_point(gCtx, zWkt, "EPSG:4326", &x1, &y1) != KG_OK;
  bad = bad || kg_geo_transform_point(gCtx, "EPSG:32639", "EPSG:4326", &x2, &y2) != KG_OK;
  bad = bad || fabs(x1 - x2) > 1e-9 || fabs(y1 - y2) > 1e-9;
  if (pCrs) proj_destroy(pCrs);
  CHECK(!bad);
}

static void transform_point_lonlat_to_lonlat_is_identity(void) {
  double x = 49.5, y = 55.5;
  CHECK(kg_geo_transform_point(gCtx, "EPSG:4326", "OGC:CRS84", &x, &y) == KG_OK);
  CHECK(x == 49.5 && y == 55.5);
}

static void transform_point_refuses_unknown_crs_and_nan(void) {
  double x = 1, y = 2;
  CHECK(kg_geo_transform_point(gCtx, "EPSG:99999", "EPSG:4326", &x, &y) == KG_EINVAL);
  CHECK(kg_geo_transform_point(gCtx, "EPSG:4326", "nonsense", &x, &y) == KG_EINVAL);
  CHECK(x == 1 && y == 2);
  x = NAN;
  CHECK(kg_geo_transform_point(gCtx, "EPSG:32639", "EPSG:4326", &x, &y) == KG_EINVAL);
}

static void geographic_input_crs_is_lonlat_after_normalisation(void) {
  /* EPSG:4284 (Pulkovo 1942) is officially lat/lon; after normalisation the
   * input is lon/lat like GeoJSON. */
  struct kg_geom g;
  char zErr[256] = "";
  int rc = parse_text("{\"type\":\"Point\",\"coordinates\":[49.1221,55.7887]}", "EPSG:4284", NULL,
                      &g, zErr, sizeof(zErr));
  REQUIRE(rc == KG_OK);
  CHECK(fabs(g.aCoord[0] - 49.12) < 0.01 && fabs(g.aCoord[1] - 55.79) < 0.01);
  kg_geom_clear(&g);
}

static void cache_survives_more_crs_than_slots(void) {
  for (int round = 0; round < 2; round++) {
    for (int zone = 1; zone <= KG_GEO_CACHE_SIZE + 8; zone++) {
      char zCrs[32];
      snprintf(zCrs, sizeof(zCrs), "EPSG:%d", 32600 + zone);
      double x = 500000, y = 6000000;
      CHECK(kg_geo_transform_point(gCtx, zCrs, "EPSG:4326", &x, &y) == KG_OK);
      CHECK(fabs(x - (zone * 6 - 183)) < 1e-9);
    }
  }
}

struct thread_arg {
  int zone;
  int bad;
};

static void *thread_main(void *pArg) {
  struct thread_arg *a = pArg;
  struct kg_geo_ctx *ctx = kg_geo_ctx_new();
  if (!ctx) {
    a->bad = 1;
    return NULL;
  }
  for (int i = 0; i < 50; i++) {
    char zCrs[32];
    snprintf(zCrs, sizeof(zCrs), "EPSG:%d", 32600 + a->zone + i % 3);
    double x = 500000, y = 6000000;
    if (kg_geo_transform_point(ctx, zCrs, "EPSG:4326", &x, &y) != KG_OK ||
        fabs(x - ((a->zone + i % 3) * 6 - 183)) > 1e-9) {
      a->bad = 1;
    }
  }
  kg_geo_ctx_free(ctx);
  return NULL;
}

static void contexts_work_in_parallel_threads(void) {
  pthread_t aThread[4];
  struct thread_arg aArg[4];
  int bad = 0;
  for (int i = 0; i < 4; i++) {
    aArg[i].zone = 30 + 3 * i;
    aArg[i].bad = 0;
    REQUIRE(pthread_create(&aThread[i], NULL, thread_main, &aArg[i]) == 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(aThread[i], NULL);
    bad |= aArg[i].bad;
  }
  CHECK(!bad);
}

/* ---- area ---- */

static void area_of_1km_square_is_right(void) {
  char zJson[512];
  square_json(zJson, sizeof(zJson), 382249.0, 6184158.0, 1000.0);
  struct kg_geom g;
  char zErr[256] = "";
  REQUIRE(parse_text(zJson, "EPSG:32639", NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  double a = kg_geom_area_m2(&g);
  kg_geom_clear(&g);
  /* UTM scale there is 0.99977, so the true area is about 1e6/0.99977^2. */
  CHECK(fabs(a - 1e6) / 1e6 < 1e-3);
  CHECK(fabs(a - 1e6 / (0.99977 * 0.99977)) / 1e6 < 1e-4);
}

static void area_ignores_ring_orientation_and_subtracts_holes(void) {
  /* Same 0.01 deg square clockwise and counter-clockwise, then with a hole
   * of a quarter of its size and as a MultiPolygon with two copies. */
  const char *zCcw = "{\"type\":\"Polygon\",\"coordinates\":[[[49,55],[49.01,55],[49.01,55.01],"
                     "[49,55.01],[49,55]]]}";
  const char *zCw = "{\"type\":\"Polygon\",\"coordinates\":[[[49,55],[49,55.01],[49.01,55.01],"
                    "[49.01,55],[49,55]]]}";
  const char *zHole =
      "{\"type\":\"Polygon\",\"coordinates\":[[[49,55],[49.01,55],[49.01,55.01],[49,55.01],"
      "[49,55]],[[49.0025,55.0025],[49.0025,55.0075],[49.0075,55.0075],[49.0075,55.0025],"
      "[49.0025,55.0025]]]}";
  const char *zMulti = "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[49,55],[49.01,55],"
                       "[49.01,55.01],[49,55.01],[49,55]]],[[[50,55],[50,55.01],[50.01,55.01],"
                       "[50.01,55],[50,55]]]]}";
  struct kg_geom g;
  char zErr[256];
  REQUIRE(parse_text(zCcw, NULL, NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  double aCcw = kg_geom_area_m2(&g);
  kg_geom_clear(&g);
  REQUIRE(parse_text(zCw, NULL, NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  double aCw = kg_geom_area_m2(&g);
  kg_geom_clear(&g);
  REQUIRE(parse_text(zHole, NULL, NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  double aHole = kg_geom_area_m2(&g);
  kg_geom_clear(&g);
  REQUIRE(parse_text(zMulti, NULL, NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  double aMulti = kg_geom_area_m2(&g);
  kg_geom_clear(&g);
  /* 0.01 deg x 0.01 deg at 55N is roughly 1113 m x 640 m. */
  CHECK(aCcw > 6.9e5 && aCcw < 7.2e5);
  CHECK(fabs(aCcw - aCw) < 1e-6 * aCcw);
  CHECK(fabs(aHole - 0.75 * aCcw) < 1e-3 * aCcw);
  CHECK(fabs(aMulti - 2 * aCcw) < 1e-3 * aCcw);
}

static void area_of_point_and_line_is_zero(void) {
  struct kg_geom g;
  char zErr[256];
  REQUIRE(parse_text("{\"type\":\"Point\",\"coordinates\":[49,55]}", NULL, NULL, &g, zErr,
                     sizeof(zErr)) == KG_OK);
  CHECK(kg_geom_area_m2(&g) == 0);
  kg_geom_clear(&g);
  REQUIRE(parse_text("{\"type\":\"LineString\",\"coordinates\":[[49,55],[50,56]]}", NULL, NULL, &g,
                     zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_geom_area_m2(&g) == 0);
  kg_geom_clear(&g);
  CHECK(kg_geom_area_m2(&g) == 0);
  CHECK(kg_geom_area_m2(NULL) == 0);
}

/* ---- accepted shapes ---- */

static void polygon_stays_polygon_with_structure_and_bbox(void) {
  const char *z = "{\"type\":\"Polygon\",\"coordinates\":[[[49,55],[49.5,55],[49.5,55.5],"
                  "[49,55.5],[49,55]],[[49.1,55.1],[49.1,55.2],[49.2,55.2],[49.1,55.1]]]}";
  struct kg_geom g;
  char zErr[256];
  REQUIRE(parse_text(z, "EPSG:4326", NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  CHECK(g.type == KG_GEOM_POLYGON);
  CHECK(g.nVertex == 9 && g.nRing == 2 && g.nPoly == 1);
  CHECK(g.aRingEnd[0] == 5 && g.aRingEnd[1] == 9 && g.aPolyEnd[0] == 2);
  CHECK(g.minx == 49 && g.maxx == 49.5 && g.miny == 55 && g.maxy == 55.5);
  kg_geom_clear(&g);
  kg_geom_clear(&g); /* twice is fine */
}

static void multipolygon_structure_is_recorded(void) {
  const char *z = "{\"type\":\"MultiPolygon\",\"coordinates\":["
                  "[[[0,0],[1,0],[1,1],[0,0]]],"
                  "[[[2,2],[3,2],[3,3],[2,3],[2,2]],[[2.1,2.1],[2.2,2.1],[2.2,2.2],[2.1,2.1]]]]}";
  struct kg_geom g;
  char zErr[256];
  REQUIRE(parse_text(z, "CRS84", NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  CHECK(g.type == KG_GEOM_MULTIPOLYGON && g.nVertex == 13 && g.nRing == 3 && g.nPoly == 2);
  CHECK(g.aRingEnd[0] == 4 && g.aRingEnd[1] == 9 && g.aRingEnd[2] == 13);
  CHECK(g.aPolyEnd[0] == 1 && g.aPolyEnd[1] == 3);
  CHECK(g.minx == 0 && g.miny == 0 && g.maxx == 3 && g.maxy == 3);
  kg_geom_clear(&g);
}

static void third_coordinate_is_ignored(void) {
  struct kg_geom g;
  char zErr[256];
  REQUIRE(parse_text("{\"type\":\"LineString\",\"coordinates\":[[49,55,120.5],[50,56,-3]]}", NULL,
                     NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  CHECK(g.nVertex == 2 && g.aCoord[2] == 50 && g.aCoord[3] == 56);
  kg_geom_clear(&g);
}

static void transformed_rings_stay_exactly_closed(void) {
  char zJson[512];
  square_json(zJson, sizeof(zJson), 1305671.7, 475708.3, 123.4);
  struct kg_geom g;
  char zErr[256];
  REQUIRE(parse_text(zJson, zMsk16z1, NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  CHECK(g.aCoord[0] == g.aCoord[8] && g.aCoord[1] == g.aCoord[9]);
  kg_geom_clear(&g);
}

/* ---- rejections ---- */

static void ring_not_closed_is_refused(void) {
  refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]],"
          "[[0.1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.2]]]}",
          NULL, NULL, KG_EINVAL, "coordinates[1]: ring is not closed");
}

static void ring_with_three_positions_is_refused(void) {
  refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", NULL, NULL, KG_EINVAL,
          "coordinates[0]: ring must have at least 4 positions");
}

static void line_with_one_position_is_refused(void) {
  refused("{\"type\":\"LineString\",\"coordinates\":[[0,0]]}", NULL, NULL, KG_EINVAL,
          "coordinates: line must have at least 2 positions");
}

static void longitude_200_is_refused_with_its_path(void) {
  refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]],"
          "[[0.1,0.1],[200,0.1],[0.2,0.2],[0.1,0.1]]]}",
          NULL, NULL, KG_EINVAL, "coordinates[1][1]: longitude 200 out of range");
}

static void latitude_91_is_refused(void) {
  refused("{\"type\":\"Point\",\"coordinates\":[10,91]}", NULL, NULL, KG_EINVAL,
          "coordinates: latitude 91 out of range");
}

static void projected_position_far_outside_is_refused(void) {
  /* 1e20 m easting cannot be a place on Earth. */
  refused("{\"type\":\"Point\",\"coordinates\":[1e20,6184158]}", "EPSG:32639", NULL, KG_EINVAL,
          "coordinates: ");
}

static void non_number_coordinates_are_refused(void) {
  refused("{\"type\":\"Point\",\"coordinates\":[\"NaN\",55]}", NULL, NULL, KG_EINVAL,
          "coordinates[0]: must be a finite number");
  refused("{\"type\":\"Point\",\"coordinates\":[49,null]}", NULL, NULL, KG_EINVAL,
          "coordinates[1]: must be a finite number");
  refused("{\"type\":\"LineString\",\"coordinates\":[[49,55],[true,55]]}", NULL, NULL, KG_EINVAL,
          "coordinates[1][0]: must be a finite number");
  refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
          "[[[0,0],[1,0],[1,{}],[0,0]]]]}",
          NULL, NULL, KG_EINVAL, "coordinates[1][0][2][1]: must be a finite number");
  /* Jansson cannot hold NaN, but a huge literal parses as a finite real. */
  refused("{\"type\":\"Point\",\"coordinates\":[1e308,0]}", NULL, NULL, KG_EINVAL,
          "coordinates: longitude");
}

static void position_with_wrong_arity_is_refused(void) {
  refused("{\"type\":\"Point\",\"coordinates\":[49]}", NULL, NULL, KG_EINVAL,
          "coordinates: position must have 2 or 3 numbers, not 1");
  refused("{\"type\":\"LineString\",\"coordinates\":[[49,55],[49,55,1,2]]}", NULL, NULL, KG_EINVAL,
          "coordinates[1]: position must have 2 or 3 numbers, not 4");
}

static void wrong_type_is_refused(void) {
  struct kg_geo_limits lim = {0, KG_GEOM_AREAL};
  refused("{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}", NULL, &lim, KG_EINVAL,
          "type must be Polygon or MultiPolygon");
  refused("{\"type\":\"MultiPoint\",\"coordinates\":[[0,0]]}", NULL, NULL, KG_EINVAL,
          "type must be Point, LineString, Polygon or MultiPolygon");
  refused("{\"type\":\"polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}", NULL, &lim,
          KG_EINVAL, "type must be Polygon or MultiPolygon");
  refused("{\"type\":\"Feature\",\"geometry\":null}", NULL, NULL, KG_EINVAL,
          "expected a geometry object, not a Feature");
  refused("{\"coordinates\":[0,0]}", NULL, NULL, KG_EINVAL, "type is missing");
  refused("[0,0]", NULL, NULL, KG_EINVAL, "geometry must be a JSON object");
}

static void unknown_crs_is_refused(void) {
  const char *zPt = "{\"type\":\"Point\",\"coordinates\":[0,0]}";
  char zLong[KG_GEO_CRS_MAX + 10];
  memset(zLong, 'a', sizeof(zLong) - 1);
  zLong[sizeof(zLong) - 1] = 0;
  refused(zPt, "EPSG:99999", NULL, KG_EINVAL, "unknown CRS 'EPSG:99999'");
  refused(zPt, "+proj=garbage", NULL, KG_EINVAL, "unknown CRS '+proj=garbage'");
  refused(zPt, "}{ not a crs", NULL, KG_EINVAL, "unknown CRS");
  refused(zPt, "", NULL, KG_EINVAL, "CRS string is empty");
  refused(zPt, "EPSG:4978", NULL, KG_EINVAL, "CRS 'EPSG:4978' is geocentric");
  refused(zPt, "EPSG:32639\n", NULL, KG_EINVAL, "CRS string contains a control");
  refused(zPt, zLong, NULL, KG_EINVAL, "CRS string is longer than 2048 bytes");
}

static void vertex_limit_gives_too_big(void) {
  struct kg_geo_limits lim = {10, 0};
  refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[2,0],[3,0],[4,0],[5,0],"
          "[5,1],[4,1],[3,1],[2,1],[0,0]]]}",
          NULL, &lim, KG_ETOOBIG, "coordinates: more than 10 positions");
  /* Exactly at the limit is fine. */
  struct kg_geom g;
  char zErr[256];
  REQUIRE(parse_text("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[2,0],[3,0],[4,0],[5,0],"
                     "[5,1],[4,1],[3,1],[0,0]]]}",
                     NULL, &lim, &g, zErr, sizeof(zErr)) == KG_OK);
  kg_geom_clear(&g);
}

static void malformed_nesting_is_refused(void) {
  refused("{\"type\":\"Polygon\",\"coordinates\":[[0,0],[1,0],[1,1],[0,0]]}", NULL, NULL, KG_EINVAL,
          "coordinates[0][0]: position must be an array of 2 or 3 numbers, found a number");
  refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}", NULL, NULL,
          KG_EINVAL,
          "coordinates[0][0][0]: position must be an array of 2 or 3 numbers, found a number");
  refused("{\"type\":\"Polygon\",\"coordinates\":[[[[0,0]],[1,0],[1,1],[0,0]]]}", NULL, NULL,
          KG_EINVAL, "coordinates[0][0][0]: expected a number, found an array");
  refused("{\"type\":\"Point\",\"coordinates\":[[0,0]]}", NULL, NULL, KG_EINVAL,
          "coordinates[0]: expected a number, found an array");
  refused("{\"type\":\"LineString\",\"coordinates\":[0,0]}", NULL, NULL, KG_EINVAL,
          "coordinates[0]: position must be an array of 2 or 3 numbers, found a number");
  refused("{\"type\":\"Polygon\",\"coordinates\":\"0 0, 1 1\"}", NULL, NULL, KG_EINVAL,
          "coordinates must be an array");
  refused("{\"type\":\"Polygon\"}", NULL, NULL, KG_EINVAL, "coordinates is missing");
}

static void empty_coordinates_are_refused(void) {
  refused("{\"type\":\"Polygon\",\"coordinates\":[]}", NULL, NULL, KG_EINVAL,
          "coordinates must not be empty");
  refused("{\"type\":\"MultiPolygon\",\"coordinates\":[]}", NULL, NULL, KG_EINVAL,
          "coordinates must not be empty");
  refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}", NULL, NULL, KG_EINVAL,
          "coordinates[0]: polygon must have at least one ring");
  refused("{\"type\":\"Polygon\",\"coordinates\":[[]]}", NULL, NULL, KG_EINVAL,
          "coordinates[0]: ring must have at least 4 positions, not 0");
  refused("{\"type\":\"Point\",\"coordinates\":[]}", NULL, NULL, KG_EINVAL,
          "coordinates must not be empty");
}

static void error_buffer_may_be_small_or_null(void) {
  struct kg_geom g;
  char zErr[8];
  CHECK(parse_text("{\"type\":\"Point\",\"coordinates\":[500,0]}", NULL, NULL, &g, zErr,
                   sizeof(zErr)) == KG_EINVAL);
  CHECK(strcmp(zErr, "coordin") == 0);
  CHECK(parse_text("{\"type\":\"Point\",\"coordinates\":[500,0]}", NULL, NULL, &g, NULL, 0) ==
        KG_EINVAL);
}

/* ---- writers ---- */

static void writers_give_expected_text(void) {
  const char *zPoly = "{\"type\":\"Polygon\",\"coordinates\":[[[49.1,55.7],[49.2,55.7],"
                      "[49.2,55.8],[49.1,55.7]],[[49.15,55.72],[49.16,55.72],[49.16,55.73],"
                      "[49.15,55.72]]]}";
  struct kg_geom g;
  char zErr[256];
  int bad = 0;
  REQUIRE(parse_text(zPoly, NULL, NULL, &g, zErr, sizeof(zErr)) == KG_OK);
  char *zJ = kg_geom_to_geojson(&g, 0);
  char *zJM = kg_geom_to_geojson(&g, 1);
  char *zW = kg_geom_to_wkt(&g, 0);
  char *zWM = kg_geom_to_wkt(&g, 1);
  const char *zRings = "[[49.1,55.7],[49.2,55.7],[49.2,55.8],[49.1,55.7]],"
                       "[[49.15,55.72],[49.16,55.72],[49.16,55.73],[49.15,55.72]]";
  const char *zWRings = "(49.1 55.7,49.2 55.7,49.2 55.8,49.1 55.7),"
                        "(49.15 55.72,49.16 55.72,49.16 55.73,49.15 55.72)";
  char zWant[512];
  snprintf(zWant, sizeof(zWant), "{\"type\":\"Polygon\",\"coordinates\":[%s]}", zRings);
  if (strcmp(zJ, zWant)) fprintf(stderr, "  got %s\n  want %s\n", zJ, zWant), bad = 1;
  snprintf(zWant, sizeof(zWant), "{\"type\":\"MultiPolygon\",\"coordinates\":[[%s]]}", zRings);
  if (strcmp(zJM, zWant)) fprintf(stderr, "  got %s\n  want %s\n", zJM, zWant), bad = 1;
  snprintf(zWant, sizeof(zWant), "POLYGON(%s)", zWRings);
  if (strcmp(zW, zWant)) fprintf(stderr, "  got %s\n  want %s\n", zW, zWant), bad = 1;
  snprintf(zWant, sizeof(zWant), "MULTIPOLYGON((%s))", zWRings);
  if (strcmp(zWM, zWant)) fprintf(stderr, "  got %s\n  want %s\n", zWM, zWant), bad = 1;
  free(zJ);
  free(zJM);
  free(zW);
  free(zWM);
  kg_geom_clear(&g);
  CHECK(!bad);

  REQUIRE(parse_text("{\"type\":\"Point\",\"coordinates\":[-0.0,-12.1234567891234]}", NULL, NULL,
                     &g, zErr, sizeof(zErr)) == KG_OK);
  zJ = kg_geom_to_geojson(&g, 1);
  zW = kg_geom_to_wkt(&g, 1);
  bad |= strcmp(zJ, "{\"type\":\"Point\",\"coordinates\":[0,-12.123456789]}") != 0;
  bad |= strcmp(zW, "POINT(0 -12.123456789)") != 0;
  if (bad) fprintf(stderr, "  got %s and %s\n", zJ, zW);
  free(zJ);
  free(zW);
  kg_geom_clear(&g);
  CHECK(!bad);

  REQUIRE(parse_text("{\"type\":\"LineString\",\"coordinates\":[[1,2],[3.5,4]]}", NULL, NULL, &g,
                     zErr, sizeof(zErr)) == KG_OK);
  zW = kg_geom_to_wkt(&g, 0);
  bad |= strcmp(zW, "LINESTRING(1 2,3.5 4)") != 0;
  free(zW);
  kg_geom_clear(&g);
  CHECK(!bad);
  CHECK(kg_geom_to_wkt(&g, 0) == NULL && kg_geom_to_geojson(NULL, 0) == NULL);
}

static void geojson_round_trip_keeps_shape(void) {
  char zJson[512];
  square_json(zJson, sizeof(zJson), 382249.0, 6184158.0, 1000.0);
  struct kg_geom g1, g2;
  char zErr[256];
  int rc0 = parse_text(zJson, "EPSG:32639", NULL, &g1, zErr, sizeof(zErr));
  if (rc0) fprintf(stderr, "  %s\n", zErr);
  REQUIRE(rc0 == KG_OK);
  char *zOut = kg_geom_to_geojson(&g1, 1);
  int rc = parse_text(zOut, NULL, NULL, &g2, zErr, sizeof(zErr));
  free(zOut);
  int bad = rc != KG_OK;
  bad = bad || g2.type != KG_GEOM_MULTIPOLYGON || g2.nVertex != g1.nVertex ||
        g2.nRing != g1.nRing || g2.nPoly != 1;
  for (size_t i = 0; !bad && i < 2 * g1.nVertex; i++) {
    bad = fabs(g1.aCoord[i] - g2.aCoord[i]) > 5e-10;
  }
  bad = bad || fabs(kg_geom_area_m2(&g1) - kg_geom_area_m2(&g2)) > 1.0;
  kg_geom_clear(&g1);
  kg_geom_clear(&g2);
  CHECK(!bad);
}

/* ---- bbox ---- */

static void bbox_good_cases_parse(void) {
  double a[4];
  char zErr[256];
  CHECK(kg_geo_parse_bbox("49.0,55.7,49.3,55.9", a, zErr, sizeof(zErr)) == KG_OK);
  CHECK(a[0] == 49.0 && a[1] == 55.7 && a[2] == 49.3 && a[3] == 55.9);
  CHECK(kg_geo_parse_bbox("-180,-90,180,90", a, zErr, sizeof(zErr)) == KG_OK);
  CHECK(a[0] == -180 && a[3] == 90);
  CHECK(kg_geo_parse_bbox("1e1,+2,1E1,2.5", a, zErr, sizeof(zErr)) == KG_OK);
  CHECK(a[0] == 10 && a[1] == 2 && a[2] == 10 && a[3] == 2.5);
}

static void bbox_bad_cases_are_refused(void) {
  static const struct {
    const char *z;
    const char *zPrefix;
  } aCase[] = {
      {"", "bbox is empty"},
      {"1,2,3", "bbox must be four"},
      {"1,2,3,4,5", "bbox must be four"},
      {"1,2,3,4,", "bbox must be four"},
      {"a,2,3,4", "bbox minimum longitude is not"},
      {"1,,3,4", "bbox minimum latitude is not"},
      {" 1,2,3,4", "bbox minimum longitude is not"},
      {"1,2,3,4 ", "bbox maximum latitude is not"},
      {"nan,1,2,3", "bbox minimum longitude is not"},
      {"1,2,inf,3", "bbox maximum longitude is not"},
      {"0x10,1,20,3", "bbox minimum longitude is not"},
      {"1e400,1,2,3", "bbox minimum longitude is not"},
      {"1..2,1,2,3", "bbox minimum longitude is not"},
      {"181,0,182,1", "bbox minimum longitude 181 out of range"},
      {"0,-91,1,1", "bbox minimum latitude -91 out of range"},
      {"5,0,1,1", "bbox minimum longitude 5 is greater than maximum 1"},
      {"0,5,1,1", "bbox minimum latitude 5 is greater than maximum 1"},
      {"1;2;3;4", "bbox must be four"},
  };
  for (size_t i = 0; i < sizeof(aCase) / sizeof(aCase[0]); i++) {
    double a[4] = {7, 7, 7, 7};
    char zErr[256] = "";
    enum kg_err rc = kg_geo_parse_bbox(aCase[i].z, a, zErr, sizeof(zErr));
    if (rc != KG_EINVAL || strncmp(zErr, aCase[i].zPrefix, strlen(aCase[i].zPrefix)) != 0 ||
        a[0] != 7) {
      FAIL("\"%s\": rc %d \"%s\"", aCase[i].z, (int)rc, zErr);
    }
  }
  CHECK(kg_geo_parse_bbox(NULL, (double[4]){0}, NULL, 0) == KG_EINVAL);
}

static void crs_names_for_lonlat_are_recognised(void) {
  CHECK(kg_geo_crs_is_lonlat(NULL));
  CHECK(kg_geo_crs_is_lonlat("epsg:4326"));
  CHECK(kg_geo_crs_is_lonlat("http://www.opengis.net/def/crs/OGC/1.3/CRS84"));
  CHECK(!kg_geo_crs_is_lonlat("EPSG:43260"));
  CHECK(!kg_geo_crs_is_lonlat("EPSG:32639"));
}

int main(void) {
  harness_begin();
  gCtx = kg_geo_ctx_new();
  if (!gCtx) {
    printf("kg_geo_ctx_new failed\n0 passed, 1 failed\n");
    return 1;
  }
  RUN(territory_in_utm39n_matches_cs2cs);
  RUN(territory_in_msk16_matches_cs2cs);
  RUN(msk16_control_point_is_central_kazan);
  RUN(transform_point_round_trips_through_utm);
  RUN(wkt_crs_gives_same_result_as_its_code);
  RUN(transform_point_lonlat_to_lonlat_is_identity);
  RUN(transform_point_refuses_unknown_crs_and_nan);
  RUN(geographic_input_crs_is_lonlat_after_normalisation);
  RUN(cache_survives_more_crs_than_slots);
  RUN(contexts_work_in_parallel_threads);
  RUN(area_of_1km_square_is_right);
  RUN(area_ignores_ring_orientation_and_subtracts_holes);
  RUN(area_of_point_and_line_is_zero);
  RUN(polygon_stays_polygon_with_structure_and_bbox);
  RUN(multipolygon_structure_is_recorded);
  RUN(third_coordinate_is_ignored);
  RUN(transformed_rings_stay_exactly_closed);
  RUN(ring_not_closed_is_refused);
  RUN(ring_with_three_positions_is_refused);
  RUN(line_with_one_position_is_refused);
  RUN(longitude_200_is_refused_with_its_path);
  RUN(latitude_91_is_refused);
  RUN(projected_position_far_outside_is_refused);
  RUN(non_number_coordinates_are_refused);
  RUN(position_with_wrong_arity_is_refused);
  RUN(wrong_type_is_refused);
  RUN(unknown_crs_is_refused);
  RUN(vertex_limit_gives_too_big);
  RUN(malformed_nesting_is_refused);
  RUN(empty_coordinates_are_refused);
  RUN(error_buffer_may_be_small_or_null);
  RUN(writers_give_expected_text);
  RUN(geojson_round_trip_keeps_shape);
  RUN(bbox_good_cases_parse);
  RUN(bbox_bad_cases_are_refused);
  RUN(crs_names_for_lonlat_are_recognised);
  kg_geo_ctx_free(gCtx);
  kg_geo_ctx_free(NULL);
  return harness_end();
}

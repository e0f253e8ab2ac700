/* test_store_alerts.c: the exact test of area alerts (src/store/alerts_match.c,
 * included to reach its static functions): decoding SpatiaLite blobs and
 * "does a subscription's area meet a territory", on holes, containment
 * both ways, crossing, touching, a notch inside the bounding boxes and
 * multipolygons; every case also against SpatiaLite's ST_Intersects. */
#define _GNU_SOURCE
#include "../../src/store/alerts_match.c"

#include "store_harness.h"

/* The SpatiaLite blob of zWkt (EPSG:4326) into a (n bytes), or -1. */
static int blob_of(struct kg_store *p, const char *zWkt, unsigned char *a, int nMax) {
  sqlite3_stmt *s = NULL;
  int n = -1;
  if (sqlite3_prepare_v2(p->db, "SELECT GeomFromText(?1, 4326)", -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, zWkt, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) <= nMax) {
      n = sqlite3_column_bytes(s, 0);
      memcpy(a, sqlite3_column_blob(s, 0), (size_t)n);
    }
  }
  sqlite3_finalize(s);
  return n;
}

static const char zHoled[] = "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(3 3,7 3,7 7,3 7,3 3)))";
static const char zEll[] = "MULTIPOLYGON(((0 0,10 0,10 2,2 2,2 10,0 10,0 0)))";
static const char zTwo[] =
    "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((20 20,21 20,21 21,20 21,20 20)))";

static const struct {
  const char *zTerritory, *zArea;
  int bMeets;
} aCase[] = {
    {zHoled, "POLYGON((4 4,6 4,6 6,4 6,4 4))", 0},           /* inside the hole */
    {zHoled, "POLYGON((1 1,2 1,2 2,1 2,1 1))", 1},           /* inside the territory */
    {zHoled, "POLYGON((-5 -5,15 -5,15 15,-5 15,-5 -5))", 1}, /* around all of it */
    {zHoled, "POLYGON((8 8,12 8,12 12,8 12,8 8))", 1},       /* crossing its edge */
    {zHoled, "POLYGON((10 10,12 10,12 12,10 12,10 10))", 1}, /* touching a corner */
    {zHoled, "POLYGON((11 0,12 0,12 1,11 1,11 0))", 0},      /* beside it */
    {zEll, "POLYGON((5 5,8 5,8 8,5 8,5 5))", 0},             /* in the notch: boxes overlap */
    {zEll, "POLYGON((5 1,8 1,8 8,5 8,5 1))", 1},             /* into the L */
    {zTwo, "POLYGON((20.2 20.2,20.8 20.2,20.8 20.8,20.2 20.8,20.2 20.2))", 1},
    {zTwo, "POLYGON((5 5,6 5,6 6,5 6,5 5))", 0}, /* between the two polygons */
};

static void exact_test_agrees_with_st_intersects(void) {
  struct kg_store *p = fresh();
  CHECK(q_int(p, "SELECT count(*) FROM alert_subscriptions") == 0);
  for (size_t i = 0; i < sizeof(aCase) / sizeof(aCase[0]); i++) {
    unsigned char aT[4096], aA[4096];
    int nT = blob_of(p, aCase[i].zTerritory, aT, sizeof(aT));
    int nA = blob_of(p, aCase[i].zArea, aA, sizeof(aA));
    struct rings t, c;
    int bSql = -1;
    CHECK(nT > 0 && nA > 0);
    CHECK(rings_from_blob(aT, (size_t)nT, &t));
    CHECK(rings_from_blob(aA, (size_t)nA, &c));
    CHECK(sql_meets(p, aA, nA, aT, nT, &bSql) == KG_OK);
    if (areas_meet(&c, &t) != aCase[i].bMeets || bSql != aCase[i].bMeets)
      fprintf(stderr, "  case %zu: C %d, ST_Intersects %d, expected %d\n", i, areas_meet(&c, &t),
              bSql, aCase[i].bMeets);
    CHECK(areas_meet(&c, &t) == aCase[i].bMeets);
    CHECK(bSql == aCase[i].bMeets);
    rings_free(&t);
    rings_free(&c);
  }
  kg_store_close(p);
}

static void unknown_blobs_are_refused(void) {
  struct kg_store *p = fresh();
  unsigned char a[4096];
  struct rings r;
  int n = blob_of(p, "POINT(1 2)", a, sizeof(a));
  CHECK(n > 0 && !rings_from_blob(a, (size_t)n, &r));
  n = blob_of(p, "POLYGON((0 0,1 0,1 1,0 1,0 0))", a, sizeof(a));
  CHECK(n > 0 && rings_from_blob(a, (size_t)n, &r));
  rings_free(&r);
  for (int k = 1; k < n; k++) /* every truncation */
    CHECK(!rings_from_blob(a, (size_t)k, &r));
  a[1] = 0x00; /* big-endian: left to SpatiaLite */
  CHECK(!rings_from_blob(a, (size_t)n, &r));
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(exact_test_agrees_with_st_intersects);
  RUN(unknown_blobs_are_refused);
  return harness_end();
}

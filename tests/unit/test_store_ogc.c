/* test_store_ogc.c: unit tests for the open-data layers' clustered copy
 * (src/store/ogc.c, migration 0019) against real SpatiaLite files. Thousands
 * of located comments (points, small and large polygons, some pending,
 * some supported) are queried with random boxes, pages and time filters two
 * ways: through the R*Tree query (the oracle, bFeatureText = 0: fields
 * rendered here as the API renders them) and through open_comments
 * (bFeatureText = 1: the stored Feature text); the bytes, the order and the
 * counts must be equal, before and after each lifecycle move (publish,
 * reject, withdraw, edit, move, supports, delete), and the copy must equal
 * its defining view row for row. Prints one line per test and
 * "N passed, M failed". */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/store_ogc.h"
#include "store_harness.h"

#define N_POINTS 3000
#define SCAN_CAP_IN_TEST 2000 /* src/store/ogc.c's SCAN_CAP */

static void exec(struct kg_store *p, const char *zSql) {
  if (!exec_ok(p, zSql)) {
    fprintf(stderr, "  exec failed: %.200s: %s\n", zSql, kg_db_errmsg(p));
    g_bFailed = 1;
  }
}

static uint64_t g_rnd = 88172645463325252ull;
static double rnd(void) { /* xorshift64: the same boxes every run */
  g_rnd ^= g_rnd << 13;
  g_rnd ^= g_rnd >> 7;
  g_rnd ^= g_rnd << 17;
  return (double)(g_rnd >> 11) / 9007199254740992.0;
}

/* A Feature as the API renders the oracle's row (src/api/ogc.c). */
static void render(struct kg_buf *b, const struct kg_ogc_row *r) {
  int nField;
  const struct kg_ogc_field *aF = kg_store_ogc_fields(KG_OGC_COMMENTS, &nField);
  kg_buf_printf(b, "{\"type\":\"Feature\",\"id\":%" PRId64 ",\"geometry\":%s,\"properties\":{",
                r->id, r->zGeometry ? r->zGeometry : "null");
  for (int i = 0; i < nField - 1; i++) {
    char zT[21];
    kg_buf_printf(b, "%s\"%s\":", i ? "," : "", aF[i].zName);
    if (r->aValue[i].bNull) {
      kg_buf_puts(b, "null");
    } else if (aF[i].type == KG_OGC_TEXT) {
      kg_buf_puts(b, "\"");
      kg_buf_json_escape(b, r->aValue[i].z);
      kg_buf_puts(b, "\"");
    } else if (aF[i].type == KG_OGC_BOOL) {
      kg_buf_puts(b, r->aValue[i].i ? "true" : "false");
    } else if (aF[i].type == KG_OGC_TIME) {
      kg_time_format(r->aValue[i].i, zT);
      kg_buf_printf(b, "\"%s\"", zT);
    } else {
      kg_buf_printf(b, "%" PRId64, r->aValue[i].i);
    }
  }
}

static int g_nFeatureText; /* rows that came from the copy */

/* Each row as "<feature text> supports=<n>\n". */
static int collect(void *pArg, const struct kg_ogc_row *r) {
  struct kg_buf *b = pArg;
  g_nFeatureText += r->zFeature != NULL;
  if (r->zFeature)
    kg_buf_puts(b, r->zFeature);
  else
    render(b, r);
  kg_buf_printf(b, " supports=%" PRId64 "\n", r->aValue[6].i);
  return 0;
}

/* Lists f both ways; 1 when they agree (else says how), *pnRows the rows. */
static int agree(struct kg_store *p, struct kg_ogc_filter f, int *pnRows) {
  struct kg_buf a, b;
  int64_t nCount = -2;
  kg_buf_init(&a, 1 << 26);
  kg_buf_init(&b, 1 << 26);
  f.bFeatureText = 0;
  CHECK(kg_store_ogc_items(p, KG_OGC_COMMENTS, &f, collect, &a) == KG_OK);
  int64_t nOnTheWay = -1; /* counted by the items call (the API's numberMatched) */
  f.bFeatureText = 1;
  f.pnMatched = &nOnTheWay;
  CHECK(kg_store_ogc_items(p, KG_OGC_COMMENTS, &f, collect, &b) == KG_OK);
  CHECK(kg_store_ogc_count(p, KG_OGC_COMMENTS, &f, &nCount) == KG_OK);
  CHECK(nOnTheWay == nCount);
  int nRows = 0;
  for (size_t i = 0; i < a.n; i++)
    nRows += a.a[i] == '\n';
  *pnRows = nRows;
  int bOk = a.n == b.n && (a.n == 0 || memcmp(a.a, b.a, a.n) == 0);
  if (!bOk)
    FAIL("box %.6f,%.6f,%.6f,%.6f: oracle %zu bytes, copy %zu bytes\n%.300s\n---\n%.300s",
         f.bbox[0], f.bbox[1], f.bbox[2], f.bbox[3], a.n, b.n, a.a ? a.a : "", b.a ? b.a : "");
  kg_buf_free(&a);
  kg_buf_free(&b);
  if (f.nLimit >= 100000 && !f.afterId && !f.nOffset && nCount != -1 && nCount != nRows) {
    FAIL("count %" PRId64 ", rows %d", nCount, nRows);
    bOk = 0;
  }
  return bOk;
}

/* The copy holds exactly what its view defines (both ways). */
static void copy_is_current(struct kg_store *p) {
  CHECK(q_int(p, "SELECT count(*) FROM (SELECT * FROM open_comments EXCEPT "
                 "SELECT * FROM open_comments_src) AS t") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM (SELECT * FROM open_comments_src EXCEPT "
                 "SELECT * FROM open_comments) AS t") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM open_comments") ==
        q_int(p, "SELECT count(*) FROM comments WHERE status = 'published' AND "
                 "location IS NOT NULL"));
}

/* nBoxes random boxes around Kazan, from a few metres to much of the city,
 * the first one all of it (past the scan's cap: the R*Tree path then, and
 * no count), the second half of it; returns the rows they listed. */
static int random_boxes(struct kg_store *p, int nBoxes) {
  int nTotal = 0, nRows;
  for (int i = 0; i < nBoxes; i++) {
    struct kg_ogc_filter f = {0};
    double w = 0.0005 * (1 + 200 * rnd() * rnd() * rnd()), h = w * (0.5 + rnd());
    double x = 49.0 + 0.25 * rnd() - w / 2, y = 55.70 + 0.15 * rnd() - h / 2;
    if (i == 0) x = 48.9, y = 55.6, w = 0.5, h = 0.5; /* everything: over the scan's cap */
    /* about 1,300 rows: under the cap, but their texts over the scan's
     * budget (256 KB), so the page's rows are read again by key */
    if (i == 1) x = 49.05, y = 55.715, w = 0.15, h = 0.12;
    f.bBbox = 1;
    f.bbox[0] = x, f.bbox[1] = y, f.bbox[2] = x + w, f.bbox[3] = y + h;
    f.tFrom = INT64_MIN, f.tTo = INT64_MAX;
    f.nLimit = 100000;
    if (i % 7 == 3) f.tFrom = 1000000 + 400, f.tTo = 1000000 + 2000; /* a datetime interval */
    if (!agree(p, f, &nRows)) return -1;
    nTotal += nRows;
    if (i % 5 == 0) { /* pages: keyset plus offset, as the stream asks */
      f.nLimit = 7, f.nOffset = 3, f.afterId = 100;
      if (!agree(p, f, &nRows)) return -1;
    }
  }
  return nTotal;
}

/* N_POINTS comments of discussion did: mostly published points, some
 * pending, some small squares, a few large ones, some supports. */
static void seed(struct kg_store *p, int64_t did, int64_t author) {
  exec(p, "BEGIN");
  for (int i = 0; i < N_POINTS; i++) {
    double x = 49.0 + 0.25 * rnd(), y = 55.70 + 0.15 * rnd(), d = i % 50 == 7 ? 0.05 : 0.003;
    char zGeo[400], zWkt[400], zRegNo[32] = "NULL";
    if (i % 13) snprintf(zRegNo, sizeof(zRegNo), "'D-1/%04d'", i);
    if (i % 10 == 9) {
      snprintf(zWkt, sizeof(zWkt), "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", x, y,
               x + d, y, x + d, y + d, x, y);
      snprintf(zGeo, sizeof(zGeo),
               "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
               "[%.6f,%.6f]]]}",
               x, y, x + d, y, x + d, y + d, x, y);
    } else {
      snprintf(zWkt, sizeof(zWkt), "POINT(%.6f %.6f)", x, y);
      snprintf(zGeo, sizeof(zGeo), "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}", x, y);
    }
    char *zSql = kg_xasprintf(
        "INSERT INTO comments (discussion_id, author_id, registration_number, kind, body, status, "
        "official, created_at, updated_at, location_geojson, location) VALUES (%lld, %lld, %s, "
        "'%s', 'Предложение №%d: \"кавычки\", \\ и\nперенос', '%s', %d, %d, %d, '%s', "
        "GeomFromText('%s', 4326))",
        (long long)did, (long long)author, zRegNo, i % 3 ? "proposal" : "remark", i,
        i % 8 == 5 ? "pending" : "published", i % 17 == 0, 1000000 + i, 1000000 + i, zGeo, zWkt);
    exec(p, zSql);
    free(zSql);
  }
  exec(p, "INSERT INTO comment_supports (comment_id, account_id, created_at) "
          "SELECT id, author_id, 1 FROM comments WHERE id % 11 = 0");
  exec(p, "COMMIT");
}

static void copy_equals_rtree_query_through_the_lifecycle(void) {
  struct kg_store *p = fresh();
  int64_t did = add_draft(p, KAZAN_SQUARE_WKT, 1, 2, 4000000000);
  int64_t author = add_account(p, "a@example.org"), other = add_account(p, "b@example.org");
  seed(p, did, author);
  copy_is_current(p);
  int n = random_boxes(p, 40);
  CHECK(n > 1000); /* the boxes found rows: the comparison is not empty */
  /* box 0 (all of them) came the R*Tree way, the others from the copy */
  if (!(g_nFeatureText > 300 && n - g_nFeatureText > SCAN_CAP_IN_TEST))
    FAIL("rows %d, from the copy %d", n, g_nFeatureText);
  static const char *const azMove[] = {
      "UPDATE comments SET status = 'published' WHERE status = 'pending' AND id % 2 = 0",
      "UPDATE comments SET status = 'rejected' WHERE id % 19 = 1",
      "UPDATE comments SET status = 'withdrawn' WHERE id % 23 = 2",
      "UPDATE comments SET body = body || ' (правка)', updated_at = updated_at + 1 "
      "WHERE id % 29 = 3",
      "UPDATE comments SET location = GeomFromText('POINT(49.1 55.8)', 4326), "
      "location_geojson = '{\"type\":\"Point\",\"coordinates\":[49.1,55.8]}' WHERE id % 31 = 4",
      "DELETE FROM comment_supports WHERE comment_id % 22 = 0",
      "INSERT INTO comment_supports (comment_id, account_id, created_at) "
      "SELECT id, ?, 2 FROM comments WHERE id % 37 = 5",
      "DELETE FROM comments WHERE id % 41 = 6",
  };
  for (size_t i = 0; i < sizeof(azMove) / sizeof(azMove[0]); i++) {
    char *zSql = strchr(azMove[i], '?')
                     ? kg_xasprintf("%.*s%lld%s", (int)(strchr(azMove[i], '?') - azMove[i]),
                                    azMove[i], (long long)other, strchr(azMove[i], '?') + 1)
                     : kg_xasprintf("%s", azMove[i]);
    exec(p, zSql);
    free(zSql);
    copy_is_current(p);
    if (random_boxes(p, 8) < 0) FAIL("after: %s", azMove[i]);
  }
  CHECK(q_int(p, "SELECT count(*) FROM open_comments WHERE supports > 0") > 0);
  kg_store_close(p);
}

static void cells_are_the_migrations(void) {
  struct kg_store *p = fresh();
  static const double a[][2] = {
      {49.1, 55.8},  {-180, -90}, {179.9999999, 89.9999999}, {0, 0}, {-0.0000001, 0.0000001},
      {37.61, 55.75}};
  /* each migration's quantization: SQLite's CAST truncates, PostgreSQL's
   * rounds (its 0019 truncates in double precision, as here) */
  static const char zLite[] =
      "max(0, min(16777215, CAST((%.17g - -180.0) * 16777216.0 / 360.0 AS INTEGER))) qx, "
      "max(0, min(16777215, CAST((%.17g - -90.0) * 16777216.0 / 180.0 AS INTEGER))) qy";
  static const char zPg[] = "greatest(0, least(16777215, trunc((CAST(%.17g AS double precision) "
                            "- -180.0) * 16777216.0 / 360.0)::bigint)) qx, "
                            "greatest(0, least(16777215, trunc((CAST(%.17g AS double precision) "
                            "- -90.0) * 16777216.0 / 180.0)::bigint)) qy";
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    char *zQ = kg_xasprintf(p->pPg ? zPg : zLite, a[i][0], a[i][1]);
    char *zSql = kg_xasprintf("SELECT (SELECT s FROM ogc_spread WHERE b = qx & 255) | "
                              "((SELECT s FROM ogc_spread WHERE b = (qx >> 8) & 255) << 16) | "
                              "((SELECT s FROM ogc_spread WHERE b = qx >> 16) << 32) | "
                              "(((SELECT s FROM ogc_spread WHERE b = qy & 255) | "
                              "((SELECT s FROM ogc_spread WHERE b = (qy >> 8) & 255) << 16) | "
                              "((SELECT s FROM ogc_spread WHERE b = qy >> 16) << 32)) << 1) "
                              "FROM (SELECT %s) AS t",
                              zQ);
    free(zQ);
    CHECK(q_int(p, zSql) == kg_store_ogc_cell(a[i][0], a[i][1]));
    free(zSql);
  }
  CHECK(kg_store_ogc_cell(-180, -90) == 0);
  CHECK(kg_store_ogc_cell(180, 90) == ((int64_t)1 << 48) - 1);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(cells_are_the_migrations);
  RUN(copy_equals_rtree_query_through_the_lifecycle);
  return harness_end();
}

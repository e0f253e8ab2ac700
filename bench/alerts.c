/* alerts.c: bench-alerts DB N — the store-level time of matching one new
 * discussion territory against N confirmed area-alert subscriptions
 * (kg_store_alert_match: the R*Tree by bounding box, then ST_Intersects on
 * the candidates), as the background step does for every discussion event.
 * Deterministic data through the store API (no SQL here): N subscriptions
 * spread over Kazan (lon 48.95..49.30, lat 55.70..55.88), 80 % circles with
 * the radii the page offers (200 m 15 %, 500 m 35 %, 1 km 30 %, 2 km 15 %,
 * 5 km 5 %; 32 vertices), 20 % drawn quadrilaterals of 300 m to 2 km;
 * two territories: a 600 m square in the centre and a 3 km square. Prints
 * the median and the slowest of RUNS matches of each, and the matches. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kengash/auth.h"
#include "kengash/geo.h"
#include "kengash/store.h"
#include "kengash/store_alerts.h"

#define DAY 86400

static int64_t clock_us(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static int64_t now_us(void) {
  return clock_us(CLOCK_MONOTONIC);
}
#define RUNS 21

static uint64_t g_state = 0x9e3779b97f4a7c15ull;
static double rnd(void) { /* xorshift64*, deterministic */
  g_state ^= g_state >> 12;
  g_state ^= g_state << 25;
  g_state ^= g_state >> 27;
  return (double)((g_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* A quadrilateral of about nSizeM metres around lon/lat (convex: one point
 * per quadrant). */
static void quad(double lon, double lat, double nSizeM, struct kg_geom *g) {
  kg_geom_circle(lon, lat, nSizeM / 2, 8, g);
  for (int i = 0; i < 8; i += 2) { /* pull every other vertex in: still simple */
    double k = 0.6 + 0.4 * rnd();
    g->aCoord[2 * i] = lon + (g->aCoord[2 * i] - lon) * k;
    g->aCoord[2 * i + 1] = lat + (g->aCoord[2 * i + 1] - lat) * k;
  }
  g->aCoord[16] = g->aCoord[0];
  g->aCoord[17] = g->aCoord[1];
}

static int add_subscription(struct kg_store *p, long n, int64_t tNow) {
  struct kg_geom g;
  struct kg_alert_new q;
  char zEmail[64], zToken[KG_AUTH_TOKEN_SIZE];
  unsigned char aManage[32];
  int64_t id = 0;
  double lon = 48.95 + 0.35 * rnd(), lat = 55.70 + 0.18 * rnd();
  memset(&q, 0, sizeof(q));
  if (n % 5 == 4) {
    quad(lon, lat, 300 + 1700 * rnd(), &g);
    q.zKind = "polygon";
  } else {
    /* the radii the page offers, small ones chosen more often */
    double u = rnd();
    q.nRadiusM = u < 0.15 ? 200 : u < 0.50 ? 500 : u < 0.80 ? 1000 : u < 0.95 ? 2000 : 5000;
    kg_geom_circle(lon, lat, q.nRadiusM, 32, &g);
    q.zKind = "point";
    q.centerLon = lon;
    q.centerLat = lat;
  }
  char *zWkt = kg_geom_to_wkt(&g, 0);
  snprintf(zEmail, sizeof(zEmail), "bench%06ld@example.org", n);
  q.zEmail = zEmail;
  q.zAreaWkt = zWkt;
  q.minx = g.minx, q.miny = g.miny, q.maxx = g.maxx, q.maxy = g.maxy;
  q.events = KG_ALERT_ALL;
  q.zRhythm = n % 2 ? "weekly" : "instant";
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, q.aConfirmHash);
  q.tNow = tNow;
  q.nMaxPerEmail = 10;
  q.zSubject = "bench";
  q.zBody = "bench";
  enum kg_err rc = kg_store_alert_create(p, &q);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, aManage);
  if (rc == KG_OK) rc = kg_store_alert_confirm(p, q.aConfirmHash, aManage, tNow, &id);
  free(zWkt);
  kg_geom_clear(&g);
  return rc == KG_OK;
}

static int64_t territory(struct kg_store *p, int64_t idProject, double nSizeM, char *zTitle) {
  struct kg_geom g;
  int64_t idDisc = 0, tNow = kg_time_now();
  char zErr[256];
  kg_geom_circle(49.12, 55.79, nSizeM / 2, 4, &g); /* 8 vertices: an octagon */
  char *zWkt = kg_geom_to_wkt(&g, 1), *zGj = kg_geom_to_geojson(&g, 1);
  struct kg_discussion d = {0};
  d.projectId = idProject;
  d.zTitle = zTitle;
  d.announceAt = tNow + DAY;
  d.opensAt = tNow + 8 * DAY;
  d.closesAt = tNow + 30 * DAY;
  d.areaM2 = kg_geom_area_m2(&g);
  d.zTerritory = zGj;
  if (kg_store_discussion_insert(p, &d, zWkt, NULL, 0, 0, &idDisc, zErr, sizeof(zErr)))
    fprintf(stderr, "bench-alerts: %s\n", zErr);
  free(zWkt);
  free(zGj);
  kg_geom_clear(&g);
  return idDisc;
}

static int cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Wall time and this thread's CPU time of RUNS matches: the CPU time is
 * what the match costs when the machine is not shared. */
static void measure(struct kg_store *p, int64_t idDisc, const char *zName) {
  int64_t aUs[RUNS], aCpu[RUNS];
  int nMatch = 0;
  for (int i = 0; i < RUNS; i++) {
    int64_t t0 = now_us(), c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
    kg_store_alert_match(p, idDisc, KG_ALERT_ANNOUNCED, INT64_MAX, NULL, NULL, &nMatch);
    aUs[i] = now_us() - t0;
    aCpu[i] = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
  }
  qsort(aUs, RUNS, sizeof(aUs[0]), cmp);
  qsort(aCpu, RUNS, sizeof(aCpu[0]), cmp);
  printf("%-18s matches=%-5d wall median=%.1f ms max=%.1f ms; cpu median=%.1f ms max=%.1f ms "
         "(%d runs)\n",
         zName, nMatch, aUs[RUNS / 2] / 1000.0, aUs[RUNS - 1] / 1000.0, aCpu[RUNS / 2] / 1000.0,
         aCpu[RUNS - 1] / 1000.0, RUNS);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench-alerts DB N (0: measure DB as it is)\n");
    return 2;
  }
  long nSub = atol(argv[2]);
  struct kg_store *p = NULL;
  int nVersion;
  int64_t idProject = 0, tNow = kg_time_now();
  kg_auth_init();
  if (kg_store_open(argv[1], &p) || kg_store_migrate(p, &nVersion)) return 1;
  int64_t idSmall = 1, idLarge = 2; /* N = 0: measure a database made before */
  if (nSub > 0) {
    struct kg_project pr = {0, "Бенчмарк оповещений", "general_plan", "", "Бенчмарк", 0};
    char zSmall[] = "Квартал 600 м", zLarge[] = "Район 3 км";
    kg_store_begin(p);
    kg_store_project_insert(p, &pr, 0, &idProject);
    idSmall = territory(p, idProject, 600, zSmall);
    idLarge = territory(p, idProject, 3000, zLarge);
    int64_t t0 = now_us();
    for (long n = 0; n < nSub; n++)
      if (!add_subscription(p, n, tNow)) {
        fprintf(stderr, "bench-alerts: insert failed at %ld\n", n);
        return 1;
      }
    kg_store_commit(p);
    printf("subscriptions=%ld inserted in %.1f s\n", nSub, (now_us() - t0) / 1e6);
  }
  measure(p, idSmall, "territory 600 m:");
  measure(p, idLarge, "territory 3 km:");
  kg_store_close(p);
  return 0;
}

/* gen.c: deterministic benchmark data through the store API (no SQL here):
 * one open discussion on Вахитовский район's territory with N published
 * comments, each with a point inside the territory's bounding box, from a
 * pool of citizen accounts. Usage: bench-gen DB N [GEODATA_DIR]. Prints the
 * discussion id and the bbox used. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/auth.h"
#include "kengash/geo.h"
#include "kengash/store.h"

#define DAY 86400

static uint64_t g_state = 0x9e3779b97f4a7c15ull;
static double rnd(void) { /* xorshift64*, deterministic */
  g_state ^= g_state >> 12;
  g_state ^= g_state << 25;
  g_state ^= g_state >> 27;
  return (double)((g_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static const char *azWords[] = {"Предлагаю", "сохранить",   "деревья", "во",
                                "дворе",     "добавить",    "детскую", "площадку",
                                "освещение", "парковку",    "тротуар", "скамейки",
                                "остановку", "велодорожку", "сквер",   "шумозащиту"};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench-gen DB N [GEODATA_DIR]\n");
    return 2;
  }
  const char *zDb = argv[1], *zGeo = argc > 3 ? argv[3] : "geodata";
  long nComment = atol(argv[2]);
  struct kg_store *p = NULL;
  int nVersion;
  kg_auth_init();
  if (kg_store_open(zDb, &p) || kg_store_migrate(p, &nVersion)) return 1;
  char zPath[1024];
  snprintf(zPath, sizeof(zPath), "%s/kazan_districts_osm.geojson", zGeo);
  json_t *pFc = json_load_file(zPath, 0, NULL);
  json_t *pGeomJson = NULL;
  size_t i;
  json_t *pF;
  json_array_foreach(json_object_get(pFc, "features"), i, pF) {
    const char *z = json_string_value(json_object_get(json_object_get(pF, "properties"), "name"));
    if (z && strncmp(z, "Вахитовский", strlen("Вахитовский")) == 0)
      pGeomJson = json_object_get(pF, "geometry");
  }
  struct kg_geo_ctx *pGeo = kg_geo_ctx_new();
  struct kg_geom g = {0};
  char zErr[256];
  if (!pGeomJson || kg_geo_parse(pGeo, pGeomJson, NULL, NULL, &g, zErr, sizeof(zErr))) {
    fprintf(stderr, "bench-gen: no territory\n");
    return 1;
  }
  char zHash[KG_AUTH_HASH_SIZE];
  kg_auth_password_hash("bench-password-2026", zHash, sizeof(zHash));
  int64_t idMod = 0, idProject = 0, idDisc = 0, aCitizen[200];
  kg_store_begin(p);
  kg_store_account_insert(p, "bench-moderator@example.org", zHash, "Модератор", "moderator",
                          kg_time_now(), &idMod);
  for (int k = 0; k < 200; k++) {
    char zEmail[64], zName[64];
    snprintf(zEmail, sizeof(zEmail), "bench%03d@example.org", k);
    snprintf(zName, sizeof(zName), "Номеров%03d Житель", k);
    kg_store_account_insert(p, zEmail, zHash, zName, "citizen", kg_time_now(), &aCitizen[k]);
  }
  struct kg_project pr = {0, "Бенчмарк", "general_plan", "", "Бенчмарк", 0};
  kg_store_project_insert(p, &pr, idMod, &idProject);
  char *zWkt = kg_geom_to_wkt(&g, 1), *zGj = kg_geom_to_geojson(&g, 1);
  int64_t tNow = kg_time_now();
  struct kg_discussion d = {0};
  d.projectId = idProject;
  d.zTitle = "Бенчмарк: обсуждение с большим числом предложений";
  d.announceAt = tNow - 20 * DAY;
  d.opensAt = tNow - 10 * DAY;
  d.closesAt = tNow + 50 * DAY;
  d.areaM2 = kg_geom_area_m2(&g);
  d.zTerritory = zGj;
  if (kg_store_discussion_insert(p, &d, zWkt, NULL, 0, idMod, &idDisc, zErr, sizeof(zErr))) {
    fprintf(stderr, "bench-gen: %s\n", zErr);
    return 1;
  }
  enum kg_status from;
  kg_store_discussion_transition(p, idDisc, KG_ST_ANNOUNCED, idMod, NULL, tNow, &from);
  kg_store_discussion_transition(p, idDisc, KG_ST_OPEN, idMod, NULL, tNow, &from);
  kg_store_commit(p);
  /* points in the central part of the bbox, which lies inside the district */
  double cx = (g.minx + g.maxx) / 2, cy = (g.miny + g.maxy) / 2;
  double hw = (g.maxx - g.minx) / 8, hh = (g.maxy - g.miny) / 8;
  kg_store_begin(p);
  for (long n = 0; n < nComment; n++) {
    char zBody[400] = "", zPointWkt[96], zPointGj[96];
    for (int w = 0, nw = 5 + (int)(rnd() * 20); w < nw; w++) {
      strcat(zBody, azWords[(int)(rnd() * 16)]);
      strcat(zBody, w + 1 < nw ? " " : ".");
    }
    double lon = cx + (rnd() * 2 - 1) * hw, lat = cy + (rnd() * 2 - 1) * hh;
    snprintf(zPointWkt, sizeof(zPointWkt), "POINT(%.7f %.7f)", lon, lat);
    snprintf(zPointGj, sizeof(zPointGj), "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}", lon,
             lat);
    struct kg_comment_new c = {0};
    c.discussionId = idDisc;
    c.authorId = aCitizen[n % 200];
    c.zKind = n % 3 == 0 ? "remark" : "proposal";
    c.zBody = zBody;
    c.zLocationWkt = zPointWkt;
    c.zLocationGeoJson = zPointGj;
    c.zBasis = "resident";
    c.zDisplayName = "Житель Н.";
    int64_t id = 0;
    char zRegNo[KG_REGNO_SIZE];
    if (kg_store_comment_insert(p, &c, tNow, &id, zRegNo, NULL) ||
        kg_store_comment_moderate(p, id, 1, NULL, NULL, idMod, NULL, tNow)) {
      fprintf(stderr, "bench-gen: insert failed at %ld\n", n);
      return 1;
    }
    if (n % 10000 == 9999) {
      kg_store_commit(p);
      kg_store_begin(p);
    }
  }
  kg_store_commit(p);
  /* a bbox holding about 0.1% of the points: about 100 of 100,000 */
  double f = 0.0316;
  printf("discussion=%lld bbox=%.6f,%.6f,%.6f,%.6f\n", (long long)idDisc, cx - hw * f, cy - hh * f,
         cx + hw * f, cy + hh * f);
  free(zWkt);
  free(zGj);
  kg_geom_clear(&g);
  kg_geo_ctx_free(pGeo);
  json_decref(pFc);
  kg_store_close(p);
  return 0;
}

/* gen.c: deterministic benchmark data through the store API (no SQL here):
 * one open discussion on Вахитовский район's territory with N published
 * comments, each with a point inside the territory's bounding box, from a
 * pool of citizen accounts. Usage: bench-gen DB N [GEODATA_DIR]. Prints the
 * discussion id and the bbox used. The comments go in through the bulk
 * insert of bench_support.c, as bench-gen-city's do. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/auth.h"
#include "kengash/geo.h"
#include "kengash/store.h"
#include "../src/store/bench_support.h"

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

#define N_CITIZEN 200

/* Вахитовский район's territory from geodata into *pG. 0 when missing. */
static int load_territory(const char *zGeo, struct kg_geo_ctx *pGeo, struct kg_geom *pG) {
  char zPath[1024], zErr[256];
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
  int bOk = pGeomJson && !kg_geo_parse(pGeo, pGeomJson, NULL, NULL, pG, zErr, sizeof(zErr));
  json_decref(pFc);
  return bOk;
}

/* The moderator, the citizens (aCitizen) and the open discussion on the
 * territory g, in one transaction. 0 after a message. */
static int make_discussion(struct kg_store *p, const struct kg_geom *g, int64_t *pidMod,
                           int64_t aCitizen[N_CITIZEN], int64_t *pidDisc) {
  char zHash[KG_AUTH_HASH_SIZE], zErr[256];
  kg_auth_password_hash("bench-password-2026", zHash, sizeof(zHash));
  int64_t idProject = 0;
  kg_store_begin(p);
  kg_store_account_insert(p, "bench-moderator@example.org", zHash, "Модератор", "moderator",
                          kg_time_now(), pidMod);
  for (int k = 0; k < N_CITIZEN; k++) {
    char zEmail[64], zName[64];
    snprintf(zEmail, sizeof(zEmail), "bench%03d@example.org", k);
    snprintf(zName, sizeof(zName), "Номеров%03d Житель", k);
    kg_store_account_insert(p, zEmail, zHash, zName, "citizen", kg_time_now(), &aCitizen[k]);
  }
  struct kg_project pr = {0, "Бенчмарк", "general_plan", "", "Бенчмарк", 0};
  kg_store_project_insert(p, &pr, *pidMod, &idProject);
  char *zWkt = kg_geom_to_wkt(g, 1), *zGj = kg_geom_to_geojson(g, 1);
  int64_t tNow = kg_time_now();
  struct kg_discussion d = {0};
  d.projectId = idProject;
  d.zTitle = "Бенчмарк: обсуждение с большим числом предложений";
  d.announceAt = tNow - 20 * DAY;
  d.opensAt = tNow - 10 * DAY;
  d.closesAt = tNow + 50 * DAY;
  d.areaM2 = kg_geom_area_m2(g);
  d.zTerritory = zGj;
  int bOk = !kg_store_discussion_insert(p, &d, zWkt, NULL, 0, *pidMod, pidDisc, zErr, sizeof(zErr));
  free(zWkt);
  free(zGj);
  if (!bOk) {
    fprintf(stderr, "bench-gen: %s\n", zErr);
    return 0;
  }
  enum kg_status from;
  kg_store_discussion_transition(p, *pidDisc, KG_ST_ANNOUNCED, *pidMod, NULL, tNow, &from);
  kg_store_discussion_transition(p, *pidDisc, KG_ST_OPEN, *pidMod, NULL, tNow, &from);
  kg_store_commit(p);
  return 1;
}

/* nComment published comments at random points of the box around (cx, cy)
 * of half-width hw and half-height hh, through the bulk insert of
 * bench_support.c in batches of BATCH, a commit every 10,000. 0 after a
 * message. */
#define BATCH 1000
static int add_comments(struct kg_store *p, int64_t idDisc, int64_t idMod,
                        const int64_t aCitizen[N_CITIZEN], long nComment, double cx, double cy,
                        double hw, double hh) {
  struct row {
    char zBody[400], zPointWkt[96], zPointGj[96];
  } *aRow = kg_xcalloc(BATCH, sizeof(*aRow));
  struct kg_comment_new *aNew = kg_xcalloc(BATCH, sizeof(*aNew));
  int64_t aAt[BATCH], tNow = kg_time_now();
  int nRow = 0, bOk = 1;
  kg_store_begin(p);
  for (long n = 0; n < nComment && bOk; n++) {
    struct row *w = &aRow[nRow];
    /* 5 to 24 words, as many as fit: 24 long ones would overflow the
     * buffer (into the WKT after it), and a cut word is invalid UTF-8 */
    size_t nBody = 0;
    for (int k = 0, nw = 5 + (int)(rnd() * 20); k < nw; k++) {
      const char *zWord = azWords[(int)(rnd() * 16)];
      size_t nWord = strlen(zWord);
      if (nBody + nWord + 2 > sizeof(w->zBody)) break;
      memcpy(w->zBody + nBody, zWord, nWord);
      nBody += nWord;
      w->zBody[nBody++] = ' ';
    }
    w->zBody[nBody - 1] = '.'; /* the first word always fits */
    w->zBody[nBody] = 0;
    double lon = cx + (rnd() * 2 - 1) * hw, lat = cy + (rnd() * 2 - 1) * hh;
    snprintf(w->zPointWkt, sizeof(w->zPointWkt), "POINT(%.7f %.7f)", lon, lat);
    snprintf(w->zPointGj, sizeof(w->zPointGj), "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}",
             lon, lat);
    struct kg_comment_new *c = &aNew[nRow];
    memset(c, 0, sizeof(*c));
    c->discussionId = idDisc;
    c->authorId = aCitizen[n % N_CITIZEN];
    c->zKind = n % 3 == 0 ? "remark" : "proposal";
    c->zBody = w->zBody;
    c->zLocationWkt = w->zPointWkt;
    c->zLocationGeoJson = w->zPointGj;
    c->zBasis = "resident";
    c->zDisplayName = "Житель Н.";
    aAt[nRow] = tNow;
    if (++nRow == BATCH || n + 1 == nComment) {
      if (kg_store_bench_comments_published(p, aNew, aAt, nRow, idMod) != KG_OK) {
        fprintf(stderr, "bench-gen: insert failed at %ld\n", n);
        bOk = 0;
      }
      nRow = 0;
    }
    if (bOk && n % 10000 == 9999) {
      kg_store_commit(p);
      kg_store_begin(p);
    }
  }
  if (bOk)
    kg_store_commit(p);
  else
    kg_store_rollback(p);
  free(aRow);
  free(aNew);
  return bOk;
}

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
  struct kg_geo_ctx *pGeo = kg_geo_ctx_new();
  struct kg_geom g = {0};
  if (!load_territory(zGeo, pGeo, &g)) {
    fprintf(stderr, "bench-gen: no territory\n");
    return 1;
  }
  int64_t idMod = 0, idDisc = 0, aCitizen[N_CITIZEN];
  if (!make_discussion(p, &g, &idMod, aCitizen, &idDisc)) return 1;
  /* points in the central part of the bbox, which lies inside the district */
  double cx = (g.minx + g.maxx) / 2, cy = (g.miny + g.maxy) / 2;
  double hw = (g.maxx - g.minx) / 8, hh = (g.maxy - g.miny) / 8;
  if (!add_comments(p, idDisc, idMod, aCitizen, nComment, cx, cy, hw, hh)) return 1;
  /* a bbox holding about 0.1% of the points: about 100 of 100,000 */
  double f = 0.0316;
  printf("discussion=%lld bbox=%.6f,%.6f,%.6f,%.6f\n", (long long)idDisc, cx - hw * f, cy - hh * f,
         cx + hw * f, cy + hh * f);
  kg_geom_clear(&g);
  kg_geo_ctx_free(pGeo);
  kg_store_close(p);
  return 0;
}

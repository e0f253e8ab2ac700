/* test_store_alerts.c: the exact test of area alerts (src/store/alerts_match.c,
 * included to reach its static functions): decoding SpatiaLite blobs and
 * WKB (what PostgreSQL hands over) and "does a subscription's area meet a
 * territory", on holes, containment both ways, crossing, touching, a notch
 * inside the bounding boxes and multipolygons; every case also against the
 * engine's ST_Intersects. Then kg_store_alert_match, the events step and
 * the digest through the store. On either engine (store_harness.h). */
#define _GNU_SOURCE
#include "../../src/store/alerts_match.c"

#include "store_harness.h"

/* zWkt (EPSG:4326) as zSql makes it from ?1, into a (n bytes), or -1. */
static int bytes_of(struct kg_store *p, const char *zSql, const char *zWkt, unsigned char *a,
                    int nMax) {
  struct kg_db_stmt *s = NULL;
  int n = -1;
  if (kg_store_sql_query(p, &s, zSql, "t", zWkt) == KG_OK &&
      kg_store_sql_row(p, s, "test geometry") == KG_OK && kg_db_col_bytes(s, 0) <= nMax) {
    const void *aCol = kg_db_col_blob(s, 0);
    n = kg_db_col_bytes(s, 0);
    memcpy(a, aCol, (size_t)n);
  }
  kg_store_sql_done(p, s);
  return n;
}

/* zWkt as little-endian WKB, on either engine. */
static int wkb_of(struct kg_store *p, const char *zWkt, unsigned char *a, int nMax) {
  return bytes_of(p,
                  p->pPg ? "SELECT ST_AsBinary(GeomFromText(?1, 4326), 'NDR')"
                         : "SELECT AsBinary(GeomFromText(?1, 4326))",
                  zWkt, a, nMax);
}

/* zWkt as the matcher gets it from p's engine (rings_read decodes it):
 * SpatiaLite's blob on SQLite, WKB on PostgreSQL. */
static int blob_of(struct kg_store *p, const char *zWkt, unsigned char *a, int nMax) {
  if (p->pPg) return wkb_of(p, zWkt, a, nMax);
  return bytes_of(p, "SELECT GeomFromText(?1, 4326)", zWkt, a, nMax);
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
    CHECK(rings_read(p, aT, (size_t)nT, &t));
    CHECK(rings_read(p, aA, (size_t)nA, &c));
    CHECK(sql_meets(p, aA, nA, aT, nT, &bSql) == KG_OK);
    if (areas_meet(&c, &t) != aCase[i].bMeets || bSql != aCase[i].bMeets)
      fprintf(stderr, "  case %zu: C %d, ST_Intersects %d, expected %d\n", i, areas_meet(&c, &t),
              bSql, aCase[i].bMeets);
    CHECK(areas_meet(&c, &t) == aCase[i].bMeets);
    CHECK(bSql == aCase[i].bMeets);
    rings_free(&t);
    rings_free(&c);
    /* the WKB decoder on the same shapes, on either engine */
    nT = wkb_of(p, aCase[i].zTerritory, aT, sizeof(aT));
    nA = wkb_of(p, aCase[i].zArea, aA, sizeof(aA));
    CHECK(nT > 0 && nA > 0);
    CHECK(rings_from_wkb(aT, (size_t)nT, &t));
    CHECK(rings_from_wkb(aA, (size_t)nA, &c));
    CHECK(areas_meet(&c, &t) == aCase[i].bMeets);
    rings_free(&t);
    rings_free(&c);
  }
  kg_store_close(p);
}

/* Decoder xRead on what xOf makes: a point refused, a polygon read with
 * its box, every truncation, a byte too many and the big-endian byte
 * order (at a[iOrder]) refused, a multipolygon read and refused cut short. */
static void refuses(struct kg_store *p,
                    int (*xOf)(struct kg_store *, const char *, unsigned char *, int),
                    int (*xRead)(const unsigned char *, size_t, struct rings *), int iOrder) {
  unsigned char a[4096] = {0};
  struct rings r;
  int n = xOf(p, "POINT(1 2)", a, sizeof(a));
  CHECK(n > 0 && !xRead(a, (size_t)n, &r));
  n = xOf(p, zTwo, a, sizeof(a));
  CHECK(n > 0 && xRead(a, (size_t)n, &r) && r.nRing == 2 && r.nPt == 10);
  rings_free(&r);
  CHECK(n > 16 && !xRead(a, (size_t)n - 16, &r));
  n = xOf(p, "POLYGON((0 0,1 0,1 1,0 1,0 0))", a, sizeof(a));
  CHECK(n > 0 && xRead(a, (size_t)n, &r));
  CHECK(r.nRing == 1 && r.nPt == 5 && r.minx == 0 && r.miny == 0 && r.maxx == 1 && r.maxy == 1);
  rings_free(&r);
  for (int k = 1; k < n; k++) /* every truncation */
    CHECK(!xRead(a, (size_t)k, &r));
  CHECK(n > 0 && !xRead(a, (size_t)n + 1, &r)); /* a byte too many */
  a[iOrder] = 0x00;                             /* big-endian: left to ST_Intersects */
  CHECK(!xRead(a, (size_t)n, &r));
}

static void unknown_geometries_are_refused(void) {
  struct kg_store *p = fresh();
  if (!p->pPg) refuses(p, blob_of, rings_from_blob, 1); /* SpatiaLite's order: its second byte */
  refuses(p, wkb_of, rings_from_wkb, 0);
  kg_store_close(p);
}

/* ---- through the store ---- */

/* A confirmed subscription to polygon zWkt; its id. */
static int64_t subscribe(struct kg_store *p, const char *zEmail, const char *zWkt, int events,
                         const char *zRhythm, int bConfirm) {
  struct kg_alert_new q;
  unsigned char aManage[32];
  int64_t id = 0;
  memset(&q, 0, sizeof(q));
  q.zEmail = zEmail;
  q.zKind = "polygon";
  q.zAreaWkt = zWkt;
  q.minx = q.miny = q.maxx = q.maxy = 0; /* as given: the match uses the areas themselves */
  q.events = events;
  q.zRhythm = zRhythm;
  memset(q.aConfirmHash, zEmail[0], sizeof(q.aConfirmHash));
  memset(aManage, zEmail[0] + 0x80, sizeof(aManage)); /* unlike every other hash here */
  q.tNow = 1000;
  q.nMaxPerEmail = 10;
  q.zSubject = "s";
  q.zBody = "b";
  CHECK(kg_store_alert_create(p, &q) == KG_OK && q.id > 0 && q.outboxId > 0);
  if (bConfirm) CHECK(kg_store_alert_confirm(p, q.aConfirmHash, aManage, 1001, &id) == KG_OK);
  CHECK(!bConfirm || id == q.id);
  return q.id;
}

static int collect_ids(void *pArg, int64_t subId, const char *zEmail, int bWeekly) {
  struct id_list *c = pArg;
  (void)zEmail;
  if (c->n < 16) c->aId[c->n] = subId * 10 + bWeekly;
  c->n++;
  return 0;
}

static int g_nCompose;
static enum kg_err compose(void *pArg, const char *zEmail, const char *zLanguage,
                           const struct kg_alert_item *aItem, int nItem, int bDigest,
                           struct kg_alert_mail *pOut) {
  (void)pArg;
  (void)zLanguage;
  (void)aItem;
  memset(pOut->aTokenHash, 0x40 + g_nCompose++, sizeof(pOut->aTokenHash));
  pOut->zSubject = kg_xasprintf("%s %d %d", zEmail, nItem, bDigest);
  pOut->zBody = kg_xstrdup("body");
  pOut->zListUnsubscribe = NULL;
  return KG_OK;
}

/* An L-shaped territory; areas in it, in its notch (boxes overlap, no
 * shared point), far away, unconfirmed and asking for other events. */
static void match_and_events_step_find_the_areas_a_territory_meets(void) {
  struct kg_store *p = fresh();
  const char *zL = "MULTIPOLYGON(((49.10 55.70,49.20 55.70,49.20 55.72,49.12 55.72,49.12 55.80,"
                   "49.10 55.80,49.10 55.70)))";
  int64_t d = add_draft(p, zL, 2000, 3000, 4000);
  int64_t aIn =
      subscribe(p, "a@example.org",
                "POLYGON((49.15 55.705,49.16 55.705,49.16 55.71,49.15 55.71,49.15 55.705))",
                KG_ALERT_ALL, "instant", 1);
  int64_t aRound =
      subscribe(p, "b@example.org", "POLYGON((49.0 55.6,49.3 55.6,49.3 55.9,49.0 55.9,49.0 55.6))",
                KG_ALERT_ANNOUNCED, "weekly", 1); /* around all of it */
  subscribe(p, "c@example.org",
            "POLYGON((49.15 55.75,49.16 55.75,49.16 55.76,49.15 55.76,49.15 55.75))", KG_ALERT_ALL,
            "instant", 1); /* in the notch */
  subscribe(p, "d@example.org", "POLYGON((50 56,50.1 56,50.1 56.1,50 56.1,50 56))", KG_ALERT_ALL,
            "instant", 1); /* far away */
  subscribe(p, "e@example.org",
            "POLYGON((49.15 55.705,49.16 55.705,49.16 55.71,49.15 55.71,49.15 55.705))",
            KG_ALERT_ALL, "instant", 0); /* not confirmed */
  subscribe(p, "f@example.org",
            "POLYGON((49.15 55.705,49.16 55.705,49.16 55.71,49.15 55.71,49.15 55.705))",
            KG_ALERT_OPEN, "instant", 1); /* other events */
  struct id_list c;
  int n = -1;
  memset(&c, 0, sizeof(c));
  CHECK(kg_store_alert_match(p, d, KG_ALERT_ANNOUNCED, INT64_MAX, collect_ids, &c, &n) == KG_OK);
  CHECK(n == 2 && c.n == 2 && c.aId[0] == aIn * 10 && c.aId[1] == aRound * 10 + 1);
  /* events written before a confirmation are not its */
  memset(&c, 0, sizeof(c));
  int64_t nConfirmedAt = q_int(p, "SELECT max(confirmed_event) FROM alert_subscriptions");
  CHECK(nConfirmedAt >= 0);
  CHECK(kg_store_alert_match(p, d, KG_ALERT_ANNOUNCED, nConfirmedAt, collect_ids, &c, &n) == KG_OK);
  CHECK(n == 0 && c.n == 0);
  /* the events step: an e-mail to the instant one, a pending item for the weekly one */
  int64_t nOutbox = q_int(p, "SELECT count(*) FROM outbox");
  int nEvents = -1, nMail = -1;
  move_to(p, d, KG_ST_ANNOUNCED, 2000);
  g_nCompose = 0;
  CHECK(kg_store_alert_events_step(p, 10, 2000, compose, NULL, &nEvents, &nMail) == KG_OK);
  CHECK(nEvents == 1 && nMail == 1 && g_nCompose == 1);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == nOutbox + 1);
  CHECK(q_int(p, "SELECT count(*) FROM alert_pending") == 1);
  CHECK(kg_store_alert_events_step(p, 10, 2001, compose, NULL, &nEvents, &nMail) == KG_OK);
  CHECK(nEvents == 0 && nMail == 0);
  /* the weekly digest takes the pending item */
  int64_t subId = 0;
  CHECK(kg_store_alert_digest_one(p, 0, 3000, 3000, compose, NULL, &subId) == KG_OK);
  CHECK(subId == aRound && g_nCompose == 2);
  CHECK(q_int(p, "SELECT count(*) FROM alert_pending") == 0);
  CHECK(kg_store_alert_digest_one(p, subId, 3000, 3000, compose, NULL, &subId) == KG_OK);
  CHECK(subId == 0);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(exact_test_agrees_with_st_intersects);
  RUN(unknown_geometries_are_refused);
  RUN(match_and_events_step_find_the_areas_a_territory_meets);
  return harness_end();
}

/* test_store_participants.c: unit tests for src/store/participants.c (parcel
 * lookup, residences, properties, verification, the eligibility gate)
 * against real SpatiaLite files in a temporary directory, and a
 * microbenchmark of kg_store_eligibility against a 5,000-vertex territory.
 * Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kengash/store.h"
#include "store_harness.h"

/* A discussion with territory zWkt, moved to status st (draft, announced or
 * open). */
static int64_t add_discussion(struct kg_store *p, const char *zWkt, enum kg_status st) {
  int64_t id = add_draft(p, zWkt, 1000, 1000 + 7 * 86400, 1000 + 27 * 86400);
  move_to(p, id, st, 2000);
  return id;
}

/* The address key and geocoding are tested in test_store_addresses.c. */

static void parcel_lookup_by_cadastral_number(void) {
  struct kg_store *p = fresh();
  char *zWkt = square(49.1, 55.7, 0.001), *zGot = NULL;
  CHECK(kg_store_parcel_insert(p, "16:50:011105:123", "жилая застройка", zWkt) == KG_OK);
  CHECK(kg_store_parcel_wkt(p, "16:50:011105:123", &zGot) == KG_OK);
  CHECK(zGot && strncmp(zGot, "MULTIPOLYGON", 12) == 0);
  free(zGot);
  CHECK(kg_store_parcel_wkt(p, "16:50:011105:124", &zGot) == KG_ENOTFOUND && !zGot);
  free(zWkt);
  kg_store_close(p);
}

/* ---- residences and properties ---- */

static void residence_change_resets_verification_and_same_data_keeps_it(void) {
  struct kg_store *p = fresh();
  int64_t a = add_account(p, "a@example.org"), m = add_account(p, "m@example.org");
  struct kg_residence res;
  int bReset = -1;
  CHECK(kg_store_residence_get(p, a, &res) == KG_ENOTFOUND);
  CHECK(kg_store_residence_put(p, a, "ул. Баумана, 19", 49.12, 55.78, "registry", 0,
                               "self_declared", "1980-05-01", 0, &bReset) == KG_OK);
  CHECK(bReset == 0);
  CHECK(kg_store_residence_get(p, a, &res) == KG_OK);
  CHECK(!res.v.bVerified && !res.v.bRejected && strcmp(res.v.zVerifiedBy, "self_declared") == 0);
  CHECK(strcmp(res.zBirthDate, "1980-05-01") == 0 && fabs(res.lon - 49.12) < 1e-12);
  CHECK(kg_store_verification_decide(p, a, 0, 1, NULL, m, 5000) == KG_OK);
  CHECK(kg_store_residence_get(p, a, &res) == KG_OK);
  CHECK(res.v.bVerified && strcmp(res.v.zVerifiedBy, "moderator") == 0 &&
        res.v.verifiedAt == 5000 && res.v.verifierId == m);
  /* the same again: still verified */
  CHECK(kg_store_residence_put(p, a, "ул. Баумана, 19", 49.12, 55.78, "registry", 0,
                               "self_declared", NULL, 0, &bReset) == KG_OK);
  CHECK(bReset == 0);
  CHECK(kg_store_residence_get(p, a, &res) == KG_OK && res.v.bVerified);
  /* a new point: back to unverified */
  CHECK(kg_store_residence_put(p, a, "ул. Баумана, 19", 49.13, 55.78, "both", 0, "self_declared",
                               NULL, 0, &bReset) == KG_OK);
  CHECK(bReset == 1);
  CHECK(kg_store_residence_get(p, a, &res) == KG_OK);
  CHECK(!res.v.bVerified && res.v.verifiedAt == 0 && res.v.verifierId == 0 &&
        strcmp(res.v.zVerifiedBy, "self_declared") == 0 && strcmp(res.zSource, "both") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM residences") == 1);
  /* the spatial index follows the upsert */
  CHECK(q_int(p, p->pPg ? "SELECT count(*) FROM residences WHERE location && "
                          "ST_MakeEnvelope(49.129, 55.779, 49.131, 55.781, 4326)"
                        : "SELECT count(*) FROM SpatialIndex WHERE f_table_name = 'residences' AND "
                          "search_frame = BuildMbr(49.129, 55.779, 49.131, 55.781, 4326)") == 1);
  CHECK(q_int(p, p->pPg ? "SELECT count(*) FROM residences WHERE location && "
                          "ST_MakeEnvelope(49.119, 55.779, 49.121, 55.781, 4326)"
                        : "SELECT count(*) FROM SpatialIndex WHERE f_table_name = 'residences' AND "
                          "search_frame = BuildMbr(49.119, 55.779, 49.121, 55.781, 4326)") == 0);
  kg_store_close(p);
}

static void verification_writes_the_moderation_log_in_the_same_transaction(void) {
  struct kg_store *p = fresh();
  int64_t a = add_account(p, "a@example.org"), m = add_account(p, "m@example.org");
  int64_t pid = 0;
  char *zWkt = square(49.1, 55.7, 0.001), zErr[100];
  struct kg_property prop;
  CHECK(kg_store_verification_decide(p, a, 0, 1, NULL, m, 0) == KG_ENOTFOUND);
  CHECK(kg_store_residence_put(p, a, "ул. Баумана, 19", 49.12, 55.78, "registry", 0,
                               "self_declared", NULL, 0, NULL) == KG_OK);
  CHECK(kg_store_verification_decide(p, a, 0, 0, "адрес не совпадает с паспортом", m, 0) == KG_OK);
  CHECK(kg_store_property_insert(p, a, "16:50:011105:123", zWkt, "geometry", 0, "self_declared", 0,
                                 &pid, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_property_insert(p, a, "16:50:011105:123", zWkt, "geometry", 0, "self_declared", 0,
                                 NULL, zErr, sizeof(zErr)) == KG_ECONFLICT);
  CHECK(kg_store_verification_decide(p, a, pid, 1, "выписка ЕГРН", m, 0) == KG_OK);
  CHECK(kg_store_verification_decide(p, a + 100, pid, 1, NULL, m, 0) == KG_ENOTFOUND);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log") == 2);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE action = 'residence.reject' AND "
                 "target_type = 'residence' AND reason LIKE 'адрес%'") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE action = 'property.verify' AND "
                 "target_type = 'property'") == 1);
  struct kg_residence res;
  CHECK(kg_store_residence_get(p, a, &res) == KG_OK && res.v.bRejected && !res.v.bVerified);
  CHECK(kg_store_property_get(p, a, pid, &prop) == KG_OK);
  CHECK(prop.v.bVerified && strstr(prop.zGeometry, "MultiPolygon") != NULL);
  kg_property_clear(&prop);
  CHECK(kg_store_property_get(p, a + 1, pid, &prop) == KG_ENOTFOUND);
  /* a failing log insert rolls the decision back */
  CHECK(exec_ok(p, p->pPg ? "CREATE FUNCTION fail_log() RETURNS trigger LANGUAGE plpgsql AS "
                            "$$BEGIN RAISE EXCEPTION 'no'; END$$; CREATE TRIGGER fail_log BEFORE "
                            "INSERT ON moderation_log FOR EACH ROW EXECUTE FUNCTION fail_log()"
                          : "CREATE TRIGGER fail_log BEFORE INSERT ON moderation_log BEGIN "
                            "SELECT RAISE(ABORT, 'no'); END"));
  CHECK(kg_store_verification_decide(p, a, 0, 1, NULL, m, 0) != KG_OK);
  CHECK(kg_store_residence_get(p, a, &res) == KG_OK && !res.v.bVerified && res.v.bRejected);
  /* a self-intersecting geometry is refused with a reason */
  zErr[0] = 0;
  CHECK(kg_store_property_insert(
            p, a, "16:50:011105:999",
            "MULTIPOLYGON(((49.1 55.7,49.2 55.8,49.2 55.7,49.1 55.8,49.1 55.7)))", "geometry", 0,
            "self_declared", 0, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(zErr[0] != 0);
  free(zWkt);
  kg_store_close(p);
}

static int queue_row(void *pArg, const struct kg_pending_verification *v) {
  int *pn = pArg;
  (*pn)++;
  CHECK(v->zFullName && strcmp(v->zFullName, "Участник Тестовый") == 0);
  CHECK(v->zGeometry && v->zGeometry[0] == '{');
  return 0;
}

static void queue_lists_pending_only(void) {
  struct kg_store *p = fresh();
  int64_t a = add_account(p, "a@example.org"), b = add_account(p, "b@example.org");
  int64_t m = add_account(p, "m@example.org"), pid = 0;
  char *zWkt = square(49.1, 55.7, 0.001), zErr[100];
  int n = 0;
  CHECK(kg_store_residence_put(p, a, "A", 49.12, 55.78, "point", 0, "self_declared", NULL, 10,
                               NULL) == KG_OK);
  CHECK(kg_store_residence_put(p, b, "B", 49.12, 55.78, "point", 0, "self_declared", NULL, 20,
                               NULL) == KG_OK);
  CHECK(kg_store_property_insert(p, b, "16:50:011105:1", zWkt, "geometry", 0, "self_declared", 30,
                                 &pid, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_verification_queue(p, 0, 50, queue_row, &n) == KG_OK && n == 3);
  CHECK(kg_store_verification_decide(p, a, 0, 1, NULL, m, 0) == KG_OK);
  CHECK(kg_store_verification_decide(p, b, pid, 0, "нет прав", m, 0) == KG_OK);
  n = 0;
  CHECK(kg_store_verification_queue(p, 0, 50, queue_row, &n) == KG_OK && n == 1);
  n = 0;
  CHECK(kg_store_verification_queue(p, 1, 50, queue_row, &n) == KG_OK && n == 0);
  free(zWkt);
  kg_store_close(p);
}

/* ---- eligibility ---- */

static void eligibility_covers_every_reason(void) {
  struct kg_store *p = fresh();
  char *zTerr = square(49.10, 55.70, 0.01);
  int64_t d = add_discussion(p, zTerr, KG_ST_OPEN);
  int64_t dAnn = add_discussion(p, zTerr, KG_ST_ANNOUNCED);
  int64_t a = add_account(p, "a@example.org"), m = add_account(p, "m@example.org");
  struct kg_eligibility e;
  char zErr[100];

  CHECK(kg_store_eligibility(p, a, d + 1000, &e) == KG_ENOTFOUND);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK);
  CHECK(!e.bEligible && e.reason == KG_ELIG_NO_RESIDENCE && e.basis == KG_BASIS_NONE);
  CHECK(e.status == KG_ST_OPEN);

  CHECK(kg_store_residence_put(p, a, "inside", 49.105, 55.705, "point", 0, "self_declared", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK);
  CHECK(!e.bEligible && e.reason == KG_ELIG_NOT_VERIFIED && e.basis == KG_BASIS_NONE);

  CHECK(kg_store_verification_decide(p, a, 0, 1, NULL, m, 0) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK);
  CHECK(e.bEligible && e.reason == KG_ELIG_OK && e.basis == KG_BASIS_RESIDENT);
  CHECK(strcmp(kg_basis_name(e.basis), "resident") == 0);
  CHECK(strcmp(kg_elig_reason_name(e.reason), "eligible") == 0);

  /* not open: not eligible, but the basis says what they would have */
  CHECK(kg_store_eligibility(p, a, dAnn, &e) == KG_OK);
  CHECK(!e.bEligible && e.reason == KG_ELIG_NOT_OPEN && e.basis == KG_BASIS_RESIDENT);

  /* on the boundary counts as inside */
  CHECK(kg_store_residence_put(p, a, "edge", 49.10, 55.705, "point", 1, "identity_provider", NULL,
                               0, NULL) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && e.basis == KG_BASIS_RESIDENT);

  /* verified but outside (inside the MBR of nothing) */
  CHECK(kg_store_residence_put(p, a, "outside", 49.2, 55.8, "point", 0, "self_declared", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_verification_decide(p, a, 0, 1, NULL, m, 0) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK);
  CHECK(!e.bEligible && e.reason == KG_ELIG_OUTSIDE && e.basis == KG_BASIS_NONE);

  /* a property that only touches the territory's edge does not count */
  char *zTouch = square(49.11, 55.70, 0.002), *zOver = square(49.109, 55.709, 0.002);
  int64_t pTouch = 0, pOver = 0;
  CHECK(kg_store_property_insert(p, a, "16:50:000001:1", zTouch, "geometry", 0, "self_declared", 0,
                                 &pTouch, zErr, sizeof(zErr)) == KG_OK);
  /* waiting is the property, not the (verified) residence */
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && e.reason == KG_ELIG_PROPERTY_NOT_VERIFIED);
  CHECK(kg_store_verification_decide(p, a, pTouch, 1, NULL, m, 0) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && e.reason == KG_ELIG_OUTSIDE);
  /* one that overlaps does: rightholder */
  CHECK(kg_store_property_insert(p, a, "16:50:000001:2", zOver, "geometry", 0, "self_declared", 0,
                                 &pOver, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_verification_decide(p, a, pOver, 1, NULL, m, 0) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK);
  CHECK(e.bEligible && e.basis == KG_BASIS_RIGHTHOLDER && e.propertyId == pOver);
  free(zTouch);
  free(zOver);
  free(zTerr);
  kg_store_close(p);
}

/* A star-shaped territory of nVertex vertices around (cx, cy): radius r
 * with a wiggle, so the polygon is simple but far from convex. */
static char *star(double cx, double cy, double r, int nVertex) {
  struct kg_buf b;
  kg_buf_init(&b, (size_t)nVertex * 64 + 64);
  kg_buf_puts(&b, "MULTIPOLYGON(((");
  for (int i = 0; i <= nVertex - 1; i++) {
    int k = i == nVertex - 1 ? 0 : i; /* closed: the last repeats the first */
    double t = 2 * M_PI * k / (nVertex - 1);
    double rr = r * (1 + 0.3 * sin(37 * t));
    kg_buf_printf(&b, "%s%.9f %.9f", i ? "," : "", cx + rr * cos(t), cy + rr * sin(t) * 0.6);
  }
  kg_buf_puts(&b, ")))");
  CHECK(!kg_buf_failed(&b));
  return kg_buf_detach(&b, NULL);
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void eligibility_with_a_5000_vertex_territory_and_benchmark(void) {
  struct kg_store *p = fresh();
  char *zStar = star(49.12, 55.79, 0.05, 5000);
  int64_t d = add_discussion(p, zStar, KG_ST_OPEN);
  CHECK(q_int(p, "SELECT ST_NPoints(territory) FROM discussions") == 5000);
  /* other discussions elsewhere, so the index has something to skip */
  for (int i = 0; i < 200; i++) {
    char *z = square(40 + (i % 20) * 0.1, 50 + (i / 20) * 0.1, 0.05);
    add_discussion(p, z, KG_ST_OPEN);
    free(z);
  }
  int64_t aIn = add_account(p, "in@example.org"), aOut = add_account(p, "out@example.org");
  int64_t aNotch = add_account(p, "notch@example.org"), m = add_account(p, "m@example.org");
  struct kg_eligibility e;
  /* centre: inside; far away: outside; inside the MBR but in a notch of
   * the star (radius there is 0.7 r): outside after the exact test */
  double t = 2 * M_PI * (3.0 / 4) / 37; /* sin(37 t) = -1 */
  CHECK(kg_store_residence_put(p, aIn, "in", 49.12, 55.79, "point", 1, "identity_provider", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_residence_put(p, aOut, "out", 48.0, 55.0, "point", 0, "self_declared", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_residence_put(p, aNotch, "notch", 49.12 + 0.05 * 0.9 * cos(t),
                               55.79 + 0.05 * 0.9 * sin(t) * 0.6, "point", 0, "self_declared", NULL,
                               0, NULL) == KG_OK);
  CHECK(kg_store_verification_decide(p, aOut, 0, 1, NULL, m, 0) == KG_OK);
  CHECK(kg_store_verification_decide(p, aNotch, 0, 1, NULL, m, 0) == KG_OK);
  CHECK(kg_store_eligibility(p, aIn, d, &e) == KG_OK && e.bEligible &&
        e.basis == KG_BASIS_RESIDENT);
  CHECK(kg_store_eligibility(p, aOut, d, &e) == KG_OK && e.reason == KG_ELIG_OUTSIDE);
  CHECK(kg_store_eligibility(p, aNotch, d, &e) == KG_OK && e.reason == KG_ELIG_OUTSIDE);

  /* microbenchmark: the resident case (index hit + exact test) */
  enum { N = 2000 };
  int nOk = 0;
  double t0 = now_us();
  for (int i = 0; i < N; i++)
    nOk += kg_store_eligibility(p, aIn, d, &e) == KG_OK && e.bEligible;
  double tIn = (now_us() - t0) / N;
  t0 = now_us();
  for (int i = 0; i < N; i++)
    nOk += kg_store_eligibility(p, aNotch, d, &e) == KG_OK && e.reason == KG_ELIG_OUTSIDE;
  double tNotch = (now_us() - t0) / N;
  t0 = now_us();
  for (int i = 0; i < N; i++)
    nOk += kg_store_eligibility(p, aOut, d, &e) == KG_OK && e.reason == KG_ELIG_OUTSIDE;
  double tOut = (now_us() - t0) / N;
  CHECK(nOk == 3 * N);
  printf("  eligibility, 5000-vertex territory, %d calls each: inside %.1f us/call, "
         "in MBR but outside %.1f us/call, outside MBR %.1f us/call\n",
         N, tIn, tNotch, tOut);
  free(zStar);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(parcel_lookup_by_cadastral_number);
  RUN(residence_change_resets_verification_and_same_data_keeps_it);
  RUN(verification_writes_the_moderation_log_in_the_same_transaction);
  RUN(queue_lists_pending_only);
  RUN(eligibility_covers_every_reason);
  RUN(eligibility_with_a_5000_vertex_territory_and_benchmark);
  return harness_end();
}

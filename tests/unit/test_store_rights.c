/* test_store_rights.c: unit tests for the rights register (src/store/rights.c,
 * migration 0011_rights.sql) against real SpatiaLite files in a temporary
 * directory: the migration from the previous schema keeps every property,
 * its geometry and the spatial index; loading the register; verifying an
 * account's properties from it, alone and inside a caller's transaction;
 * the eligibility reason for a property still waiting. Prints one line per
 * test and "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kengash/auth.h"
#include "kengash/store.h"
#include "store_harness.h"

/* The version of 0011_rights.sql: the schema before it is what a server
 * upgraded to this one finds. */
#define RIGHTS_VERSION 11

/* The schema version: SQLite's user_version, the row of kg_schema_version on
 * PostgreSQL (store.c). */
static int64_t schema_version(struct kg_store *p) {
  return q_int(p, p->pPg ? "SELECT version FROM kg_schema_version" : "PRAGMA user_version");
}

/* A new database migrated at least to RIGHTS_VERSION. */
static struct kg_store *fresh_rights(void) {
  struct kg_store *p = fresh();
  if (schema_version(p) < RIGHTS_VERSION) {
    fprintf(stderr, "cannot migrate a test store\n");
    exit(2);
  }
  return p;
}

/* The first column of the first row as text (heap), "" for none. */
static char *q_text(struct kg_store *p, const char *zSql) {
  struct kg_db_stmt *s = NULL;
  char *z = NULL;
  if (kg_store_sql_prepare(p, zSql, &s) == KG_OK && kg_db_step(s) == SQLITE_ROW)
    z = kg_store_col_dup(s, 0);
  kg_store_sql_done(p, s);
  return z ? z : kg_xstrdup("");
}

/* 1 when the plan of zQuery names zIndex: SQLite's EXPLAIN QUERY PLAN;
 * PostgreSQL's EXPLAIN with sequential scans off (a table of a few rows is
 * read whole otherwise), so: when the index can serve the query. */
static int plan_uses(struct kg_store *p, const char *zQuery, const char *zIndex) {
  char *zSql = kg_xasprintf("%s %s", p->pPg ? "EXPLAIN" : "EXPLAIN QUERY PLAN", zQuery);
  struct kg_db_stmt *s = NULL;
  int bUses = 0;
  if (p->pPg) CHECK(exec_ok(p, "SET enable_seqscan = off"));
  if (kg_store_sql_prepare(p, zSql, &s) == KG_OK)
    while (kg_db_step(s) == SQLITE_ROW) {
      const char *z = kg_store_col_text(s, p->pPg ? 0 : 3);
      bUses |= z && strstr(z, zIndex);
    }
  kg_store_sql_done(p, s);
  if (p->pPg) CHECK(exec_ok(p, "RESET enable_seqscan"));
  free(zSql);
  return bUses;
}

/* The properties the spatial index finds. SQLite: the rows of its R*Tree
 * idx_properties_geometry (zRtree: "" or a WHERE on xmin..ymax).
 * PostgreSQL: the rows its GiST index idx_properties_geometry finds for
 * zGist (a box operator and an envelope), read through that index. */
static int64_t idx_count(struct kg_store *p, const char *zRtree, const char *zGist) {
  char *zSql = p->pPg ? kg_xasprintf("SELECT count(*) FROM properties WHERE geometry %s", zGist)
                      : kg_xasprintf("SELECT count(*) FROM idx_properties_geometry %s", zRtree);
  int64_t n = -1;
  if (!p->pPg || plan_uses(p, zSql, "idx_properties_geometry")) {
    if (p->pPg) CHECK(exec_ok(p, "SET enable_seqscan = off"));
    n = q_int(p, zSql);
    if (p->pPg) CHECK(exec_ok(p, "RESET enable_seqscan"));
  } else {
    FAIL("not through the index: %s", zSql);
  }
  free(zSql);
  return n;
}

/* The spatial index is complete and right. SQLite: SpatiaLite's
 * CheckSpatialIndex (the R*Tree against every row). PostgreSQL keeps a
 * GiST index itself: a scan of it over the whole world finds every row. */
static int spatial_index_ok(struct kg_store *p) {
  if (!p->pPg) return q_int(p, "SELECT CheckSpatialIndex('properties', 'geometry')") == 1;
  return idx_count(p, "", "&& ST_MakeEnvelope(-180, -90, 180, 90, 4326)") ==
         q_int(p, "SELECT count(*) FROM properties");
}

/* 1 when the schema has a table or index named zName. */
static int has_object(struct kg_store *p, const char *zName) {
  char *zSql = kg_xasprintf(p->pPg ? "SELECT count(*) FROM pg_class WHERE relname = '%s'"
                                   : "SELECT count(*) FROM sqlite_master WHERE name = '%s'",
                            zName);
  int64_t n = q_int(p, zSql);
  free(zSql);
  return n == 1;
}

/* An open discussion with territory zWkt. */
static int64_t add_discussion(struct kg_store *p, const char *zWkt) {
  int64_t id = add_draft(p, zWkt, 1000, 1000 + 7 * 86400, 1000 + 27 * 86400);
  move_to(p, id, KG_ST_OPEN, 2000);
  return id;
}

/* ---- the migration ---- */

/* Applies the embedded migrations older than RIGHTS_VERSION, as an older
 * binary did. */
static void migrate_to_previous(struct kg_store *p) {
  const struct kg_store_migration *aM = p->pPg ? kg_store_pg_aMigration : kg_store_aMigration;
  int nM = p->pPg ? kg_store_pg_nMigration : kg_store_nMigration;
  if (p->pPg) /* store.c's version row (without one, a schema counts as the newest) */
    CHECK(exec_ok(p, "CREATE TABLE kg_schema_version (version integer NOT NULL); "
                     "INSERT INTO kg_schema_version VALUES (0)"));
  else
    CHECK(q_int(p, "SELECT InitSpatialMetadata(1)") == 1);
  for (int i = 0; i < nM; i++) {
    const struct kg_store_migration *m = &aM[i];
    if (m->nVersion >= RIGHTS_VERSION) continue;
    char *zVersion = kg_xasprintf(p->pPg ? "UPDATE kg_schema_version SET version = %d"
                                         : "PRAGMA user_version=%d",
                                  m->nVersion);
    CHECK(exec_ok(p, "BEGIN IMMEDIATE"));
    CHECK(exec_ok(p, m->zSql));
    CHECK(exec_ok(p, zVersion));
    CHECK(exec_ok(p, "COMMIT"));
    free(zVersion);
  }
  /* the older binary's compatibility functions (store.c runs them after
   * every migration) */
  if (p->pPg) CHECK(exec_ok(p, kg_store_pgcompat_aMigration[0].zSql));
  CHECK(schema_version(p) < RIGHTS_VERSION);
}

/* Every column of every property, geometry as hex, one text per row. */
static char *properties_dump(struct kg_store *p) {
  if (p->pPg)
    return q_text(
        p, "SELECT string_agg(r, chr(10) ORDER BY id) FROM (SELECT id, id || '|' || account_id "
           "|| '|' || cadastral_number || '|' || source || '|' || verified || '|' || verified_by "
           "|| '|' || coalesce(verified_at::text, '-') || '|' || coalesce(verifier_id::text, '-') "
           "|| '|' || coalesce(rejected_at::text, '-') || '|' || coalesce(note, '-') || '|' || "
           "created_at || '|' || updated_at || '|' || encode(ST_AsEWKB(geometry), 'hex') AS r "
           "FROM properties) AS t");
  return q_text(p,
                "SELECT group_concat(r, char(10)) FROM (SELECT id || '|' || account_id || '|' || "
                "cadastral_number || '|' || source || '|' || verified || '|' || verified_by || '|' "
                "|| ifnull(verified_at, '-') || '|' || ifnull(verifier_id, '-') || '|' || "
                "ifnull(rejected_at, '-') || '|' || ifnull(note, '-') || '|' || created_at || '|' "
                "|| updated_at || '|' || hex(geometry) AS r FROM properties ORDER BY id)");
}

static void migration_keeps_properties_their_geometry_and_spatial_index(void) {
  struct kg_store *p = open_new();
  char zErr[200];
  migrate_to_previous(p);
  int64_t a = add_account(p, "old@example.org"), m = add_account(p, "mod@example.org");
  int64_t b = add_account(p, "other@example.org");
  /* 60 plots in a row along 55.7N, in every state */
  for (int i = 0; i < 60; i++) {
    char *zWkt = square(49.0 + i * 0.01, 55.7, 0.004);
    char *zCad = kg_xasprintf("16:50:%06d:%d", 10000 + i, i + 1);
    int64_t id = 0;
    CHECK(kg_store_property_insert(p, i % 3 ? a : b, zCad, zWkt, i % 2 ? "registry" : "geometry", 0,
                                   "self_declared", 1000 + i, &id, zErr, sizeof(zErr)) == KG_OK);
    if (i % 4 == 1) CHECK(kg_store_verification_decide(p, i % 3 ? a : b, id, 1, "ЕГРН", m, 0) == 0);
    if (i % 4 == 2)
      CHECK(kg_store_verification_decide(p, i % 3 ? a : b, id, 0, "не тот номер", m, 0) == 0);
    free(zCad);
    free(zWkt);
  }
  CHECK(idx_count(p, "", "&& ST_MakeEnvelope(-180, -90, 180, 90, 4326)") == 60);
  /* 'register' is not allowed yet */
  CHECK(!exec_ok(p, "UPDATE properties SET verified_by = 'register' WHERE id = 1"));
  char *zBefore = properties_dump(p);
  int nVersion = 0;
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK && nVersion >= RIGHTS_VERSION);
  char *zAfter = properties_dump(p);
  CHECK(strlen(zBefore) > 1000 && strcmp(zBefore, zAfter) == 0);
  /* the column is registered as before, with its index, and the index is
   * complete and right (CheckSpatialIndex compares it with every row) */
  CHECK(q_int(p, p->pPg ? "SELECT count(*) FROM geometry_columns WHERE f_table_name = "
                          "'properties' AND f_geometry_column = 'geometry' AND type = "
                          "'MULTIPOLYGON' AND srid = 4326 AND coord_dimension = 2 AND EXISTS "
                          "(SELECT 1 FROM pg_indexes WHERE indexname = 'idx_properties_geometry' "
                          "AND indexdef LIKE '%USING gist (geometry)')"
                        : "SELECT count(*) FROM geometry_columns WHERE f_table_name = "
                          "'properties' AND f_geometry_column = 'geometry' AND geometry_type = 6 "
                          "AND srid = 4326 AND coord_dimension = 2 AND "
                          "spatial_index_enabled = 1") == 1);
  CHECK(spatial_index_ok(p));
  CHECK(idx_count(p, "", "&& ST_MakeEnvelope(-180, -90, 180, 90, 4326)") == 60);
  /* a window query through the index finds the plots in it */
  CHECK(idx_count(p, "WHERE xmin <= 49.115 AND xmax >= 49.095 AND ymin <= 55.71 AND ymax >= 55.69",
                  "&& ST_MakeEnvelope(49.095, 55.69, 49.115, 55.71, 4326)") == 2);
  CHECK(q_int(p, "SELECT count(*) FROM properties WHERE ST_IsValid(geometry) = 1 AND "
                 "GeometryType(geometry) = 'MULTIPOLYGON' AND ST_SRID(geometry) = 4326") == 60);
  /* the same table otherwise: indexes, constraints, foreign keys */
  CHECK(has_object(p, "properties_pending"));
  CHECK(!has_object(p, "properties_new"));
  CHECK(exec_ok(p, "UPDATE properties SET verified_by = 'register' WHERE id = 1"));
  CHECK(!exec_ok(p, "UPDATE properties SET verified_by = 'neighbour' WHERE id = 1"));
  CHECK(!exec_ok(p, "UPDATE properties SET source = 'guess' WHERE id = 1"));
  CHECK(kg_store_property_insert(p, a, "16:50:010001:2", "MULTIPOLYGON(((0 0,1 0,1 1,0 0)))",
                                 "geometry", 0, "self_declared", 0, NULL, zErr,
                                 sizeof(zErr)) == KG_ECONFLICT);
  CHECK(!exec_ok(p, "INSERT INTO properties (account_id, cadastral_number, source, created_at, "
                    "updated_at, geometry) VALUES (999999, 'x', 'geometry', 1, 1, "
                    "CastToMultiPolygon(GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326)))"));
  /* the geometry constraint is back: a point is refused */
  CHECK(!exec_ok(p, "UPDATE properties SET geometry = MakePoint(49, 55, 4326) WHERE id = 2"));
  /* the triggers keep the index up: insert, move, delete */
  char *zNew = square(50.0, 56.0, 0.01);
  int64_t idNew = 0;
  CHECK(kg_store_property_insert(p, a, "16:50:020001:1", zNew, "geometry", 0, "self_declared", 0,
                                 &idNew, zErr, sizeof(zErr)) == KG_OK);
  CHECK(idx_count(p, "WHERE xmin >= 49.99 AND ymin >= 55.99",
                  "@ ST_MakeEnvelope(49.99, 55.99, 180, 90, 4326)") == 1);
  CHECK(exec_ok(p, "UPDATE properties SET geometry = CastToMultiPolygon(BuildMbr(51, 57, 51.01, "
                   "57.01, 4326)) WHERE cadastral_number = '16:50:020001:1'"));
  CHECK(idx_count(p, "WHERE xmin >= 50.99", "@ ST_MakeEnvelope(50.99, -90, 180, 90, 4326)") == 1);
  CHECK(idx_count(p, "WHERE xmin >= 49.99 AND xmax < 50.5",
                  "@ ST_MakeEnvelope(49.99, -90, 50.5, 90, 4326)") == 0);
  /* deleting the account cascades to its properties and their index rows */
  CHECK(exec_ok(p, "DELETE FROM accounts WHERE email = 'other@example.org'"));
  CHECK(q_int(p, "SELECT count(*) FROM properties") == 41);
  CHECK(idx_count(p, "", "&& ST_MakeEnvelope(-180, -90, 180, 90, 4326)") == 41);
  CHECK(spatial_index_ok(p));
  /* migrating again is a no-op */
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM properties") == 41);
  (void)b;
  free(zNew);
  free(zBefore);
  free(zAfter);
  kg_store_close(p);
}

/* ---- loading the register ---- */

static void hash_of(const char *zHolder, unsigned char aHash[32]) {
  unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES];
  memset(aKey, 7, sizeof(aKey));
  if (kg_auth_holder_hash(aKey, zHolder, aHash) != KG_OK) {
    fprintf(stderr, "bad test holder %s\n", zHolder);
    exit(2);
  }
}

static void register_load_counts_repeats_and_replaces(void) {
  struct kg_store *p = fresh_rights();
  struct kg_rights_info info;
  unsigned char aH1[32], aH2[32], aCheck[32], aCheck2[32];
  int bAdded = -1;
  hash_of("123-456-789 01", aH1);
  hash_of("7707083893", aH2);
  memset(aCheck, 0xA5, sizeof(aCheck));
  memset(aCheck2, 0x5A, sizeof(aCheck2));
  CHECK(kg_store_rights_info(p, &info) == KG_ENOTFOUND);
  char *zWkt = square(49.1, 55.7, 0.002);
  CHECK(kg_store_parcel_insert(p, "16:50:011101:1", "ИЖС", zWkt) == KG_OK);
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_rights_reset(p, aCheck, 100) == KG_OK);
  CHECK(kg_store_rights_insert(p, "16:50:011101:1", aH1, 100, &bAdded) == KG_OK && bAdded == 1);
  CHECK(kg_store_rights_insert(p, "16:50:011101:1", aH1, 100, &bAdded) == KG_OK && bAdded == 0);
  CHECK(kg_store_rights_insert(p, "16:50:011101:1", aH2, 100, &bAdded) == KG_OK && bAdded == 1);
  CHECK(kg_store_rights_insert(p, "16:50:099999:9", aH2, 100, NULL) == KG_OK);
  CHECK(kg_store_commit(p) == KG_OK);
  CHECK(kg_store_rights_info(p, &info) == KG_OK);
  CHECK(info.nRows == 3 && info.nNoParcel == 1 && info.loadedAt == 100);
  CHECK(memcmp(info.aKeyCheck, aCheck, 32) == 0);
  /* a hash is exactly 32 bytes (a blob: text of 32 characters is not one) */
  CHECK(!exec_ok(p, p->pPg ? "INSERT INTO rights_register (cadastral_number, holder_hash, "
                             "loaded_at) VALUES ('16:50:011101:2', decode('00', 'hex'), 1)"
                           : "INSERT INTO rights_register (cadastral_number, holder_hash, "
                             "loaded_at) VALUES ('16:50:011101:2', x'00', 1)"));
  CHECK(!exec_ok(p, p->pPg ? "INSERT INTO rights_register (cadastral_number, holder_hash, "
                             "loaded_at) VALUES ('16:50:011101:2', "
                             "CAST('12345678901234567890123456789012' AS text), 1)"
                           : "INSERT INTO rights_register (cadastral_number, holder_hash, "
                             "loaded_at) VALUES ('16:50:011101:2', "
                             "'12345678901234567890123456789012', 1)"));
  /* ... while 32 bytes are (the two refusals above are not for another reason) */
  CHECK(exec_ok(p, p->pPg ? "INSERT INTO rights_register (cadastral_number, holder_hash, "
                            "loaded_at) VALUES ('16:50:011101:2', decode(repeat('00', 32), "
                            "'hex'), 1)"
                          : "INSERT INTO rights_register (cadastral_number, holder_hash, "
                            "loaded_at) VALUES ('16:50:011101:2', zeroblob(32), 1)"));
  /* a new load replaces the old, with its key check */
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_rights_reset(p, aCheck2, 200) == KG_OK);
  CHECK(kg_store_rights_insert(p, "16:50:011101:1", aH1, 200, NULL) == KG_OK);
  CHECK(kg_store_commit(p) == KG_OK);
  CHECK(kg_store_rights_info(p, &info) == KG_OK);
  CHECK(info.nRows == 1 && info.nNoParcel == 0 && info.loadedAt == 200);
  CHECK(memcmp(info.aKeyCheck, aCheck2, 32) == 0);
  /* the lookup by holder goes through the index */
  CHECK(plan_uses(p,
                  p->pPg ? "SELECT cadastral_number FROM rights_register "
                           "WHERE holder_hash = decode('00', 'hex')"
                         : "SELECT cadastral_number FROM rights_register WHERE holder_hash = x'00'",
                  "rights_register_holder"));
  free(zWkt);
  kg_store_close(p);
}

/* ---- verifying properties from the register ---- */

/* Loads pairs (cadastral number, holder) as one register. */
static void load(struct kg_store *p, const char *const *azPair, int nPair) {
  unsigned char aCheck[32] = {1}, aHash[32];
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_rights_reset(p, aCheck, 1) == KG_OK);
  for (int i = 0; i < nPair; i++) {
    hash_of(azPair[2 * i + 1], aHash);
    CHECK(kg_store_rights_insert(p, azPair[2 * i], aHash, 1, NULL) == KG_OK);
  }
  CHECK(kg_store_commit(p) == KG_OK);
}

static void register_verifies_the_holders_properties_and_nobody_elses(void) {
  struct kg_store *p = fresh_rights();
  char zErr[200];
  char *zTerr = square(49.10, 55.70, 0.01);
  int64_t d = add_discussion(p, zTerr);
  char *zIn = square(49.105, 55.705, 0.001), *zOut = square(49.3, 55.9, 0.001);
  char *zOut2 = square(49.4, 55.9, 0.001), *zDrawn = square(49.2, 55.9, 0.003);
  CHECK(kg_store_parcel_insert(p, "16:50:011101:11", "ИЖС", zIn) == KG_OK);
  CHECK(kg_store_parcel_insert(p, "16:50:011101:12", "ИЖС", zOut) == KG_OK);
  CHECK(kg_store_parcel_insert(p, "16:50:011101:13", "ИЖС", zOut2) == KG_OK);
  static const char *const azPair[] = {
      "16:50:011101:11", "123-456-789 01", /* inside the territory */
      "16:50:011101:12", "12345678901",    /* declared before, drawn by hand, refused */
      "16:50:011101:99", "123 456 789 01", /* not in the parcels layer */
      "16:50:011101:13", "123-456-789 02", /* somebody else's */
  };
  load(p, azPair, 4);
  int64_t a = add_account(p, "holder@example.org"), m = add_account(p, "m@example.org");
  int64_t other = add_account(p, "not-a-holder@example.org");
  int64_t idDrawn = 0;
  CHECK(kg_store_property_insert(p, a, "16:50:011101:12", zDrawn, "geometry", 0, "self_declared", 0,
                                 &idDrawn, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_verification_decide(p, a, idDrawn, 0, "нет документов", m, 0) == KG_OK);
  struct kg_eligibility e;
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && !e.bEligible);

  unsigned char aHash[32];
  int n = -1;
  hash_of("12345678901", aHash);
  CHECK(kg_store_rights_verify_holder(p, a, aHash, 5000, &n) == KG_OK);
  CHECK(n == 2);
  CHECK(q_int(p, "SELECT count(*) FROM properties") == 2);
  CHECK(q_int(p, "SELECT count(*) FROM properties WHERE verified = 1 AND verified_by = 'register' "
                 "AND verified_at = 5000 AND verifier_id IS NULL AND rejected_at IS NULL AND "
                 "note IS NULL AND source = 'registry'") == 2);
  /* the drawn geometry gave way to the parcel's */
  CHECK(q_int(p, "SELECT count(*) FROM properties pr JOIN parcels pa USING (cadastral_number) "
                 "WHERE pr.geometry = pa.geometry") == 2);
  CHECK(spatial_index_ok(p));
  /* the API's reads show it */
  struct kg_property prop;
  CHECK(kg_store_property_get(p, a, idDrawn, &prop) == KG_OK);
  CHECK(prop.v.bVerified && !prop.v.bRejected && strcmp(prop.v.zVerifiedBy, "register") == 0);
  CHECK(prop.v.verifiedAt == 5000 && prop.v.zNote[0] == 0);
  kg_property_clear(&prop);
  /* and the account takes part as a right holder */
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK);
  CHECK(e.bEligible && e.basis == KG_BASIS_RIGHTHOLDER);

  /* again: nothing is written (verified_at stays), the count is the same */
  CHECK(kg_store_rights_verify_holder(p, a, aHash, 9000, &n) == KG_OK && n == 2);
  CHECK(q_int(p, "SELECT count(*) FROM properties WHERE verified_at = 5000") == 2);
  /* a holder not in the register: nothing */
  hash_of("999-999-999 99", aHash);
  CHECK(kg_store_rights_verify_holder(p, other, aHash, 0, &n) == KG_OK && n == 0);
  CHECK(q_int(p, "SELECT count(*) FROM properties") == 2);
  /* pnVerified may be NULL */
  hash_of("12345678902", aHash);
  CHECK(kg_store_rights_verify_holder(p, other, aHash, 0, NULL) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM properties WHERE cadastral_number = '16:50:011101:13'") ==
        1);
  /* a moderator may still refuse it later: the moderator's word then stands */
  CHECK(kg_store_verification_decide(p, a, idDrawn, 0, "право прекращено", m, 0) == KG_OK);
  CHECK(q_int(p, "SELECT verified FROM properties WHERE cadastral_number = '16:50:011101:12'") ==
        0);
  free(zTerr);
  free(zIn);
  free(zOut);
  free(zOut2);
  free(zDrawn);
  kg_store_close(p);
}

static void register_verification_joins_the_callers_transaction(void) {
  struct kg_store *p = fresh_rights();
  char *zIn = square(49.105, 55.705, 0.001);
  CHECK(kg_store_parcel_insert(p, "16:50:011101:21", NULL, zIn) == KG_OK);
  static const char *const azPair[] = {"16:50:011101:21", "500100732259"};
  load(p, azPair, 1);
  int64_t a = add_account(p, "tx@example.org");
  unsigned char aHash[32];
  int n = 0;
  hash_of("5001 0073 2259", aHash);
  /* rolled back with the caller's transaction */
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_rights_verify_holder(p, a, aHash, 0, &n) == KG_OK && n == 1);
  CHECK(q_int(p, "SELECT count(*) FROM properties") == 1); /* visible inside */
  CHECK(kg_db_in_tx(p));                                   /* still the caller's */
  kg_store_rollback(p);
  CHECK(q_int(p, "SELECT count(*) FROM properties") == 0);
  /* committed with it */
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_rights_verify_holder(p, a, aHash, 0, &n) == KG_OK && n == 1);
  CHECK(kg_store_commit(p) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM properties WHERE verified_by = 'register'") == 1);
  /* alone: its own transaction */
  CHECK(exec_ok(p, "DELETE FROM properties"));
  CHECK(kg_store_rights_verify_holder(p, a, aHash, 0, &n) == KG_OK && n == 1);
  CHECK(!kg_db_in_tx(p));
  CHECK(q_int(p, "SELECT count(*) FROM properties") == 1);
  free(zIn);
  kg_store_close(p);
}

/* ---- the eligibility reason for a property still waiting ---- */

static void pending_property_inside_is_named_not_the_verified_residence(void) {
  struct kg_store *p = fresh_rights();
  char zErr[200];
  char *zTerr = square(49.10, 55.70, 0.01), *zIn = square(49.105, 55.705, 0.001);
  char *zFar = square(49.5, 55.9, 0.001);
  int64_t d = add_discussion(p, zTerr);
  int64_t a = add_account(p, "a@example.org"), m = add_account(p, "m@example.org");
  struct kg_eligibility e;
  /* the case: residence verified outside, property inside waiting */
  CHECK(kg_store_residence_put(p, a, "outside", 49.3, 55.9, "point", 0, "self_declared", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_verification_decide(p, a, 0, 1, NULL, m, 0) == KG_OK);
  int64_t idIn = 0;
  CHECK(kg_store_property_insert(p, a, "16:50:000001:1", zIn, "geometry", 0, "self_declared", 0,
                                 &idIn, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK);
  CHECK(!e.bEligible && e.reason == KG_ELIG_PROPERTY_NOT_VERIFIED && e.basis == KG_BASIS_NONE);
  CHECK(strcmp(kg_elig_reason_name(e.reason), "property_not_verified") == 0);
  /* refused: still the property that is not verified */
  CHECK(kg_store_verification_decide(p, a, idIn, 0, "нет", m, 0) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && e.reason == KG_ELIG_PROPERTY_NOT_VERIFIED);
  /* residence waiting too, but outside: the property inside is named */
  CHECK(kg_store_residence_put(p, a, "outside 2", 49.31, 55.9, "point", 0, "self_declared", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && e.reason == KG_ELIG_PROPERTY_NOT_VERIFIED);
  /* residence waiting inside: the residence is named */
  CHECK(kg_store_residence_put(p, a, "inside", 49.101, 55.701, "point", 0, "self_declared", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && e.reason == KG_ELIG_NOT_VERIFIED);
  /* both waiting, both far: the residence, as before */
  int64_t b = add_account(p, "b@example.org");
  CHECK(kg_store_residence_put(p, b, "far", 49.5, 55.95, "point", 0, "self_declared", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_property_insert(p, b, "16:50:000001:2", zFar, "geometry", 0, "self_declared", 0,
                                 NULL, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_eligibility(p, b, d, &e) == KG_OK && e.reason == KG_ELIG_NOT_VERIFIED);
  /* everything verified and outside: outside */
  CHECK(kg_store_verification_decide(p, a, 0, 0, "нет", m, 0) == KG_OK);
  CHECK(exec_ok(p, "DELETE FROM residences"));
  CHECK(exec_ok(p, "DELETE FROM properties WHERE account_id = " /* b's only */
                   "(SELECT id FROM accounts WHERE email = 'b@example.org')"));
  CHECK(kg_store_residence_put(p, b, "far", 49.5, 55.95, "point", 1, "identity_provider", NULL, 0,
                               NULL) == KG_OK);
  CHECK(kg_store_eligibility(p, b, d, &e) == KG_OK && e.reason == KG_ELIG_OUTSIDE);
  free(zTerr);
  free(zIn);
  free(zFar);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  kg_auth_init();
  RUN(migration_keeps_properties_their_geometry_and_spatial_index);
  RUN(register_load_counts_repeats_and_replaces);
  RUN(register_verifies_the_holders_properties_and_nobody_elses);
  RUN(register_verification_joins_the_callers_transaction);
  RUN(pending_property_inside_is_named_not_the_verified_residence);
  return harness_end();
}

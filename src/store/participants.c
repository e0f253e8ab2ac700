/* participants.c: who may take part in a discussion. Residences (an
 * address with its point) and properties (cadastral number with its
 * geometry), geocoded through the reference layers (address registry,
 * parcels), verified by moderators (logged in the moderation log), and the
 * eligibility gate that checks them against a discussion's territory
 * through the spatial index. */
#include "submit_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- geocoding: parcels (addresses: addresses.c) ---- */

enum kg_err kg_store_parcel_wkt(struct kg_store *p, const char *zCadastral, char **pzWkt) {
  struct kg_db_stmt *s = NULL;
  *pzWkt = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT AsText(geometry) FROM parcels WHERE cadastral_number = ?1", &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, zCadastral);
  rc = kg_store_sql_row(p, s, "parcel lookup");
  if (rc == KG_OK && !kg_db_col_is_null(s, 0))
    *pzWkt = kg_store_col_dup(s, 0);
  else if (rc == KG_OK)
    rc = KG_ENOTFOUND;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- residences ---- */

/* Verification columns verified, verified_by, verified_at, verifier_id,
 * rejected_at, note from column i on. */
static void verification_row(struct kg_db_stmt *s, int i, struct kg_verification *v) {
  v->bVerified = kg_db_col_int(s, i) != 0;
  kg_store_col_copy(s, i + 1, v->zVerifiedBy, sizeof(v->zVerifiedBy));
  v->verifiedAt = kg_db_col_i64(s, i + 2);
  v->verifierId = kg_db_col_i64(s, i + 3);
  v->bRejected = !kg_db_col_is_null(s, i + 4);
  kg_store_col_copy(s, i + 5, v->zNote, sizeof(v->zNote));
}

enum kg_err kg_store_residence_get(struct kg_store *p, int64_t accountId,
                                   struct kg_residence *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT r.account_id, r.address, r.source, X(r.location), Y(r.location), a.birth_date, "
      "r.verified, r.verified_by, r.verified_at, r.verifier_id, r.rejected_at, r.note, "
      "r.created_at, r.updated_at FROM residences r JOIN accounts a ON a.id = r.account_id "
      "WHERE r.account_id = ?1",
      &s);
  if (rc) goto out;
  kg_db_bind_i64(s, 1, accountId);
  if ((rc = kg_store_sql_row(p, s, "residence get")) != KG_OK) goto out;
  pOut->accountId = kg_db_col_i64(s, 0);
  kg_store_col_copy(s, 1, pOut->zAddress, sizeof(pOut->zAddress));
  kg_store_col_copy(s, 2, pOut->zSource, sizeof(pOut->zSource));
  pOut->lon = kg_db_col_double(s, 3);
  pOut->lat = kg_db_col_double(s, 4);
  kg_store_col_copy(s, 5, pOut->zBirthDate, sizeof(pOut->zBirthDate));
  verification_row(s, 6, &pOut->v);
  pOut->createdAt = kg_db_col_i64(s, 12);
  pOut->updatedAt = kg_db_col_i64(s, 13);
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* Binds what a declared residence and property share: ?1 the account, ?2
 * the address or cadastral number, ?3 the source, ?4 verified, ?5 by whom
 * (self-declared when NULL), ?6 when. */
static void bind_claim(struct kg_db_stmt *s, int64_t accountId, const char *zKey,
                       const char *zSource, int bVerified, const char *zVerifiedBy, int64_t tNow) {
  kg_db_bind_i64(s, 1, accountId);
  kg_store_bind_text(s, 2, zKey);
  kg_store_bind_text(s, 3, zSource);
  kg_db_bind_int(s, 4, bVerified ? 1 : 0);
  kg_store_bind_text(s, 5, zVerifiedBy ? zVerifiedBy : "self_declared");
  kg_db_bind_i64(s, 6, tNow);
}

/* The stored verification is kept only when the address and the point are
 * unchanged and the new data is not better attested than the old. */
#define RES_KEEP                                                                                   \
  "(residences.address = excluded.address AND residences.location = excluded.location AND "        \
  "excluded.verified <= residences.verified)"

enum kg_err kg_store_residence_put(struct kg_store *p, int64_t accountId, const char *zAddress,
                                   double lon, double lat, const char *zSource, int bVerified,
                                   const char *zVerifiedBy, const char *zBirthDate, int64_t tNow,
                                   int *pbReset) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  struct kg_residence *pOld = kg_xmalloc(sizeof(*pOld));
  int bHadVerified = 0;
  enum kg_err rc;
  if (pbReset) *pbReset = 0;
  if (!tNow) tNow = kg_time_now();
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  rc = kg_store_residence_get(p, accountId, pOld);
  if (rc == KG_OK)
    bHadVerified = pOld->v.bVerified;
  else if (rc != KG_ENOTFOUND)
    goto out;
  rc = kg_store_sql_prepare(
      p,
      "INSERT INTO residences (account_id, address, source, verified, verified_by, verified_at, "
      "created_at, updated_at, location) VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?4 <> 0 THEN ?6 "
      "END, "
      "?6, ?6, MakePoint(?7, ?8, 4326)) ON CONFLICT (account_id) DO UPDATE SET "
      "verified = CASE WHEN " RES_KEEP " THEN residences.verified ELSE excluded.verified END, "
      "verified_by = CASE WHEN " RES_KEEP " THEN residences.verified_by ELSE "
      "excluded.verified_by END, "
      "verified_at = CASE WHEN " RES_KEEP " THEN residences.verified_at ELSE "
      "excluded.verified_at END, "
      "verifier_id = CASE WHEN " RES_KEEP " THEN residences.verifier_id END, "
      "rejected_at = CASE WHEN " RES_KEEP " THEN residences.rejected_at END, "
      "note = CASE WHEN " RES_KEEP " THEN residences.note END, "
      "address = excluded.address, source = excluded.source, location = excluded.location, "
      "updated_at = excluded.updated_at",
      &s);
  if (rc) goto out;
  bind_claim(s, accountId, zAddress, zSource, bVerified, zVerifiedBy, tNow);
  kg_db_bind_double(s, 7, lon);
  kg_db_bind_double(s, 8, lat);
  rc = kg_store_sql_run(p, s, "residence put");
  s = NULL;
  if (rc) goto out;
  if (zBirthDate) {
    rc = kg_store_sql_prepare(p, "UPDATE accounts SET birth_date = ?2 WHERE id = ?1", &s);
    if (rc) goto out;
    kg_db_bind_i64(s, 1, accountId);
    kg_store_bind_text(s, 2, zBirthDate);
    rc = kg_store_sql_run(p, s, "account birth date");
    s = NULL;
    if (rc) goto out;
  }
  if (bHadVerified && pbReset) {
    if ((rc = kg_store_residence_get(p, accountId, pOld)) != KG_OK) goto out;
    *pbReset = !pOld->v.bVerified;
  }
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  free(pOld);
  return rc;
}

/* ---- properties ---- */

void kg_property_clear(struct kg_property *p) {
  if (!p) return;
  free(p->zGeometry);
  memset(p, 0, sizeof(*p));
}

enum kg_err kg_store_property_insert(struct kg_store *p, int64_t accountId, const char *zCadastral,
                                     const char *zWkt, const char *zSource, int bVerified,
                                     const char *zVerifiedBy, int64_t tNow, int64_t *pId,
                                     char *zErr, size_t nErr) {
  struct kg_db_stmt *sGeom = NULL, *s = NULL;
  if (zErr && nErr) zErr[0] = 0;
  if (!tNow) tNow = kg_time_now();
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT g IS NOT NULL, ST_IsValid(g), IsValidReason(g) FROM "
                           "(SELECT CastToMultiPolygon(GeomFromText(?1, 4326)) AS g) AS t",
                           &sGeom);
  if (rc) goto out;
  kg_store_bind_text(sGeom, 1, zWkt);
  if ((rc = kg_store_sql_one(p, sGeom, "property geometry check")) != KG_OK) goto out;
  if (!kg_db_col_int(sGeom, 0) || kg_db_col_int(sGeom, 1) != 1) {
    const char *zWhy = kg_db_col_int(sGeom, 0) ? kg_db_col_text(sGeom, 2)
                                               : "not a (MULTI)POLYGON in well-known text";
    if (zErr && nErr) snprintf(zErr, nErr, "%s", zWhy ? zWhy : "invalid geometry");
    rc = KG_EINVAL;
    goto out;
  }
  rc = kg_store_sql_prepare(
      p,
      "INSERT INTO properties (account_id, cadastral_number, source, verified, "
      "verified_by, verified_at, created_at, updated_at, geometry) VALUES (?1, ?2, "
      "?3, ?4, ?5, CASE WHEN ?4 <> 0 THEN ?6 END, ?6, ?6, "
      "CastToMultiPolygon(GeomFromText(?7, 4326))) RETURNING id",
      &s);
  if (rc) goto out;
  bind_claim(s, accountId, zCadastral, zSource, bVerified, zVerifiedBy, tNow);
  kg_store_bind_text(s, 7, zWkt);
  rc = kg_store_sql_insert(p, s, "property insert", pId);
  s = NULL;
out:
  kg_store_sql_done(p, s);
  kg_store_sql_done(p, sGeom);
  return rc;
}

#define PROPERTY_COLS                                                                              \
  "SELECT id, account_id, cadastral_number, source, AsGeoJSON(geometry, 9), verified, "            \
  "verified_by, verified_at, verifier_id, rejected_at, note, created_at, updated_at "              \
  "FROM properties "

/* Fills *pOut from a PROPERTY_COLS row; the geometry is copied when bDup,
 * else borrowed from the row. */
static void property_row(struct kg_db_stmt *s, struct kg_property *pOut, int bDup) {
  memset(pOut, 0, sizeof(*pOut));
  pOut->id = kg_db_col_i64(s, 0);
  pOut->accountId = kg_db_col_i64(s, 1);
  kg_store_col_copy(s, 2, pOut->zCadastral, sizeof(pOut->zCadastral));
  kg_store_col_copy(s, 3, pOut->zSource, sizeof(pOut->zSource));
  pOut->zGeometry = bDup ? kg_store_col_dup(s, 4) : kg_store_col_text(s, 4);
  verification_row(s, 5, &pOut->v);
  pOut->createdAt = kg_db_col_i64(s, 11);
  pOut->updatedAt = kg_db_col_i64(s, 12);
}

enum kg_err kg_store_property_get(struct kg_store *p, int64_t accountId, int64_t id,
                                  struct kg_property *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_prepare(p, PROPERTY_COLS "WHERE id = ?1 AND account_id = ?2", &s);
  if (rc) goto out;
  kg_db_bind_i64(s, 1, id);
  kg_db_bind_i64(s, 2, accountId);
  if ((rc = kg_store_sql_row(p, s, "property get")) == KG_OK) property_row(s, pOut, 1);
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* A list's callback, its argument and the row buffer (kg_store_sql_each). */
struct property_walk {
  int (*xRow)(void *pArg, const struct kg_property *);
  void *pArg;
  struct kg_property *pRow;
};

static int property_each(void *pArg, struct kg_db_stmt *s) {
  struct property_walk *w = pArg;
  property_row(s, w->pRow, 0);
  return w->xRow(w->pArg, w->pRow);
}

enum kg_err kg_store_property_list(struct kg_store *p, int64_t accountId,
                                   int (*xRow)(void *pArg, const struct kg_property *),
                                   void *pArg) {
  struct kg_db_stmt *s = NULL;
  struct property_walk w = {xRow, pArg, kg_xmalloc(sizeof(*w.pRow))};
  enum kg_err rc = kg_store_sql_prepare(p, PROPERTY_COLS "WHERE account_id = ?1 ORDER BY id", &s);
  if (rc == KG_OK) {
    kg_db_bind_i64(s, 1, accountId);
    rc = kg_store_sql_each(p, s, property_each, &w, "property list");
  }
  kg_store_sql_done(p, s);
  free(w.pRow);
  return rc;
}

/* ---- verification ---- */

enum kg_err kg_store_verification_decide(struct kg_store *p, int64_t accountId, int64_t propertyId,
                                         int bVerified, const char *zNote, int64_t actorId,
                                         int64_t tNow) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  if (!tNow) tNow = kg_time_now();
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
    /* A refusal also withdraws an earlier verification (and an attestation:
     * the moderator has the last word); verifier_id is whoever decided. */
#define DECIDE_SET                                                                                 \
  "SET verified = ?3, verified_by = CASE WHEN ?3 <> 0 THEN 'moderator' ELSE 'self_declared' END, " \
  "verified_at = CASE WHEN ?3 <> 0 THEN ?5 END, verifier_id = ?6, "                                \
  "rejected_at = CASE WHEN ?3 <> 0 THEN NULL ELSE ?5 END, note = ?4 "
  rc = kg_store_sql_prepare(
      p,
      propertyId ? "UPDATE properties " DECIDE_SET "WHERE account_id = ?1 AND id = ?2"
                 : "UPDATE residences " DECIDE_SET "WHERE account_id = ?1 AND ?2 = 0",
      &s);
#undef DECIDE_SET
  if (rc) goto out;
  kg_db_bind_i64(s, 1, accountId);
  kg_db_bind_i64(s, 2, propertyId);
  kg_db_bind_int(s, 3, bVerified ? 1 : 0);
  kg_store_bind_text(s, 4, zNote);
  kg_db_bind_i64(s, 5, tNow);
  kg_store_bind_id(s, 6, actorId);
  rc = kg_store_sql_change(p, s, "verification decide");
  s = NULL;
  if (rc) goto out;
  /* the target of a residence is its account, of a property the property */
  rc = kg_store_modlog_insert(p, actorId,
                              propertyId ? (bVerified ? "property.verify" : "property.reject")
                                         : (bVerified ? "residence.verify" : "residence.reject"),
                              propertyId ? "property" : "residence",
                              propertyId ? propertyId : accountId, zNote, tNow);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

struct queue_walk {
  int (*xRow)(void *pArg, const struct kg_pending_verification *);
  void *pArg;
};

static int queue_each(void *pArg, struct kg_db_stmt *s) {
  struct queue_walk *w = pArg;
  struct kg_pending_verification v = {
      kg_store_col_text(s, 0), kg_db_col_i64(s, 1),     kg_db_col_i64(s, 2),
      kg_store_col_text(s, 3), kg_store_col_text(s, 4), kg_store_col_text(s, 5),
      kg_store_col_text(s, 6), kg_store_col_text(s, 7), kg_store_col_text(s, 8),
      kg_store_col_text(s, 9), kg_db_col_i64(s, 10)};
  return w->xRow(w->pArg, &v);
}

enum kg_err kg_store_verification_queue(struct kg_store *p, int64_t nOffset, int nLimit,
                                        int (*xRow)(void *pArg,
                                                    const struct kg_pending_verification *),
                                        void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT 'residence', r.account_id, 0, a.full_name, a.email, a.birth_date, r.address, NULL, "
      "r.source, AsGeoJSON(r.location, 9), r.updated_at FROM residences r "
      "JOIN accounts a ON a.id = r.account_id WHERE r.verified = 0 AND r.rejected_at IS NULL "
      "UNION ALL "
      "SELECT 'property', p.account_id, p.id, a.full_name, a.email, a.birth_date, h.address, "
      "p.cadastral_number, p.source, AsGeoJSON(p.geometry, 9), p.updated_at FROM properties p "
      "JOIN accounts a ON a.id = p.account_id LEFT JOIN residences h ON h.account_id = "
      "p.account_id WHERE p.verified = 0 AND p.rejected_at IS NULL "
      "UNION ALL "
      "SELECT 'residence', t.account_id, 0, a.full_name, a.email, a.birth_date, t.address, NULL, "
      "'identity_provider', NULL, t.updated_at FROM residence_attestations t "
      "JOIN accounts a ON a.id = t.account_id WHERE t.rejected_at IS NULL "
      "ORDER BY 11, 1 DESC, 2, 3 LIMIT ?2 OFFSET ?1",
      &s);
  if (rc) goto out;
  kg_db_bind_i64(s, 1, nOffset);
  kg_db_bind_int(s, 2, nLimit > 0 ? nLimit : 50);
  struct queue_walk w = {xRow, pArg};
  rc = kg_store_sql_each(p, s, queue_each, &w, "verification queue");
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- eligibility ---- */

const char *kg_basis_name(enum kg_basis b) {
  return b == KG_BASIS_RESIDENT ? "resident" : b == KG_BASIS_RIGHTHOLDER ? "rightholder" : NULL;
}

const char *kg_elig_reason_name(enum kg_elig_reason r) {
  switch (r) {
  case KG_ELIG_OK:
    return "eligible";
  case KG_ELIG_NO_RESIDENCE:
    return "no_residence";
  case KG_ELIG_NOT_VERIFIED:
    return "not_verified";
  case KG_ELIG_OUTSIDE:
    return "outside";
  case KG_ELIG_NOT_OPEN:
    return "not_open";
  case KG_ELIG_PROPERTY_NOT_VERIFIED:
    return "property_not_verified";
  }
  return "unknown";
}

/* One statement. For each of the account's verified residences and
 * properties (a handful, by the account index) the territories' R*Tree is
 * searched with the object's MBR, and only a discussion whose MBR matches
 * goes on to the exact test. The R*Tree (idx_discussions_territory) is
 * queried directly rather than through SpatiaLite's SpatialIndex virtual
 * table: that table prepares a new statement on every search, which cost
 * about 35 us per call here, more than the rest of the query when the
 * point is outside the MBR. The residence's point is tested by
 * kg_point_in_area (point_in_area.c) without GEOS, which only decides for a
 * point within 0.1 mm of the territory's border: GEOS prepares a polygon
 * only once it has seen it twice in a row on a connection, and across many
 * discussions it built the full relate graph on each call. Columns 4 to 6 are
 * what a basis rests on, read in the same snapshot: the qualifying
 * residence's point (an account has one residence) and the qualifying
 * property's id (the join looks the property up by the id the subquery
 * found, once); columns 7 and 8 the versions the answer rests on (the
 * catalogue's content version and the account's eligibility version). */
#define ELIG_SQL(RES_IN_BOX, PROP_IN_BOX)                                                          \
  "SELECT d.status, "                                                                              \
  "(SELECT count(*) FROM residences WHERE account_id = ?1) + "                                     \
  "(SELECT count(*) FROM properties WHERE account_id = ?1) + "                                     \
  "(SELECT count(*) FROM residence_attestations WHERE account_id = ?1), "                          \
  "(SELECT count(*) FROM residences WHERE account_id = ?1 AND verified = 0) + "                    \
  "(SELECT count(*) FROM residence_attestations WHERE account_id = ?1), "                          \
  "(SELECT count(*) FROM properties WHERE account_id = ?1 AND verified = 0), "                     \
  "(SELECT r.location FROM residences r WHERE r.account_id = ?1 AND r.verified = 1 "               \
  "AND " RES_IN_BOX " AND coalesce(kg_point_in_area(d.territory, r.location) > 0, "                \
  "ST_Intersects(d.territory, r.location) = 1)), "                                                 \
  "q.id, q.geometry, (SELECT v FROM content_versions WHERE scope = 0), "                           \
  "coalesce((SELECT v FROM elig_versions WHERE account_id = ?1), 0) "                              \
  "FROM discussions d LEFT JOIN properties q ON q.id = "                                           \
  "(SELECT p.id FROM properties p WHERE p.account_id = ?1 AND p.verified = 1 "                     \
  "AND " PROP_IN_BOX " "                                                                           \
  "AND ST_Intersects(d.territory, p.geometry) = 1 AND ST_Touches(d.territory, p.geometry) = 0 "    \
  "ORDER BY p.id LIMIT 1) "                                                                        \
  "WHERE d.id = ?2"
static const char zEligSql[] =
    ELIG_SQL(KG_SQL_TERRITORY_BOX_LITE("r.location"), KG_SQL_TERRITORY_BOX_LITE("p.geometry"));
static const char zEligSqlPg[] =
    ELIG_SQL(KG_SQL_TERRITORY_BOX_PG("r.location"), KG_SQL_TERRITORY_BOX_PG("p.geometry"));

/* Both the residence and a property wait for verification: the reason
 * names the one that would count here. A waiting residence whose point is
 * in the territory, or no waiting property overlapping it, gives
 * KG_ELIG_NOT_VERIFIED; else KG_ELIG_PROPERTY_NOT_VERIFIED. Off the hot
 * path (nobody eligible gets here); a handful of rows by account. */
static enum kg_err unverified_inside(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                     enum kg_elig_reason *pReason) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT EXISTS (SELECT 1 FROM residences r WHERE r.account_id = ?1 AND r.verified = 0 "
      "AND ST_Intersects(d.territory, r.location) = 1), "
      "EXISTS (SELECT 1 FROM properties p WHERE p.account_id = ?1 AND p.verified = 0 "
      "AND ST_Intersects(d.territory, p.geometry) = 1 AND ST_Touches(d.territory, p.geometry) = 0) "
      "FROM discussions d WHERE d.id = ?2",
      &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, accountId);
  kg_db_bind_i64(s, 2, discussionId);
  if ((rc = kg_store_sql_one(p, s, "eligibility pending")) == KG_OK)
    *pReason = !kg_db_col_int(s, 0) && kg_db_col_int(s, 1) ? KG_ELIG_PROPERTY_NOT_VERIFIED
                                                           : KG_ELIG_NOT_VERIFIED;
  kg_store_sql_done(p, s);
  return rc;
}

void kg_elig_fact_clear(struct kg_elig_fact *pFact) {
  if (pFact) memset(pFact, 0, sizeof(*pFact));
}

void kg_elig_fact_of(const struct kg_eligibility *e, struct kg_elig_fact *pFact) {
  pFact->basis = e->bEligible ? e->basis : KG_BASIS_NONE;
  pFact->propertyId = e->propertyId;
  pFact->version = e->v.account;
}

/* The reason, from the row of zEligSql, when nothing qualifies. */
static enum kg_err reason_of(struct kg_store *p, struct kg_db_stmt *s, int64_t accountId,
                             int64_t discussionId, enum kg_elig_reason *pReason) {
  int64_t nDeclared = kg_db_col_i64(s, 1);
  int64_t nResUnverified = kg_db_col_i64(s, 2);
  int64_t nPropUnverified = kg_db_col_i64(s, 3);
  if (nDeclared == 0)
    *pReason = KG_ELIG_NO_RESIDENCE;
  else if (nResUnverified > 0 && nPropUnverified > 0)
    return unverified_inside(p, accountId, discussionId, pReason);
  else if (nResUnverified > 0)
    *pReason = KG_ELIG_NOT_VERIFIED;
  else if (nPropUnverified > 0)
    *pReason = KG_ELIG_PROPERTY_NOT_VERIFIED;
  else
    *pReason = KG_ELIG_OUTSIDE;
  return KG_OK;
}

enum kg_err kg_store_eligibility_fact(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                      struct kg_eligibility *pOut, struct kg_elig_fact *pFact) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  if (pFact) memset(pFact, 0, sizeof(*pFact));
  pOut->reason = KG_ELIG_NO_RESIDENCE;
  enum kg_err rc = kg_store_sql_prepare(p, p->pPg ? zEligSqlPg : zEligSql, &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, accountId);
  kg_db_bind_i64(s, 2, discussionId);
  if ((rc = kg_store_sql_row(p, s, "eligibility")) != KG_OK) goto out;
  if (kg_status_parse(kg_store_col_text(s, 0), &pOut->status) != KG_OK) {
    rc = KG_EDB;
    goto out;
  }
  if (!kg_db_col_is_null(s, 4)) {
    pOut->basis = KG_BASIS_RESIDENT;
  } else if (!kg_db_col_is_null(s, 5)) {
    pOut->basis = KG_BASIS_RIGHTHOLDER;
    pOut->propertyId = kg_db_col_i64(s, 5);
  }
  pOut->v.catalogue = kg_db_col_i64(s, 7);
  pOut->v.account = kg_db_col_i64(s, 8);
  /* the one rule for accepting comments (comment_submit.c) */
  if (!kg_comment_accepting(pOut->status, 0))
    pOut->reason = KG_ELIG_NOT_OPEN;
  else if (pOut->basis != KG_BASIS_NONE)
    pOut->reason = KG_ELIG_OK;
  else
    rc = reason_of(p, s, accountId, discussionId, &pOut->reason);
  pOut->bEligible = pOut->reason == KG_ELIG_OK;
  if (pFact) kg_elig_fact_of(pOut, pFact);
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_eligibility(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                 struct kg_eligibility *pOut) {
  return kg_store_eligibility_fact(p, accountId, discussionId, pOut, NULL);
}

enum kg_err kg_store_elig_versions(struct kg_store *p, int64_t accountId,
                                   struct kg_elig_versions *pOut) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT (SELECT v FROM content_versions WHERE scope = 0), "
                           "coalesce((SELECT v FROM elig_versions WHERE account_id = ?1), 0)",
                           &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, accountId);
  if ((rc = kg_store_sql_one(p, s, "eligibility versions")) == KG_OK) {
    pOut->catalogue = kg_db_col_i64(s, 0);
    pOut->account = kg_db_col_i64(s, 1);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* One lookup by key: the account's eligibility version is still the one
 * the answer was computed under, so nothing of its residence, properties
 * or attestation changed since (the discussion's status is checked on its
 * own; territories never change). */
#define ELIG_FACT_SQL(LOCK)                                                                        \
  "SELECT 1 WHERE coalesce((SELECT v FROM elig_versions WHERE account_id = ?1" LOCK "), 0) = ?2"

enum kg_err kg_store_elig_fact_holds(struct kg_store *p, int64_t accountId,
                                     const struct kg_elig_fact *pFact) {
  struct kg_db_stmt *s = NULL;
  /* On PostgreSQL other servers' writers may change the facts meanwhile:
   * the share lock makes a change in flight commit first, and the check
   * then reads its version (no row: no fact was ever stored, version 0).
   * SQLite's writer lock already excludes every other writer. */
  enum kg_err rc =
      kg_store_sql_prepare(p, p->pPg ? ELIG_FACT_SQL(" FOR SHARE") : ELIG_FACT_SQL(""), &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, accountId);
  kg_db_bind_i64(s, 2, pFact->version);
  rc = kg_store_sql_row(p, s, "eligibility fact");
  kg_store_sql_done(p, s);
  return rc;
}

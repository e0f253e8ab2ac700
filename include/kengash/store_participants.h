/* store_participants.h: residences, properties and eligibility
 * (participants.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_PARTICIPANTS_H
#define KENGASH_STORE_PARTICIPANTS_H

/* ---- participants: residences, properties, eligibility (participants.c) ----
 * Geometries are WKT in EPSG:4326; reads give GeoJSON text. verified_by is
 * one of "moderator", "identity_provider", "self_declared" and, for
 * properties, "register" (kg_store_rights_verify_holder). */

/* Addresses are geocoded through the address register (its own section
 * above: kg_store_address_geocode, kg_store_address_resolve). */
/* The geometry of the parcel with that cadastral number as WKT (heap,
 * free()). KG_ENOTFOUND when absent. */
enum kg_err kg_store_parcel_wkt(struct kg_store *p, const char *zCadastral,
                                char **pzWkt /* OUT, free() */);

struct kg_verification {
  int bVerified;
  int bRejected;        /* refused by a moderator (bVerified 0) */
  char zVerifiedBy[24]; /* moderator | identity_provider | self_declared | register */
  int64_t verifiedAt;   /* 0 when not verified */
  int64_t verifierId;   /* moderator's account; 0 when none */
  char zNote[1024];     /* the moderator's note; "" when none */
};

struct kg_residence {
  int64_t accountId;
  char zAddress[2048];
  char zSource[16]; /* registry | point | both */
  double lon, lat;
  char zBirthDate[11]; /* from the account; "" when not given */
  struct kg_verification v;
  int64_t createdAt, updatedAt;
};
/* Creates or replaces the account's residence. A new address or point
 * resets the verification (to bVerified/zVerifiedBy: 0 and "self_declared"
 * for self-declared data, 1 and "identity_provider" for attested data);
 * saving the same address and point again keeps it. zBirthDate, when not
 * NULL, is saved on the account in the same transaction. *pbReset (may be
 * NULL) tells whether a verification was reset. */
enum kg_err kg_store_residence_put(struct kg_store *p, int64_t accountId, const char *zAddress,
                                   double lon, double lat, const char *zSource, int bVerified,
                                   const char *zVerifiedBy, const char *zBirthDate, int64_t tNow,
                                   int *pbReset /* OUT, may be NULL */);
/* KG_ENOTFOUND when the account declared none. */
enum kg_err kg_store_residence_get(struct kg_store *p, int64_t accountId,
                                   struct kg_residence *pOut /* OUT */);

struct kg_property {
  int64_t id;
  int64_t accountId;
  char zCadastral[64];
  char zSource[16]; /* registry | geometry | both */
  char *zGeometry;  /* GeoJSON MultiPolygon (heap; kg_property_clear) */
  struct kg_verification v;
  int64_t createdAt, updatedAt;
};
void kg_property_clear(struct kg_property *p);
/* Adds a property (unverified unless bVerified). zWkt is checked with
 * ST_IsValid: KG_EINVAL with the reason in zErr when invalid; KG_ECONFLICT
 * when the account already has that cadastral number. */
enum kg_err kg_store_property_insert(struct kg_store *p, int64_t accountId, const char *zCadastral,
                                     const char *zWkt, const char *zSource, int bVerified,
                                     const char *zVerifiedBy, int64_t tNow, int64_t *pId /* OUT */,
                                     char *zErr /* OUT */, size_t nErr);
/* Fills *pOut (free with kg_property_clear); KG_ENOTFOUND unless property id
 * belongs to accountId. */
enum kg_err kg_store_property_get(struct kg_store *p, int64_t accountId, int64_t id,
                                  struct kg_property *pOut /* OUT */);
/* The account's properties by id; xRow gets a borrowed row. */
enum kg_err kg_store_property_list(struct kg_store *p, int64_t accountId,
                                   int (*xRow)(void *pArg, const struct kg_property *), void *pArg);

/* A moderator's decision on a residence (propertyId 0) or on property
 * propertyId of accountId: bVerified 1 verifies (verified_by "moderator"),
 * 0 refuses; zNote may be NULL. Writes the moderation log (residence.verify,
 * residence.reject, property.verify, property.reject) in the same
 * transaction. KG_ENOTFOUND when there is nothing to decide on. */
enum kg_err kg_store_verification_decide(struct kg_store *p, int64_t accountId, int64_t propertyId,
                                         int bVerified, const char *zNote, int64_t actorId,
                                         int64_t tNow);

/* One entry of the moderators' queue of pending verifications. Strings are
 * borrowed for the call. */
struct kg_pending_verification {
  const char *zType; /* "residence" | "property" */
  int64_t accountId;
  int64_t propertyId; /* 0 for a residence */
  const char *zFullName;
  const char *zEmail;
  const char *zBirthDate; /* may be NULL */
  const char *zAddress;   /* the residence's address; NULL for a property */
  const char *zCadastral; /* NULL for a residence */
  const char *zSource;
  const char *zGeometry; /* GeoJSON */
  int64_t updatedAt;
};
/* Pending (neither verified nor refused) residences and properties, oldest
 * change first, skipping nOffset, at most nLimit. An address attested by
 * the identity provider that the register could not place comes as a
 * residence with zSource "identity_provider" and no geometry: placing it is
 * kg_store_residence_attestation_decide. */
enum kg_err kg_store_verification_queue(struct kg_store *p, int64_t nOffset, int nLimit,
                                        int (*xRow)(void *pArg,
                                                    const struct kg_pending_verification *),
                                        void *pArg);

enum kg_basis { KG_BASIS_NONE, KG_BASIS_RESIDENT, KG_BASIS_RIGHTHOLDER };
enum kg_elig_reason {
  KG_ELIG_OK,           /* eligible on basis */
  KG_ELIG_NO_RESIDENCE, /* neither residence nor property declared */
  KG_ELIG_NOT_VERIFIED, /* the residence is waiting for (or was refused) verification */
  KG_ELIG_OUTSIDE,      /* everything verified lies outside the territory */
  KG_ELIG_NOT_OPEN,     /* would qualify (basis says how) or not; the discussion is not open */
  /* nothing qualifies, and what waits for (or was refused) verification is
   * a property, not the residence: e.g. a verified residence outside and a
   * pending property inside (KG_ELIG_NOT_VERIFIED when the residence waits,
   * unless only a waiting property lies in the territory) */
  KG_ELIG_PROPERTY_NOT_VERIFIED
};
const char *kg_basis_name(enum kg_basis b); /* "resident", "rightholder" or NULL */
/* "eligible", "no_residence", "not_verified", "outside", "not_open",
 * "property_not_verified" */
const char *kg_elig_reason_name(enum kg_elig_reason r);

/* The versions an eligibility rests on: the catalogue's content version
 * (kg_store_content_versions scope 0: every discussion's status and
 * territory) and the account's eligibility version, which triggers bump on
 * every insert, update and delete of its residence, properties and
 * attestation (migration 0021), whatever process writes them. An answer
 * computed under a pair of versions holds while both do. */
struct kg_elig_versions {
  int64_t catalogue;
  int64_t account;
};
/* The current versions for accountId (one statement, two lookups by key). */
enum kg_err kg_store_elig_versions(struct kg_store *p, int64_t accountId,
                                   struct kg_elig_versions *pOut /* OUT */);

struct kg_eligibility {
  int bEligible;
  enum kg_basis basis; /* what the account qualifies as (also when not open) */
  enum kg_elig_reason reason;
  enum kg_status status;     /* the discussion's */
  int64_t propertyId;        /* the qualifying property (rightholder) */
  struct kg_elig_versions v; /* read in the same snapshot as the answer */
};
/* May accountId take part in discussion discussionId now? Resident when a
 * verified residence point lies in the territory (boundary included);
 * else rightholder when a verified property shares interior with it
 * (touching the boundary is not enough); both through the spatial index on
 * the territory, then the exact predicate. Eligible only while the
 * discussion is open; otherwise reason KG_ELIG_NOT_OPEN with basis what the
 * account would have. KG_ENOTFOUND when there is no such discussion. */
enum kg_err kg_store_eligibility(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                 struct kg_eligibility *pOut /* OUT */);

#endif

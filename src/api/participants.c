/* participants.c: who may take part. A person declares the address of
 * registration (geocoded through the address registry, or the point they
 * give) and their properties (cadastral number, geometry from the parcels
 * layer or drawn); moderators verify them from a queue; the eligibility
 * endpoint says whether, on what basis and why an account may take part in
 * a discussion. Personal data (addresses, names, birth dates) go only to
 * their owner and to moderators, and are never logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_elig_cache.h"
#include "api_participants.h"

#define MAX_ADDRESS_CHARS 500
#define MAX_NOTE_CHARS 1000
#define MAX_PROPERTY_VERTICES 10000
#define MAX_PROPERTIES 50

/* ---- the identity-provider seam ----
 *
 * What people type here arrives through the "local" provider
 * (include/kengash/auth.h): self-declared, so a residence or property
 * starts unverified with verified_by "self_declared", and a moderator's
 * decision sets verified_by "moderator". What the state identity provider
 * attests arrives through the sign-in (oidc.c, kg_store_identity_signin)
 * already verified ("identity_provider"); a later change made by hand here
 * resets that to self-declared, as for any change. */
static const struct kg_auth_identity_provider *provider(void) {
  return &kg_auth_provider_local;
}
static const char *provider_verified_by(const struct kg_auth_identity_provider *pProv) {
  return pProv->bAttests ? "identity_provider" : "self_declared";
}

/* ---- rendering ---- */

static const char *review_state(const struct kg_verification *v) {
  return v->bVerified ? "verified" : v->bRejected ? "rejected" : "pending";
}

/* verified, verified_by, verified_at, status, note into p. */
static void verification_json(json_t *p, const struct kg_verification *v) {
  json_object_set_new(p, "verified", json_boolean(v->bVerified));
  json_object_set_new(p, "verified_by", json_string(v->zVerifiedBy));
  json_object_set_new(p, "verified_at", kg_api_time_json(v->verifiedAt));
  json_object_set_new(p, "status", json_string(review_state(v)));
  json_object_set_new(p, "note", v->zNote[0] ? json_string(v->zNote) : json_null());
}

static json_t *residence_json(const struct kg_residence *pRes) {
  json_t *p =
      json_pack("{s:I, s:s, s:{s:s, s:[f,f]}, s:s, s:o, s:o, s:o}", "account_id",
                (json_int_t)pRes->accountId, "address", pRes->zAddress, "location", "type", "Point",
                "coordinates", pRes->lon, pRes->lat, "source", pRes->zSource, "birth_date",
                pRes->zBirthDate[0] ? json_string(pRes->zBirthDate) : json_null(), "created_at",
                kg_api_time_json(pRes->createdAt), "updated_at", kg_api_time_json(pRes->updatedAt));
  verification_json(p, &pRes->v);
  return p;
}

static json_t *property_json(const struct kg_property *pProp, struct kg_api_raw *pRaw) {
  json_t *p =
      json_pack("{s:I, s:s, s:o, s:s, s:o, s:o}", "id", (json_int_t)pProp->id, "cadastral_number",
                pProp->zCadastral, "geometry", kg_api_raw_add(pRaw, pProp->zGeometry), "source",
                pProp->zSource, "created_at", kg_api_time_json(pProp->createdAt), "updated_at",
                kg_api_time_json(pProp->updatedAt));
  verification_json(p, &pProp->v);
  return p;
}

/* ---- residence ---- */

/* Replies with accountId's residence (status), or 404. */
static void reply_residence(struct kg_req *r, struct kg_store *pStore, int64_t accountId,
                            unsigned status, int bReset) {
  struct kg_residence *pRes = kg_xmalloc(sizeof(*pRes));
  struct kg_attestation *pAtt = kg_xmalloc(sizeof(*pAtt));
  json_t *p = NULL;
  enum kg_err rc = kg_store_residence_get(pStore, accountId, pRes);
  enum kg_err rcAtt = rc == KG_OK || rc == KG_ENOTFOUND
                          ? kg_store_residence_attestation_get(pStore, accountId, pAtt)
                          : rc;
  if (rcAtt != KG_OK && rcAtt != KG_ENOTFOUND) rc = rcAtt;
  if (rc == KG_OK) {
    p = residence_json(pRes);
  } else if (rc == KG_ENOTFOUND && rcAtt == KG_OK) {
    /* attested by the identity provider, not found in the address
     * register: no point yet, a moderator places it */
    struct kg_verification v = {0};
    v.bRejected = pAtt->bRejected;
    snprintf(v.zVerifiedBy, sizeof(v.zVerifiedBy), "identity_provider");
    snprintf(v.zNote, sizeof(v.zNote), "%s", pAtt->zNote);
    p = json_pack("{s:I, s:s, s:n, s:s, s:n, s:n, s:o}", "account_id", (json_int_t)accountId,
                  "address", pAtt->zAddress, "location", "source", "identity_provider",
                  "birth_date", "created_at", "updated_at", kg_api_time_json(pAtt->updatedAt));
    verification_json(p, &v);
    rc = KG_OK;
  }
  if (rc) {
    kg_reply_err(
        r, rc, rc == KG_ENOTFOUND ? "no address of residence declared" : "cannot read the address");
  } else {
    /* an attested address waiting for a moderator to place it */
    json_object_set_new(p, "pending_placement", json_boolean(rcAtt == KG_OK && !pAtt->bRejected));
    if (rcAtt == KG_OK) json_object_set_new(p, "attested_address", json_string(pAtt->zAddress));
    if (bReset) json_object_set_new(p, "verification_reset", json_true());
    kg_reply_header(r, "Cache-Control", "no-store");
    kg_reply_json(r, status, p);
  }
  free(pRes);
  free(pAtt);
}

void kg_api_me_residence_get(struct kg_req *r) {
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  reply_residence(r, pStore, pAcc->id, 200, 0);
}

/* Reads pLoc, the value of the optional GeoJSON Point field zField (NULL
 * when absent), into *pLon, *pLat. Returns 1 (with *pbGiven) or 0 after
 * replying 422. */
static int read_point(struct kg_req *r, json_t *pLoc, const char *zField, int *pbGiven,
                      double *pLon, double *pLat) {
  *pbGiven = 0;
  if (!pLoc) return 1;
  if (!json_is_object(pLoc)) {
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, zField,
                 "must be a GeoJSON Point object {type, coordinates: [lon, lat]}");
    return 0;
  }
  struct kg_geom g = {0};
  struct kg_geo_limits lim = {1, KG_GEOM_POINT};
  char zErr[200], zMsg[260];
  if (kg_geo_parse(kg_api_geo(), pLoc, NULL, &lim, &g, zErr, sizeof(zErr)) != KG_OK) {
    snprintf(zMsg, sizeof(zMsg), "must be a GeoJSON Point in longitude, latitude: %s", zErr);
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, zField, zMsg);
    return 0;
  }
  *pLon = g.aCoord[0];
  *pLat = g.aCoord[1];
  *pbGiven = 1;
  kg_geom_clear(&g);
  return 1;
}

/* Copies z into a[n], truncated at a UTF-8 boundary. */
static void copy_text(char *a, size_t n, const char *z) {
  size_t k = strlen(z);
  if (k >= n) {
    k = n - 1;
    while (k > 0 && ((unsigned char)z[k] & 0xC0) == 0x80)
      k--;
  }
  memcpy(a, z, k);
  a[k] = 0;
}

void kg_api_me_residence_put(struct kg_req *r) {
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore;
  char zAddress[2048], zBirth[16], zFound[2048];
  double lon = 0, lat = 0, gLon = 0, gLat = 0;
  int bPoint = 0, bReset = 0;
  json_t *pLoc;
  const struct kg_api_field aField[] = {
      KG_API_F_TRIM("address", KG_API_REQUIRED, MAX_ADDRESS_CHARS, zAddress),
      KG_API_F_TRIM("birth_date", 0, 10, zBirth),
      KG_API_F_JSON("location", 0, &pLoc),
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) ||
      !read_point(r, pLoc, "location", &bPoint, &lon, &lat))
    return;
  const struct kg_auth_identity_provider *pProv = provider();
  if (zBirth[0]) {
    /* the provider's rules for identification data */
    struct kg_auth_identity *pId = kg_xcalloc(1, sizeof(*pId));
    char zField[32], zReason[200];
    copy_text(pId->zFullName, sizeof(pId->zFullName), pAcc->zFullName);
    copy_text(pId->zBirthDate, sizeof(pId->zBirthDate), zBirth);
    copy_text(pId->zAddress, sizeof(pId->zAddress), zAddress);
    enum kg_err rc = pProv->xCheck(pProv, pId, zField, sizeof(zField), zReason, sizeof(zReason));
    kg_auth_memzero(pId, sizeof(*pId));
    free(pId);
    if (rc) {
      kg_reply_bad(r, KG_R_INVALID, zField, zReason);
      return;
    }
  }
  if (!(pStore = kg_api_store(r))) return;
  enum kg_err rc = kg_store_address_geocode(pStore, zAddress, &gLon, &gLat, zFound, sizeof(zFound));
  if (rc != KG_OK && rc != KG_ENOTFOUND) {
    kg_reply_err(r, rc, "cannot look the address up");
    return;
  }
  int bFound = rc == KG_OK;
  const char *zSource;
  if (bPoint) {
    zSource = bFound ? "both" : "point"; /* the person's point is used as given */
  } else if (bFound) {
    zSource = "registry";
    lon = gLon;
    lat = gLat;
  } else {
    kg_reply_bad(r, KG_R_UNKNOWN_REFERENCE, "address",
                 "address not found in the address registry: give the point on the map");
    return;
  }
  /* the registry's spelling when it matched, so moderators see one form,
   * with the flat as the person wrote it (the register knows buildings) */
  if (bFound) kg_api_address_with_unit(zFound, sizeof(zFound), zAddress);
  rc = kg_store_residence_put(pStore, pAcc->id, bFound ? zFound : zAddress, lon, lat, zSource,
                              pProv->bAttests, provider_verified_by(pProv),
                              zBirth[0] ? zBirth : NULL, kg_time_now(), &bReset);
  if (rc) {
    kg_reply_err(r, rc, "cannot save the address");
    return;
  }
  kg_log_info("residence declared account=%lld source=%s reset=%d", (long long)pAcc->id, zSource,
              bReset);
  reply_residence(r, pStore, pAcc->id, 200, bReset);
}

/* ---- properties ---- */

struct prop_list {
  json_t *pItems;
  struct kg_api_raw raw;
  int n;
};

static int property_row(void *pArg, const struct kg_property *pProp) {
  struct prop_list *c = pArg;
  json_array_append_new(c->pItems, property_json(pProp, &c->raw));
  c->n++;
  return 0;
}

void kg_api_me_properties_list(struct kg_req *r) {
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  struct prop_list c = {json_array(), {0}, 0};
  enum kg_err rc = kg_store_property_list(pStore, pAcc->id, property_row, &c);
  if (rc) {
    json_decref(c.pItems);
    kg_api_raw_free(&c.raw);
    kg_reply_err(r, rc, "cannot list the properties");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_api_reply_raw(r, 200, json_pack("{s:o, s:n}", "items", c.pItems, "next"), &c.raw);
}

static int count_row(void *pArg, const struct kg_property *pProp) {
  (void)pProp;
  ++*(int *)pArg;
  return 0;
}

/* Replies with property id of accountId. */
static void reply_property(struct kg_req *r, struct kg_store *pStore, int64_t accountId, int64_t id,
                           unsigned status) {
  struct kg_property prop;
  enum kg_err rc = kg_store_property_get(pStore, accountId, id, &prop);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such property" : "cannot read the property");
    return;
  }
  struct kg_api_raw raw = {0};
  json_t *p = property_json(&prop, &raw);
  kg_property_clear(&prop);
  if (status == 201) {
    char zLoc[64];
    snprintf(zLoc, sizeof(zLoc), "/api/v1/me/properties/%lld", (long long)id);
    kg_reply_header(r, "Location", zLoc);
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_api_reply_raw(r, status, p, &raw);
}

static int cadastral_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  if (kg_cadastral_number_valid(pF->pOut)) return 1;
  snprintf(zReason, nReason,
           "must be a cadastral number such as 16:50:011105:123 (NN:NN:NNNNNN(N):N, digits only)");
  return 0;
}

void kg_api_me_properties_add(struct kg_req *r) {
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore;
  const char *zCrs = NULL;
  char zCad[64], zErr[300], zMsg[400];
  struct kg_geom g = {0};
  char *zWkt = NULL, *zParcel = NULL;
  int bGeom = 0, nHave = 0;
  int64_t id = 0;
  enum kg_err rc;
  json_t *pGeom;
  const struct kg_api_field aField[] = {
      {.zName = "cadastral_number",
       .eType = KG_API_TRIM,
       .fFlags = KG_API_REQUIRED,
       .nMax = 40,
       .pOut = zCad,
       .nOut = sizeof(zCad),
       .xCheck = cadastral_check},
      KG_API_F_STR("geometry_crs", 0, 2000, &zCrs),
      {.zName = "geometry",
       .eType = KG_API_OBJECT,
       .fFlags = KG_API_RULE_ALL,
       .zRule = "must be a GeoJSON Polygon or MultiPolygon object",
       .pOut = &pGeom},
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField))) return;
  if (pGeom) {
    struct kg_geo_limits lim = {MAX_PROPERTY_VERTICES, KG_GEOM_AREAL};
    rc = kg_geo_parse(kg_api_geo(), pGeom, zCrs, &lim, &g, zErr, sizeof(zErr));
    if (rc) {
      const char *zField = strstr(zErr, "CRS") ? "geometry_crs" : "geometry";
      kg_reply_bad_status(r, rc == KG_ETOOBIG ? 413 : 422, KG_R_INVALID_GEOMETRY, zField, zErr);
      return;
    }
    bGeom = 1;
  } else if (zCrs) {
    kg_reply_bad(r, KG_R_NEEDS_OTHER, "geometry_crs", "is only allowed with a geometry");
    return;
  }
  if (!(pStore = kg_api_store(r))) goto out;
  if ((rc = kg_store_property_list(pStore, pAcc->id, count_row, &nHave)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the properties");
    goto out;
  }
  if (nHave >= MAX_PROPERTIES) {
    kg_reply_limit(r, 409, KG_R_TOO_MANY, "cadastral_number",
                   "you have declared the most properties one account may have (50)", 0, 50);
    goto out;
  }
  rc = kg_store_parcel_wkt(pStore, zCad, &zParcel);
  if (rc != KG_OK && rc != KG_ENOTFOUND) {
    kg_reply_err(r, rc, "cannot look the cadastral number up");
    goto out;
  }
  const char *zSource;
  if (bGeom) {
    zWkt = kg_geom_to_wkt(&g, 1);
    zSource = zParcel ? "both" : "geometry";
  } else if (zParcel) {
    zSource = "registry";
  } else {
    kg_reply_bad(r, KG_R_UNKNOWN_REFERENCE, "cadastral_number",
                 "not found in the cadastral parcels layer: draw the boundary of the plot "
                 "(geometry)");
    goto out;
  }
  const struct kg_auth_identity_provider *pProv = provider();
  rc = kg_store_property_insert(pStore, pAcc->id, zCad, zWkt ? zWkt : zParcel, zSource,
                                pProv->bAttests, provider_verified_by(pProv), kg_time_now(), &id,
                                zErr, sizeof(zErr));
  if (rc == KG_ECONFLICT) {
    kg_reply_bad_status(r, 409, KG_R_ALREADY_EXISTS, "cadastral_number",
                        "is already among your properties");
    goto out;
  }
  if (rc == KG_EINVAL) {
    snprintf(zMsg, sizeof(zMsg), "is not a valid polygon: %s", zErr[0] ? zErr : "invalid");
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, "geometry", zMsg);
    goto out;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot save the property");
    goto out;
  }
  kg_log_info("property declared account=%lld property=%lld source=%s", (long long)pAcc->id,
              (long long)id, zSource);
  reply_property(r, pStore, pAcc->id, id, 201);
out:
  if (bGeom) kg_geom_clear(&g);
  free(zWkt);
  free(zParcel);
}

/* ---- verification (moderators) ---- */

/* Reads {verified, note}; a refusal needs a note (the person must learn
 * why). Returns 1 or 0 after replying. */
static int read_decision(struct kg_req *r, int bResidence, int *pbVerified, const char **pzNote,
                         json_t **ppLoc /* OUT: residences only */) {
  const struct kg_api_field aField[] = {
      {.zName = "verified",
       .eType = KG_API_BOOL,
       .fFlags = KG_API_REQUIRED | KG_API_RULE_ALL,
       .zRule = "is required: true to confirm, false to refuse",
       .pOut = pbVerified},
      {.zName = "note",
       .eType = KG_API_STR,
       .fFlags = KG_API_REQUIRED,
       .pbOptionalIf = pbVerified,
       .nMax = MAX_NOTE_CHARS,
       .pOut = pzNote},
      KG_API_F_JSON("location", 0, ppLoc),
  };
  return kg_api_body(r, aField, KG_API_NFIELD(aField) - !bResidence);
}

/* 1 when the moderator decides on someone else's data; else replies 403. */
static int not_self(struct kg_req *r, int64_t accountId) {
  if (kg_api_account(r)->id != accountId) return 1;
  kg_reply_code(r, KG_P_OWN_DATA,
                "a moderator cannot verify their own data; ask another moderator");
  return 0;
}

void kg_api_residence_verify(struct kg_req *r) {
  int64_t accountId;
  int bVerified = 0;
  const char *zNote = NULL;
  json_t *pLoc = NULL;
  struct kg_store *pStore;
  if (!(accountId = kg_api_param_id(r, "id", "no such account")) ||
      !read_decision(r, 1, &bVerified, &zNote, &pLoc) || !not_self(r, accountId) ||
      !(pStore = kg_api_store(r)))
    return;
  /* an address the identity provider attested and the register could not
   * place: verifying it means placing it on the map */
  struct kg_attestation *pAtt = kg_xmalloc(sizeof(*pAtt));
  enum kg_err rcAtt = kg_store_residence_attestation_get(pStore, accountId, pAtt);
  int bAttested = rcAtt == KG_OK && !pAtt->bRejected;
  free(pAtt);
  if (rcAtt != KG_OK && rcAtt != KG_ENOTFOUND) {
    kg_reply_err(r, rcAtt, "cannot read the address");
    return;
  }
  int bPoint = 0;
  double aPlace[2] = {0, 0};
  if (!read_point(r, pLoc, "location", &bPoint, &aPlace[0], &aPlace[1])) return;
  if (bAttested && bVerified && !bPoint) {
    kg_reply_bad(r, KG_R_REQUIRED, "location",
                 "is required: this address, attested by the identity provider, is not in "
                 "the address register; place it on the map");
    return;
  }
  if (!bAttested && bPoint) {
    kg_reply_bad(r, KG_R_NEEDS_OTHER, "location",
                 "is only for an address attested by the identity provider that waits to be "
                 "placed");
    return;
  }
  enum kg_err rc = kg_api_verification_decide(r, pStore, accountId, 0, bVerified, zNote,
                                              bAttested ? aPlace : NULL);
  if (rc) {
    kg_reply_err(r, rc,
                 rc == KG_ENOTFOUND ? "this account has not declared an address of residence"
                                    : "cannot save the decision");
    return;
  }
  kg_log_info("residence %s account=%lld by=%lld", bVerified ? "verified" : "rejected",
              (long long)accountId, (long long)kg_api_account(r)->id);
  reply_residence(r, pStore, accountId, 200, 0);
}

void kg_api_property_verify(struct kg_req *r) {
  int64_t accountId = kg_req_param_id(r, "id"), id = kg_req_param_id(r, "pid");
  int bVerified = 0;
  const char *zNote = NULL;
  json_t *pLoc;
  struct kg_store *pStore;
  if (!accountId || !id) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such property");
    return;
  }
  if (!read_decision(r, 0, &bVerified, &zNote, &pLoc) || !not_self(r, accountId) ||
      !(pStore = kg_api_store(r)))
    return;
  enum kg_err rc = kg_api_verification_decide(r, pStore, accountId, id, bVerified, zNote, NULL);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such property" : "cannot save the decision");
    return;
  }
  kg_log_info("property %s account=%lld property=%lld by=%lld", bVerified ? "verified" : "rejected",
              (long long)accountId, (long long)id, (long long)kg_api_account(r)->id);
  reply_property(r, pStore, accountId, id, 200);
}

struct queue_ctx {
  json_t *pItems;
  struct kg_api_raw raw;
  int n;
};

static int queue_row(void *pArg, const struct kg_pending_verification *v) {
  struct queue_ctx *c = pArg;
  char zUrl[96];
  if (v->propertyId)
    snprintf(zUrl, sizeof(zUrl), "/api/v1/accounts/%lld/properties/%lld/verification",
             (long long)v->accountId, (long long)v->propertyId);
  else
    snprintf(zUrl, sizeof(zUrl), "/api/v1/accounts/%lld/residence/verification",
             (long long)v->accountId);
  json_t *p = json_pack("{s:s, s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:s}", "type", v->zType,
                        "account_id", (json_int_t)v->accountId, "full_name", v->zFullName, "email",
                        v->zEmail, "birth_date", v->zBirthDate, "address", v->zAddress, "source",
                        v->zSource, "geometry", kg_api_raw_add(&c->raw, v->zGeometry), "updated_at",
                        kg_api_time_json(v->updatedAt), "verification_url", zUrl);
  if (v->propertyId) {
    json_object_set_new(p, "property_id", json_integer(v->propertyId));
    json_object_set_new(p, "cadastral_number", json_string(v->zCadastral ? v->zCadastral : ""));
  }
  json_array_append_new(c->pItems, p);
  c->n++;
  return 0;
}

void kg_api_verification_queue(struct kg_req *r) {
  int nLimit;
  int64_t nOffset;
  struct kg_store *pStore;
  /* the cursor of this list is an offset: the queue is small and moves */
  if (!kg_api_page(r, &nLimit, &nOffset) || !(pStore = kg_api_store(r))) return;
  struct queue_ctx c = {json_array(), {0}, 0};
  enum kg_err rc = kg_store_verification_queue(pStore, nOffset, nLimit + 1, queue_row, &c);
  if (rc) {
    json_decref(c.pItems);
    kg_api_raw_free(&c.raw);
    kg_reply_err(r, rc, "cannot read the queue");
    return;
  }
  json_t *pNext = json_null();
  if (c.n > nLimit) {
    json_array_remove(c.pItems, (size_t)nLimit);
    pNext = kg_api_cursor_json(nOffset + nLimit);
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_api_reply_raw(r, 200, json_pack("{s:o, s:o}", "items", c.pItems, "next", pNext), &c.raw);
}

/* ---- eligibility ---- */

const char *kg_api_eligibility_reason(const struct kg_eligibility *e) {
  switch (e->reason) {
  case KG_ELIG_OK:
    return e->basis == KG_BASIS_RIGHTHOLDER
               ? "Вы можете участвовать как правообладатель: ваш земельный участок или объект "
                 "недвижимости находится в границах территории"
               : "Вы можете участвовать: ваш адрес находится в границах территории";
  case KG_ELIG_NO_RESIDENCE:
    return "Вы не указали адрес регистрации по месту жительства";
  case KG_ELIG_NOT_VERIFIED:
    return "Адрес ещё не подтверждён модератором";
  case KG_ELIG_PROPERTY_NOT_VERIFIED:
    return "Ваш земельный участок или объект недвижимости ещё не подтверждён модератором";
  case KG_ELIG_OUTSIDE:
    return "Ваш адрес находится за пределами территории этого обсуждения";
  case KG_ELIG_NOT_OPEN:
    return "Приём предложений по этому обсуждению сейчас не ведётся";
  }
  return "";
}

void kg_api_discussion_eligibility(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such discussion", &id);
  struct kg_eligibility e;
  if (!pStore) return;
  enum kg_err rc = kg_api_eligibility(pStore, kg_api_account(r)->id, id, &e);
  if (rc == KG_OK && e.status == KG_ST_DRAFT && !kg_api_is_moderator(r))
    rc = KG_ENOTFOUND; /* a draft is not published yet */
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot check the eligibility");
    return;
  }
  const char *zBasis = kg_basis_name(e.basis);
  json_t *p = json_pack("{s:b, s:o, s:s, s:s, s:s}", "eligible", e.bEligible, "basis",
                        zBasis ? json_string(zBasis) : json_null(), "reason",
                        kg_api_eligibility_reason(&e), "reason_code", kg_elig_reason_name(e.reason),
                        "discussion_status", kg_status_name(e.status));
  if (e.propertyId) json_object_set_new(p, "property_id", json_integer(e.propertyId));
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, p);
}

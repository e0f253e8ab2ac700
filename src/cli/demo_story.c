/* demo_story.c: the round `kengash demo` tells for each discussion that has
 * reached its exposition, made through the same store calls the API makes
 * so that every rule holds: participants who are eligible (residents at
 * the register's addresses inside the territory, right holders of parcels
 * inside it), proposals, remarks and questions dated within the
 * exposition, with points, lines and areas inside the territory and pages
 * of the project's document, moderation (one rejected with its reason, one
 * left pending while open), threads, supports, official answers and paper
 * entries; then the conclusion's recommendations and findings. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/api_comments.h"
#include "demo_int.h"

#define HOUR 3600
#define MAX_RESIDENTS 7
#define MAX_HOLDERS 3
#define MIN_CAST 5 /* residents placed by point fill a small territory up to this */
#define MAX_CAST (MAX_RESIDENTS + MAX_HOLDERS)
#define MAX_REGISTERED 16
#define N_PAPER 2
#define N_REPLY 2
#define N_ANSWER 3

/* One participant of a discussion: an account and where it takes part from. */
struct person {
  int64_t id;
  double lon, lat;       /* the residence, or the middle of the held parcel */
  const char *zAddress;  /* the residence's address; NULL for a right holder */
  char zOwnAddress[256]; /* zAddress when not the register's */
  const char *zBasis;
  char zDisplay[128];
};

struct cast {
  struct person a[MAX_CAST];
  int n;
};

/* A registered comment made in this story. */
struct made {
  int64_t id;
  const char *zKind;
  int iAuthor; /* index in the cast; -1 for a paper entry */
  int bPublished;
};

static int fail(const char *zWhat, enum kg_err rc) {
  fprintf(stderr, "kengash demo: cannot %s (%s)\n", zWhat, kg_err_name(rc));
  return 0;
}

/* ---- places ---- */

/* The first position of a GeoJSON geometry's coordinates (any nesting). */
static int first_position(json_t *pCoords, double *pLon, double *pLat) {
  while (json_is_array(pCoords) && json_is_array(json_array_get(pCoords, 0)))
    pCoords = json_array_get(pCoords, 0);
  if (!json_is_array(pCoords) || json_array_size(pCoords) < 2) return 0;
  *pLon = json_number_value(json_array_get(pCoords, 0));
  *pLat = json_number_value(json_array_get(pCoords, 1));
  return 1;
}

/* The mean of the outer ring of a (Multi)Polygon: the middle of a parcel. */
static int ring_middle(json_t *pGeom, double *pLon, double *pLat) {
  json_t *pRing = json_object_get(pGeom, "coordinates");
  while (json_is_array(pRing) && json_is_array(json_array_get(json_array_get(pRing, 0), 0)))
    pRing = json_array_get(pRing, 0);
  size_t i, n = json_array_size(pRing);
  json_t *pPos;
  double x = 0, y = 0;
  if (n < 2) return 0;
  json_array_foreach(pRing, i, pPos) {
    if (i + 1 == n) break; /* the closing position repeats the first */
    x += json_number_value(json_array_get(pPos, 0));
    y += json_number_value(json_array_get(pPos, 1));
  }
  *pLon = x / (double)(n - 1);
  *pLat = y / (double)(n - 1);
  return 1;
}

static int in_bbox(const double b[4], double lon, double lat) {
  return lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3];
}

/* Up to nMax features of the address file whose point lies in discussion
 * id's territory, starting from a place chosen by the story's randomness,
 * into apOut (borrowed). Returns how many. */
static int addresses_in(struct demo_ctx *c, int64_t id, const double bbox[4], json_t **apOut,
                        int nMax) {
  json_t *pFeatures = json_object_get(c->pAddresses, "features");
  int nAll = (int)json_array_size(pFeatures), n = 0;
  int iStart = demo_rng_below(&c->rng, nAll);
  for (int k = 0; k < nAll && n < nMax; k++) {
    json_t *pF = json_array_get(pFeatures, (size_t)((iStart + k) % nAll));
    double lon, lat;
    int bIn = 0;
    if (!first_position(json_object_get(json_object_get(pF, "geometry"), "coordinates"), &lon,
                        &lat) ||
        !in_bbox(bbox, lon, lat))
      continue;
    if (kg_store_comment_point_in_territory(c->pStore, id, lon, lat, &bIn) == KG_OK && bIn)
      apOut[n++] = pF;
  }
  return n;
}

/* ---- people ---- */

/* A new participant's account (citizen, the demo password), created at t.
 * *pzFull gets the full name (static buffer of the caller). */
static int new_account(struct demo_ctx *c, int64_t t, int64_t *pId, char *zFull, size_t nFull,
                       char zBirth[11]) {
  char zEmail[64];
  int i = c->nPeople++;
  demo_person(i, zFull, nFull, zBirth);
  snprintf(zEmail, sizeof(zEmail), DEMO_PARTICIPANT_EMAIL, i + 1);
  enum kg_err rc = kg_store_account_insert(c->pStore, zEmail, c->zHash, zFull, "citizen", t, pId);
  return rc == KG_OK ? 1 : fail("create a participant's account", rc);
}

/* Adds the resident of address feature pF (verified by the moderator) to
 * the cast. */
static int add_resident(struct demo_ctx *c, struct cast *pCast, json_t *pF, int64_t t) {
  struct person *pP = &pCast->a[pCast->n];
  char zFull[256], zBirth[11];
  json_t *pProps = json_object_get(pF, "properties");
  pP->zAddress = json_string_value(json_object_get(pProps, "address"));
  if (!pP->zAddress ||
      !first_position(json_object_get(json_object_get(pF, "geometry"), "coordinates"), &pP->lon,
                      &pP->lat))
    return 1; /* not an address: skip it */
  if (!new_account(c, t, &pP->id, zFull, sizeof(zFull), zBirth)) return 0;
  enum kg_err rc = kg_store_residence_put(c->pStore, pP->id, pP->zAddress, pP->lon, pP->lat,
                                          "registry", 1, "moderator", zBirth, t, NULL);
  if (rc) return fail("record a participant's residence", rc);
  kg_api_display_name(zFull, pP->zDisplay, sizeof(pP->zDisplay));
  pCast->n++;
  return 1;
}

/* Adds a resident of a house the synthetic register lacks, inside
 * discussion id's territory: the moderator verified the point on the map
 * (source "point"); the address names the nearest register address's
 * street. */
static int add_point_resident(struct demo_ctx *c, struct cast *pCast, int64_t id,
                              const double bbox[4], int64_t t) {
  struct person *pP = &pCast->a[pCast->n];
  json_t *pFeatures = json_object_get(c->pAddresses, "features"), *pF, *pNear = NULL;
  char zFull[256], zBirth[11];
  int bIn = 0;
  size_t i;
  for (int k = 0; k < 50 && !bIn; k++) {
    pP->lon = bbox[0] + (bbox[2] - bbox[0]) * (0.1 + 0.8 * demo_rng_below(&c->rng, 1000) / 1000.0);
    pP->lat = bbox[1] + (bbox[3] - bbox[1]) * (0.1 + 0.8 * demo_rng_below(&c->rng, 1000) / 1000.0);
    if (kg_store_comment_point_in_territory(c->pStore, id, pP->lon, pP->lat, &bIn) != KG_OK)
      bIn = 0;
  }
  if (!bIn) return 1; /* no room: the cast stays smaller */
  double best = 1e9;
  json_array_foreach(pFeatures, i, pF) {
    double lon, lat;
    if (!first_position(json_object_get(json_object_get(pF, "geometry"), "coordinates"), &lon,
                        &lat))
      continue;
    double d2 = (lon - pP->lon) * (lon - pP->lon) + (lat - pP->lat) * (lat - pP->lat);
    if (d2 < best) best = d2, pNear = pF;
  }
  const char *zStreet =
      json_string_value(json_object_get(json_object_get(pNear, "properties"), "street"));
  snprintf(pP->zOwnAddress, sizeof(pP->zOwnAddress), "г. Казань, %s, д. %d",
           zStreet ? zStreet : "ул. Центральная", 2 + demo_rng_below(&c->rng, 150));
  pP->zAddress = pP->zOwnAddress;
  if (!new_account(c, t, &pP->id, zFull, sizeof(zFull), zBirth)) return 0;
  enum kg_err rc = kg_store_residence_put(c->pStore, pP->id, pP->zAddress, pP->lon, pP->lat,
                                          "point", 1, "moderator", zBirth, t, NULL);
  if (rc) return fail("record a participant's residence", rc);
  kg_api_display_name(zFull, pP->zDisplay, sizeof(pP->zDisplay));
  pCast->n++;
  return 1;
}

/* Adds the right holder of parcel feature pF when the parcel lies inside
 * discussion id's territory. */
static int add_holder(struct demo_ctx *c, struct cast *pCast, int64_t id, json_t *pF, int64_t t) {
  struct person *pP = &pCast->a[pCast->n];
  const char *zCad =
      json_string_value(json_object_get(json_object_get(pF, "properties"), "cadastral_number"));
  char *zWkt = NULL, zFull[256], zBirth[11], zErr[200] = "";
  int bOk = 0, ok = 0;
  int64_t idProp = 0;
  if (!zCad || !ring_middle(json_object_get(pF, "geometry"), &pP->lon, &pP->lat)) return 1;
  if (kg_store_parcel_wkt(c->pStore, zCad, &zWkt) != KG_OK ||
      kg_store_comment_location_check(c->pStore, id, zWkt, 0, &bOk, zErr, sizeof(zErr)) != KG_OK ||
      !bOk) {
    free(zWkt);
    return 1; /* not inside: not this discussion's right holder */
  }
  if (!new_account(c, t, &pP->id, zFull, sizeof(zFull), zBirth)) goto out;
  enum kg_err rc = kg_store_property_insert(c->pStore, pP->id, zCad, zWkt, "registry", 1,
                                            "moderator", t, &idProp, zErr, sizeof(zErr));
  if (rc) {
    fail("record a right holder's property", rc);
    goto out;
  }
  pP->zAddress = NULL;
  kg_api_display_name(zFull, pP->zDisplay, sizeof(pP->zDisplay));
  pCast->n++;
  ok = 1;
out:
  free(zWkt);
  return ok;
}

/* The participants of open discussion id, each checked eligible the way
 * the API checks a submission. */
static int make_cast(struct demo_ctx *c, int64_t id, const double bbox[4], int64_t t,
                     struct cast *pCast) {
  json_t *apAddr[MAX_RESIDENTS];
  int nAddr = addresses_in(c, id, bbox, apAddr, MAX_RESIDENTS);
  memset(pCast, 0, sizeof(*pCast));
  for (int i = 0; i < nAddr; i++)
    if (!add_resident(c, pCast, apAddr[i], t)) return 0;
  json_t *pFeatures = json_object_get(c->pParcels, "features");
  size_t i;
  json_t *pF;
  int nHolders = 0;
  json_array_foreach(pFeatures, i, pF) {
    double lon, lat;
    if (nHolders >= MAX_HOLDERS || pCast->n >= MAX_CAST) break;
    if (!first_position(json_object_get(json_object_get(pF, "geometry"), "coordinates"), &lon,
                        &lat) ||
        !in_bbox(bbox, lon, lat))
      continue;
    int n = pCast->n;
    if (!add_holder(c, pCast, id, pF, t)) return 0;
    nHolders += pCast->n - n;
  }
  while (pCast->n < MIN_CAST) {
    int n = pCast->n;
    if (!add_point_resident(c, pCast, id, bbox, t)) return 0;
    if (pCast->n == n) break;
  }
  for (int k = 0; k < pCast->n; k++) {
    struct kg_eligibility e;
    enum kg_err rc = kg_store_eligibility(c->pStore, pCast->a[k].id, id, &e);
    if (rc) return fail("check a participant's eligibility", rc);
    if (!e.bEligible) {
      fprintf(stderr, "kengash demo: a demo participant of discussion %lld is not eligible\n",
              (long long)id);
      return 0;
    }
    pCast->a[k].zBasis = kg_basis_name(e.basis);
  }
  if (pCast->n < 2) {
    fprintf(stderr, "kengash demo: discussion %lld has too few addresses and parcels inside\n",
            (long long)id);
    return 0;
  }
  return 1;
}

/* ---- comments ---- */

/* A point, a line or an area (iShape 0, 1, 2) near lon/lat that lies in
 * discussion id's territory, as WKT and GeoJSON (heap, free()); the point
 * lon/lat itself when the shape would leave it; none (NULLs) when neither
 * fits. */
static void make_location(struct demo_ctx *c, int64_t id, double lon, double lat, int iShape,
                          char **pzWkt, char **pzJson) {
  double kx = 1.0 / (111320.0 * cos(lat * M_PI / 180.0)), ky = 1.0 / 111320.0;
  double dx = (demo_rng_below(&c->rng, 121) - 60) * kx,
         dy = (demo_rng_below(&c->rng, 121) - 60) * ky;
  double x = lon + dx, y = lat + dy, w = 40 * kx, h = 30 * ky;
  for (int k = 0; k < 2; k++, iShape = 0, x = lon, y = lat) {
    int bOk = 0;
    char zErr[200];
    if (iShape == 1) {
      *pzWkt = kg_xasprintf("LINESTRING(%.7f %.7f, %.7f %.7f, %.7f %.7f)", x, y, x + w, y + h / 3,
                            x + 2 * w, y + h);
      *pzJson = kg_xasprintf("{\"type\":\"LineString\",\"coordinates\":[[%.7f,%.7f],[%.7f,%.7f],"
                             "[%.7f,%.7f]]}",
                             x, y, x + w, y + h / 3, x + 2 * w, y + h);
    } else if (iShape == 2) {
      *pzWkt = kg_xasprintf("POLYGON((%.7f %.7f, %.7f %.7f, %.7f %.7f, %.7f %.7f, %.7f %.7f))", x,
                            y, x + w, y, x + w, y + h, x, y + h, x, y);
      *pzJson = kg_xasprintf("{\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],"
                             "[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}",
                             x, y, x + w, y, x + w, y + h, x, y + h, x, y);
    } else {
      *pzWkt = kg_xasprintf("POINT(%.7f %.7f)", x, y);
      *pzJson = kg_xasprintf("{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}", x, y);
    }
    if (kg_store_comment_location_check(c->pStore, id, *pzWkt, 0, &bOk, zErr, sizeof(zErr)) ==
            KG_OK &&
        bOk)
      return;
    free(*pzWkt);
    free(*pzJson);
    *pzWkt = *pzJson = NULL;
  }
}

/* Submits n by account authorId (a moderator when bModerator) at time t,
 * through the checks of an API submission; *pId gets its id. */
static int insert(struct demo_ctx *c, const struct kg_comment_proposal *n, int64_t authorId,
                  int bModerator, int64_t t, int64_t *pId) {
  struct kg_comment_author a = {authorId, bModerator};
  struct kg_comment_submission sub;
  enum kg_err rc = kg_store_comment_submit(c->pStore, n, &a, t, &sub);
  *pId = sub.comment.id;
  if (rc)
    fprintf(stderr, "kengash demo: a demo comment was refused: %s %s\n",
            sub.refusal.zField ? sub.refusal.zField : "", sub.refusal.zReason);
  kg_comment_submission_clear(&sub);
  return rc == KG_OK ? 1 : fail("insert a demo comment", rc);
}

static int publish(struct demo_ctx *c, int64_t id, int64_t t) {
  enum kg_err rc = kg_store_comment_moderate(c->pStore, id, 1, NULL, NULL, c->idModerator, NULL, t);
  return rc == KG_OK ? 1 : fail("publish a demo comment", rc);
}

/* The kind of registered comment i: mostly proposals, then remarks. */
static const char *kind_of(struct demo_ctx *c) {
  int k = demo_rng_below(&c->rng, 20);
  return k < 12 ? "proposal" : k < 17 ? "remark" : "question";
}

/* Registered comment i of the cast at time t, moderated at tMod: the
 * rejected one (i == 3), pending (bPending), else published. */
static int registered(struct demo_ctx *c, int64_t id, int64_t idDoc, const struct cast *pCast,
                      int i, int bPending, int64_t t, int64_t tMod, struct made *pOut) {
  const struct person *pA = &pCast->a[i % pCast->n];
  struct kg_comment_proposal n = {0};
  char *zBody, *zWkt = NULL, *zJson = NULL;
  int bReject = i == 3, bPage = i % 4 == 1, ok = 0;
  pOut->zKind = bReject ? "question" : kind_of(c);
  pOut->iAuthor = i % pCast->n;
  zBody = bReject ? kg_xstrdup("Когда наконец отремонтируют подъезд в нашем доме? Третий год "
                               "ждём, а управляющая компания не отвечает.")
                  : demo_text_comment(&c->rng, pOut->zKind, bPage);
  if (!bReject && i % 6 != 5) make_location(c, id, pA->lon, pA->lat, i % 3, &zWkt, &zJson);
  n.discussionId = id;
  n.zKind = pOut->zKind;
  n.zBody = zBody;
  n.zLocationWkt = zWkt;
  n.zLocationGeoJson = zJson;
  n.documentId = bPage ? idDoc : 0;
  n.page = bPage ? 1 : 0;
  n.zDisplayName = pA->zDisplay;
  if (!insert(c, &n, pA->id, 0, t, &pOut->id)) goto out;
  pOut->bPublished = !bReject && !bPending;
  if (bReject) {
    enum kg_err rc = kg_store_comment_moderate(
        c->pStore, pOut->id, 0, "not_about_project",
        "Не касается обсуждаемого проекта. Ремонт подъезда — обязанность управляющей компании; "
        "обратитесь в неё или в Государственную жилищную инспекцию.",
        c->idModerator, NULL, tMod);
    if (rc) {
      fail("reject a demo comment", rc);
      goto out;
    }
  } else if (!bPending && !publish(c, pOut->id, tMod)) {
    goto out;
  }
  ok = 1;
out:
  free(zBody);
  free(zWkt);
  free(zJson);
  return ok;
}

/* A proposal that came on paper or in the exposition book (k), entered by
 * the moderator with its author's identification data, and published;
 * zSame (may be NULL) is an earlier proposal it repeats word for word. */
static int paper_entry(struct demo_ctx *c, int64_t id, const struct cast *pCast, int k,
                       const char *zSame, int64_t t, struct made *pOut) {
  const struct person *pA = NULL;
  for (int i = 0; i < pCast->n && !pA; i++)
    if (pCast->a[(i + k) % pCast->n].zAddress && !pCast->a[(i + k) % pCast->n].zOwnAddress[0])
      pA = &pCast->a[(i + k) % pCast->n];
  if (!pA) return 1; /* no register address there: the API could not check one */
  char zFull[256], zBirth[11], zDisplay[128], *zWkt, *zJson;
  demo_person(1000 + c->nPeople + k, zFull, sizeof(zFull), zBirth);
  kg_api_display_name(zFull, zDisplay, sizeof(zDisplay));
  struct kg_offline_author off = {zFull, zBirth, pA->zAddress, 1, pA->lon, pA->lat};
  struct kg_comment_proposal n = {0};
  char *zBody = zSame ? kg_xstrdup(zSame) : demo_text_comment(&c->rng, "proposal", 0);
  make_location(c, id, pA->lon, pA->lat, 0, &zWkt, &zJson);
  n.discussionId = id;
  n.zKind = "proposal";
  n.zChannel = k ? "exposition_book" : "paper";
  n.zBody = zBody;
  n.zLocationWkt = zWkt;
  n.zLocationGeoJson = zJson;
  n.zDisplayName = zDisplay;
  n.offline = off;
  int ok = insert(c, &n, c->idModerator, 1, t, &pOut->id) && publish(c, pOut->id, t + HOUR);
  pOut->zKind = "proposal";
  pOut->iAuthor = -1;
  pOut->bPublished = 1;
  free(zBody);
  free(zWkt);
  free(zJson);
  return ok;
}

/* A reply (registered, published) or an official answer to comment
 * parent at time t. */
static int reply(struct demo_ctx *c, int64_t id, const struct cast *pCast, int iAuthor,
                 const struct made *pParent, int64_t t, struct made *pOut) {
  struct kg_comment_proposal n = {0};
  n.discussionId = id;
  n.parentId = pParent->id;
  n.zKind = "remark";
  if (iAuthor < 0) { /* an official answer, signed by the project's organizer */
    n.zBody = demo_text_answer(&c->rng, pParent->zKind);
    return insert(c, &n, c->idModerator, 1, t, &pOut->id);
  }
  n.zBody = demo_text_reply(&c->rng);
  n.zDisplayName = pCast->a[iAuthor].zDisplay;
  pOut->zKind = "remark";
  pOut->iAuthor = iAuthor;
  pOut->bPublished = 1;
  return insert(c, &n, pCast->a[iAuthor].id, 0, t, &pOut->id) && publish(c, pOut->id, t + HOUR);
}

/* Supports of the published comments by other participants of the cast. */
static int supports(struct demo_ctx *c, const struct cast *pCast, const struct made *a, int n,
                    int64_t tFrom, int64_t tTo) {
  for (int i = 0; i < n; i++) {
    if (!a[i].bPublished) continue;
    int nSup = demo_rng_below(&c->rng, pCast->n);
    for (int k = 1; k <= nSup; k++) {
      int iWho = (a[i].iAuthor < 0 ? 0 : a[i].iAuthor + k) % pCast->n;
      if (iWho == a[i].iAuthor) continue;
      int64_t t = tFrom + (tTo - tFrom) * (i + 1) / (n + 1) + k * 600;
      int64_t nNow = 0;
      enum kg_err rc =
          kg_store_comment_support(c->pStore, a[i].id, pCast->a[iWho].id, t < tTo ? t : tTo, &nNow);
      if (rc && rc != KG_ECONFLICT) return fail("support a demo comment", rc);
    }
  }
  return 1;
}

int demo_story_exposition(struct demo_ctx *c, int64_t id, int64_t idDoc, int64_t tFrom, int64_t tTo,
                          int bPending) {
  struct kg_discussion d = {0};
  struct cast cast;
  struct made a[MAX_REGISTERED + N_PAPER + N_REPLY], ans;
  memset(a, 0, sizeof(a));
  enum kg_err rc = kg_store_discussion_get(c->pStore, id, &d);
  if (rc) return fail("read a demo discussion", rc);
  int ok = make_cast(c, id, d.bbox, tFrom - 14 * 24 * HOUR, &cast);
  kg_discussion_clear(&d);
  if (!ok) return 0;
  int nReg = 11 + demo_rng_below(&c->rng, 4), n = 0;
  int nSlot = nReg + N_PAPER + N_REPLY + N_ANSWER + 1;
  int64_t dt = (tTo - tFrom) / nSlot;
  for (int i = 0; i < nReg; i++, n++) {
    int64_t t = tFrom + dt * i + demo_rng_below(&c->rng, 3600);
    int64_t tMod = t + 3 * HOUR < tTo ? t + 3 * HOUR : tTo;
    if (!registered(c, id, idDoc, &cast, i, bPending && i == nReg - 1, t, tMod, &a[n])) return 0;
  }
  /* the paper one repeats the first published proposal: the conclusion
   * merges identical proposals */
  struct kg_comment same = {0};
  for (int i = 0; i < nReg && !same.zBody; i++)
    if (a[i].bPublished && strcmp(a[i].zKind, "proposal") == 0 &&
        (rc = kg_store_comment_get(c->pStore, a[i].id, &same)) != KG_OK)
      return fail("read a demo comment", rc);
  for (int k = 0; k < N_PAPER && ok; k++, n++)
    ok = paper_entry(c, id, &cast, k, k ? NULL : same.zBody, tFrom + dt * (nReg + k), &a[n]);
  kg_comment_clear(&same);
  if (!ok) return 0;
  /* threads: replies to the first published comments, official answers to the next */
  for (int k = 0, iParent = 0; k < N_REPLY + N_ANSWER && iParent < nReg; iParent++) {
    if (!a[iParent].bPublished) continue;
    int bAnswer = k >= N_REPLY;
    int64_t t = tFrom + dt * (nReg + N_PAPER + k) + HOUR;
    int iAuthor = bAnswer ? -1 : (a[iParent].iAuthor + 1) % cast.n;
    if (!reply(c, id, &cast, iAuthor, &a[iParent], t, bAnswer ? &ans : &a[n])) return 0;
    if (!bAnswer) n++;
    k++;
  }
  return supports(c, &cast, a, n, tFrom, tTo);
}

/* ---- the conclusion ---- */

struct entries {
  int64_t aId[256];
  int aPublished[256];
  int aLead[256];    /* the first entry with the same kind and body */
  char *azBody[256]; /* kind and body (heap) */
  int n;
  char azParticipant[256][64];
  int nParticipants;
};

static int entry_row(void *pArg, const struct kg_report_entry *e) {
  struct entries *p = pArg;
  if (p->n >= 256) return 1;
  int bNew = 1;
  for (int i = 0; i < p->nParticipants && bNew; i++)
    if (strcmp(p->azParticipant[i], e->zParticipant ? e->zParticipant : "") == 0) bNew = 0;
  if (bNew)
    snprintf(p->azParticipant[p->nParticipants++], 64, "%s",
             e->zParticipant ? e->zParticipant : "");
  p->aPublished[p->n] = strcmp(e->zStatus, "published") == 0;
  p->azBody[p->n] = kg_xasprintf("%s: %s", e->zKind, e->zBody);
  p->aLead[p->n] = p->n;
  for (int i = 0; i < p->n; i++)
    if (p->aLead[i] == i && p->aPublished[i] && p->aPublished[p->n] &&
        strcmp(p->azBody[i], p->azBody[p->n]) == 0)
      p->aLead[p->n] = i;
  p->aId[p->n++] = e->commentId;
  return 0;
}

int demo_story_conclusion(struct demo_ctx *c, int64_t id, int64_t tFrom, int64_t tTo) {
  struct entries *pE = kg_xcalloc(1, sizeof(*pE));
  struct kg_discussion d = {0};
  char *zFindings = NULL;
  int ok = 0, nTaken = 0, iBad = -1;
  enum kg_err rc = kg_store_report_entries(c->pStore, id, 0, entry_row, pE);
  if (rc) {
    fail("read the protocol's entries", rc);
    goto out;
  }
  for (int i = 0; i < pE->n; i++) {
    int64_t aMember[KG_CONCLUSION_MAX_MERGE];
    int nMember = 0;
    if (pE->aLead[i] != i) continue; /* merged into its lead's group */
    for (int j = i + 1; j < pE->n && nMember < KG_CONCLUSION_MAX_MERGE; j++)
      if (pE->aLead[j] == i) aMember[nMember++] = pE->aId[j];
    int bTake = pE->aPublished[i] && demo_rng_below(&c->rng, 5) < 3;
    const char *zReasoning = pE->aPublished[i]
                                 ? demo_text_reasoning(&c->rng, bTake)
                                 : "Не рассматривается по существу: отклонено при модерации как не "
                                   "касающееся обсуждаемого проекта.";
    int64_t t = tFrom + (tTo - tFrom) * (i + 1) / (pE->n + 2);
    nTaken += bTake * (1 + nMember);
    rc = kg_store_conclusion_item_put(c->pStore, id, pE->aId[i], aMember, nMember,
                                      bTake ? "take_into_account" : "reject", zReasoning,
                                      c->idModerator, t, &iBad);
    if (rc) {
      fail("record a recommendation", rc);
      goto out;
    }
  }
  if ((rc = kg_store_discussion_get(c->pStore, id, &d)) != KG_OK) {
    fail("read a demo discussion", rc);
    goto out;
  }
  zFindings =
      demo_text_findings(d.zProjectTitle ? d.zProjectTitle : "", pE->n, pE->nParticipants, nTaken);
  rc = kg_store_conclusion_findings_put(c->pStore, id, zFindings, c->idModerator, tTo - HOUR);
  ok = rc == KG_OK ? 1 : fail("record the findings", rc);
out:
  kg_discussion_clear(&d);
  free(zFindings);
  for (int i = 0; i < pE->n; i++)
    free(pE->azBody[i]);
  free(pE);
  return ok;
}

/* ---- waiting verifications and the support inbox ---- */

int demo_story_extras(struct demo_ctx *c, int64_t idCentral) {
  struct kg_discussion d = {0};
  json_t *apAddr[2];
  char zFull[256], zBirth[11], zErr[200] = "", *zWkt = NULL;
  int64_t idAcc = 0, idProp = 0, t = c->tNow - 2 * 24 * HOUR;
  enum kg_err rc = kg_store_discussion_get(c->pStore, idCentral, &d);
  if (rc) return fail("read the central discussion", rc);
  int nAddr = addresses_in(c, idCentral, d.bbox, apAddr, 2);
  kg_discussion_clear(&d);
  /* a resident who declared an address the moderator has not yet checked */
  for (int i = 0; i < nAddr; i++) {
    double lon, lat;
    const char *zAddr =
        json_string_value(json_object_get(json_object_get(apAddr[i], "properties"), "address"));
    if (!zAddr ||
        !first_position(json_object_get(json_object_get(apAddr[i], "geometry"), "coordinates"),
                        &lon, &lat))
      continue;
    if (!new_account(c, t, &idAcc, zFull, sizeof(zFull), zBirth)) return 0;
    if ((rc = kg_store_residence_put(c->pStore, idAcc, zAddr, lon, lat, "registry", 0,
                                     "self_declared", zBirth, t + i * HOUR, NULL)) != KG_OK)
      return fail("record a waiting residence", rc);
    break;
  }
  /* a right holder whose property waits for the moderator */
  if (!new_account(c, t, &idAcc, zFull, sizeof(zFull), zBirth)) return 0;
  if ((rc = kg_store_parcel_wkt(c->pStore, "16:50:011101:101", &zWkt)) == KG_OK)
    rc = kg_store_property_insert(c->pStore, idAcc, "16:50:011101:101", zWkt, "registry", 0,
                                  "self_declared", t + 3 * HOUR, &idProp, zErr, sizeof(zErr));
  free(zWkt);
  if (rc) return fail("record a waiting property", rc);
  static const struct {
    const char *zName, *zEmail, *zTopic, *zBody, *zPage;
  } aMsg[] = {
      {"Сафина Лейсан", "l.safina@example.org", "Не приходит письмо для сброса пароля",
       "Здравствуйте! Второй день пытаюсь восстановить пароль, письмо так и не пришло, в спаме "
       "его тоже нет. Помогите, пожалуйста.",
       "/reset.html"},
      {"Ибрагимов Рамиль", "r.ibragimov@example.org", "Мой адрес не находится в реестре",
       "Живу по адресу ул. Баумана, д. 58, корп. 2, но при вводе адреса система его не находит, "
       "и я не могу подать предложение.",
       "/residence.html"},
      {"Орлова Мария", "m.orlova@example.org", "Как приложить фотографию к предложению?",
       "Хочу показать, где во дворе стоит вода после дождя. Можно ли приложить фото к "
       "предложению?",
       NULL}};
  for (size_t i = 0; i < sizeof(aMsg) / sizeof(aMsg[0]); i++) {
    struct kg_support_message m = {0};
    int64_t idMsg = 0;
    m.zName = aMsg[i].zName;
    m.zEmail = aMsg[i].zEmail;
    m.zTopic = aMsg[i].zTopic;
    m.zBody = aMsg[i].zBody;
    m.zPageUrl = aMsg[i].zPage;
    rc = kg_store_support_insert(c->pStore, &m, NULL, c->tNow - (int64_t)(3 - i) * 20 * HOUR,
                                 &idMsg, NULL, NULL);
    if (rc) return fail("store a support message", rc);
  }
  return 1;
}

/* comments.c: comments on a discussion. Eligible participants submit
 * proposals, remarks and questions while the discussion is open; each is
 * registered ("D-17/0042") and waits for a moderator (pre-moderation).
 * Moderators publish or reject with a reason (the author is e-mailed),
 * answer officially, and enter proposals that came on paper, by e-mail or in
 * the exposition book on the author's behalf. Published comments are
 * public, with a display name only; personal data (e-mails, addresses, birth
 * dates, residence points) never appear in public views and are never
 * logged. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_comments.h"
#include "api_cache.h"
#include "api_common.h"
#include "api_participants.h"

#define MAX_BODY_CHARS 5000
#define MAX_LOCATION_VERTICES 1000
#define MAX_PAGE 10000
#define LOCATION_MARGIN_M 100.0
#define MAX_GEOJSON_FEATURES 10000
#define MAX_QUERY_BYTES 200

static const char zLocationRule[] =
    "must lie within the discussion's territory or within 100 m of it";

/* Standard reasons for a moderation decision. */
static const struct {
  const char *zCode;
  const char *zTitle;
} aReason[] = {
    {"off_topic", "Не относится к теме обсуждения"},
    {"not_about_project", "Не касается обсуждаемого проекта"},
    {"offensive", "Содержит оскорбления или нецензурные выражения"},
    {"duplicate", "Повторяет ранее поданное предложение"},
    {"personal_data", "Содержит персональные данные других людей"},
    {"advertising", "Содержит рекламу"},
    {"other", "Другая причина"},
};
#define N_REASON (sizeof(aReason) / sizeof(aReason[0]))

static const char *reason_title(const char *zCode) {
  for (size_t i = 0; zCode && i < N_REASON; i++)
    if (strcmp(zCode, aReason[i].zCode) == 0) return aReason[i].zTitle;
  return NULL;
}

static int is_kind(const char *z) {
  return z &&
         (strcmp(z, "proposal") == 0 || strcmp(z, "remark") == 0 || strcmp(z, "question") == 0);
}

static int is_offline_channel(const char *z) {
  return z &&
         (strcmp(z, "paper") == 0 || strcmp(z, "email") == 0 || strcmp(z, "exposition_book") == 0);
}

/* ---- display names ---- */

void kg_api_display_name(const char *zFullName, char *zOut, size_t nOut) {
  /* the full name is asked for as in the passport, surname first:
   * "Фамилия Имя Отчество" is shown as "Имя Ф." */
  const char *z = zFullName ? zFullName : "";
  const char *aWord[2] = {NULL, NULL}; /* surname, first name */
  size_t aLen[2] = {0, 0};
  if (!nOut) return;
  for (int i = 0; i < 2 && *z; i++) {
    while (*z == ' ' || *z == '\t')
      z++;
    if (!*z) break;
    aWord[i] = z;
    while (*z && *z != ' ' && *z != '\t')
      z++;
    aLen[i] = (size_t)(z - aWord[i]);
  }
  if (!aWord[0]) {
    snprintf(zOut, nOut, "Участник");
    return;
  }
  int iName = aWord[1] ? 1 : 0;
  size_t nName = aLen[iName] > 100 ? 100 : aLen[iName];
  while (nName > 0 && nName < aLen[iName] && ((unsigned char)aWord[iName][nName] & 0xC0) == 0x80)
    nName--; /* cut at a UTF-8 boundary */
  if (!aWord[1]) {
    snprintf(zOut, nOut, "%.*s", (int)nName, aWord[0]);
    return;
  }
  size_t nInitial = 1;
  while (aWord[0][nInitial] && ((unsigned char)aWord[0][nInitial] & 0xC0) == 0x80)
    nInitial++;
  snprintf(zOut, nOut, "%.*s %.*s.", (int)nName, aWord[1], (int)nInitial, aWord[0]);
}

/* ---- rendering ---- */

enum { VIEW_PUBLIC = 0, VIEW_OWNER = 1, VIEW_MODERATOR = 2 };

/* The comment as the API shows it. VIEW_PUBLIC has no personal data; the
 * author and moderators also see the basis and the moderation details;
 * moderators see the account and who entered it. */
static json_t *comment_json(const struct kg_comment *c, int view, struct kg_api_raw *pRaw) {
  json_t *p = json_pack(
      "{s:I, s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:s, s:I, s:b, s:s?, s:s}", "id",
      (json_int_t)c->id, "discussion_id", (json_int_t)c->discussionId, "parent_id",
      c->parentId ? json_integer(c->parentId) : json_null(), "kind", c->zKind, "body", c->zBody,
      "location", kg_api_raw_add(pRaw, c->zLocation), "document_id",
      c->documentId ? json_integer(c->documentId) : json_null(), "page",
      c->page ? json_integer(c->page) : json_null(), "status", kg_comment_status_name(c->status),
      "created_at", kg_api_time_json(c->createdAt), "updated_at", kg_api_time_json(c->updatedAt),
      "author_name", c->zDisplayName ? c->zDisplayName : "", "supports", (json_int_t)c->nSupports,
      "official", c->bOfficial, "registration_number", c->zRegNo, "channel",
      c->zChannel ? c->zChannel : "online");
  if (view >= VIEW_OWNER) {
    json_object_set_new(p, "basis", c->zBasis ? json_string(c->zBasis) : json_null());
    json_object_set_new(p, "moderation_reason",
                        c->zModerationReason ? json_string(c->zModerationReason) : json_null());
    json_object_set_new(p, "moderation_code",
                        c->zModerationCode ? json_string(c->zModerationCode) : json_null());
    json_object_set_new(p, "moderated_at", kg_api_time_json(c->moderatedAt));
  }
  if (view >= VIEW_MODERATOR) {
    json_object_set_new(p, "author_id", c->authorId ? json_integer(c->authorId) : json_null());
    json_object_set_new(p, "entered_by", c->enteredBy ? json_integer(c->enteredBy) : json_null());
  }
  return p;
}

/* The view r may have of c: VIEW_MODERATOR, VIEW_OWNER, VIEW_PUBLIC, or -1
 * when r may not see it at all. */
static int view_of(struct kg_req *r, const struct kg_comment *c) {
  const struct kg_account *pAcc = kg_api_account(r);
  if (kg_api_is_moderator(r)) return VIEW_MODERATOR;
  if (pAcc && c->authorId && pAcc->id == c->authorId) return VIEW_OWNER;
  return c->status == KG_CS_PUBLISHED ? VIEW_PUBLIC : -1;
}

/* Replies with comment id as r may see it (status), or 404. */
static void reply_comment(struct kg_req *r, struct kg_store *pStore, int64_t id, unsigned status) {
  struct kg_comment c;
  enum kg_err rc = kg_store_comment_get(pStore, id, &c);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot read the comment");
    return;
  }
  int view = view_of(r, &c);
  if (view < 0) {
    kg_comment_clear(&c);
    kg_reply_problem(r, 404, NULL, "no such comment");
    return;
  }
  struct kg_api_raw raw = {0};
  json_t *p = comment_json(&c, view, &raw);
  if (view == VIEW_MODERATOR && !c.authorId) {
    struct kg_offline_author_row *o = kg_xmalloc(sizeof(*o));
    if (kg_store_comment_offline_get(pStore, id, o) == KG_OK) {
      json_t *pWho = json_pack("{s:s, s:s, s:s}", "full_name", o->zFullName, "birth_date",
                               o->zBirthDate, "address", o->zAddress);
      json_object_set_new(
          pWho, "location",
          o->bLocation ? json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", o->lon, o->lat)
                       : json_null());
      json_object_set_new(p, "on_behalf_of", pWho);
    }
    kg_auth_memzero(o, sizeof(*o));
    free(o);
  }
  kg_comment_clear(&c);
  if (status == 201) {
    char zLoc[64];
    snprintf(zLoc, sizeof(zLoc), "/api/v1/comments/%lld", (long long)id);
    kg_reply_header(r, "Location", zLoc);
  }
  if (view != VIEW_PUBLIC) kg_reply_header(r, "Cache-Control", "no-store");
  kg_api_reply_raw(r, status, p, &raw);
}

/* ---- input ---- */

/* Reads optional positive integer zField (<= nMax) into *pv (0 when absent).
 * Returns 1, or 0 after replying 422. */
static int read_id(struct kg_req *r, json_t *pBody, const char *zField, int64_t nMax, int64_t *pv) {
  json_t *p = json_object_get(pBody, zField);
  *pv = 0;
  if (!p || json_is_null(p)) return 1;
  if (!json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > nMax) {
    char zMsg[80];
    snprintf(zMsg, sizeof(zMsg), "must be an integer from 1 to %lld", (long long)nMax);
    kg_reply_invalid(r, zField, zMsg);
    return 0;
  }
  *pv = json_integer_value(p);
  return 1;
}

/* A location read from a request: WKT for the store, GeoJSON for replies. */
struct location {
  char *zWkt;
  char *zGeoJson;
};

static void location_clear(struct location *l) {
  free(l->zWkt);
  free(l->zGeoJson);
  l->zWkt = l->zGeoJson = NULL;
}

/* Reads field "location" of pBody (absent or null: l stays empty), checks
 * its geometry and the territory rule for discussion discussionId. Returns
 * 1, or 0 after replying. */
static int read_location(struct kg_req *r, struct kg_store *pStore, json_t *pBody,
                         int64_t discussionId, struct location *l) {
  json_t *pGeom = json_object_get(pBody, "location");
  struct kg_geom g = {0};
  char zErr[300];
  int bOk = 0;
  if (!pGeom || json_is_null(pGeom)) return 1;
  if (!json_is_object(pGeom)) {
    kg_reply_invalid(r, "location", "must be a GeoJSON Point, LineString or Polygon object");
    return 0;
  }
  struct kg_geo_limits lim = {MAX_LOCATION_VERTICES,
                              KG_GEOM_POINT | KG_GEOM_LINESTRING | KG_GEOM_POLYGON};
  enum kg_err rc = kg_geo_parse(kg_api_geo(), pGeom, NULL, &lim, &g, zErr, sizeof(zErr));
  if (rc) {
    kg_reply_invalid_status(r, rc == KG_ETOOBIG ? 413 : 422, "location", zErr);
    return 0;
  }
  l->zWkt = kg_geom_to_wkt(&g, 0);
  l->zGeoJson = kg_geom_to_geojson(&g, 0);
  kg_geom_clear(&g);
  rc = kg_store_comment_location_check(pStore, discussionId, l->zWkt, LOCATION_MARGIN_M, &bOk, zErr,
                                       sizeof(zErr));
  if (rc == KG_EINVAL) {
    char zMsg[400];
    snprintf(zMsg, sizeof(zMsg), "is not a valid geometry: %s", zErr);
    kg_reply_invalid(r, "location", zMsg);
  } else if (rc) {
    kg_reply_err(r, rc, "cannot check the location");
  } else if (!bOk) {
    kg_reply_invalid(r, "location", zLocationRule);
  }
  if (rc || !bOk) {
    location_clear(l);
    return 0;
  }
  return 1;
}

/* Reads document_id and page: the document must belong to projectId; a
 * page needs a document. *pbGiven tells whether either field was there.
 * Returns 1, or 0 after replying. */
static int read_document(struct kg_req *r, struct kg_store *pStore, json_t *pBody,
                         int64_t projectId, int64_t *pDocId, int *pPage, int *pbGiven) {
  int64_t page = 0;
  *pbGiven = json_object_get(pBody, "document_id") != NULL || json_object_get(pBody, "page");
  if (!read_id(r, pBody, "document_id", INT64_MAX, pDocId) ||
      !read_id(r, pBody, "page", MAX_PAGE, &page))
    return 0;
  *pPage = (int)page;
  if (page && !*pDocId) {
    kg_reply_invalid(r, "page", "needs document_id: the page of which document");
    return 0;
  }
  if (*pDocId) {
    struct kg_document doc;
    enum kg_err rc = kg_store_document_get(pStore, *pDocId, &doc);
    if (rc == KG_ENOTFOUND || (rc == KG_OK && doc.projectId != projectId)) {
      kg_reply_invalid(r, "document_id", "is not a document of this discussion's project");
      return 0;
    }
    if (rc) {
      kg_reply_err(r, rc, "cannot read the document");
      return 0;
    }
  }
  return 1;
}

/* Reads a date of birth YYYY-MM-DD (a real calendar date from 1900 on,
 * before today) into zOut (11 bytes). */
static int read_birth_date(struct kg_req *r, json_t *pObj, const char *zField, char zOut[11]) {
  static const int aDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const char *z;
  char zToday[21];
  int y = 0, mo = 0, d = 0, ok = 1;
  if (!kg_api_str(r, pObj, zField, 1, 10, &z)) return 0;
  for (int i = 0; i < 10 && ok; i++)
    ok = (i == 4 || i == 7) ? z[i] == '-' : (z[i] >= '0' && z[i] <= '9');
  if (ok && strlen(z) == 10) {
    y = atoi(z);
    mo = atoi(z + 5);
    d = atoi(z + 8);
  }
  int bLeap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  kg_time_format(kg_time_now(), zToday);
  if (!ok || y < 1900 || mo < 1 || mo > 12 || d < 1 || d > aDays[mo - 1] ||
      (mo == 2 && d == 29 && !bLeap) || strncmp(z, zToday, 10) >= 0) {
    kg_reply_invalid(r, zField, "must be a date of birth YYYY-MM-DD in the past");
    return 0;
  }
  memcpy(zOut, z, 11);
  return 1;
}

/* The identification data of an entry on someone's behalf, and where they
 * live: on_behalf_of.location (a Point) if given, else the address
 * geocoded through the address registry. Strings are copied into the
 * caller's buffers. Returns 1, or 0 after replying. */
struct offline_input {
  char zFullName[512];
  char zBirthDate[11];
  char zAddress[2048];
  char zCadastral[128]; /* basis rightholder (issue 14) */
  struct kg_offline_author author;
};

static int read_offline(struct kg_req *r, struct kg_store *pStore, json_t *pBody,
                        struct offline_input *o) {
  static const char *const azKnown[] = {"full_name", "birth_date",       "address", "location",
                                        "basis",     "cadastral_number", NULL};
  json_t *pWho = json_object_get(pBody, "on_behalf_of");
  if (!pWho || !json_is_object(pWho)) {
    kg_reply_invalid(r, "on_behalf_of",
                     "is required with channel: an object {full_name, birth_date, address, "
                     "location?}");
    return 0;
  }
  /* field names in errors carry the prefix: on_behalf_of.address */
  json_t *pWrap = json_object();
  const char *zKey;
  json_t *pVal;
  int ok = 1;
  json_object_foreach(pWho, zKey, pVal) {
    char zField[96];
    snprintf(zField, sizeof(zField), "on_behalf_of.%.64s", zKey);
    json_object_set(pWrap, zField, pVal);
    int bKnown = 0;
    for (int i = 0; azKnown[i]; i++)
      if (strcmp(zKey, azKnown[i]) == 0) bKnown = 1;
    if (!bKnown && ok) {
      kg_reply_invalid(r, zField, "is not a known field");
      ok = 0;
    }
  }
  ok = ok &&
       kg_api_str_trim(r, pWrap, "on_behalf_of.full_name", 1, 300, o->zFullName,
                       sizeof(o->zFullName)) &&
       read_birth_date(r, pWrap, "on_behalf_of.birth_date", o->zBirthDate) &&
       kg_api_str_trim(r, pWrap, "on_behalf_of.address", 1, 500, o->zAddress, sizeof(o->zAddress));
  /* a right holder names the land plot (issue 14): checked against the
   * territory instead of the address, which is recorded as given */
  const char *zBasis = NULL;
  ok = ok && kg_api_str(r, pWrap, "on_behalf_of.basis", 0, 20, &zBasis);
  if (ok && zBasis && strcmp(zBasis, "resident") != 0 && strcmp(zBasis, "rightholder") != 0) {
    kg_reply_invalid(r, "on_behalf_of.basis", "must be resident or rightholder");
    ok = 0;
  }
  int bHolder = ok && zBasis && strcmp(zBasis, "rightholder") == 0;
  if (ok && bHolder)
    ok = kg_api_str_trim(r, pWrap, "on_behalf_of.cadastral_number", 1, 40, o->zCadastral,
                         sizeof(o->zCadastral));
  else if (ok && json_object_get(pWrap, "on_behalf_of.cadastral_number")) {
    kg_reply_invalid(r, "on_behalf_of.cadastral_number", "is given only with basis rightholder");
    ok = 0;
  }
  json_t *pLoc = ok ? json_object_get(pWrap, "on_behalf_of.location") : NULL;
  if (ok && pLoc && !json_is_null(pLoc)) {
    struct kg_geom g = {0};
    char zErr[200];
    struct kg_geo_limits lim = {1, KG_GEOM_POINT};
    if (!json_is_object(pLoc) ||
        kg_geo_parse(kg_api_geo(), pLoc, NULL, &lim, &g, zErr, sizeof(zErr)) != KG_OK) {
      kg_reply_invalid(r, "on_behalf_of.location", "must be a GeoJSON Point (lon, lat)");
      ok = 0;
    } else {
      o->author.bLocation = 1;
      o->author.lon = g.aCoord[0];
      o->author.lat = g.aCoord[1];
      kg_geom_clear(&g);
    }
  }
  json_decref(pWrap);
  if (!ok) return 0;
  if (!o->author.bLocation && !bHolder) {
    double lon = 0, lat = 0;
    enum kg_err rc = kg_store_address_geocode(pStore, o->zAddress, &lon, &lat, NULL, 0);
    if (rc == KG_ENOTFOUND) {
      kg_reply_invalid(r, "on_behalf_of.address",
                       "is not in the address registry: give on_behalf_of.location, the point "
                       "of the residence");
      return 0;
    }
    if (rc) {
      kg_reply_err(r, rc, "cannot look the address up");
      return 0;
    }
    o->author.bLocation = 1;
    o->author.lon = lon;
    o->author.lat = lat;
  }
  o->author.zFullName = o->zFullName;
  o->author.zBirthDate = o->zBirthDate;
  o->author.zAddress = o->zAddress;
  return 1;
}

/* ---- submission ---- */

/* A comment on its way in: what the insert reads until the group-commit
 * writer has made it durable, and what the reply needs after. Owned by the
 * request once deferred (kg_req_defer). */
struct create_ctx {
  struct kg_req *r;
  struct kg_comment_new n;
  struct location loc;
  struct offline_input *pOff;
  char zDisplay[256];
  char zRegNo[KG_REGNO_SIZE];
  int64_t id, retryAfter;
  enum kg_err rc;
};

static void create_ctx_free(void *p) {
  struct create_ctx *x = p;
  location_clear(&x->loc);
  if (x->pOff) {
    kg_auth_memzero(x->pOff, sizeof(*x->pOff));
    free(x->pOff);
  }
  free(x);
}

/* The writer's answer (its thread): wake the request. */
static void comment_inserted(void *p, enum kg_err rc) {
  struct create_ctx *x = p;
  x->rc = rc;
  kg_req_resume(x->r);
}

/* The request's worker thread again, the comment durable or refused. */
static void comment_created(struct kg_req *r, void *p) {
  struct create_ctx *x = p;
  struct kg_store *pStore;
  if (x->rc == KG_ELIMIT) {
    char zWhat[64];
    snprintf(zWhat, sizeof(zWhat), "at most %d comments a minute", KG_COMMENT_RATE_MAX);
    kg_api_reply_retry(r, x->retryAfter, zWhat);
  } else if (x->rc == KG_ECONFLICT) {
    kg_reply_problem(r, 409, NULL, "the discussion is not accepting comments now");
  } else if (x->rc) {
    kg_reply_err(r, x->rc, "cannot save the comment");
  } else {
    kg_log_info("comment submitted id=%lld discussion=%lld official=%d channel=%s",
                (long long)x->id, (long long)x->n.discussionId, x->n.bOfficial,
                x->n.zChannel ? x->n.zChannel : "online");
    if ((pStore = kg_api_store(r))) reply_comment(r, pStore, x->id, 201);
  }
}

void kg_api_comments_create(struct kg_req *r) {
  static const char *const azKnown[] = {"kind",      "body",         "location",
                                        "parent_id", "document_id",  "page",
                                        "channel",   "on_behalf_of", NULL};
  int64_t discussionId = kg_req_param_id(r, "id");
  const struct kg_account *pAcc = kg_api_account(r);
  json_t *pBody;
  struct kg_store *pStore;
  enum kg_status status = KG_ST_DRAFT;
  int64_t projectId = 0;
  struct create_ctx *x = NULL;
  const char *zKind = NULL, *zBody = NULL, *zChannel = NULL, *zBasis = NULL;
  int64_t parentId = 0, documentId = 0;
  int page = 0, bDocGiven = 0;
  int bMod = kg_api_is_moderator(r);
  enum kg_err rc;

  if (!discussionId) {
    kg_reply_problem(r, 404, NULL, "no such discussion");
    return;
  }
  if (!(pBody = kg_req_json(r)) || !kg_api_known_fields(r, pBody, azKnown) ||
      !kg_api_str(r, pBody, "channel", 0, 20, &zChannel) || !(pStore = kg_api_store(r)))
    return;
  if (zChannel && strcmp(zChannel, "online") == 0) zChannel = NULL;
  if (zChannel && !is_offline_channel(zChannel)) {
    kg_reply_invalid(r, "channel", "must be one of paper, email, exposition_book");
    return;
  }
  if (zChannel && !bMod) {
    kg_reply_problem(r, 403, NULL,
                     "only moderators enter proposals that came on paper, by e-mail or in the "
                     "exposition book");
    return;
  }
  if (!zChannel && json_object_get(pBody, "on_behalf_of")) {
    kg_reply_invalid(r, "channel",
                     "is required with on_behalf_of: one of paper, email, exposition_book");
    return;
  }
  int bOfficial = bMod && !zChannel;
  x = kg_xcalloc(1, sizeof(*x));
  x->r = r;

  rc = kg_store_discussion_status(pStore, discussionId, &status, &projectId);
  if (rc == KG_OK && status == KG_ST_DRAFT && !bMod) rc = KG_ENOTFOUND;
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot read the discussion");
    goto out;
  }
  /* the law: proposals are accepted only during the exposition; moderators
   * may answer at any time until the discussion is cancelled */
  if (bOfficial ? (status == KG_ST_DRAFT || status == KG_ST_CANCELLED) : status != KG_ST_OPEN) {
    char zMsg[160];
    snprintf(zMsg, sizeof(zMsg),
             bOfficial ? "the discussion is %s: answers are not accepted"
                       : "comments are accepted only while the discussion is open; it is %s",
             kg_status_name(status));
    kg_reply_problem(r, 409, NULL, zMsg);
    goto out;
  }
  if (!bMod) {
    struct kg_eligibility e;
    if ((rc = kg_store_eligibility(pStore, pAcc->id, discussionId, &e)) != KG_OK) {
      kg_reply_err(r, rc, "cannot check the eligibility");
      goto out;
    }
    if (!e.bEligible) {
      kg_reply_problem(r, e.reason == KG_ELIG_NOT_OPEN ? 409 : 403, NULL,
                       kg_api_eligibility_reason(&e));
      goto out;
    }
    zBasis = kg_basis_name(e.basis);
  }

  /* fields */
  if (!kg_api_str(r, pBody, "kind", !bOfficial, 20, &zKind)) goto out;
  if (!zKind) zKind = "remark"; /* an official answer */
  if (!is_kind(zKind)) {
    kg_reply_invalid(r, "kind", "must be one of proposal, remark, question");
    goto out;
  }
  if (!kg_api_str(r, pBody, "body", 1, MAX_BODY_CHARS, &zBody) ||
      !read_id(r, pBody, "parent_id", INT64_MAX, &parentId) ||
      !read_document(r, pStore, pBody, projectId, &documentId, &page, &bDocGiven) ||
      !read_location(r, pStore, pBody, discussionId, &x->loc))
    goto out;
  if (parentId) {
    struct kg_comment parent;
    rc = kg_store_comment_get(pStore, parentId, &parent);
    int bOk =
        rc == KG_OK && parent.discussionId == discussionId && parent.status == KG_CS_PUBLISHED;
    if (rc == KG_OK) kg_comment_clear(&parent);
    if (rc != KG_OK && rc != KG_ENOTFOUND) {
      kg_reply_err(r, rc, "cannot read the comment replied to");
      goto out;
    }
    if (!bOk) {
      kg_reply_invalid(r, "parent_id", "must be a published comment of this discussion");
      goto out;
    }
  }
  if (zChannel) {
    int bIn = 0, bFound = 1;
    x->pOff = kg_xcalloc(1, sizeof(*x->pOff));
    if (!read_offline(r, pStore, pBody, x->pOff)) goto out;
    const char *zCad = x->pOff->zCadastral[0] ? x->pOff->zCadastral : NULL;
    rc = zCad ? kg_store_parcel_in_territory(pStore, discussionId, zCad, &bFound, &bIn)
              : kg_store_comment_point_in_territory(pStore, discussionId, x->pOff->author.lon,
                                                    x->pOff->author.lat, &bIn);
    if (rc) {
      kg_reply_err(r, rc, "cannot check the eligibility");
      goto out;
    }
    if (zCad && !bIn) {
      kg_reply_invalid(r, "on_behalf_of.cadastral_number",
                       bFound ? "the land plot lies outside the territory of this discussion"
                              : "is not in the parcels layer");
      goto out;
    }
    if (!bIn) {
      kg_reply_problem(r, 403, NULL,
                       "Адрес участника находится за пределами территории этого обсуждения");
      goto out;
    }
    zBasis = zCad ? "rightholder" : "resident";
    kg_api_display_name(x->pOff->zFullName, x->zDisplay, sizeof(x->zDisplay));
  } else if (bOfficial) {
    /* an official answer is signed by the project's organizer; the
     * moderator who wrote it is in the moderation log (issue 14) */
    struct kg_project pr = {0};
    if ((rc = kg_store_project_get(pStore, projectId, &pr)) != KG_OK) {
      kg_reply_err(r, rc, "cannot read the project");
      goto out;
    }
    const char *zOrg = pr.zOrganizer ? pr.zOrganizer : "";
    size_t n = strlen(zOrg);
    if (n >= sizeof(x->zDisplay)) { /* cut at a character boundary */
      n = sizeof(x->zDisplay) - 1;
      while (n && ((unsigned char)zOrg[n] & 0xC0) == 0x80)
        n--;
    }
    memcpy(x->zDisplay, zOrg, n);
    x->zDisplay[n] = 0;
    kg_project_clear(&pr);
  } else {
    kg_api_display_name(pAcc->zFullName, x->zDisplay, sizeof(x->zDisplay));
  }

  /* the strings from the body live as long as the request */
  struct kg_comment_new *n = &x->n;
  n->discussionId = discussionId;
  n->authorId = zChannel ? 0 : pAcc->id;
  n->enteredBy = zChannel ? pAcc->id : 0;
  n->zKind = zKind;
  n->zChannel = zChannel;
  n->zBody = zBody;
  n->zLocationWkt = x->loc.zWkt;
  n->zLocationGeoJson = x->loc.zGeoJson;
  n->parentId = parentId;
  n->documentId = documentId;
  n->page = page;
  n->zBasis = zBasis;
  n->bOfficial = bOfficial;
  n->zDisplayName = x->zDisplay;
  n->pOffline = x->pOff ? &x->pOff->author : NULL;
  n->zOfflineCadastral = x->pOff && x->pOff->zCadastral[0] ? x->pOff->zCadastral : NULL;
  n->bRateLimit = !bMod;
  /* answered once the group commit has the comment on disk; this thread
   * serves other connections meanwhile */
  kg_req_defer(r, comment_created, x, create_ctx_free);
  kg_store_comment_insert_async(pStore, &x->n, kg_time_now(), &x->id, x->zRegNo, &x->retryAfter,
                                comment_inserted, x);
  return;
out:
  if (x) create_ctx_free(x);
}

/* ---- one comment: read, edit, withdraw ---- */

void kg_api_comments_get(struct kg_req *r) {
  int64_t id = kg_req_param_id(r, "id");
  struct kg_store *pStore;
  if (!id) {
    kg_reply_problem(r, 404, NULL, "no such comment");
    return;
  }
  if (!(pStore = kg_api_store(r))) return;
  reply_comment(r, pStore, id, 200);
}

/* Reads comment id for its author's change: replies 404 (no such comment,
 * or hidden from r), 403 (someone else's) or 409 (no longer pending) and
 * returns 0; else fills *pC (kg_comment_clear) and returns 1. */
static int own_pending(struct kg_req *r, struct kg_store *pStore, int64_t id,
                       struct kg_comment *pC) {
  const struct kg_account *pAcc = kg_api_account(r);
  enum kg_err rc = id ? kg_store_comment_get(pStore, id, pC) : KG_ENOTFOUND;
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot read the comment");
    return 0;
  }
  if (!pC->authorId || pC->authorId != pAcc->id) {
    kg_reply_problem(r, 403, NULL, "only the author may change or withdraw a comment");
  } else if (pC->status != KG_CS_PENDING) {
    char zMsg[120];
    snprintf(zMsg, sizeof(zMsg), "the comment is %s: only a pending comment can be changed",
             kg_comment_status_name(pC->status));
    kg_reply_problem(r, 409, NULL, zMsg);
  } else {
    return 1;
  }
  kg_comment_clear(pC);
  return 0;
}

void kg_api_comments_update(struct kg_req *r) {
  static const char *const azKnown[] = {"kind", "body", "location", "document_id", "page", NULL};
  int64_t id = kg_req_param_id(r, "id");
  json_t *pBody;
  struct kg_store *pStore;
  struct kg_comment c;
  struct location loc = {0};
  struct kg_discussion d = {0};
  struct kg_comment_edit e = {0};
  if (!(pBody = kg_req_json(r)) || !kg_api_known_fields(r, pBody, azKnown) ||
      !(pStore = kg_api_store(r)) || !own_pending(r, pStore, id, &c))
    return;
  enum kg_err rc = kg_store_discussion_get(pStore, c.discussionId, &d);
  if (rc) {
    kg_reply_err(r, rc, "cannot read the discussion");
    goto out;
  }
  if (d.status != KG_ST_OPEN) {
    kg_reply_problem(r, 409, NULL, "the discussion is no longer open: comments cannot change");
    goto out;
  }
  if (!kg_api_str(r, pBody, "body", json_object_get(pBody, "body") != NULL, MAX_BODY_CHARS,
                  &e.zBody) ||
      !kg_api_str(r, pBody, "kind", 0, 20, &e.zKind))
    goto out;
  if (e.zKind && !is_kind(e.zKind)) {
    kg_reply_invalid(r, "kind", "must be one of proposal, remark, question");
    goto out;
  }
  if (!read_document(r, pStore, pBody, d.projectId, &e.documentId, &e.page, &e.bDocument) ||
      !read_location(r, pStore, pBody, c.discussionId, &loc))
    goto out;
  e.zLocationWkt = loc.zWkt;
  e.zLocationGeoJson = loc.zGeoJson;
  json_t *pLoc = json_object_get(pBody, "location");
  e.bClearLocation = pLoc && json_is_null(pLoc);
  rc = kg_store_comment_update(pStore, id, &e, kg_time_now());
  if (rc == KG_ECONFLICT) {
    kg_reply_problem(r, 409, NULL, "the comment is no longer pending");
    goto out;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot save the comment");
    goto out;
  }
  reply_comment(r, pStore, id, 200);
out:
  kg_comment_clear(&c);
  kg_discussion_clear(&d);
  location_clear(&loc);
}

void kg_api_comments_withdraw(struct kg_req *r) {
  int64_t id = kg_req_param_id(r, "id");
  struct kg_store *pStore;
  struct kg_comment c;
  if (!(pStore = kg_api_store(r)) || !own_pending(r, pStore, id, &c)) return;
  kg_comment_clear(&c);
  enum kg_err rc = kg_store_comment_withdraw(pStore, id, kg_time_now());
  if (rc == KG_ECONFLICT) {
    /* pending was checked above: the discussion has closed (or it just
     * changed) */
    kg_reply_problem(r, 409, NULL,
                     "the comment cannot be withdrawn: it is no longer pending or the "
                     "discussion has closed and its record is final");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot withdraw the comment");
    return;
  }
  reply_comment(r, pStore, id, 200);
}

/* ---- moderation ---- */

void kg_api_moderation_reasons(struct kg_req *r) {
  json_t *pItems = json_array();
  for (size_t i = 0; i < N_REASON; i++)
    json_array_append_new(
        pItems, json_pack("{s:s, s:s}", "code", aReason[i].zCode, "title", aReason[i].zTitle));
  kg_reply_json(r, 200, json_pack("{s:o}", "items", pItems));
}

/* The e-mail telling the author of c about the decision (heap strings in
 * *pzSubject and *pzText, free()). */
static void decision_mail(struct kg_req *r, const struct kg_comment *c, const char *zTitle,
                          int bPublish, const char *zReason, char **pzSubject, char **pzText) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  const char *zBase = pCfg && pCfg->zBaseUrl ? pCfg->zBaseUrl : "";
  const char *zNo = c->zRegNo ? c->zRegNo : "";
  *pzSubject = kg_xasprintf(
      bPublish ? "Ваше предложение %s опубликовано" : "Ваше предложение %s отклонено", zNo);
  /* the appeal button is on "my proposals" (appeals.c) */
  char *zAppeal = !bPublish && pCfg && pCfg->nAppealDays > 0
                      ? kg_xasprintf("\nРешение можно обжаловать в течение %d дн. на странице "
                                     "«Мои предложения» (кнопка «Обжаловать»).\n",
                                     pCfg->nAppealDays)
                      : kg_xstrdup("");
  *pzText = kg_xasprintf("Здравствуйте!\n\n"
                         "Ваше предложение (замечание) № %s по общественным обсуждениям «%s» %s.\n"
                         "%s%s%s%s"
                         "\nВсе ваши предложения и их состояние: %s/my-comments.html\n"
                         "Обсуждение: %s/discussion.html?id=%lld\n\n"
                         "Это письмо отправлено автоматически, отвечать на него не нужно.\n",
                         zNo, zTitle ? zTitle : "",
                         bPublish ? "прошло модерацию и опубликовано" : "отклонено",
                         zReason ? "Причина: " : "", zReason ? zReason : "", zReason ? "\n" : "",
                         zAppeal, zBase, zBase, (long long)c->discussionId);
  free(zAppeal);
}

void kg_api_comments_moderate(struct kg_req *r) {
  static const char *const azKnown[] = {"decision", "reason", "reason_code", NULL};
  int64_t id = kg_req_param_id(r, "id");
  json_t *pBody;
  struct kg_store *pStore;
  const char *zDecision, *zReason, *zCode;
  struct kg_comment c = {0};
  struct kg_discussion d = {0};
  struct kg_account author;
  char *zText = NULL, *zSubject = NULL, *zReasonFull = NULL;
  if (!id) {
    kg_reply_problem(r, 404, NULL, "no such comment");
    return;
  }
  if (!(pBody = kg_req_json(r)) || !kg_api_known_fields(r, pBody, azKnown) ||
      !kg_api_str(r, pBody, "decision", 1, 20, &zDecision) ||
      !kg_api_str(r, pBody, "reason", 0, 2000, &zReason) ||
      !kg_api_str(r, pBody, "reason_code", 0, 40, &zCode) || !(pStore = kg_api_store(r)))
    return;
  int bPublish = strcmp(zDecision, "publish") == 0;
  if (!bPublish && strcmp(zDecision, "reject") != 0) {
    kg_reply_invalid(r, "decision", "must be publish or reject");
    return;
  }
  /* a standard reason may come as reason_code or as the reason itself */
  if (!zCode && reason_title(zReason)) {
    zCode = zReason;
    zReason = NULL;
  }
  if (zCode && !reason_title(zCode)) {
    kg_reply_invalid(r, "reason_code",
                     "must be one of off_topic, not_about_project, offensive, duplicate, "
                     "personal_data, advertising, other");
    return;
  }
  if (zReason) {
    size_t i = 0;
    while (zReason[i] == ' ' || zReason[i] == '\n' || zReason[i] == '\t' || zReason[i] == '\r')
      i++;
    if (!zReason[i]) zReason = NULL;
  }
  if (!bPublish && (!zCode || strcmp(zCode, "other") == 0) && !zReason) {
    kg_reply_invalid(r, "reason",
                     "is required to reject: a standard reason (reason_code) or your words");
    return;
  }
  enum kg_err rc = kg_store_comment_get(pStore, id, &c);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot read the comment");
    goto out;
  }
  if (c.status != KG_CS_PENDING) {
    char zMsg[120];
    snprintf(zMsg, sizeof(zMsg), "the comment is %s already: only pending comments are moderated",
             kg_comment_status_name(c.status));
    kg_reply_problem(r, 409, NULL, zMsg);
    goto out;
  }
  const char *zTitle = zCode ? reason_title(zCode) : NULL;
  if (zTitle && zReason && strcmp(zCode, "other") != 0)
    zReasonFull = kg_xasprintf("%s. %s", zTitle, zReason);
  else if (zReason)
    zReasonFull = kg_xstrdup(zReason);
  else if (zTitle)
    zReasonFull = kg_xstrdup(zTitle);
  struct kg_comment_mail mail = {0};
  if (c.authorId && kg_store_account_get(pStore, c.authorId, &author) == KG_OK &&
      kg_store_discussion_get(pStore, c.discussionId, &d) == KG_OK) {
    decision_mail(r, &c, d.zTitle, bPublish, zReasonFull, &zSubject, &zText);
    mail.zTo = author.zEmail;
    mail.zSubject = zSubject;
    mail.zText = zText;
  }
  rc = kg_store_comment_moderate(pStore, id, bPublish, zCode, zReasonFull, kg_api_account(r)->id,
                                 mail.zTo ? &mail : NULL, kg_time_now());
  if (rc == KG_ECONFLICT) {
    kg_reply_problem(r, 409, NULL, "the comment was moderated meanwhile");
    goto out;
  }
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot save the decision");
    goto out;
  }
  kg_log_info("comment moderated id=%lld decision=%s", (long long)id, zDecision);
  reply_comment(r, pStore, id, 200);
out:
  kg_comment_clear(&c);
  kg_discussion_clear(&d);
  free(zSubject);
  free(zText);
  free(zReasonFull);
}

/* ---- supports ---- */

void kg_api_comments_support(struct kg_req *r) {
  int64_t id = kg_req_param_id(r, "id");
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore;
  struct kg_comment c;
  struct kg_eligibility e;
  int64_t n = 0;
  if (!(pStore = kg_api_store(r))) return;
  enum kg_err rc = id ? kg_store_comment_get(pStore, id, &c) : KG_ENOTFOUND;
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot read the comment");
    return;
  }
  int view = view_of(r, &c);
  int64_t discussionId = c.discussionId;
  enum kg_comment_status st = c.status;
  kg_comment_clear(&c);
  if (view < 0) {
    kg_reply_problem(r, 404, NULL, "no such comment");
    return;
  }
  if (st != KG_CS_PUBLISHED) {
    kg_reply_problem(r, 409, NULL, "only published comments can be supported");
    return;
  }
  if ((rc = kg_store_eligibility(pStore, pAcc->id, discussionId, &e)) != KG_OK) {
    kg_reply_err(r, rc, "cannot check the eligibility");
    return;
  }
  if (!e.bEligible) {
    kg_reply_problem(r, e.reason == KG_ELIG_NOT_OPEN ? 409 : 403, NULL,
                     kg_api_eligibility_reason(&e));
    return;
  }
  rc = kg_store_comment_support(pStore, id, pAcc->id, kg_time_now(), &n);
  if (rc == KG_ECONFLICT) {
    kg_reply_problem(r, 409, NULL, "you have supported this comment already");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot save the support");
    return;
  }
  kg_reply_json(r, 201,
                json_pack("{s:I, s:I}", "comment_id", (json_int_t)id, "supports", (json_int_t)n));
}

/* ---- lists ---- */

struct list_ctx {
  struct kg_req *r;
  json_t *pItems;
  struct kg_api_raw raw;
  int n;
  int view;     /* VIEW_* for every row, or -1: per row (view_of) */
  int bGeoJson; /* features instead of comments */
  int64_t lastId;
};

static int list_row(void *pArg, const struct kg_comment *c) {
  struct list_ctx *x = pArg;
  int view = x->view >= 0 ? x->view : view_of(x->r, c);
  x->lastId = c->id;
  x->n++;
  if (x->bGeoJson) {
    json_t *pProps = comment_json(c, VIEW_PUBLIC, &x->raw);
    json_t *pGeom = json_object_get(pProps, "location");
    json_incref(pGeom);
    json_object_del(pProps, "location");
    json_array_append_new(x->pItems,
                          json_pack("{s:s, s:I, s:o, s:o}", "type", "Feature", "id",
                                    (json_int_t)c->id, "geometry", pGeom, "properties", pProps));
  } else {
    json_array_append_new(x->pItems, comment_json(c, view < 0 ? VIEW_PUBLIC : view, &x->raw));
  }
  return 0;
}

/* Runs the list query for f (one extra row tells whether there is a next
 * page) and replies {items, next}. */
static void reply_list(struct kg_req *r, struct kg_store *pStore, struct kg_comment_filter *f,
                       int view, struct kg_api_cache_key *pKey) {
  int nLimit = f->nLimit;
  struct list_ctx x = {r, json_array(), {0}, 0, view, 0, 0};
  f->nLimit = nLimit + 1;
  enum kg_err rc = kg_store_comment_list(pStore, f, list_row, &x);
  if (rc) {
    json_decref(x.pItems);
    kg_api_raw_free(&x.raw);
    kg_reply_err(r, rc, "cannot list comments");
    return;
  }
  json_t *pOut = kg_api_page_json(x.pItems, nLimit);
  if (pKey) {
    kg_api_cache_reply(r, pKey, pOut, &x.raw);
    return;
  }
  if (view != VIEW_PUBLIC) kg_reply_header(r, "Cache-Control", "no-store");
  kg_api_reply_raw(r, 200, pOut, &x.raw);
}

/* ?status= into f->statusMask: published for everyone; pending, rejected,
 * withdrawn and all for moderators (bAny: for the author's own list).
 * Returns 1, or 0 after replying. */
static int read_status(struct kg_req *r, struct kg_comment_filter *f, int bAny) {
  const char *z = kg_req_query(r, "status");
  enum kg_comment_status st;
  if (!z) return 1;
  if (strcmp(z, "all") == 0) {
    f->statusMask = (1u << KG_CS__COUNT) - 1;
  } else if (kg_comment_status_parse(z, &st) == KG_OK) {
    f->statusMask = 1u << st;
  } else {
    kg_reply_invalid_status(r, 400, "status",
                            "must be one of published, pending, rejected, withdrawn, all");
    return 0;
  }
  if (!bAny && f->statusMask != (1u << KG_CS_PUBLISHED) && !kg_api_is_moderator(r)) {
    kg_reply_problem(r, 403, NULL, "only moderators see comments that are not published");
    return 0;
  }
  return 1;
}

/* ?kind= and ?q= into f. Returns 1, or 0 after replying 400. */
static int read_kind_query(struct kg_req *r, struct kg_comment_filter *f) {
  const char *z;
  if ((z = kg_req_query(r, "kind")) != NULL) {
    if (!is_kind(z)) {
      kg_reply_invalid_status(r, 400, "kind", "must be one of proposal, remark, question");
      return 0;
    }
    f->zKind = z;
  }
  if ((z = kg_req_query(r, "q")) != NULL && *z) {
    if (strlen(z) > MAX_QUERY_BYTES || !kg_utf8_valid_text(z, strlen(z))) {
      kg_reply_invalid_status(r, 400, "q", "must be text of at most 200 bytes");
      return 0;
    }
    f->zQuery = z;
  }
  return 1;
}

/* The discussion of the {id} path segment, if r may see it. Returns 1, or
 * 0 after replying 404. */
int kg_api_visible_discussion(struct kg_req *r, struct kg_store *pStore, int64_t id) {
  enum kg_status status = KG_ST_DRAFT;
  enum kg_err rc = id ? kg_store_discussion_status(pStore, id, &status, NULL) : KG_ENOTFOUND;
  if (rc == KG_OK && status == KG_ST_DRAFT && !kg_api_is_moderator(r)) rc = KG_ENOTFOUND;
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot read the discussion");
    return 0;
  }
  return 1;
}

void kg_api_comments_list(struct kg_req *r) {
  struct kg_comment_filter f = {0};
  struct kg_store *pStore;
  f.discussionId = kg_req_param_id(r, "id");
  if (!kg_api_page(r, &f.nLimit, &f.afterId) || !read_status(r, &f, 0) || !read_kind_query(r, &f) ||
      !(pStore = kg_api_store(r)))
    return;
  /* the public view through the response cache: a hit was built while the
   * discussion was visible, at the same versions */
  int bMod = kg_api_is_moderator(r);
  struct kg_api_cache_key k;
  if (!bMod && kg_api_cache_serve(r, pStore, f.discussionId, &k)) return;
  if (!kg_api_visible_discussion(r, pStore, f.discussionId)) return;
  reply_list(r, pStore, &f, bMod ? VIEW_MODERATOR : VIEW_PUBLIC, bMod ? NULL : &k);
}

void kg_api_me_comments(struct kg_req *r) {
  struct kg_comment_filter f = {0};
  struct kg_store *pStore;
  const char *z;
  f.authorId = kg_api_account(r)->id;
  f.statusMask = (1u << KG_CS__COUNT) - 1;
  if (!kg_api_page(r, &f.nLimit, &f.afterId) || !read_status(r, &f, 1) || !read_kind_query(r, &f))
    return;
  if ((z = kg_req_query(r, "discussion")) != NULL) {
    char *zEnd;
    long long v = strtoll(z, &zEnd, 10);
    if (!*z || *zEnd || v < 1) {
      kg_reply_invalid_status(r, 400, "discussion", "must be a discussion id");
      return;
    }
    f.discussionId = v;
  }
  if (!(pStore = kg_api_store(r))) return;
  reply_list(r, pStore, &f, VIEW_OWNER, NULL);
}

void kg_api_comments_geojson(struct kg_req *r) {
  struct kg_comment_filter f = {0};
  struct kg_store *pStore;
  const char *z;
  char zErr[200];
  f.discussionId = kg_req_param_id(r, "id");
  f.bLocated = 1;
  f.nLimit = MAX_GEOJSON_FEATURES;
  if (!read_kind_query(r, &f)) return;
  if ((z = kg_req_query(r, "bbox")) != NULL) {
    if (kg_geo_parse_bbox(z, f.bbox, zErr, sizeof(zErr)) != KG_OK) {
      kg_reply_invalid_status(r, 400, "bbox", zErr);
      return;
    }
    f.bBbox = 1;
  }
  if (!(pStore = kg_api_store(r))) return;
  struct kg_api_cache_key k;
  if (kg_api_cache_serve(r, pStore, f.discussionId, &k)) return; /* as in comments_list */
  if (!kg_api_visible_discussion(r, pStore, f.discussionId)) return;
  struct list_ctx x = {r, json_array(), {0}, 0, VIEW_PUBLIC, 1, 0};
  enum kg_err rc = kg_store_comment_list(pStore, &f, list_row, &x);
  if (rc) {
    json_decref(x.pItems);
    kg_api_raw_free(&x.raw);
    kg_reply_err(r, rc, "cannot list comments");
    return;
  }
  kg_api_cache_reply(r, &k,
                     json_pack("{s:s, s:o, s:I}", "type", "FeatureCollection", "features", x.pItems,
                               "numberReturned", (json_int_t)x.n),
                     &x.raw);
}

/* ---- the moderation log ---- */

static int modlog_row(void *pArg, const struct kg_modlog_entry *e) {
  json_array_append_new(
      pArg, json_pack("{s:I, s:{s:o, s:s?}, s:s, s:{s:s, s:o}, s:s?, s:o}", "id", (json_int_t)e->id,
                      "actor", "id", e->actorId ? json_integer(e->actorId) : json_null(), "name",
                      e->zActorName, "action", e->zAction, "target", "type", e->zTargetType, "id",
                      e->targetId ? json_integer(e->targetId) : json_null(), "reason", e->zReason,
                      "at", kg_api_time_json(e->at)));
  return 0;
}

void kg_api_moderation_log(struct kg_req *r) {
  int nLimit;
  int64_t beforeId;
  struct kg_store *pStore;
  if (!kg_api_page(r, &nLimit, &beforeId) || !(pStore = kg_api_store(r))) return;
  json_t *pItems = json_array();
  enum kg_err rc = kg_store_modlog_list(pStore, beforeId, nLimit + 1, modlog_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot read the moderation log");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, kg_api_page_json(pItems, nLimit));
}

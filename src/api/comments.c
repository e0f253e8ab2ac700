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
#include "api_elig_cache.h"
#include "api_participants.h"
#include "kengash/mail.h"

#define MAX_BODY_CHARS 5000
#define MAX_LOCATION_VERTICES 1000
#define MAX_PAGE 10000
#define MAX_GEOJSON_FEATURES 10000
#define MAX_QUERY_BYTES 200

static const char zWhoRule[] =
    "is required with channel: an object {full_name, birth_date, address, location?}";

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

/* Replies with comment c as r may see it (status; 201 adds Location), or
 * 404. pOff is the author of an entry on someone's behalf (moderators see
 * it), or NULL. */
static void render_comment(struct kg_req *r, const struct kg_comment *c,
                           const struct kg_offline_author *pOff, unsigned status) {
  int view = view_of(r, c);
  if (view < 0) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such comment");
    return;
  }
  struct kg_api_raw raw = {0};
  json_t *p = comment_json(c, view, &raw);
  if (view == VIEW_MODERATOR && !c->authorId && pOff) {
    json_t *pWho = json_pack("{s:s, s:s, s:s}", "full_name", pOff->zFullName, "birth_date",
                             pOff->zBirthDate, "address", pOff->zAddress);
    json_object_set_new(pWho, "location",
                        pOff->bLocation ? json_pack("{s:s, s:[f,f]}", "type", "Point",
                                                    "coordinates", pOff->lon, pOff->lat)
                                        : json_null());
    json_object_set_new(p, "on_behalf_of", pWho);
  }
  if (status == 201) {
    char zLoc[64];
    snprintf(zLoc, sizeof(zLoc), "/api/v1/comments/%lld", (long long)c->id);
    kg_reply_header(r, "Location", zLoc);
  }
  if (view != VIEW_PUBLIC) kg_reply_header(r, "Cache-Control", "no-store");
  kg_api_reply_raw(r, status, p, &raw);
}

/* Replies with comment id as r may see it (status), or 404. */
static void reply_comment(struct kg_req *r, struct kg_store *pStore, int64_t id, unsigned status) {
  struct kg_comment c;
  struct kg_offline_author_row *o = NULL;
  struct kg_offline_author off = {0};
  enum kg_err rc = kg_store_comment_get(pStore, id, &c);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot read the comment");
    return;
  }
  if (!c.authorId && kg_api_is_moderator(r)) {
    o = kg_xmalloc(sizeof(*o));
    if (kg_store_comment_offline_get(pStore, id, o) == KG_OK)
      off = (struct kg_offline_author){o->zFullName, o->zBirthDate, o->zAddress,
                                       o->bLocation, o->lon,        o->lat};
  }
  render_comment(r, &c, off.zFullName ? &off : NULL, status);
  kg_comment_clear(&c);
  if (o) {
    kg_auth_memzero(o, sizeof(*o));
    free(o);
  }
}

/* ---- input ---- */

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

/* Parses pGeom, the field "location" (NULL: l stays empty), as a
 * GeoJSON Point, LineString or Polygon. Returns 1, or 0 after replying
 * (413 past the vertex limit). The territory rule is the store's. */
static int read_location(struct kg_req *r, json_t *pGeom, struct location *l) {
  struct kg_geom g = {0};
  char zErr[300];
  if (!pGeom) return 1;
  if (!json_is_object(pGeom)) {
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, "location",
                 "must be a GeoJSON Point, LineString or Polygon object");
    return 0;
  }
  struct kg_geo_limits lim = {MAX_LOCATION_VERTICES,
                              KG_GEOM_POINT | KG_GEOM_LINESTRING | KG_GEOM_POLYGON};
  enum kg_err rc = kg_geo_parse(kg_api_geo(), pGeom, NULL, &lim, &g, zErr, sizeof(zErr));
  if (rc) {
    kg_reply_bad_status(r, rc == KG_ETOOBIG ? 413 : 422, KG_R_INVALID_GEOMETRY, "location", zErr);
    return 0;
  }
  l->zWkt = kg_geom_to_wkt(&g, 0);
  l->zGeoJson = kg_geom_to_geojson(&g, 0);
  kg_geom_clear(&g);
  return 1;
}

/* A page needs a document. Returns 1, or 0 after replying. */
static int page_has_document(struct kg_req *r, int64_t documentId, int64_t page) {
  if (page && !documentId) {
    kg_reply_bad(r, KG_R_NEEDS_OTHER, "page", "needs document_id: the page of which document");
    return 0;
  }
  return 1;
}

/* xCheck of on_behalf_of.birth_date: YYYY-MM-DD, a real calendar date
 * from 1900 on, before today; copied into pF->pArg (char[11]). */
static int birth_date_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  static const int aDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const char *z = *(const char **)pF->pOut;
  char zToday[21];
  int y = 0, mo = 0, d = 0, ok = 1;
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
    snprintf(zReason, nReason, "must be a date of birth YYYY-MM-DD in the past");
    return 0;
  }
  memcpy(pF->pArg, z, 11);
  return 1;
}

/* An entry on someone's behalf as read from on_behalf_of: the caller's
 * buffers for the author's identification data. */
struct offline_input {
  char zFullName[512];
  char zBirthDate[11];
  char zAddress[2048];
  char zCadastral[128]; /* basis rightholder (issue 14) */
  const char *zBirth, *zBasis;
  json_t *pLoc;
};

/* The rules on_behalf_of's table cannot say: the land plot goes with
 * basis rightholder only, the location is a Point. Fills *pOff (strings
 * into o). Returns 1, or 0 after replying. */
static int read_offline(struct kg_req *r, json_t *pWho, struct offline_input *o,
                        struct kg_offline_author *pOff, const char **pzCadastral) {
  int bHolder = o->zBasis && strcmp(o->zBasis, "rightholder") == 0;
  json_t *pCad = json_object_get(pWho, "cadastral_number");
  if (bHolder && !o->zCadastral[0]) {
    kg_reply_bad(r, KG_R_REQUIRED, "on_behalf_of.cadastral_number",
                 pCad && !json_is_null(pCad) ? "must not be empty" : "is required");
    return 0;
  }
  if (!bHolder && pCad) {
    kg_reply_bad(r, KG_R_NEEDS_OTHER, "on_behalf_of.cadastral_number",
                 "is given only with basis rightholder");
    return 0;
  }
  if (o->pLoc) {
    struct kg_geom g = {0};
    char zErr[200];
    struct kg_geo_limits lim = {1, KG_GEOM_POINT};
    if (!json_is_object(o->pLoc) ||
        kg_geo_parse(kg_api_geo(), o->pLoc, NULL, &lim, &g, zErr, sizeof(zErr)) != KG_OK) {
      kg_reply_bad(r, KG_R_INVALID_GEOMETRY, "on_behalf_of.location",
                   "must be a GeoJSON Point (lon, lat)");
      return 0;
    }
    pOff->bLocation = 1;
    pOff->lon = g.aCoord[0];
    pOff->lat = g.aCoord[1];
    kg_geom_clear(&g);
  }
  pOff->zFullName = o->zFullName;
  pOff->zBirthDate = o->zBirthDate;
  pOff->zAddress = o->zAddress;
  *pzCadastral = bHolder ? o->zCadastral : NULL;
  return 1;
}

/* ---- submission ---- */

/* A comment on its way in: the proposal as parsed (strings borrowed from
 * the body, which lives as long as the request), and the store's answer
 * once the group-commit writer has made it durable. Owned by the request
 * once deferred (kg_req_defer). */
struct create_ctx {
  struct kg_req *r;
  struct kg_comment_proposal in;
  struct kg_comment_author author;
  struct kg_comment_submission sub;
  struct location loc;
  struct offline_input *pOff;
  char zDisplay[256];
  struct kg_eligibility elig; /* the author's, from the eligibility cache */
};

static void create_ctx_free(void *p) {
  struct create_ctx *x = p;
  location_clear(&x->loc);
  kg_comment_submission_clear(&x->sub);
  if (x->pOff) {
    kg_auth_memzero(x->pOff, sizeof(*x->pOff));
    free(x->pOff);
  }
  free(x);
}

/* Replies why the account may not take part: 409 when the discussion is
 * not open, else 403, with the eligibility's reason as the page shows it. */
static void reply_ineligible(struct kg_req *r, const struct kg_eligibility *e) {
  static const enum kg_problem aCode[] = {[KG_ELIG_OK] = KG_P_FORBIDDEN,
                                          [KG_ELIG_NO_RESIDENCE] = KG_P_NOT_ELIGIBLE_NO_RESIDENCE,
                                          [KG_ELIG_NOT_VERIFIED] = KG_P_NOT_ELIGIBLE_NOT_VERIFIED,
                                          [KG_ELIG_OUTSIDE] = KG_P_NOT_ELIGIBLE_OUTSIDE,
                                          [KG_ELIG_NOT_OPEN] = KG_P_DISCUSSION_NOT_OPEN,
                                          [KG_ELIG_PROPERTY_NOT_VERIFIED] =
                                              KG_P_NOT_ELIGIBLE_PROPERTY_NOT_VERIFIED};
  unsigned i = (unsigned)e->reason;
  kg_reply_code(r, i < sizeof(aCode) / sizeof(aCode[0]) ? aCode[i] : KG_P_FORBIDDEN,
                kg_api_eligibility_reason(e));
}

/* Replies with refusal f of a submission or an edit. */
static void reply_refusal(struct kg_req *r, const struct kg_refusal *f) {
  switch (f->kind) {
  case KG_REFUSAL_NONE:
    kg_reply_err(r, f->rc, f->zReason);
    break;
  case KG_REFUSAL_NOT_FOUND:
  case KG_REFUSAL_CONFLICT:
  case KG_REFUSAL_FORBIDDEN:
    /* the store's conflicts are all "the discussion is not accepting" */
    kg_reply_code(r,
                  f->kind == KG_REFUSAL_NOT_FOUND  ? KG_P_NOT_FOUND
                  : f->kind == KG_REFUSAL_CONFLICT ? KG_P_DISCUSSION_NOT_OPEN
                                                   : KG_P_FORBIDDEN,
                  f->zReason);
    break;
  case KG_REFUSAL_INVALID:
    kg_reply_bad(r, KG_R_INVALID, f->zField, f->zReason);
    break;
  case KG_REFUSAL_RATE:
    kg_api_reply_retry(r, f->retryAfter, f->zReason);
    break;
  case KG_REFUSAL_ELIGIBILITY:
    reply_ineligible(r, &f->elig);
    break;
  }
}

/* The rules between fields: who may use a channel, what goes with it.
 * Returns 1, or 0 after replying. */
static int read_channel(struct kg_req *r, struct create_ctx *x, json_t *pWho) {
  struct kg_comment_proposal *in = &x->in;
  if (in->zChannel && strcmp(in->zChannel, "online") == 0) in->zChannel = NULL;
  if (in->zChannel && !x->author.bModerator) {
    kg_reply_code(r, KG_P_MODERATOR_ONLY_CHANNEL,
                  "only moderators enter proposals that came on paper, by e-mail or in the "
                  "exposition book");
    return 0;
  }
  if (!in->zChannel && json_object_get(kg_req_json(r), "on_behalf_of")) {
    kg_reply_bad(r, KG_R_NEEDS_OTHER, "channel",
                 "is required with on_behalf_of: one of paper, email, exposition_book");
    return 0;
  }
  if (!in->zKind && !(x->author.bModerator && !in->zChannel)) {
    kg_reply_bad(r, KG_R_REQUIRED, "kind", "is required");
    return 0;
  }
  if (in->zChannel && !pWho) {
    kg_reply_bad(r, KG_R_INVALID, "on_behalf_of", zWhoRule);
    return 0;
  }
  return !in->zChannel || read_offline(r, pWho, x->pOff, &in->offline, &in->zOfflineCadastral);
}

/* Reads the body into x->in. Returns 1, or 0 after replying. */
static int read_proposal(struct kg_req *r, struct create_ctx *x) {
  static const char *const azChannel[] = {"online", "paper", "email", "exposition_book", NULL};
  static const char *const azKind[] = {"proposal", "remark", "question", NULL};
  static const char *const azBasis[] = {"resident", "rightholder", NULL};
  struct offline_input *o = x->pOff = kg_xcalloc(1, sizeof(*x->pOff));
  struct kg_comment_proposal *in = &x->in;
  int64_t parentId, documentId, page;
  json_t *pLoc, *pWho;
  const struct kg_api_field aWho[] = {
      KG_API_F_TRIM("full_name", KG_API_REQUIRED, 300, o->zFullName),
      {.zName = "birth_date",
       .eType = KG_API_STR,
       .fFlags = KG_API_REQUIRED,
       .nMax = 10,
       .pOut = &o->zBirth,
       .xCheck = birth_date_check,
       .pArg = o->zBirthDate},
      KG_API_F_TRIM("address", KG_API_REQUIRED, 500, o->zAddress),
      {.zName = "basis",
       .eType = KG_API_STR,
       .nMax = 20,
       .pOut = &o->zBasis,
       .azOneOf = azBasis,
       .zRule = "must be resident or rightholder"},
      KG_API_F_TRIM("cadastral_number", 0, 40, o->zCadastral),
      KG_API_F_JSON("location", 0, &o->pLoc)};
  const struct kg_api_field aField[] = {
      {.zName = "channel",
       .eType = KG_API_STR,
       .nMax = 20,
       .pOut = &in->zChannel,
       .azOneOf = azChannel,
       .zRule = "must be one of paper, email, exposition_book"},
      {.zName = "kind",
       .eType = KG_API_STR,
       .fFlags = x->author.bModerator ? 0 : KG_API_REQUIRED,
       .nMax = 20,
       .pOut = &in->zKind,
       .azOneOf = azKind,
       .zRule = "must be one of proposal, remark, question"},
      KG_API_F_STR("body", KG_API_REQUIRED, MAX_BODY_CHARS, &in->zBody),
      {.zName = "parent_id", .eType = KG_API_INT, .nMin = 1, .nMax = INT64_MAX, .pOut = &parentId},
      {.zName = "document_id",
       .eType = KG_API_INT,
       .nMin = 1,
       .nMax = INT64_MAX,
       .pOut = &documentId},
      {.zName = "page", .eType = KG_API_INT, .nMin = 1, .nMax = MAX_PAGE, .pOut = &page},
      KG_API_F_JSON("location", 0, &pLoc),
      {.zName = "on_behalf_of",
       .eType = KG_API_OBJECT,
       .fFlags = KG_API_RULE_ALL,
       .pOut = &pWho,
       .zRule = zWhoRule,
       .aSub = aWho,
       .nSub = KG_API_NFIELD(aWho)}};
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) || !read_channel(r, x, pWho) ||
      !page_has_document(r, documentId, page) || !read_location(r, pLoc, &x->loc))
    return 0;
  in->parentId = parentId;
  in->documentId = documentId;
  in->page = (int)page;
  in->zLocationWkt = x->loc.zWkt;
  in->zLocationGeoJson = x->loc.zGeoJson;
  if (in->zChannel)
    kg_api_display_name(o->zFullName, x->zDisplay, sizeof(x->zDisplay));
  else
    kg_api_display_name(kg_api_account(r)->zFullName, x->zDisplay, sizeof(x->zDisplay));
  in->zDisplayName = x->zDisplay;
  return 1;
}

/* The writer's answer (its thread, or this one): wake the request. */
static void comment_submitted(void *p, enum kg_err rc) {
  (void)rc;
  kg_req_resume(((struct create_ctx *)p)->r);
}

/* The request's worker thread again, the comment durable or refused. */
static void comment_created(struct kg_req *r, void *p) {
  struct create_ctx *x = p;
  const struct kg_comment *c = &x->sub.comment;
  if (x->sub.refusal.rc) {
    reply_refusal(r, &x->sub.refusal);
    return;
  }
  kg_log_info("comment submitted id=%lld discussion=%lld official=%d channel=%s", (long long)c->id,
              (long long)c->discussionId, c->bOfficial, c->zChannel);
  render_comment(r, c, x->sub.bOffline ? &x->sub.offline : NULL, 201);
}

void kg_api_comments_create(struct kg_req *r) {
  struct create_ctx *x = kg_xcalloc(1, sizeof(*x));
  struct kg_store *pStore;
  x->r = r;
  x->author.id = kg_api_account(r)->id;
  x->author.bModerator = kg_api_is_moderator(r);
  if (!(x->in.discussionId = kg_api_param_id(r, "id", "no such discussion")) ||
      !read_proposal(r, x) || !(pStore = kg_api_store(r))) {
    create_ctx_free(x);
    return;
  }
  /* the page asked for the eligibility before the form: usually cached
   * (the writer confirms its account version at commit) */
  if (!x->author.bModerator &&
      kg_api_eligibility(pStore, x->author.id, x->in.discussionId, &x->elig) == KG_OK)
    x->in.pElig = &x->elig;
  /* answered once the group commit has the comment on disk; this thread
   * serves other connections meanwhile */
  kg_req_defer(r, comment_created, x, create_ctx_free);
  kg_store_comment_submit_async(pStore, &x->in, &x->author, kg_time_now(), &x->sub,
                                comment_submitted, x);
}

/* ---- one comment: read, edit, withdraw ---- */

void kg_api_comments_get(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such comment", &id);
  if (pStore) reply_comment(r, pStore, id, 200);
}

/* Reads comment id for its author's change: replies 404 (no such comment,
 * or hidden from r), 403 (someone else's) or 409 (no longer pending) and
 * returns 0; else fills *pC (kg_comment_clear) and returns 1. */
static int own_pending(struct kg_req *r, struct kg_store *pStore, int64_t id,
                       struct kg_comment *pC) {
  const struct kg_account *pAcc = kg_api_account(r);
  enum kg_err rc = kg_store_comment_get(pStore, id, pC);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot read the comment");
    return 0;
  }
  if (!pC->authorId || pC->authorId != pAcc->id) {
    kg_reply_code(r, KG_P_NOT_AUTHOR, "only the author may change or withdraw a comment");
  } else if (pC->status != KG_CS_PENDING) {
    char zMsg[120];
    snprintf(zMsg, sizeof(zMsg), "the comment is %s: only a pending comment can be changed",
             kg_comment_status_name(pC->status));
    kg_reply_code(r, KG_P_WRONG_STATUS, zMsg);
  } else {
    return 1;
  }
  kg_comment_clear(pC);
  return 0;
}

/* Saves the author's edit e of comment id (the fields read, the location
 * loc, document and page) and replies. */
static void edit(struct kg_req *r, struct kg_store *pStore, int64_t id, struct kg_comment_edit *e,
                 const struct location *loc, int64_t documentId, int64_t page) {
  json_t *pBody = kg_req_json(r), *pLoc = json_object_get(pBody, "location");
  e->bDocument = json_object_get(pBody, "document_id") != NULL || json_object_get(pBody, "page");
  e->documentId = documentId;
  e->page = (int)page;
  e->zLocationWkt = loc->zWkt;
  e->zLocationGeoJson = loc->zGeoJson;
  e->bClearLocation = pLoc && json_is_null(pLoc);
  enum kg_err rc = kg_store_comment_update(pStore, id, e, kg_time_now());
  if (rc == KG_ECONFLICT)
    kg_reply_code(r, KG_P_WRONG_STATUS, "the comment is no longer pending");
  else if (rc)
    kg_reply_err(r, rc, "cannot save the comment");
  else
    reply_comment(r, pStore, id, 200);
}

void kg_api_comments_update(struct kg_req *r) {
  static const char *const azKind[] = {"proposal", "remark", "question", NULL};
  int64_t id, projectId = 0, documentId, page;
  enum kg_status st = KG_ST_DRAFT;
  json_t *pBody, *pLoc;
  struct kg_store *pStore;
  struct kg_comment c;
  struct location loc = {0};
  struct kg_comment_edit e = {0};
  struct kg_refusal f;
  if (!(pBody = kg_req_json(r)) || !(pStore = kg_api_open_id(r, "id", "no such comment", &id)) ||
      !own_pending(r, pStore, id, &c))
    return;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("body", json_object_get(pBody, "body") ? KG_API_REQUIRED : 0, MAX_BODY_CHARS,
                   &e.zBody),
      {.zName = "kind",
       .eType = KG_API_STR,
       .nMax = 20,
       .pOut = &e.zKind,
       .azOneOf = azKind,
       .zRule = "must be one of proposal, remark, question"},
      {.zName = "document_id",
       .eType = KG_API_INT,
       .nMin = 1,
       .nMax = INT64_MAX,
       .pOut = &documentId},
      {.zName = "page", .eType = KG_API_INT, .nMin = 1, .nMax = MAX_PAGE, .pOut = &page},
      KG_API_F_JSON("location", 0, &pLoc)};
  enum kg_err rc = kg_store_discussion_status(pStore, c.discussionId, &st, &projectId);
  if (rc) {
    kg_reply_err(r, rc, "cannot read the discussion");
  } else if (!kg_comment_accepting(st, 0)) {
    kg_reply_code(r, KG_P_DISCUSSION_NOT_OPEN,
                  "the discussion is no longer open: comments cannot change");
  } else if (kg_api_fields(r, pBody, aField, KG_API_NFIELD(aField)) &&
             page_has_document(r, documentId, page) && read_location(r, pLoc, &loc)) {
    if (kg_store_comment_place_check(pStore, c.discussionId, projectId, documentId, loc.zWkt, &f))
      reply_refusal(r, &f);
    else
      edit(r, pStore, id, &e, &loc, documentId, page);
  }
  kg_comment_clear(&c);
  location_clear(&loc);
}

void kg_api_comments_withdraw(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore;
  struct kg_comment c;
  if (!(pStore = kg_api_open_id(r, "id", "no such comment", &id)) ||
      !own_pending(r, pStore, id, &c))
    return;
  kg_comment_clear(&c);
  enum kg_err rc = kg_store_comment_withdraw(pStore, id, kg_time_now());
  if (rc == KG_ECONFLICT) {
    /* pending was checked above: the discussion has closed (or it just
     * changed) */
    kg_reply_code(r, KG_P_WRONG_STATUS,
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
 * *pzSubject and *pzText, free()); its text is kg_mail_compose_moderation's. */
static void decision_mail(struct kg_req *r, enum kg_lang eLang, const struct kg_comment *c,
                          const char *zTitle, int bPublish, const char *zReason, char **pzSubject,
                          char **pzText) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  struct kg_mail_text m;
  kg_mail_compose_moderation(eLang, pCfg ? pCfg->zBaseUrl : NULL, c->discussionId, zTitle,
                             c->zRegNo, bPublish, zReason, pCfg ? pCfg->nAppealDays : 0, &m);
  *pzSubject = m.zSubject;
  *pzText = m.zBody;
}

void kg_api_comments_moderate(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore;
  const char *zDecision, *zReason, *zCode;
  struct kg_comment c = {0};
  struct kg_discussion d = {0};
  struct kg_account author;
  char *zText = NULL, *zSubject = NULL, *zReasonFull = NULL;
  const struct kg_api_field aField[] = {KG_API_F_STR("decision", KG_API_REQUIRED, 20, &zDecision),
                                        KG_API_F_STR("reason", 0, 2000, &zReason),
                                        KG_API_F_STR("reason_code", 0, 40, &zCode)};
  if (!(id = kg_api_param_id(r, "id", "no such comment")) ||
      !kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r)))
    return;
  int bPublish = strcmp(zDecision, "publish") == 0;
  if (!bPublish && strcmp(zDecision, "reject") != 0) {
    kg_reply_bad(r, KG_R_NOT_ALLOWED, "decision", "must be publish or reject");
    return;
  }
  /* a standard reason may come as reason_code or as the reason itself */
  if (!zCode && reason_title(zReason)) {
    zCode = zReason;
    zReason = NULL;
  }
  if (zCode && !reason_title(zCode)) {
    kg_reply_bad(r, KG_R_NOT_ALLOWED, "reason_code",
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
    kg_reply_bad(r, KG_R_REQUIRED, "reason",
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
    kg_reply_code(r, KG_P_WRONG_STATUS, zMsg);
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
    decision_mail(r, kg_lang_parse(author.zLanguage), &c, d.zTitle, bPublish, zReasonFull,
                  &zSubject, &zText);
    mail.zTo = author.zEmail;
    mail.zSubject = zSubject;
    mail.zText = zText;
  }
  rc = kg_store_comment_moderate(pStore, id, bPublish, zCode, zReasonFull, kg_api_account(r)->id,
                                 mail.zTo ? &mail : NULL, kg_time_now());
  if (rc == KG_ECONFLICT) {
    kg_reply_code(r, KG_P_CHANGED_MEANWHILE, "the comment was moderated meanwhile");
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
  int64_t id, n = 0;
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore;
  struct kg_comment c;
  struct kg_eligibility e;
  if (!(pStore = kg_api_open_id(r, "id", "no such comment", &id))) return;
  enum kg_err rc = kg_store_comment_get(pStore, id, &c);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such comment" : "cannot read the comment");
    return;
  }
  int view = view_of(r, &c);
  int64_t discussionId = c.discussionId;
  enum kg_comment_status st = c.status;
  kg_comment_clear(&c);
  if (view < 0) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such comment");
    return;
  }
  if (st != KG_CS_PUBLISHED) {
    kg_reply_code(r, KG_P_WRONG_STATUS, "only published comments can be supported");
    return;
  }
  if ((rc = kg_store_eligibility(pStore, pAcc->id, discussionId, &e)) != KG_OK) {
    kg_reply_err(r, rc, "cannot check the eligibility");
    return;
  }
  if (!e.bEligible) {
    reply_ineligible(r, &e);
    return;
  }
  rc = kg_store_comment_support(pStore, id, pAcc->id, kg_time_now(), &n);
  if (rc == KG_ECONFLICT) {
    kg_reply_code(r, KG_P_ALREADY_DONE, "you have supported this comment already");
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
    kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "status",
                        "must be one of published, pending, rejected, withdrawn, all");
    return 0;
  }
  if (!bAny && f->statusMask != (1u << KG_CS_PUBLISHED) && !kg_api_is_moderator(r)) {
    kg_reply_code(r, KG_P_MODERATOR_REQUIRED,
                  "only moderators see comments that are not published");
    return 0;
  }
  return 1;
}

/* ?kind= and ?q= into f. Returns 1, or 0 after replying 400. */
static int read_kind_query(struct kg_req *r, struct kg_comment_filter *f) {
  const char *z;
  if ((z = kg_req_query(r, "kind")) != NULL) {
    if (!is_kind(z)) {
      kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "kind",
                          "must be one of proposal, remark, question");
      return 0;
    }
    f->zKind = z;
  }
  if ((z = kg_req_query(r, "q")) != NULL && *z) {
    if (strlen(z) > MAX_QUERY_BYTES || !kg_utf8_valid_text(z, strlen(z))) {
      kg_reply_limit(r, 400, KG_R_TOO_LONG_BYTES, "q", "must be text of at most 200 bytes", 0, 200);
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
      kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "discussion", "must be a discussion id");
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
      kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "bbox", zErr);
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

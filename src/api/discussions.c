/* discussions.c: discussions — rounds of public discussion on a project with
 * a territory, dates and a lifecycle (draft -> announced -> open -> closed ->
 * protocol -> concluded, or cancelled). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_cache.h"
#include "api_common.h"
#include "api_handlers.h"
#include "api_reports.h"
#include "api_round.h"

#define MAX_TERRITORY_VERTICES 50000
#define MAX_EXPOSITIONS 20
#define DAY 86400

static json_t *dates_json(const struct kg_discussion *d) {
  return json_pack("{s:o, s:o, s:o, s:o, s:o}", "announce_at", kg_api_time_json(d->announceAt),
                   "opens_at", kg_api_time_json(d->opensAt), "closes_at",
                   kg_api_time_json(d->closesAt), "protocol_at", kg_api_time_json(d->protocolAt),
                   "concluded_at", kg_api_time_json(d->concludedAt));
}

/* The list item: the fields every view of a discussion has. The territory
 * is spliced in from its stored GeoJSON text (see kg_api_raw_add). */
static json_t *discussion_json(const struct kg_discussion *d, struct kg_api_raw *pRaw) {
  json_t *p = json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:f, s:[f,f,f,f]}", "id", (json_int_t)d->id,
                        "project_id", (json_int_t)d->projectId, "title", d->zTitle, "status",
                        kg_status_name(d->status), "dates", dates_json(d), "territory",
                        kg_api_raw_add(pRaw, d->zTerritory), "area_m2", round(d->areaM2 * 10) / 10,
                        "bbox", d->bbox[0], d->bbox[1], d->bbox[2], d->bbox[3]);
  if (d->zProjectTitle) json_object_set_new(p, "project_title", json_string(d->zProjectTitle));
  if (d->zProjectKind) json_object_set_new(p, "project_kind", json_string(d->zProjectKind));
  return p;
}

/* ---- list ---- */

struct list_ctx {
  json_t *pItems;
  struct kg_api_raw raw;
  int n;
};

static int discussion_row(void *pArg, const struct kg_discussion *d) {
  struct list_ctx *c = pArg;
  json_array_append_new(c->pItems, discussion_json(d, &c->raw));
  c->n++;
  return 0;
}

void kg_api_discussions_list(struct kg_req *r) {
  struct kg_discussion_filter f = {0};
  const char *z;
  char zErr[200];
  if (!kg_api_page(r, &f.nLimit, &f.afterId)) return;
  if ((z = kg_req_query(r, "status")) != NULL) {
    if (kg_status_parse(z, &f.status) != KG_OK) {
      kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "status",
                          "must be one of draft, announced, open, closed, protocol, "
                          "concluded, cancelled");
      return;
    }
    f.bStatus = 1;
  }
  if ((z = kg_req_query(r, "bbox")) != NULL) {
    if (kg_geo_parse_bbox(z, f.bbox, zErr, sizeof(zErr)) != KG_OK) {
      kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "bbox", zErr);
      return;
    }
    f.bBbox = 1;
  }
  if ((z = kg_req_query(r, "q")) != NULL) {
    if (strlen(z) > 200 || !kg_utf8_valid_text(z, strlen(z))) {
      kg_reply_limit(r, 400, KG_R_TOO_LONG_BYTES, "q", "must be text of at most 200 bytes", 0, 200);
      return;
    }
    f.zQuery = z;
  }
  if ((z = kg_req_query(r, "kind")) != NULL) {
    if (strlen(z) > 48) {
      kg_reply_bad_status(r, 400, KG_R_TOO_LONG, "kind", "is too long");
      return;
    }
    f.zKind = z;
  }
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  f.bPublicOnly = !kg_api_is_moderator(r); /* drafts are not yet published */
  struct kg_api_cache_key k = {0};
  if (f.bPublicOnly && kg_api_cache_serve(r, pStore, 0, &k)) return;
  int nLimit = f.nLimit;
  f.nLimit = nLimit + 1; /* one extra row tells whether there is a next page */
  struct list_ctx c = {json_array(), {0}, 0};
  enum kg_err rc = kg_store_discussion_list(pStore, &f, discussion_row, &c);
  if (rc) {
    json_decref(c.pItems);
    kg_api_raw_free(&c.raw);
    kg_reply_err(r, rc, "cannot list discussions");
    return;
  }
  kg_api_cache_reply(r, &k, kg_api_page_json(c.pItems, nLimit), &c.raw);
}

/* ---- detail ---- */

struct timeline_ctx {
  json_t *pHistory;
  int64_t aAt[KG_ST__COUNT]; /* when each status was last entered */
};

static int timeline_row(void *pArg, const struct kg_timeline_event *e) {
  struct timeline_ctx *c = pArg;
  json_array_append_new(c->pHistory,
                        json_pack("{s:s, s:s, s:o, s:s, s:s?}", "from", kg_status_name(e->from),
                                  "to", kg_status_name(e->to), "at", kg_api_time_json(e->at), "by",
                                  e->actorId ? "moderator" : "schedule", "note", e->zNote));
  if (e->to < KG_ST__COUNT) c->aAt[e->to] = e->at;
  return 0;
}

static int expo_row(void *pArg, const struct kg_exposition *x) {
  json_array_append_new(pArg, json_pack("{s:s, s:s, s:o, s:o}", "place", x->zPlace, "hours",
                                        x->zHours ? x->zHours : "", "opens_at",
                                        kg_api_time_json(x->opensAt), "closes_at",
                                        kg_api_time_json(x->closesAt)));
  return 0;
}

static int doc_row(void *pArg, const struct kg_document *d) {
  char zUrl[64];
  snprintf(zUrl, sizeof(zUrl), "/api/v1/documents/%lld", (long long)d->id);
  json_array_append_new(pArg,
                        json_pack("{s:I, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)d->id,
                                  "filename", d->zFilename, "media_type", d->zMediaType, "size",
                                  (json_int_t)d->nSize, "sha256", d->zSha256, "url", zUrl));
  return 0;
}

/* Renders the full view of discussion id: replies itself on error. */
/* Replies with discussion id; through the response cache when pKey. */
static void reply_discussion(struct kg_req *r, struct kg_store *pStore, int64_t id, unsigned status,
                             struct kg_api_cache_key *pKey) {
  struct kg_discussion d = {0};
  enum kg_err rc = kg_store_discussion_get(pStore, id, &d);
  if (rc == KG_OK && d.status == KG_ST_DRAFT && !kg_api_is_moderator(r)) {
    kg_discussion_clear(&d);
    rc = KG_ENOTFOUND; /* a draft is not published yet */
  }
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot read the discussion");
    return;
  }
  struct kg_api_raw raw = {0};
  json_t *p = discussion_json(&d, &raw);
  struct timeline_ctx tc = {json_array(), {0}};
  json_t *pExpo = json_array(), *pDocs = json_array();
  if ((rc = kg_store_discussion_timeline(pStore, id, timeline_row, &tc)) != KG_OK ||
      (rc = kg_store_discussion_expositions(pStore, id, expo_row, pExpo)) != KG_OK ||
      (rc = kg_store_document_list(pStore, d.projectId, doc_row, pDocs)) != KG_OK) {
    json_decref(p);
    json_decref(tc.pHistory);
    json_decref(pExpo);
    json_decref(pDocs);
    kg_discussion_clear(&d);
    kg_api_raw_free(&raw);
    kg_reply_err(r, rc, "cannot read the discussion");
    return;
  }
  /* The statutory stages with their planned dates and when each happened. */
  static const struct {
    enum kg_status st;
    const char *zTitle;
  } aStage[] = {
      {KG_ST_ANNOUNCED, "Оповещение о начале общественных обсуждений"},
      {KG_ST_OPEN, "Размещение проекта и открытие экспозиции, приём предложений"},
      {KG_ST_CLOSED, "Окончание приёма предложений"},
      {KG_ST_PROTOCOL, "Протокол общественных обсуждений"},
      {KG_ST_CONCLUDED, "Заключение о результатах общественных обсуждений"},
  };
  int64_t aPlanned[] = {d.announceAt, d.opensAt, d.closesAt, 0, 0};
  json_t *pStages = json_array();
  for (size_t i = 0; i < sizeof(aStage) / sizeof(aStage[0]); i++) {
    json_array_append_new(
        pStages,
        json_pack("{s:s, s:s, s:o, s:o, s:b}", "status", kg_status_name(aStage[i].st), "title",
                  aStage[i].zTitle, "planned_at", kg_api_time_json(aPlanned[i]), "at",
                  kg_api_time_json(tc.aAt[aStage[i].st]), "done", tc.aAt[aStage[i].st] != 0));
  }
  json_t *pTimeline = json_pack("{s:o, s:o}", "stages", pStages, "history", tc.pHistory);
  kg_api_round_next(pStore, &d, p, pTimeline); /* scheduled_at, timeline.next */
  json_object_set_new(p, "timeline", pTimeline);
  json_object_set_new(p, "expositions", pExpo);
  json_object_set_new(p, "documents", pDocs);
  json_object_set_new(p, "notice", d.zNotice ? json_string(d.zNotice) : json_null());
  json_object_set_new(p, "accepting_comments", json_boolean(kg_comment_accepting(d.status, 0)));
  json_object_set_new(p, "reports", kg_api_reports_links(pStore, id));
  kg_discussion_clear(&d);
  if (status == 201) {
    char zLoc[64];
    snprintf(zLoc, sizeof(zLoc), "/api/v1/discussions/%lld", (long long)id);
    kg_reply_header(r, "Location", zLoc);
  }
  if (pKey && status == 200)
    kg_api_cache_reply(r, pKey, p, &raw);
  else
    kg_api_reply_raw(r, status, p, &raw);
}

void kg_api_discussions_get(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such discussion", &id);
  if (!pStore) return;
  if (kg_api_is_moderator(r)) { /* sees drafts: not the public view */
    reply_discussion(r, pStore, id, 200, NULL);
    return;
  }
  struct kg_api_cache_key k;
  if (!kg_api_cache_serve(r, pStore, 0, &k)) reply_discussion(r, pStore, id, 200, &k);
}

/* ---- create ---- */

/* Reads expositions: [{place, hours?, opens_at?, closes_at?}] (pArr an
 * array or NULL) into aExpo (heap strings). Returns 1, or 0 after replying. */
static int read_expositions(struct kg_req *r, json_t *pArr, struct kg_exposition *aExpo,
                            int *pnExpo) {
  const char *zPlace, *zHours;
  int64_t a, b;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("place", KG_API_REQUIRED, 500, &zPlace),
      KG_API_F_STR("hours", 0, 200, &zHours),
      KG_API_F_TIME("opens_at", 0, &a),
      KG_API_F_TIME("closes_at", 0, &b),
  };
  size_t i;
  json_t *pItem;
  *pnExpo = 0;
  json_array_foreach(pArr, i, pItem) {
    /* Field names in errors carry the index: expositions[2].place. */
    char zPrefix[48];
    snprintf(zPrefix, sizeof(zPrefix), "expositions[%zu]", i);
    if (!json_is_object(pItem)) {
      kg_reply_bad(r, KG_R_WRONG_TYPE, zPrefix,
                   "must be an object {place, hours, opens_at, closes_at}");
      return 0;
    }
    strcat(zPrefix, ".");
    if (!kg_api_fields_at(r, pItem, zPrefix, aField, KG_API_NFIELD(aField))) return 0;
    if (a && b && b < a) {
      strcat(zPrefix, "closes_at");
      kg_reply_bad(r, KG_R_INVALID_DATE, zPrefix, "must not be before opens_at");
      return 0;
    }
    aExpo[i].zPlace = kg_xstrdup(zPlace);
    aExpo[i].zHours = zHours ? kg_xstrdup(zHours) : NULL;
    aExpo[i].opensAt = a;
    aExpo[i].closesAt = b;
    *pnExpo = (int)i + 1;
  }
  return 1;
}

/* A new discussion as the request gives it. */
struct create_input {
  int64_t projectId, tAnnounce, tOpen, tClose;
  const char *zTitle, *zCrs, *zNotice;
  json_t *pTerr, *pExpo;
};

static int read_create(struct kg_req *r, struct create_input *in) {
  const struct kg_api_field aField[] = {
      {.zName = "project_id",
       .eType = KG_API_ID,
       .fFlags = KG_API_REQUIRED | KG_API_RULE_ALL,
       .zRule = "is required and must be a positive integer",
       .pOut = &in->projectId},
      KG_API_F_STR("title", KG_API_REQUIRED, 300, &in->zTitle),
      KG_API_F_STR("territory_crs", 0, 2000, &in->zCrs),
      KG_API_F_STR("notice", 0, 20000, &in->zNotice),
      KG_API_F_TIME("announce_at", KG_API_REQUIRED, &in->tAnnounce),
      KG_API_F_TIME("opens_at", KG_API_REQUIRED, &in->tOpen),
      KG_API_F_TIME("closes_at", KG_API_REQUIRED, &in->tClose),
      {.zName = "territory",
       .eType = KG_API_OBJECT,
       .fFlags = KG_API_REQUIRED | KG_API_RULE_ALL,
       .zRule = "is required: a GeoJSON Polygon or MultiPolygon object",
       .pOut = &in->pTerr},
      {.zName = "expositions",
       .eType = KG_API_ARRAY,
       .fFlags = KG_API_RULE_ALL,
       .nMax = MAX_EXPOSITIONS,
       .zRule = "must be an array of at most 20 places",
       .pOut = &in->pExpo},
  };
  return kg_api_body(r, aField, KG_API_NFIELD(aField));
}

/* The law: notification at least N days before the materials are placed;
 * the exposition's length within the kind's bounds. Returns 1, or 0 after
 * replying. */
static int dates_lawful(struct kg_req *r, struct kg_store *pStore, const struct kg_project *pr,
                        const struct create_input *in) {
  struct kg_project_kind kind;
  char zErr[300];
  /* A minute's grace for the clocks of the browser and the server. */
  if (in->tAnnounce < kg_time_now() - 60) {
    kg_reply_bad(r, KG_R_INVALID_DATE, "announce_at", "must not be in the past");
    return 0;
  }
  enum kg_err rc = kg_store_project_kind_get(pStore, pr->zKind, &kind);
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot read the project kind");
    return 0;
  }
  if (in->tOpen - in->tAnnounce < (int64_t)kind.nNoticeDays * DAY) {
    snprintf(zErr, sizeof(zErr),
             "must be at least %d days after announce_at: the notification is published at "
             "least %d days before the materials are placed",
             kind.nNoticeDays, kind.nNoticeDays);
    kg_reply_bad(r, KG_R_INVALID_DATE, "opens_at", zErr);
    return 0;
  }
  if (in->tClose - in->tOpen < (int64_t)kind.nMinDays * DAY ||
      in->tClose - in->tOpen > (int64_t)kind.nMaxDays * DAY) {
    snprintf(zErr, sizeof(zErr),
             "the exposition of a project of kind %s lasts from %d to %d days after opens_at",
             kind.zKind, kind.nMinDays, kind.nMaxDays);
    kg_reply_bad(r, KG_R_INVALID_DATE, "closes_at", zErr);
    return 0;
  }
  return 1;
}

/* Reads the project of in and checks the dates; 1, or 0 after replying. */
static int project_ok(struct kg_req *r, struct kg_store *pStore, const struct create_input *in,
                      struct kg_project *pr /* OUT */) {
  enum kg_err rc = kg_store_project_get(pStore, in->projectId, pr);
  if (rc == KG_ENOTFOUND) {
    kg_reply_bad(r, KG_R_UNKNOWN_REFERENCE, "project_id", "no such project");
    return 0;
  } else if (rc) {
    kg_reply_err(r, rc, "cannot read the project");
    return 0;
  }
  return dates_lawful(r, pStore, pr, in);
}

/* Parses the territory into *pGeom; 1, or 0 after replying. */
static int read_territory(struct kg_req *r, const struct create_input *in, struct kg_geom *pGeom) {
  char zErr[300];
  struct kg_geo_limits lim = {MAX_TERRITORY_VERTICES, KG_GEOM_POLYGON | KG_GEOM_MULTIPOLYGON};
  enum kg_err rc = kg_geo_parse(kg_api_geo(), in->pTerr, in->zCrs, &lim, pGeom, zErr, sizeof(zErr));
  if (rc) {
    /* An unknown CRS is the CRS field's fault. */
    const char *zField = strstr(zErr, "CRS") ? "territory_crs" : "territory";
    kg_reply_bad_status(r, rc == KG_ETOOBIG ? 413 : 422, KG_R_INVALID_GEOMETRY, zField, zErr);
    return 0;
  }
  return 1;
}

void kg_api_discussions_create(struct kg_req *r) {
  struct create_input in;
  struct kg_store *pStore;
  if (!read_create(r, &in) || !(pStore = kg_api_store(r))) return;
  struct kg_exposition aExpo[MAX_EXPOSITIONS] = {{0}};
  int nExpo = 0, bGeom = 0;
  struct kg_geom geom = {0};
  char *zWkt = NULL, *zGeoJson = NULL;
  struct kg_project pr = {0};
  char zErr[300];
  if (!project_ok(r, pStore, &in, &pr) || !(bGeom = read_territory(r, &in, &geom)) ||
      !read_expositions(r, in.pExpo, aExpo, &nExpo))
    goto out;
  zWkt = kg_geom_to_wkt(&geom, 1);
  zGeoJson = kg_geom_to_geojson(&geom, 1);
  struct kg_discussion d = {0};
  d.projectId = pr.id;
  d.zTitle = (char *)in.zTitle;
  d.announceAt = in.tAnnounce;
  d.opensAt = in.tOpen;
  d.closesAt = in.tClose;
  d.areaM2 = kg_geom_area_m2(&geom);
  d.zTerritory = zGeoJson;
  d.zNotice = (char *)in.zNotice;
  d.status = KG_ST_DRAFT;
  int64_t id = 0;
  zErr[0] = 0;
  enum kg_err rc = kg_store_discussion_insert(pStore, &d, zWkt, aExpo, nExpo, kg_api_account(r)->id,
                                              &id, zErr, sizeof(zErr));
  if (rc == KG_EINVAL) {
    char zMsg[400];
    snprintf(zMsg, sizeof(zMsg), "is not a valid polygon: %s", zErr[0] ? zErr : "invalid");
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, "territory", zMsg);
    goto out;
  } else if (rc) {
    kg_reply_err(r, rc, "cannot create the discussion");
    goto out;
  }
  reply_discussion(r, pStore, id, 201, NULL);
out:
  for (int i = 0; i < nExpo; i++) {
    free(aExpo[i].zPlace);
    free(aExpo[i].zHours);
  }
  if (bGeom) kg_geom_clear(&geom);
  free(zWkt);
  free(zGeoJson);
  kg_project_clear(&pr);
}

/* ---- transitions ---- */

void kg_api_discussions_transition(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore;
  const char *zTo, *zNote;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("to", KG_API_REQUIRED, 20, &zTo),
      KG_API_F_STR("note", 0, 2000, &zNote),
  };
  if (!(id = kg_api_param_id(r, "id", "no such discussion")) ||
      !kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r)))
    return;
  enum kg_status to, from = KG_ST_DRAFT;
  if (kg_status_parse(zTo, &to) != KG_OK) {
    kg_reply_bad(r, KG_R_NOT_ALLOWED, "to",
                 "must be one of announced, open, closed, protocol, concluded, cancelled");
    return;
  }
  /* entering protocol / concluded issues the document (reports.c) */
  enum kg_err rc = kg_api_reports_transition(r, pStore, id, to, kg_api_account(r)->id, zNote,
                                             kg_time_now(), &from);
  if (rc == KG_ECONFLICT) {
    char zDetail[160];
    snprintf(zDetail, sizeof(zDetail), "a discussion cannot move from %s to %s",
             kg_status_name(from), kg_status_name(to));
    kg_reply_code(r, KG_P_WRONG_STATUS, zDetail);
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot move the discussion");
    return;
  }
  reply_discussion(r, pStore, id, 200, NULL);
}

/* build.c: the JSON models of the protocol, the conclusion, the
 * conclusion's draft and a participant's extract, built from the store and
 * from issued documents; their canonical bytes and SHA-256. Nothing here
 * renders: see html.c and pdf.c. */
#define _GNU_SOURCE
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/report.h"
#include "report_int.h"

/* ---- small helpers ---- */

static json_t *str_or_null(const char *z) {
  return z ? json_string(z) : json_null();
}

static json_t *time_json(int64_t t) {
  char z[21];
  if (!t) return json_null();
  kg_time_format(t, z);
  return json_string(z);
}

/* "49.1201" from 49.120100: fixed 6 decimals, trailing zeros cut. */
static void coord_text(double v, char *z, size_t n) {
  snprintf(z, n, "%.6f", v);
  char *zDot = strchr(z, '.');
  if (!zDot) return;
  size_t k = strlen(z);
  while (k > 0 && z[k - 1] == '0')
    z[--k] = 0;
  if (k > 0 && z[k - 1] == '.') z[--k] = 0;
}

/* The Russian word for n vertices. */
static const char *vertices_word(size_t n) {
  if (n % 10 == 1 && n % 100 != 11) return "вершина";
  if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14)) return "вершины";
  return "вершин";
}

/* Positions in a GeoJSON coordinates value (nested arrays of positions);
 * rings count their closing position once less. */
static size_t count_positions(json_t *a, int depth, int bRing) {
  size_t n = 0, i;
  json_t *v;
  if (!json_is_array(a)) return 0;
  if (depth == 0) return 1;
  if (depth == 1) {
    n = json_array_size(a);
    return bRing && n > 0 ? n - 1 : n;
  }
  json_array_foreach(a, i, v) n += count_positions(v, depth - 1, bRing);
  return n;
}

/* A readable location from stored GeoJSON text ("точка 49.1201, 55.7881",
 * "линия, 3 вершины", "полигон, 4 вершины"); NULL when none. Heap. */
static char *location_text(const char *zGeoJson) {
  json_t *g, *c;
  const char *zType;
  char *zOut = NULL;
  if (!zGeoJson) return NULL;
  if (!(g = json_loads(zGeoJson, 0, NULL))) return kg_xstrdup("место на карте");
  zType = json_string_value(json_object_get(g, "type"));
  c = json_object_get(g, "coordinates");
  if (zType && strcmp(zType, "Point") == 0 && json_array_size(c) >= 2) {
    char zX[32], zY[32];
    coord_text(json_number_value(json_array_get(c, 0)), zX, sizeof(zX));
    coord_text(json_number_value(json_array_get(c, 1)), zY, sizeof(zY));
    zOut = kg_xasprintf("точка %s, %s", zX, zY);
  } else if (zType) {
    static const struct {
      const char *zType, *zRu;
      int depth, bRing;
    } aKind[] = {{"LineString", "линия", 1, 0},
                 {"Polygon", "полигон", 2, 1},
                 {"MultiPoint", "точки", 1, 0},
                 {"MultiLineString", "линии", 2, 0},
                 {"MultiPolygon", "полигоны", 3, 1}};
    for (size_t i = 0; i < sizeof(aKind) / sizeof(aKind[0]); i++) {
      if (strcmp(zType, aKind[i].zType) != 0) continue;
      size_t n = count_positions(c, aKind[i].depth, aKind[i].bRing);
      zOut = kg_xasprintf("%s, %zu %s", aKind[i].zRu, n, vertices_word(n));
    }
  }
  json_decref(g);
  return zOut ? zOut : kg_xstrdup("место на карте");
}

/* ---- the protocol ---- */

struct entries_ctx {
  json_t *pResidents, *pOthers;
  int64_t nKind[3], nStatus[3], nTotal;
  json_t *pParticipants; /* set of participant keys */
};

static int entry_row(void *pArg, const struct kg_report_entry *e) {
  struct entries_ctx *c = pArg;
  char *zLoc = location_text(e->zLocation);
  json_t *p = json_pack(
      "{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s}", "comment_id", (json_int_t)e->commentId,
      "registration_number", e->zRegNo, "kind", e->zKind, "body", e->zBody, "channel", e->zChannel,
      "location", str_or_null(zLoc), "status", e->zStatus, "moderation_reason",
      str_or_null(strcmp(e->zStatus, "rejected") == 0 ? e->zModerationReason : NULL),
      "submitted_at", time_json(e->createdAt), "basis", e->zBasis ? e->zBasis : "resident");
  free(zLoc);
  if (!p) return 1;
  int bResident = !e->zBasis || strcmp(e->zBasis, "resident") == 0;
  json_array_append_new(bResident ? c->pResidents : c->pOthers, p);
  static const char *const azKind[] = {"proposal", "remark", "question"};
  static const char *const azStatus[] = {"published", "rejected", "pending"};
  for (int i = 0; i < 3; i++) {
    if (strcmp(e->zKind, azKind[i]) == 0) c->nKind[i]++;
    if (strcmp(e->zStatus, azStatus[i]) == 0) c->nStatus[i]++;
  }
  c->nTotal++;
  if (e->zParticipant) json_object_set_new(c->pParticipants, e->zParticipant, json_true());
  return 0;
}

struct notice_ctx {
  int64_t tAnnounced;
  json_t *pWhere;
};

static int timeline_row(void *pArg, const struct kg_timeline_event *e) {
  struct notice_ctx *c = pArg;
  if (e->to == KG_ST_ANNOUNCED && !c->tAnnounced) c->tAnnounced = e->at;
  return 0;
}

static int expo_row(void *pArg, const struct kg_exposition *x) {
  json_t *pWhere = pArg;
  json_array_append_new(pWhere, json_sprintf("Экспозиция: %s%s%s", x->zPlace,
                                             x->zHours && x->zHours[0] ? ", " : "",
                                             x->zHours ? x->zHours : ""));
  return 0;
}

/* The project as the documents name it. */
static json_t *project_json(struct kg_store *p, const struct kg_discussion *d,
                            char **pzOrganizer /* OUT */) {
  struct kg_project pr = {0};
  struct kg_project_kind k;
  const char *zKindTitle = d->zProjectKind;
  memset(&k, 0, sizeof(k));
  *pzOrganizer = NULL;
  if (kg_store_project_get(p, d->projectId, &pr) == KG_OK) *pzOrganizer = kg_xstrdup(pr.zOrganizer);
  if (d->zProjectKind && kg_store_project_kind_get(p, d->zProjectKind, &k) == KG_OK)
    zKindTitle = k.zTitleRu;
  json_t *pOut =
      json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)d->projectId, "title",
                d->zProjectTitle ? d->zProjectTitle : "", "kind",
                d->zProjectKind ? d->zProjectKind : "", "kind_title", zKindTitle ? zKindTitle : "");
  kg_project_clear(&pr);
  return pOut;
}

static void date_text(int64_t t, char zOut[11]) {
  char z[21];
  kg_time_format(t, z);
  memcpy(zOut, z, 10);
  zOut[10] = 0;
}

enum kg_err kg_report_protocol_build(struct kg_store *p, int64_t discussionId, int nVersion,
                                     int64_t tIssued, const char *zBaseUrl, json_t **ppDoc) {
  struct kg_discussion d = {0};
  struct entries_ctx ec = {json_array(), json_array(), {0}, {0}, 0, json_object()};
  struct notice_ctx nc = {0, json_array()};
  char *zOrganizer = NULL, *zTerritory = NULL;
  char zDate[11], azBox[4][32];
  json_t *pDoc = NULL, *pProject = NULL;
  enum kg_err rc;

  *ppDoc = NULL;
  if ((rc = kg_store_discussion_get(p, discussionId, &d)) != KG_OK) goto out;
  if ((rc = kg_store_discussion_timeline(p, discussionId, timeline_row, &nc)) != KG_OK) goto out;
  json_array_append_new(nc.pWhere,
                        json_sprintf("Информационная система «Кенгаш»: %s/discussion.html?id=%lld",
                                     zBaseUrl ? zBaseUrl : "", (long long)discussionId));
  if ((rc = kg_store_discussion_expositions(p, discussionId, expo_row, nc.pWhere)) != KG_OK)
    goto out;
  if ((rc = kg_store_report_entries(p, discussionId, 0, entry_row, &ec)) != KG_OK) goto out;
  pProject = project_json(p, &d, &zOrganizer);
  for (int i = 0; i < 4; i++)
    snprintf(azBox[i], sizeof(azBox[i]), "%.6f", d.bbox[i]);
  double ha = d.areaM2 / 10000.0;
  zTerritory = kg_xasprintf(
      "Территория, в границах которой проводятся общественные обсуждения по проекту «%s»: "
      "площадь %.2f га (%.0f м²), границы в пределах долготы %s–%s и широты %s–%s (WGS 84); "
      "контур территории опубликован в карточке обсуждения: %s/discussion.html?id=%lld",
      d.zProjectTitle ? d.zProjectTitle : "", ha, round(d.areaM2), azBox[0], azBox[2], azBox[1],
      azBox[3], zBaseUrl ? zBaseUrl : "", (long long)discussionId);
  date_text(tIssued, zDate);
  pDoc = json_pack("{s:s, s:s, s:I, s:s, s:i, s:o, s:s, s:o, s:s, s:{s:s, s:o, s:o}, s:{s:o, s:o}, "
                   "s:{s:s, s:I, s:[s,s,s,s]}}",
                   "document", "protocol", "title", "Протокол общественных обсуждений",
                   "discussion_id", (json_int_t)discussionId, "discussion_title",
                   d.zTitle ? d.zTitle : "", "version", nVersion, "issued_at", time_json(tIssued),
                   "date", zDate, "project", pProject, "organizer", zOrganizer ? zOrganizer : "",
                   "notification", "text", d.zNotice ? d.zNotice : "", "date",
                   time_json(nc.tAnnounced ? nc.tAnnounced : d.announceAt), "published_at",
                   nc.pWhere, "period", "from", time_json(d.opensAt), "to", time_json(d.closesAt),
                   "territory", "description", zTerritory, "area_m2", (json_int_t)llround(d.areaM2),
                   "bbox", azBox[0], azBox[1], azBox[2], azBox[3]);
  pProject = NULL;
  nc.pWhere = NULL;
  if (!pDoc) {
    kg_log_error("report cannot assemble the document discussion=%lld", (long long)discussionId);
    rc = KG_EINVAL;
    goto out;
  }
  json_object_set_new(
      pDoc, "counts",
      json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "total",
                (json_int_t)ec.nTotal, "residents", (json_int_t)json_array_size(ec.pResidents),
                "others", (json_int_t)json_array_size(ec.pOthers), "proposals",
                (json_int_t)ec.nKind[0], "remarks", (json_int_t)ec.nKind[1], "questions",
                (json_int_t)ec.nKind[2], "published", (json_int_t)ec.nStatus[0], "rejected",
                (json_int_t)ec.nStatus[1], "pending", (json_int_t)ec.nStatus[2], "participants",
                (json_int_t)json_object_size(ec.pParticipants)));
  json_object_set(pDoc, "residents", ec.pResidents);
  json_object_set(pDoc, "others", ec.pOthers);
  json_t *pAppeals = NULL; /* appeals against rejections and their outcomes */
  if ((rc = rpt_appeals_json(p, discussionId, &pAppeals)) != KG_OK) goto out;
  json_object_set_new(pDoc, "appeals", pAppeals);
  *ppDoc = pDoc;
  pDoc = NULL;
out:
  json_decref(pDoc);
  json_decref(pProject);
  json_decref(nc.pWhere);
  json_decref(ec.pResidents);
  json_decref(ec.pOthers);
  json_decref(ec.pParticipants);
  free(zOrganizer);
  free(zTerritory);
  kg_discussion_clear(&d);
  return rc;
}

/* ---- the conclusion ---- */

/* The conclusion's draft as one pass over the items: comment id -> item. */
struct items_ctx {
  json_t *pByComment; /* "id" -> {group, recommendation, reasoning} */
};

static int item_row(void *pArg, const struct kg_conclusion_item *it) {
  struct items_ctx *c = pArg;
  char zKey[24];
  snprintf(zKey, sizeof(zKey), "%lld", (long long)it->commentId);
  json_object_set_new(c->pByComment, zKey,
                      json_pack("{s:I, s:s, s:s, s:o}", "group", (json_int_t)it->groupId,
                                "recommendation", it->zRecommendation, "reasoning", it->zReasoning,
                                "updated_at", time_json(it->updatedAt)));
  return 0;
}

static json_t *item_for(json_t *pByComment, json_t *pEntry) {
  char zKey[24];
  snprintf(zKey, sizeof(zKey), "%lld",
           (long long)json_integer_value(json_object_get(pEntry, "comment_id")));
  return json_object_get(pByComment, zKey);
}

static int needs_recommendation(json_t *pEntry) {
  const char *zKind = json_string_value(json_object_get(pEntry, "kind"));
  return zKind && (strcmp(zKind, "proposal") == 0 || strcmp(zKind, "remark") == 0);
}

/* Walks the protocol's entries (residents, then others) into groups:
 * pItems gets one object per group in order of first appearance, pMissing
 * the registration numbers of proposals and remarks without one. */
static void group_entries(json_t *pProtocol, json_t *pByComment, json_t *pItems, json_t *pMissing) {
  static const char *const azSplit[] = {"residents", "others"};
  json_t *pGroups = json_object(); /* group id -> item object (borrowed from pItems) */
  for (int k = 0; k < 2; k++) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(pProtocol, azSplit[k]), i, e) {
      json_t *it = item_for(pByComment, e);
      if (!it) {
        if (needs_recommendation(e))
          json_array_append(pMissing, json_object_get(e, "registration_number"));
        continue;
      }
      char zKey[24];
      snprintf(zKey, sizeof(zKey), "%lld",
               (long long)json_integer_value(json_object_get(it, "group")));
      json_t *g = json_object_get(pGroups, zKey);
      if (!g) {
        g = json_pack("{s:[], s:[], s:O, s:O}", "registration_numbers", "comment_ids",
                      "recommendation", json_object_get(it, "recommendation"), "reasoning",
                      json_object_get(it, "reasoning"));
        json_array_append_new(pItems, g);
        json_object_set(pGroups, zKey, g);
      }
      json_array_append(json_object_get(g, "registration_numbers"),
                        json_object_get(e, "registration_number"));
      json_array_append(json_object_get(g, "comment_ids"), json_object_get(e, "comment_id"));
    }
  }
  json_decref(pGroups);
}

static enum kg_err load_doc(const struct kg_report_doc *pDoc, json_t **ppOut) {
  *ppOut = json_loadb(pDoc->zBody, pDoc->nBody, 0, NULL);
  if (!*ppOut || !json_is_object(*ppOut)) {
    json_decref(*ppOut);
    *ppOut = NULL;
    kg_log_error("report stored document does not parse discussion=%lld",
                 (long long)pDoc->discussionId);
    return KG_EDB;
  }
  return KG_OK;
}

enum kg_err kg_report_conclusion_build(struct kg_store *p, int64_t discussionId, int nVersion,
                                       int64_t tIssued, const char *zBaseUrl,
                                       const struct kg_report_doc *pProtocol, json_t **ppDoc,
                                       int *pnMissing, struct kg_buf *pWhy) {
  struct items_ctx ic = {json_object()};
  json_t *pProt = NULL, *pItems = json_array(), *pMissing = json_array(), *pDoc = NULL;
  char *zFindings = NULL;
  char zDate[11];
  enum kg_err rc;
  (void)zBaseUrl;
  *ppDoc = NULL;
  *pnMissing = 0;
  if ((rc = load_doc(pProtocol, &pProt)) != KG_OK) goto out;
  if ((rc = kg_store_conclusion_items(p, discussionId, item_row, &ic)) != KG_OK) goto out;
  if ((rc = kg_store_conclusion_findings_get(p, discussionId, &zFindings)) != KG_OK) goto out;
  group_entries(pProt, ic.pByComment, pItems, pMissing);
  size_t nMissing = json_array_size(pMissing);
  if (nMissing) {
    *pnMissing = (int)nMissing;
    if (pWhy) {
      kg_buf_printf(pWhy,
                    "%zu registered proposals and remarks have no recommendation yet: ", nMissing);
      for (size_t i = 0; i < nMissing && i < KG_REPORT_MISSING_NAMED; i++)
        kg_buf_printf(pWhy, "%s%s", i ? ", " : "", json_string_value(json_array_get(pMissing, i)));
      if (nMissing > KG_REPORT_MISSING_NAMED) kg_buf_puts(pWhy, ", ...");
    }
    rc = KG_ECONFLICT;
    goto out;
  }
  date_text(tIssued, zDate);
  json_t *pCounts = json_object_get(pProt, "counts");
  pDoc = json_pack(
      "{s:s, s:s, s:I, s:O, s:i, s:o, s:s, s:O, s:O, s:O, s:{s:i, s:s, s:O, s:O}, s:O, s:O, "
      "s:O, s:o, s:s}",
      "document", "conclusion", "title", "Заключение о результатах общественных обсуждений",
      "discussion_id", (json_int_t)discussionId, "discussion_title",
      json_object_get(pProt, "discussion_title"), "version", nVersion, "issued_at",
      time_json(tIssued), "date", zDate, "project", json_object_get(pProt, "project"), "organizer",
      json_object_get(pProt, "organizer"), "participants", json_object_get(pCounts, "participants"),
      "protocol", "version", pProtocol->nVersion, "sha256", pProtocol->zSha256, "issued_at",
      json_object_get(pProt, "issued_at"), "date", json_object_get(pProt, "date"), "residents",
      json_object_get(pProt, "residents"), "others", json_object_get(pProt, "others"), "counts",
      pCounts, "items", pItems, "findings", zFindings ? zFindings : "");
  pItems = NULL;
  if (!pDoc) {
    kg_log_error("report cannot assemble the document discussion=%lld", (long long)discussionId);
    rc = KG_EINVAL;
    goto out;
  }
  *ppDoc = pDoc;
out:
  json_decref(pProt);
  json_decref(pItems);
  json_decref(pMissing);
  json_decref(ic.pByComment);
  free(zFindings);
  return rc;
}

enum kg_err kg_report_conclusion_draft(struct kg_store *p, int64_t discussionId,
                                       const struct kg_report_doc *pProtocol, json_t **ppDraft) {
  struct items_ctx ic = {json_object()};
  json_t *pProt = NULL, *pItems = json_array(), *pMissing = json_array();
  char *zFindings = NULL;
  enum kg_err rc;
  *ppDraft = NULL;
  if ((rc = load_doc(pProtocol, &pProt)) != KG_OK) goto out;
  if ((rc = kg_store_conclusion_items(p, discussionId, item_row, &ic)) != KG_OK) goto out;
  if ((rc = kg_store_conclusion_findings_get(p, discussionId, &zFindings)) != KG_OK) goto out;
  group_entries(pProt, ic.pByComment, pItems, pMissing);
  *ppDraft =
      json_pack("{s:I, s:{s:i, s:s}, s:o, s:o, s:o}", "discussion_id", (json_int_t)discussionId,
                "protocol", "version", pProtocol->nVersion, "sha256", pProtocol->zSha256, "items",
                pItems, "missing", pMissing, "findings", str_or_null(zFindings));
  pItems = pMissing = NULL;
out:
  json_decref(pProt);
  json_decref(pItems);
  json_decref(pMissing);
  json_decref(ic.pByComment);
  free(zFindings);
  return rc;
}

/* ---- the participant's extract ---- */

static int has_id(const int64_t *a, size_t n, int64_t id) {
  for (size_t i = 0; i < n; i++)
    if (a[i] == id) return 1;
  return 0;
}

enum kg_err kg_report_extract_build(const struct kg_report_doc *pProtocol,
                                    const struct kg_report_doc *pConclusion,
                                    const int64_t *aCommentId, size_t nIds, const char *zFullName,
                                    int64_t tNow, json_t **ppDoc) {
  static const char *const azSplit[] = {"residents", "others"};
  json_t *pProt = NULL, *pConc = NULL, *pEntries = json_array();
  enum kg_err rc;
  *ppDoc = NULL;
  if ((rc = load_doc(pProtocol, &pProt)) != KG_OK) goto out;
  if (pConclusion && (rc = load_doc(pConclusion, &pConc)) != KG_OK) goto out;
  for (int k = 0; k < 2; k++) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(pProt, azSplit[k]), i, e) {
      json_int_t id = json_integer_value(json_object_get(e, "comment_id"));
      if (!has_id(aCommentId, nIds, id)) continue;
      json_t *pCopy = json_deep_copy(e);
      size_t j;
      json_t *it;
      /* the recommendation of the conclusion's group holding this entry */
      json_array_foreach(json_object_get(pConc, "items"), j, it) {
        size_t m;
        json_t *v;
        json_array_foreach(json_object_get(it, "comment_ids"), m, v) {
          if (json_integer_value(v) != id) continue;
          json_object_set(pCopy, "recommendation", json_object_get(it, "recommendation"));
          json_object_set(pCopy, "reasoning", json_object_get(it, "reasoning"));
        }
      }
      json_array_append_new(pEntries, pCopy);
    }
  }
  json_t *pDoc = json_pack(
      "{s:s, s:s, s:O, s:O, s:O, s:s, s:o, s:{s:O, s:s, s:O}, s:o}", "document", "extract", "title",
      "Выписка из протокола общественных обсуждений", "discussion_id",
      json_object_get(pProt, "discussion_id"), "discussion_title",
      json_object_get(pProt, "discussion_title"), "project", json_object_get(pProt, "project"),
      "participant", zFullName ? zFullName : "", "generated_at", time_json(tNow), "protocol",
      "version", json_object_get(pProt, "version"), "sha256", pProtocol->zSha256, "issued_at",
      json_object_get(pProt, "issued_at"), "entries", pEntries);
  pEntries = NULL;
  if (!pDoc) {
    kg_log_error("report cannot assemble the document discussion=%lld",
                 (long long)pProtocol->discussionId);
    rc = KG_EINVAL;
    goto out;
  }
  if (pConc)
    json_object_set_new(pDoc, "conclusion",
                        json_pack("{s:O, s:s, s:O}", "version", json_object_get(pConc, "version"),
                                  "sha256", pConclusion->zSha256, "issued_at",
                                  json_object_get(pConc, "issued_at")));
  *ppDoc = pDoc;
out:
  json_decref(pProt);
  json_decref(pConc);
  json_decref(pEntries);
  return rc;
}

/* ---- canonical bytes ---- */

static int has_real(const json_t *p) {
  const char *zKey;
  json_t *v;
  size_t i;
  if (json_is_real(p)) return 1;
  if (json_is_object(p)) {
    json_object_foreach((json_t *)p, zKey, v) if (has_real(v)) return 1;
  } else if (json_is_array(p)) {
    json_array_foreach((json_t *)p, i, v) if (has_real(v)) return 1;
  }
  return 0;
}

void kg_report_sha256(const void *p, size_t n, char zSha256[65]) {
  unsigned char a[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(a, p, n);
  kg_hex_encode(a, sizeof(a), zSha256);
}

enum kg_err kg_report_canonical(const json_t *pDoc, char **pzOut, size_t *pnOut, char zSha256[65]) {
  *pzOut = NULL;
  *pnOut = 0;
  zSha256[0] = 0;
  if (!json_is_object(pDoc) || has_real(pDoc)) return KG_EINVAL;
  char *z = json_dumps(pDoc, JSON_COMPACT | JSON_SORT_KEYS);
  if (!z) return KG_ENOMEM;
  size_t n = strlen(z);
  if (n > KG_REPORT_MAX_BYTES) {
    free(z);
    return KG_ETOOBIG;
  }
  kg_report_sha256(z, n, zSha256);
  *pzOut = z;
  *pnOut = n;
  return KG_OK;
}

char *kg_report_served_json(const char *zCanon, size_t nCanon, const char *zSha256, size_t *pnOut) {
  /* {"sha256":"<64 hex>", + the canonical bytes after their "{" */
  size_t nHead = 12 + 64 + 2;
  char *z = kg_xmalloc(nHead + nCanon + 1);
  memcpy(z, "{\"sha256\":\"", 11);
  memcpy(z + 11, zSha256, 64);
  memcpy(z + 75, "\",", 2);
  size_t n = 77;
  if (nCanon > 2) {
    memcpy(z + n, zCanon + 1, nCanon - 1);
    n += nCanon - 1;
  } else {
    z[n - 1] = '}'; /* "{}": no comma */
  }
  z[n] = 0;
  *pnOut = n;
  return z;
}

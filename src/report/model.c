/* model.c: words a document model (JSON) as the print model of
 * report_int.h — the order of sections and the labels of kinds, channels,
 * statuses and recommendations — so the HTML page and the PDF say the same
 * thing. Every fixed label comes from src/core/lang/<lang>/report.txt
 * through kg_tr: Russian, the legal version, or a Tatar or English
 * translation that says so under its title. The content (texts, reasons,
 * findings, places) stays as written. Dates: Russian keeps the official
 * numeric form (01.12.2026), the translations name the month of the same
 * day (kg_tr_date). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_int.h"

/* ---- labels ---- */

/* The label of a stored code (a kind, channel, status...) in the
 * document's language: the key zPrefix + zCode; the code itself when the
 * table has no such key. */
/* i18n-prefix: report.kind. */
/* i18n-prefix: report.channel. */
/* i18n-prefix: report.status. */
/* i18n-prefix: report.recommendation. */
/* i18n-prefix: report.appeal. */
static const char *label(const struct rpt_doc *d, const char *zPrefix, const char *zCode) {
  char zKey[96];
  if (!zCode) return "";
  snprintf(zKey, sizeof(zKey), "%s%s", zPrefix, zCode);
  const char *z = kg_tr(d->eLang, zKey);
  return z == zKey ? zCode : z;
}

static const char *jstr(const json_t *p, const char *zKey) {
  const char *z = json_string_value(json_object_get(p, zKey));
  return z ? z : "";
}

/* The date of "2026-12-01T09:00:00Z" into z: "01.12.2026" in Russian, the
 * named month of kg_tr_date in a translation; "" when malformed. */
static void doc_date(const struct rpt_doc *d, const char *zIso, char z[KG_TR_DATE_MAX]) {
  struct tm tm;
  z[0] = 0;
  if (!zIso || strlen(zIso) < 10) return;
  if (d->eLang == KG_LANG_RU) {
    snprintf(z, KG_TR_DATE_MAX, "%.2s.%.2s.%.4s", zIso + 8, zIso + 5, zIso);
    return;
  }
  /* the same calendar day as the Russian version: noon UTC of it is that
   * day in Moscow time too */
  memset(&tm, 0, sizeof(tm));
  if (!strptime(zIso, "%Y-%m-%d", &tm)) return;
  tm.tm_hour = 12;
  kg_tr_date(d->eLang, (int64_t)timegm(&tm), z);
}

/* "version {version} of {date}, SHA-256 {sha}" of a referenced document
 * (pRef: version, issued_at, sha256; bDated 0 leaves the date out). */
static char *reference(const struct rpt_doc *d, const json_t *pRef, int bDated) {
  char zVersion[24], zDate[KG_TR_DATE_MAX];
  snprintf(zVersion, sizeof(zVersion), "%lld",
           (long long)json_integer_value(json_object_get(pRef, "version")));
  doc_date(d, jstr(pRef, "issued_at"), zDate);
  if (!bDated)
    return kg_trf(d->eLang, "report.ref.undated", "version", zVersion, "sha", jstr(pRef, "sha256"),
                  NULL);
  return kg_trf(d->eLang, "report.ref.dated", "version", zVersion, "date", zDate, "sha",
                jstr(pRef, "sha256"), NULL);
}

/* ---- building ---- */

static struct rpt_block *add(struct rpt_doc *d, enum rpt_block_type t, const char *zLabel,
                             char *zText) {
  if (d->nBlock == d->nAlloc) {
    d->nAlloc = d->nAlloc ? d->nAlloc * 2 : 32;
    d->aBlock = kg_xrealloc(d->aBlock, d->nAlloc * sizeof(*d->aBlock));
  }
  struct rpt_block *b = &d->aBlock[d->nBlock++];
  memset(b, 0, sizeof(*b));
  b->type = t;
  b->zLabel = zLabel;
  b->zText = zText;
  return b;
}

static void add_text(struct rpt_doc *d, enum rpt_block_type t, const char *zLabel,
                     const char *zText) {
  add(d, t, zLabel, kg_xstrdup(zText ? zText : ""));
}

static struct rpt_table *add_table(struct rpt_doc *d, int nCol, const char *const *azHead,
                                   const double *aWidth) {
  struct rpt_table *t = kg_xcalloc(1, sizeof(*t));
  t->nCol = nCol;
  for (int i = 0; i < nCol; i++) {
    t->azHead[i] = azHead[i];
    t->aWidth[i] = aWidth[i];
  }
  add(d, RPT_TABLE, NULL, NULL)->pTable = t;
  return t;
}

/* Appends a row; takes the heap strings in azCell (nCol of them). */
static void table_row(struct rpt_table *t, char **azCell) {
  if (t->nRow == t->nAlloc) {
    t->nAlloc = t->nAlloc ? t->nAlloc * 2 : 64;
    t->azCell = kg_xrealloc(t->azCell, t->nAlloc * (size_t)t->nCol * sizeof(char *));
  }
  memcpy(&t->azCell[t->nRow * (size_t)t->nCol], azCell, (size_t)t->nCol * sizeof(char *));
  t->nRow++;
}

/* A table of entries (registration number, kind, text, channel and place,
 * status[, recommendation]). */
static void entries_table(struct rpt_doc *d, const json_t *pEntries, int bRecommendation) {
  const char *const azHead[] = {
      kg_tr(d->eLang, "report.col.regno"),  kg_tr(d->eLang, "report.col.kind"),
      kg_tr(d->eLang, "report.col.body"),   kg_tr(d->eLang, "report.col.channel"),
      kg_tr(d->eLang, "report.col.status"), kg_tr(d->eLang, "report.col.recommendation")};
  static const double aW5[] = {0.13, 0.11, 0.48, 0.16, 0.12};
  static const double aW6[] = {0.12, 0.10, 0.42, 0.14, 0.11, 0.11};
  if (json_array_size(pEntries) == 0) {
    add_text(d, RPT_PARA, NULL, kg_tr(d->eLang, "report.none"));
    return;
  }
  struct rpt_table *t = add_table(d, bRecommendation ? 6 : 5, azHead, bRecommendation ? aW6 : aW5);
  size_t i;
  json_t *e;
  json_array_foreach(pEntries, i, e) {
    char *az[RPT_MAX_COLS];
    const char *zLoc = json_string_value(json_object_get(e, "location"));
    const char *zReason = json_string_value(json_object_get(e, "moderation_reason"));
    az[0] = kg_xstrdup(jstr(e, "registration_number"));
    az[1] = kg_xstrdup(label(d, "report.kind.", jstr(e, "kind")));
    az[2] = kg_xstrdup(jstr(e, "body"));
    az[3] = kg_xasprintf("%s%s%s", label(d, "report.channel.", jstr(e, "channel")),
                         zLoc ? "; " : "", zLoc ? zLoc : "");
    az[4] = kg_xasprintf("%s%s%s", label(d, "report.status.", jstr(e, "status")),
                         zReason ? ": " : "", zReason ? zReason : "");
    if (bRecommendation) {
      const char *zRec = json_string_value(json_object_get(e, "recommendation"));
      az[5] = kg_xstrdup(zRec ? label(d, "report.recommendation.", zRec) : "—");
    }
    table_row(t, az);
  }
}

static void counts_block(struct rpt_doc *d, const json_t *c) {
  static const char *const azName[] = {"total",   "residents",   "others",    "proposals",
                                       "remarks", "questions",   "published", "rejected",
                                       "pending", "participants"};
  char az[10][24];
  for (int i = 0; i < 10; i++)
    snprintf(az[i], sizeof(az[i]), "%lld",
             (long long)json_integer_value(json_object_get(c, azName[i])));
  char *z = kg_trf(d->eLang, "report.counts.text", "total", az[0], "residents", az[1], "others",
                   az[2], "proposals", az[3], "remarks", az[4], "questions", az[5], "published",
                   az[6], "rejected", az[7], "pending", az[8], "participants", az[9], NULL);
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.counts"), z);
}

/* The document's title: the issued one in Russian, else the translation's
 * (keys report.title.<document>). */
/* i18n-prefix: report.title. */
static const char *doc_title(const struct rpt_doc *d, const json_t *pDoc) {
  if (d->eLang == KG_LANG_RU) return jstr(pDoc, "title");
  return label(d, "report.title.", jstr(pDoc, "document"));
}

/* The title, the discussion, a translation's note, the version. */
static void title_blocks(struct rpt_doc *d, const json_t *pDoc, int bQuoted) {
  add_text(d, RPT_TITLE, NULL, doc_title(d, pDoc));
  if (bQuoted)
    add(d, RPT_SUBTITLE, NULL,
        kg_trf(d->eLang, "report.quoted", "text", jstr(pDoc, "discussion_title"), NULL));
  else
    add_text(d, RPT_SUBTITLE, NULL, jstr(pDoc, "discussion_title"));
  if (d->eLang != KG_LANG_RU) add_text(d, RPT_PARA, NULL, kg_tr(d->eLang, "report.translation"));
}

static void head_blocks(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pProject = json_object_get(pDoc, "project");
  char zDate[KG_TR_DATE_MAX], zVersion[24];
  title_blocks(d, pDoc, 1);
  doc_date(d, jstr(pDoc, "issued_at"), zDate);
  if (json_object_get(pDoc, "version")) {
    snprintf(zVersion, sizeof(zVersion), "%lld",
             (long long)json_integer_value(json_object_get(pDoc, "version")));
    add(d, RPT_SUBTITLE, NULL,
        kg_trf(d->eLang, "report.version_of", "version", zVersion, "date", zDate, NULL));
  }
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.project"),
      kg_xasprintf("%s (%s)", jstr(pProject, "title"), jstr(pProject, "kind_title")));
}

/* Appeals against rejections and their outcomes (a protocol without the
 * member, issued before appeals existed, shows nothing). */
static void appeals_table(struct rpt_doc *d, const json_t *pAppeals) {
  const char *const azHead[] = {
      kg_tr(d->eLang, "report.col.regno"), kg_tr(d->eLang, "report.col.appeal_date"),
      kg_tr(d->eLang, "report.col.rejection_reason"), kg_tr(d->eLang, "report.col.appeal"),
      kg_tr(d->eLang, "report.col.decision")};
  static const double aW[] = {0.13, 0.12, 0.22, 0.28, 0.25};
  size_t i;
  json_t *e;
  if (!pAppeals) return;
  add_text(d, RPT_HEADING, NULL, kg_tr(d->eLang, "report.heading.appeals"));
  if (json_array_size(pAppeals) == 0) {
    add_text(d, RPT_PARA, NULL, kg_tr(d->eLang, "report.none"));
    return;
  }
  struct rpt_table *t = add_table(d, 5, azHead, aW);
  json_array_foreach(pAppeals, i, e) {
    char *az[RPT_MAX_COLS], zAt[KG_TR_DATE_MAX], zDecided[KG_TR_DATE_MAX];
    const char *zReason = json_string_value(json_object_get(e, "decision_reason"));
    doc_date(d, jstr(e, "submitted_at"), zAt);
    doc_date(d, jstr(e, "decided_at"), zDecided);
    az[0] = kg_xstrdup(jstr(e, "registration_number"));
    az[1] = kg_xstrdup(zAt);
    az[2] = kg_xstrdup(jstr(e, "rejection_reason"));
    az[3] = kg_xstrdup(jstr(e, "text"));
    az[4] = kg_xasprintf("%s%s%s%s%s", label(d, "report.appeal.", jstr(e, "status")),
                         zReason ? " " : "", zReason ? zDecided : "", zReason ? ": " : "",
                         zReason ? zReason : "");
    table_row(t, az);
  }
}

/* The notice: its date, where it was published, its text. */
static void notice_blocks(struct rpt_doc *d, const json_t *pNote) {
  char zA[KG_TR_DATE_MAX];
  struct kg_buf b;
  size_t i;
  json_t *v;
  add_text(d, RPT_HEADING, NULL, kg_tr(d->eLang, "report.heading.notice"));
  doc_date(d, jstr(pNote, "date"), zA);
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.notice.date"), zA);
  kg_buf_init(&b, 1 << 20);
  json_array_foreach(json_object_get(pNote, "published_at"), i, v) {
    kg_buf_printf(&b, "%s%s", i ? "; " : "", json_string_value(v) ? json_string_value(v) : "");
  }
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.notice.where"), kg_buf_detach(&b, NULL));
  kg_buf_free(&b);
  const char *zNotice = jstr(pNote, "text");
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.notice.text"),
           zNotice[0] ? zNotice : kg_tr(d->eLang, "report.notice.none"));
}

static void build_protocol(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pPeriod = json_object_get(pDoc, "period");
  const json_t *pTerr = json_object_get(pDoc, "territory");
  char zA[KG_TR_DATE_MAX], zB[KG_TR_DATE_MAX];
  head_blocks(d, pDoc);
  doc_date(d, jstr(pDoc, "issued_at"), zA);
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.protocol.date"), zA);
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.organizer"), jstr(pDoc, "organizer"));
  notice_blocks(d, json_object_get(pDoc, "notification"));
  doc_date(d, jstr(pPeriod, "from"), zA);
  doc_date(d, jstr(pPeriod, "to"), zB);
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.period"),
      kg_trf(d->eLang, "report.period.value", "from", zA, "to", zB, NULL));
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.territory"), jstr(pTerr, "description"));
  counts_block(d, json_object_get(pDoc, "counts"));
  add_text(d, RPT_HEADING, NULL, kg_tr(d->eLang, "report.heading.residents"));
  entries_table(d, json_object_get(pDoc, "residents"), 0);
  add_text(d, RPT_HEADING, NULL, kg_tr(d->eLang, "report.heading.others"));
  entries_table(d, json_object_get(pDoc, "others"), 0);
  appeals_table(d, json_object_get(pDoc, "appeals"));
  add_text(d, RPT_PARA, NULL, kg_tr(d->eLang, "report.annex_note"));
}

/* Entries with their group's recommendation, for the conclusion's tables. */
static json_t *with_recommendations(const json_t *pEntries, const json_t *pItems) {
  json_t *pOut = json_deep_copy(pEntries);
  size_t i, j, k;
  json_t *e, *it, *v;
  json_array_foreach(pOut, i, e) {
    json_int_t id = json_integer_value(json_object_get(e, "comment_id"));
    json_array_foreach(pItems, j, it) {
      json_array_foreach(json_object_get(it, "comment_ids"), k, v) {
        if (json_integer_value(v) == id)
          json_object_set(e, "recommendation", json_object_get(it, "recommendation"));
      }
    }
  }
  return pOut;
}

/* The organizer's recommendations: registration numbers, recommendation,
 * reasoning. */
static void recommendations_table(struct rpt_doc *d, const json_t *pItems) {
  add_text(d, RPT_HEADING, NULL, kg_tr(d->eLang, "report.heading.recommendations"));
  if (json_array_size(pItems) == 0) {
    add_text(d, RPT_PARA, NULL, kg_tr(d->eLang, "report.conclusion.none"));
    return;
  }
  const char *const azHead[] = {kg_tr(d->eLang, "report.col.regnos"),
                                kg_tr(d->eLang, "report.col.recommendation"),
                                kg_tr(d->eLang, "report.col.reasoning")};
  static const double aW[] = {0.2, 0.16, 0.64};
  struct rpt_table *t = add_table(d, 3, azHead, aW);
  size_t i, j;
  json_t *it, *v;
  json_array_foreach(pItems, i, it) {
    struct kg_buf b;
    char *az[3];
    kg_buf_init(&b, 1 << 20);
    json_array_foreach(json_object_get(it, "registration_numbers"), j, v) {
      kg_buf_printf(&b, "%s%s", j ? ", " : "", json_string_value(v) ? json_string_value(v) : "");
    }
    az[0] = kg_buf_detach(&b, NULL);
    kg_buf_free(&b);
    if (!az[0]) az[0] = kg_xstrdup("");
    az[1] = kg_xstrdup(label(d, "report.recommendation.", jstr(it, "recommendation")));
    az[2] = kg_xstrdup(jstr(it, "reasoning"));
    table_row(t, az);
  }
}

static void build_conclusion(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pItems = json_object_get(pDoc, "items");
  char zA[KG_TR_DATE_MAX];
  head_blocks(d, pDoc);
  doc_date(d, jstr(pDoc, "issued_at"), zA);
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.conclusion.date"), zA);
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.organizer"), jstr(pDoc, "organizer"));
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.conclusion.participants"),
      kg_xasprintf("%lld", (long long)json_integer_value(json_object_get(pDoc, "participants"))));
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.ref.protocol"),
      reference(d, json_object_get(pDoc, "protocol"), 1));
  counts_block(d, json_object_get(pDoc, "counts"));
  static const char *const azSplit[] = {"residents", "others"};
  const char *const azHeading[] = {kg_tr(d->eLang, "report.heading.residents"),
                                   kg_tr(d->eLang, "report.heading.others")};
  for (int k = 0; k < 2; k++) {
    json_t *pE = with_recommendations(json_object_get(pDoc, azSplit[k]), pItems);
    add_text(d, RPT_HEADING, NULL, azHeading[k]);
    entries_table(d, pE, 1);
    json_decref(pE);
  }
  recommendations_table(d, pItems);
  add_text(d, RPT_HEADING, NULL, kg_tr(d->eLang, "report.heading.findings"));
  const char *zFindings = jstr(pDoc, "findings");
  add_text(d, RPT_PARA, NULL, zFindings[0] ? zFindings : kg_tr(d->eLang, "report.findings.none"));
}

static void build_extract(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pConc = json_object_get(pDoc, "conclusion");
  char zA[KG_TR_DATE_MAX];
  head_blocks(d, pDoc);
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.extract.participant"), jstr(pDoc, "participant"));
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.ref.protocol"),
      reference(d, json_object_get(pDoc, "protocol"), 1));
  if (pConc) add(d, RPT_FIELD, kg_tr(d->eLang, "report.ref.conclusion"), reference(d, pConc, 1));
  doc_date(d, jstr(pDoc, "generated_at"), zA);
  add_text(d, RPT_FIELD, kg_tr(d->eLang, "report.extract.date"), zA);
  add_text(d, RPT_HEADING, NULL, kg_tr(d->eLang, "report.heading.extract"));
  entries_table(d, json_object_get(pDoc, "entries"), pConc != NULL);
}

/* Joins the strings of array pArr with zSep, each worded through the keys
 * zPrefix + string when zPrefix is given (heap). */
static char *joined(const struct rpt_doc *d, const json_t *pArr, const char *zSep,
                    const char *zPrefix) {
  struct kg_buf b;
  size_t i;
  json_t *v;
  kg_buf_init(&b, 1 << 20);
  json_array_foreach(pArr, i, v) {
    const char *z = json_string_value(v) ? json_string_value(v) : "";
    kg_buf_printf(&b, "%s%s", i ? zSep : "", zPrefix ? label(d, zPrefix, z) : z);
  }
  char *z = kg_buf_failed(&b) ? NULL : kg_buf_detach(&b, NULL);
  if (!z) kg_buf_free(&b);
  return z ? z : kg_xstrdup("");
}

/* One person of the annex as a table row. */
static void participant_row(struct rpt_doc *d, struct rpt_table *t, const json_t *e) {
  char *az[RPT_MAX_COLS], *zBasis = joined(d, json_object_get(e, "basis"), ", ", NULL);
  char *zCad = joined(d, json_object_get(e, "cadastral_numbers"), ", ", NULL);
  char *zReg = joined(d, json_object_get(e, "registration_numbers"), ", ", NULL);
  char *zCh = joined(d, json_object_get(e, "channels"), ", ", "report.channel.");
  char zBirth[KG_TR_DATE_MAX];
  doc_date(d, jstr(e, "birth_date"), zBirth);
  az[0] = kg_xstrdup(jstr(e, "full_name"));
  az[1] = kg_xstrdup(zBirth[0] ? zBirth : "—");
  az[2] = kg_xstrdup(jstr(e, "address")[0] ? jstr(e, "address") : "—");
  az[3] = kg_xasprintf("%s%s%s",
                       strstr(zBasis, "rightholder") ? kg_tr(d->eLang, "report.basis.rightholder")
                                                     : kg_tr(d->eLang, "report.basis.resident"),
                       zCad[0] ? "; " : "", zCad);
  az[4] = kg_xasprintf("%s (%s)", zReg, zCh);
  table_row(t, az);
  free(zBasis), free(zCad), free(zReg), free(zCh);
}

/* The participants annex (issue 14): identification data, moderators
 * only. */
static void build_participants(struct rpt_doc *d, const json_t *pDoc) {
  const char *const azHead[] = {
      kg_tr(d->eLang, "report.col.full_name"), kg_tr(d->eLang, "report.col.birth_date"),
      kg_tr(d->eLang, "report.col.address"), kg_tr(d->eLang, "report.col.basis"),
      kg_tr(d->eLang, "report.col.regno_channel")};
  static const double aW[] = {0.22, 0.12, 0.28, 0.2, 0.18};
  title_blocks(d, pDoc, 0);
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.ref.protocol"),
      reference(d, json_object_get(pDoc, "protocol"), 0));
  add(d, RPT_FIELD, kg_tr(d->eLang, "report.annex.count"),
      kg_xasprintf("%lld", (long long)json_integer_value(json_object_get(pDoc, "count"))));
  const json_t *pItems = json_object_get(pDoc, "items");
  if (json_array_size(pItems) == 0) {
    add_text(d, RPT_PARA, NULL, kg_tr(d->eLang, "report.annex.none"));
    return;
  }
  struct rpt_table *t = add_table(d, 5, azHead, aW);
  size_t i;
  json_t *e;
  json_array_foreach(pItems, i, e) participant_row(d, t, e);
}

enum kg_err rpt_doc_build(const json_t *pDoc, const char *zSha256, enum kg_lang eLang,
                          struct rpt_doc *pOut) {
  const char *zKind = jstr(pDoc, "document");
  memset(pOut, 0, sizeof(*pOut));
  pOut->eLang = eLang;
  if (strcmp(zKind, "protocol") == 0)
    build_protocol(pOut, pDoc);
  else if (strcmp(zKind, "conclusion") == 0)
    build_conclusion(pOut, pDoc);
  else if (strcmp(zKind, "extract") == 0)
    build_extract(pOut, pDoc);
  else if (strcmp(zKind, "participants") == 0)
    build_participants(pOut, pDoc);
  else
    return KG_EINVAL;
  json_t *pVersion = json_object_get(pDoc, "version");
  const char *zTitle = doc_title(pOut, pDoc);
  char zVersion[24];
  snprintf(zVersion, sizeof(zVersion), "%lld", (long long)json_integer_value(pVersion));
  pOut->zTitle = kg_xstrdup(zTitle);
  pOut->zIssued = kg_xstrdup(jstr(pDoc, pVersion ? "issued_at" : "generated_at"));
  pOut->zRunning = pVersion ? kg_trf(eLang, "report.running", "title", zTitle, "discussion",
                                     jstr(pDoc, "discussion_title"), "version", zVersion, NULL)
                            : kg_xasprintf("%s · %s", zTitle, jstr(pDoc, "discussion_title"));
  if (zSha256 && pVersion)
    pOut->zFooter = kg_trf(eLang, "report.footer.canonical", "sha", zSha256, NULL);
  else if (zSha256)
    pOut->zFooter = kg_trf(eLang, "report.footer.protocol", "sha", zSha256, NULL);
  else
    pOut->zFooter = kg_xstrdup("");
  return KG_OK;
}

void rpt_doc_free(struct rpt_doc *p) {
  for (size_t i = 0; i < p->nBlock; i++) {
    struct rpt_table *t = p->aBlock[i].pTable;
    free(p->aBlock[i].zText);
    if (!t) continue;
    for (size_t k = 0; k < t->nRow * (size_t)t->nCol; k++)
      free(t->azCell[k]);
    free(t->azCell);
    free(t);
  }
  free(p->aBlock);
  free(p->zRunning);
  free(p->zFooter);
  free(p->zTitle);
  free(p->zIssued);
  memset(p, 0, sizeof(*p));
}

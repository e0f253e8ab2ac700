/* model.c: words a document model (JSON) as the print model of
 * report_int.h — the order of sections and the Russian labels of kinds,
 * channels, statuses and recommendations — so the HTML page and the PDF
 * say the same thing. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* ---- labels ---- */

static const char *label(const char *const (*aMap)[2], const char *z) {
  for (int i = 0; z && aMap[i][0]; i++)
    if (strcmp(aMap[i][0], z) == 0) return aMap[i][1];
  return z ? z : "";
}

static const char *const aKind[][2] = {
    {"proposal", "предложение"}, {"remark", "замечание"}, {"question", "вопрос"}, {NULL, NULL}};
static const char *const aChannel[][2] = {{"online", "через информационную систему"},
                                          {"paper", "в письменной форме"},
                                          {"email", "по электронной почте"},
                                          {"exposition_book", "в книге учёта экспозиции"},
                                          {NULL, NULL}};
static const char *const aStatus[][2] = {{"published", "опубликовано"},
                                         {"rejected", "отклонено модератором"},
                                         {"pending", "на модерации"},
                                         {NULL, NULL}};
static const char *const aRecommendation[][2] = {
    {"take_into_account", "учесть"}, {"reject", "не учитывать"}, {NULL, NULL}};

static const char *jstr(const json_t *p, const char *zKey) {
  const char *z = json_string_value(json_object_get(p, zKey));
  return z ? z : "";
}

/* "2026-12-01T09:00:00Z" -> "01.12.2026" (into z[11]); "" when malformed. */
static void ru_date(const char *zIso, char z[11]) {
  z[0] = 0;
  if (!zIso || strlen(zIso) < 10) return;
  snprintf(z, 11, "%.2s.%.2s.%.4s", zIso + 8, zIso + 5, zIso);
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
  static const char *const azHead[] = {
      "Рег. №", "Вид", "Содержание", "Способ подачи, место", "Статус", "Рекомендация"};
  static const double aW5[] = {0.13, 0.11, 0.48, 0.16, 0.12};
  static const double aW6[] = {0.12, 0.10, 0.42, 0.14, 0.11, 0.11};
  if (json_array_size(pEntries) == 0) {
    add_text(d, RPT_PARA, NULL, "Не поступали.");
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
    az[1] = kg_xstrdup(label(aKind, jstr(e, "kind")));
    az[2] = kg_xstrdup(jstr(e, "body"));
    az[3] = kg_xasprintf("%s%s%s", label(aChannel, jstr(e, "channel")), zLoc ? "; " : "",
                         zLoc ? zLoc : "");
    az[4] = kg_xasprintf("%s%s%s", label(aStatus, jstr(e, "status")), zReason ? ": " : "",
                         zReason ? zReason : "");
    if (bRecommendation) {
      const char *zRec = json_string_value(json_object_get(e, "recommendation"));
      az[5] = kg_xstrdup(zRec ? label(aRecommendation, zRec) : "—");
    }
    table_row(t, az);
  }
}

static void counts_block(struct rpt_doc *d, const json_t *c) {
  char *z = kg_xasprintf(
      "всего %lld (участников, постоянно проживающих на территории, — %lld, иных участников — "
      "%lld); предложений — %lld, замечаний — %lld, вопросов — %lld; опубликовано — %lld, "
      "отклонено модератором — %lld, на модерации — %lld; число участников — %lld.",
      (long long)json_integer_value(json_object_get(c, "total")),
      (long long)json_integer_value(json_object_get(c, "residents")),
      (long long)json_integer_value(json_object_get(c, "others")),
      (long long)json_integer_value(json_object_get(c, "proposals")),
      (long long)json_integer_value(json_object_get(c, "remarks")),
      (long long)json_integer_value(json_object_get(c, "questions")),
      (long long)json_integer_value(json_object_get(c, "published")),
      (long long)json_integer_value(json_object_get(c, "rejected")),
      (long long)json_integer_value(json_object_get(c, "pending")),
      (long long)json_integer_value(json_object_get(c, "participants")));
  add(d, RPT_FIELD, "Зарегистрировано предложений и замечаний", z);
}

static void head_blocks(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pProject = json_object_get(pDoc, "project");
  char zDate[11];
  add_text(d, RPT_TITLE, NULL, jstr(pDoc, "title"));
  add(d, RPT_SUBTITLE, NULL, kg_xasprintf("«%s»", jstr(pDoc, "discussion_title")));
  ru_date(jstr(pDoc, "issued_at"), zDate);
  if (json_object_get(pDoc, "version"))
    add(d, RPT_SUBTITLE, NULL,
        kg_xasprintf("Версия %lld от %s",
                     (long long)json_integer_value(json_object_get(pDoc, "version")), zDate));
  add(d, RPT_FIELD, "Проект",
      kg_xasprintf("%s (%s)", jstr(pProject, "title"), jstr(pProject, "kind_title")));
}

/* Appeals against rejections and their outcomes (a protocol without the
 * member, issued before appeals existed, shows nothing). */
static void appeals_table(struct rpt_doc *d, const json_t *pAppeals) {
  static const char *const azHead[] = {"Рег. №", "Дата жалобы", "Основание отклонения", "Жалоба",
                                       "Решение"};
  static const double aW[] = {0.13, 0.12, 0.22, 0.28, 0.25};
  static const char *const aOutcome[][2] = {{"upheld", "удовлетворена, опубликовано"},
                                            {"dismissed", "отклонена"},
                                            {"pending", "на рассмотрении"},
                                            {NULL, NULL}};
  size_t i;
  json_t *e;
  if (!pAppeals) return;
  add_text(d, RPT_HEADING, NULL, "Жалобы на отклонение предложений и замечаний");
  if (json_array_size(pAppeals) == 0) {
    add_text(d, RPT_PARA, NULL, "Не поступали.");
    return;
  }
  struct rpt_table *t = add_table(d, 5, azHead, aW);
  json_array_foreach(pAppeals, i, e) {
    char *az[RPT_MAX_COLS], zAt[11], zDecided[11];
    const char *zReason = json_string_value(json_object_get(e, "decision_reason"));
    ru_date(jstr(e, "submitted_at"), zAt);
    ru_date(jstr(e, "decided_at"), zDecided);
    az[0] = kg_xstrdup(jstr(e, "registration_number"));
    az[1] = kg_xstrdup(zAt);
    az[2] = kg_xstrdup(jstr(e, "rejection_reason"));
    az[3] = kg_xstrdup(jstr(e, "text"));
    az[4] = kg_xasprintf("%s%s%s%s%s", label(aOutcome, jstr(e, "status")), zReason ? " " : "",
                         zReason ? zDecided : "", zReason ? ": " : "", zReason ? zReason : "");
    table_row(t, az);
  }
}

static void build_protocol(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pNote = json_object_get(pDoc, "notification");
  const json_t *pPeriod = json_object_get(pDoc, "period");
  const json_t *pTerr = json_object_get(pDoc, "territory");
  char zA[11], zB[11];
  struct kg_buf b;
  size_t i;
  json_t *v;
  head_blocks(d, pDoc);
  ru_date(jstr(pDoc, "issued_at"), zA);
  add_text(d, RPT_FIELD, "Дата оформления протокола", zA);
  add_text(d, RPT_FIELD, "Организатор общественных обсуждений", jstr(pDoc, "organizer"));
  add_text(d, RPT_HEADING, NULL, "Оповещение о начале общественных обсуждений");
  ru_date(jstr(pNote, "date"), zA);
  add_text(d, RPT_FIELD, "Дата оповещения", zA);
  kg_buf_init(&b, 1 << 20);
  json_array_foreach(json_object_get(pNote, "published_at"), i, v) {
    kg_buf_printf(&b, "%s%s", i ? "; " : "", json_string_value(v) ? json_string_value(v) : "");
  }
  add(d, RPT_FIELD, "Где опубликовано", kg_buf_detach(&b, NULL));
  kg_buf_free(&b);
  const char *zNotice = jstr(pNote, "text");
  add_text(d, RPT_FIELD, "Текст оповещения", zNotice[0] ? zNotice : "не приведён");
  ru_date(jstr(pPeriod, "from"), zA);
  ru_date(jstr(pPeriod, "to"), zB);
  add(d, RPT_FIELD, "Срок приёма предложений и замечаний", kg_xasprintf("с %s по %s", zA, zB));
  add_text(d, RPT_FIELD, "Территория", jstr(pTerr, "description"));
  counts_block(d, json_object_get(pDoc, "counts"));
  add_text(d, RPT_HEADING, NULL,
           "Предложения и замечания участников, постоянно проживающих на территории, в пределах "
           "которой проводятся общественные обсуждения");
  entries_table(d, json_object_get(pDoc, "residents"), 0);
  add_text(d, RPT_HEADING, NULL, "Предложения и замечания иных участников общественных обсуждений");
  entries_table(d, json_object_get(pDoc, "others"), 0);
  appeals_table(d, json_object_get(pDoc, "appeals"));
  add_text(d, RPT_PARA, NULL,
           "Перечень принявших участие в рассмотрении проекта участников общественных "
           "обсуждений с их идентификационными данными является приложением к протоколу и не "
           "публикуется.");
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

static void build_conclusion(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pProt = json_object_get(pDoc, "protocol");
  const json_t *pItems = json_object_get(pDoc, "items");
  char zA[11];
  head_blocks(d, pDoc);
  ru_date(jstr(pDoc, "issued_at"), zA);
  add_text(d, RPT_FIELD, "Дата оформления заключения", zA);
  add_text(d, RPT_FIELD, "Организатор общественных обсуждений", jstr(pDoc, "organizer"));
  add(d, RPT_FIELD, "Количество участников общественных обсуждений",
      kg_xasprintf("%lld", (long long)json_integer_value(json_object_get(pDoc, "participants"))));
  ru_date(jstr(pProt, "issued_at"), zA);
  add(d, RPT_FIELD, "Протокол общественных обсуждений",
      kg_xasprintf("версия %lld от %s, SHA-256 %s",
                   (long long)json_integer_value(json_object_get(pProt, "version")), zA,
                   jstr(pProt, "sha256")));
  counts_block(d, json_object_get(pDoc, "counts"));
  static const char *const azSplit[] = {"residents", "others"};
  static const char *const azHeading[] = {
      "Предложения и замечания участников, постоянно проживающих на территории, в пределах "
      "которой проводятся общественные обсуждения",
      "Предложения и замечания иных участников общественных обсуждений"};
  for (int k = 0; k < 2; k++) {
    json_t *pE = with_recommendations(json_object_get(pDoc, azSplit[k]), pItems);
    add_text(d, RPT_HEADING, NULL, azHeading[k]);
    entries_table(d, pE, 1);
    json_decref(pE);
  }
  add_text(d, RPT_HEADING, NULL,
           "Аргументированные рекомендации организатора о целесообразности или "
           "нецелесообразности учёта внесённых предложений и замечаний");
  if (json_array_size(pItems) == 0) {
    add_text(d, RPT_PARA, NULL, "Предложения и замечания не поступали.");
  } else {
    static const char *const azHead[] = {"Рег. номера", "Рекомендация", "Обоснование"};
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
      az[1] = kg_xstrdup(label(aRecommendation, jstr(it, "recommendation")));
      az[2] = kg_xstrdup(jstr(it, "reasoning"));
      table_row(t, az);
    }
  }
  add_text(d, RPT_HEADING, NULL, "Выводы по результатам общественных обсуждений");
  const char *zFindings = jstr(pDoc, "findings");
  add_text(d, RPT_PARA, NULL, zFindings[0] ? zFindings : "Не сформулированы.");
}

static void build_extract(struct rpt_doc *d, const json_t *pDoc) {
  const json_t *pProt = json_object_get(pDoc, "protocol");
  const json_t *pConc = json_object_get(pDoc, "conclusion");
  char zA[11];
  head_blocks(d, pDoc);
  add_text(d, RPT_FIELD, "Участник", jstr(pDoc, "participant"));
  ru_date(jstr(pProt, "issued_at"), zA);
  add(d, RPT_FIELD, "Протокол общественных обсуждений",
      kg_xasprintf("версия %lld от %s, SHA-256 %s",
                   (long long)json_integer_value(json_object_get(pProt, "version")), zA,
                   jstr(pProt, "sha256")));
  if (pConc) {
    ru_date(jstr(pConc, "issued_at"), zA);
    add(d, RPT_FIELD, "Заключение о результатах",
        kg_xasprintf("версия %lld от %s, SHA-256 %s",
                     (long long)json_integer_value(json_object_get(pConc, "version")), zA,
                     jstr(pConc, "sha256")));
  }
  ru_date(jstr(pDoc, "generated_at"), zA);
  add_text(d, RPT_FIELD, "Дата выписки", zA);
  add_text(d, RPT_HEADING, NULL, "Предложения и замечания участника, внесённые в протокол");
  entries_table(d, json_object_get(pDoc, "entries"), pConc != NULL);
}

/* Joins the strings of array pArr with zSep, each worded through aMap when
 * given (heap). */
static char *joined(const json_t *pArr, const char *zSep, const char *const (*aMap)[2]) {
  struct kg_buf b;
  size_t i;
  json_t *v;
  kg_buf_init(&b, 1 << 20);
  json_array_foreach(pArr, i, v) {
    const char *z = json_string_value(v) ? json_string_value(v) : "";
    kg_buf_printf(&b, "%s%s", i ? zSep : "", aMap ? label(aMap, z) : z);
  }
  char *z = kg_buf_failed(&b) ? NULL : kg_buf_detach(&b, NULL);
  if (!z) kg_buf_free(&b);
  return z ? z : kg_xstrdup("");
}

/* The participants annex (issue 14): identification data, moderators
 * only. */
static void build_participants(struct rpt_doc *d, const json_t *pDoc) {
  static const char *const azHead[] = {"Фамилия, имя, отчество", "Дата рождения",
                                       "Адрес места жительства", "Основание участия",
                                       "Рег. № и способ подачи"};
  static const double aW[] = {0.22, 0.12, 0.28, 0.2, 0.18};
  const json_t *pProt = json_object_get(pDoc, "protocol");
  add_text(d, RPT_TITLE, NULL, jstr(pDoc, "title"));
  add_text(d, RPT_SUBTITLE, NULL, jstr(pDoc, "discussion_title"));
  add(d, RPT_FIELD, "Протокол общественных обсуждений",
      kg_xasprintf("версия %lld, SHA-256 %s",
                   (long long)json_integer_value(json_object_get(pProt, "version")),
                   jstr(pProt, "sha256")));
  add(d, RPT_FIELD, "Число участников",
      kg_xasprintf("%lld", (long long)json_integer_value(json_object_get(pDoc, "count"))));
  const json_t *pItems = json_object_get(pDoc, "items");
  if (json_array_size(pItems) == 0) {
    add_text(d, RPT_PARA, NULL, "Участников нет.");
    return;
  }
  struct rpt_table *t = add_table(d, 5, azHead, aW);
  size_t i;
  json_t *e;
  json_array_foreach(pItems, i, e) {
    char *az[RPT_MAX_COLS], *zBasis = joined(json_object_get(e, "basis"), ", ", NULL);
    char *zCad = joined(json_object_get(e, "cadastral_numbers"), ", ", NULL);
    char *zReg = joined(json_object_get(e, "registration_numbers"), ", ", NULL);
    char *zCh = joined(json_object_get(e, "channels"), ", ", aChannel);
    char zBirth[11];
    ru_date(jstr(e, "birth_date"), zBirth);
    az[0] = kg_xstrdup(jstr(e, "full_name"));
    az[1] = kg_xstrdup(zBirth[0] ? zBirth : "—");
    az[2] = kg_xstrdup(jstr(e, "address")[0] ? jstr(e, "address") : "—");
    az[3] = kg_xasprintf("%s%s%s", strstr(zBasis, "rightholder") ? "правообладатель" : "житель",
                         zCad[0] ? "; " : "", zCad);
    az[4] = kg_xasprintf("%s (%s)", zReg, zCh);
    table_row(t, az);
    free(zBasis), free(zCad), free(zReg), free(zCh);
  }
}

enum kg_err rpt_doc_build(const json_t *pDoc, const char *zSha256, struct rpt_doc *pOut) {
  const char *zKind = jstr(pDoc, "document");
  memset(pOut, 0, sizeof(*pOut));
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
  pOut->zTitle = kg_xstrdup(jstr(pDoc, "title"));
  pOut->zIssued = kg_xstrdup(jstr(pDoc, pVersion ? "issued_at" : "generated_at"));
  pOut->zRunning =
      pVersion
          ? kg_xasprintf("%s · %s · версия %lld", jstr(pDoc, "title"),
                         jstr(pDoc, "discussion_title"), (long long)json_integer_value(pVersion))
          : kg_xasprintf("%s · %s", jstr(pDoc, "title"), jstr(pDoc, "discussion_title"));
  if (zSha256 && pVersion)
    pOut->zFooter = kg_xasprintf("SHA-256 канонического JSON: %s", zSha256);
  else if (zSha256)
    pOut->zFooter = kg_xasprintf("SHA-256 протокола: %s", zSha256);
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

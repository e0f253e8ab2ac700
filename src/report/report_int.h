/* report_int.h: private to src/report/. The print model both renderers
 * walk: a document (protocol, conclusion, extract) becomes a flat list of
 * blocks — titles, headings, labelled fields, paragraphs and tables — with
 * every text already worded in the document's language (model.c). html.c
 * and pdf.c only lay it out. */
#ifndef KENGASH_REPORT_INT_H
#define KENGASH_REPORT_INT_H

#include <jansson.h>
#include <stddef.h>

#include "kengash/core.h"
#include "kengash/i18n.h"

#define RPT_MAX_COLS 6

enum rpt_block_type {
  RPT_TITLE,    /* the document's name */
  RPT_SUBTITLE, /* a line under it */
  RPT_HEADING,  /* a section heading */
  RPT_FIELD,    /* zLabel: zText */
  RPT_PARA,     /* zText */
  RPT_TABLE     /* pTable */
};

struct rpt_table {
  int nCol;
  const char *azHead[RPT_MAX_COLS];
  double aWidth[RPT_MAX_COLS]; /* fractions of the text width, summing to 1 */
  size_t nRow, nAlloc;
  char **azCell; /* nRow * nCol heap strings */
};

struct rpt_block {
  enum rpt_block_type type;
  const char *zLabel; /* static text (the string table's), RPT_FIELD only */
  char *zText;        /* heap */
  struct rpt_table *pTable;
};

struct rpt_doc {
  enum kg_lang eLang; /* of the labels */
  char *zRunning;     /* the running header of every page */
  char *zFooter;      /* the footer's left part (version, SHA-256) */
  char *zTitle;       /* for metadata */
  char *zIssued;      /* RFC 3339, for metadata; may be NULL */
  size_t nBlock, nAlloc;
  struct rpt_block *aBlock;
};

/* Builds the print model of pDoc (a protocol, conclusion, extract or
 * participants model) with the labels of eLang; zSha256 may be NULL.
 * KG_EINVAL for an unknown document. Free with rpt_doc_free. */
enum kg_err rpt_doc_build(const json_t *pDoc, const char *zSha256, enum kg_lang eLang,
                          struct rpt_doc *pOut /* OUT */);
void rpt_doc_free(struct rpt_doc *p);

struct kg_store;
/* The protocol's "appeals" of discussionId (appeals.c): a new array in
 * *ppOut, oldest first. */
enum kg_err rpt_appeals_json(struct kg_store *p, int64_t discussionId, json_t **ppOut /* OUT */);

#endif

/* pdf_tag.h: private to src/report/. Tagged PDF for every document drawn
 * with cairo (protocol, conclusion, extract, participants annex): the
 * structure tree a screen reader follows (cairo 1.16's cairo_tag_begin and
 * cairo_tag_end write it, with /MarkInfo /Marked true), bookmarks, and
 * the two catalog entries cairo 1.16 has no API for (/Lang and
 * /ViewerPreferences /DisplayDocTitle), added after writing with libqpdf.
 *
 * Use: kg_pdf_tags_init once per document with bOn set for the drawing
 * pass (it opens the Document element everything sits in: cairo 1.16
 * writes /MarkInfo /Marked true only for a tree with one root element);
 * before drawing a block's text call the wrapper for its role (it closes
 * whatever the new element cannot sit in, so a caller never balances tags
 * by hand); call kg_pdf_tag_close_all before drawing page furniture
 * (running header, footer), and kg_pdf_tags_finish before the last
 * cairo_show_page. cairo 1.16 has no Artifact, so the furniture's text
 * belongs to the Document element itself, between the pages' content. A
 * table cut by a page break is closed there and reopened on the next page
 * (with its repeated header row) as a table of its own. */
#ifndef KENGASH_PDF_TAG_H
#define KENGASH_PDF_TAG_H

#include <cairo.h>
#include <stddef.h>

#include "kengash/core.h"

#define KG_PDF_TAG_DEPTH 8

struct kg_pdf_tags {
  cairo_t *cr;
  int bOn; /* 0: every call does nothing (a layout-only pass) */
  int nOpen;
  int nBase;                   /* elements kg_pdf_tag_close_all keeps open (the Document) */
  int aOpen[KG_PDF_TAG_DEPTH]; /* enum kg_pdf_role of the open elements, outermost first */
};

enum kg_pdf_role {
  KG_PDF_DOCUMENT,
  KG_PDF_H1,
  KG_PDF_H2,
  KG_PDF_H3,
  KG_PDF_P,
  KG_PDF_L,
  KG_PDF_LI,
  KG_PDF_LBODY,
  KG_PDF_TABLE,
  KG_PDF_THEAD,
  KG_PDF_TBODY,
  KG_PDF_TR,
  KG_PDF_TH,
  KG_PDF_TD
};

void kg_pdf_tags_init(struct kg_pdf_tags *t, cairo_t *cr, int bOn);
/* Closes every element, the Document too. */
void kg_pdf_tags_finish(struct kg_pdf_tags *t);
/* A heading of nLevel 1..3 (H1 the document's title, H2 its sections). */
void kg_pdf_tag_heading(struct kg_pdf_tags *t, int nLevel);
void kg_pdf_tag_paragraph(struct kg_pdf_tags *t);
/* One item of a list (L > LI > LBody); consecutive items share the list. */
void kg_pdf_tag_list_item(struct kg_pdf_tags *t);
/* A new table; then kg_pdf_tag_row for each row (bHeader: in THead, else
 * TBody) and kg_pdf_tag_cell around each cell's text (TH in a header row,
 * else TD), ended by kg_pdf_tag_end. */
void kg_pdf_tag_table(struct kg_pdf_tags *t);
void kg_pdf_tag_row(struct kg_pdf_tags *t, int bHeader);
void kg_pdf_tag_cell(struct kg_pdf_tags *t, int bHeader);
/* Ends the innermost open element (never the Document). */
void kg_pdf_tag_end(struct kg_pdf_tags *t);
/* Ends every element but the Document. */
void kg_pdf_tag_close_all(struct kg_pdf_tags *t);
/* Whether an element of role is open (in a table: kg_pdf_tag_row may go on). */
int kg_pdf_tag_is_open(const struct kg_pdf_tags *t, enum kg_pdf_role role);

/* A bookmark to point y (from the top) of page nPage (1-based) under
 * parent (0: the outline's root); returns its id for children. The title
 * is copied. */
int kg_pdf_bookmark(cairo_surface_t *pSurf, int parent, const char *zTitle, int nPage, double y);

/* Sets the catalog's /Lang to zLang (e.g. "ru") and /ViewerPreferences
 * /DisplayDocTitle true in the PDF *ppPdf (*pnPdf bytes, from malloc),
 * replacing it with the rewritten file (libqpdf; deterministic /ID,
 * objects in compressed object streams).
 * KG_EIO when qpdf fails (logged); the input is then left as it was. */
enum kg_err kg_pdf_set_lang(char **ppPdf, size_t *pnPdf, const char *zLang);

#endif

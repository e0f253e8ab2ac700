/* pdf_tag.c: the structure tree, bookmarks and catalog entries of the
 * tagged PDFs (see pdf_tag.h for how a renderer uses them). */
#include "pdf_tag.h"

#include <cairo-pdf.h>
#include <qpdf/qpdf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cairo's names of the roles, in enum kg_pdf_role order */
static const char *const azRole[] = {"Document", "H1",    "H2",    "H3",    "P",  "L",  "LI",
                                     "LBody",    "Table", "THead", "TBody", "TR", "TH", "TD"};

static void push(struct kg_pdf_tags *t, enum kg_pdf_role role);

void kg_pdf_tags_init(struct kg_pdf_tags *t, cairo_t *cr, int bOn) {
  memset(t, 0, sizeof(*t));
  t->cr = cr;
  t->bOn = bOn;
  push(t, KG_PDF_DOCUMENT);
  t->nBase = t->nOpen;
}

void kg_pdf_tags_finish(struct kg_pdf_tags *t) {
  t->nBase = 0;
  kg_pdf_tag_close_all(t);
}

static int top(const struct kg_pdf_tags *t) {
  return t->nOpen ? t->aOpen[t->nOpen - 1] : -1;
}

static void push(struct kg_pdf_tags *t, enum kg_pdf_role role) {
  if (!t->bOn || t->nOpen >= KG_PDF_TAG_DEPTH) return;
  cairo_tag_begin(t->cr, azRole[role], NULL);
  t->aOpen[t->nOpen++] = (int)role;
}

void kg_pdf_tag_end(struct kg_pdf_tags *t) {
  if (!t->bOn || t->nOpen <= t->nBase) return;
  cairo_tag_end(t->cr, azRole[t->aOpen[--t->nOpen]]);
}

void kg_pdf_tag_close_all(struct kg_pdf_tags *t) {
  while (t->bOn && t->nOpen > t->nBase)
    kg_pdf_tag_end(t);
}

int kg_pdf_tag_is_open(const struct kg_pdf_tags *t, enum kg_pdf_role role) {
  for (int i = 0; i < t->nOpen; i++)
    if (t->aOpen[i] == (int)role) return 1;
  return 0;
}

/* Closes elements down to (not including) the innermost of role; all of
 * them when none is open. */
static void close_to(struct kg_pdf_tags *t, enum kg_pdf_role role) {
  if (!kg_pdf_tag_is_open(t, role)) {
    kg_pdf_tag_close_all(t);
    return;
  }
  while (top(t) != (int)role)
    kg_pdf_tag_end(t);
}

void kg_pdf_tag_heading(struct kg_pdf_tags *t, int nLevel) {
  kg_pdf_tag_close_all(t);
  push(t, nLevel <= 1 ? KG_PDF_H1 : nLevel == 2 ? KG_PDF_H2 : KG_PDF_H3);
}

void kg_pdf_tag_paragraph(struct kg_pdf_tags *t) {
  kg_pdf_tag_close_all(t);
  push(t, KG_PDF_P);
}

void kg_pdf_tag_list_item(struct kg_pdf_tags *t) {
  close_to(t, KG_PDF_L);
  if (t->nOpen == t->nBase) push(t, KG_PDF_L);
  push(t, KG_PDF_LI);
  push(t, KG_PDF_LBODY);
}

void kg_pdf_tag_table(struct kg_pdf_tags *t) {
  kg_pdf_tag_close_all(t);
  push(t, KG_PDF_TABLE);
}

void kg_pdf_tag_row(struct kg_pdf_tags *t, int bHeader) {
  enum kg_pdf_role section = bHeader ? KG_PDF_THEAD : KG_PDF_TBODY;
  if (!kg_pdf_tag_is_open(t, KG_PDF_TABLE)) kg_pdf_tag_table(t);
  if (kg_pdf_tag_is_open(t, section)) {
    close_to(t, section);
  } else {
    close_to(t, KG_PDF_TABLE);
    push(t, section);
  }
  push(t, KG_PDF_TR);
}

void kg_pdf_tag_cell(struct kg_pdf_tags *t, int bHeader) {
  if (kg_pdf_tag_is_open(t, KG_PDF_TR)) close_to(t, KG_PDF_TR);
  push(t, bHeader ? KG_PDF_TH : KG_PDF_TD);
}

int kg_pdf_bookmark(cairo_surface_t *pSurf, int parent, const char *zTitle, int nPage, double y) {
  char zLink[96];
  snprintf(zLink, sizeof(zLink), "page=%d pos=[0 %.2f]", nPage > 0 ? nPage : 1, y > 0 ? y : 0);
  return cairo_pdf_surface_add_outline(pSurf, parent ? parent : CAIRO_PDF_OUTLINE_ROOT,
                                       zTitle ? zTitle : "", zLink, 0);
}

/* ---- catalog entries (libqpdf) ---- */

/* The error of q's last call, logged; 1 when there was one. */
static int qpdf_failed(qpdf_data q, const char *zWhat) {
  if (!qpdf_has_error(q)) return 0;
  qpdf_error e = qpdf_get_error(q);
  kg_log_error("report pdf qpdf %s failed: %s", zWhat, e ? qpdf_get_error_full_text(q, e) : "?");
  return 1;
}

enum kg_err kg_pdf_set_lang(char **ppPdf, size_t *pnPdf, const char *zLang) {
  qpdf_data q = qpdf_init();
  enum kg_err rc = KG_EIO;
  char *zOut = NULL; /* the rewritten file; the input stays until qpdf_cleanup */
  size_t nOut = 0;
  qpdf_silence_errors(q);
  qpdf_set_suppress_warnings(q, QPDF_TRUE);
  qpdf_read_memory(q, "report.pdf", *ppPdf, (unsigned long long)*pnPdf, NULL);
  if (qpdf_failed(q, "read")) goto out;
  qpdf_oh root = qpdf_get_root(q);
  qpdf_oh_replace_key(q, root, "/Lang", qpdf_oh_new_unicode_string(q, zLang));
  qpdf_oh prefs = qpdf_oh_new_dictionary(q);
  qpdf_oh_replace_key(q, prefs, "/DisplayDocTitle", qpdf_oh_new_bool(q, QPDF_TRUE));
  qpdf_oh_replace_key(q, root, "/ViewerPreferences", prefs);
  if (qpdf_failed(q, "catalog")) goto out;
  qpdf_init_write_memory(q);
  if (qpdf_failed(q, "write setup")) goto out;
  qpdf_set_deterministic_ID(q, QPDF_TRUE);
  /* the structure tree is thousands of small dictionaries (one per cell):
   * compressed object streams keep the file near its untagged size */
  qpdf_set_object_stream_mode(q, qpdf_o_generate);
  qpdf_write(q);
  if (qpdf_failed(q, "write")) goto out;
  nOut = qpdf_get_buffer_length(q);
  const unsigned char *a = qpdf_get_buffer(q);
  if (!a || nOut == 0) goto out;
  zOut = kg_xmalloc(nOut);
  memcpy(zOut, a, nOut);
  rc = KG_OK;
out:
  qpdf_cleanup(&q);
  if (rc == KG_OK) {
    free(*ppPdf);
    *ppPdf = zOut;
    *pnPdf = nOut;
  }
  return rc;
}

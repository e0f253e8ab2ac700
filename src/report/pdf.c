/* pdf.c: the PDF of a document's print model, drawn with cairo and laid
 * out with pango (DejaVu Sans, so Cyrillic needs nothing else). A4 pages
 * with a running header and a footer "стр. N из M" with the SHA-256.
 *
 * Every block becomes a row of cells (a paragraph is a row of one cell
 * without borders); each cell's text is laid out once and its lines are
 * remembered. Pagination walks the rows twice with the same rule — first
 * to count the pages, then to draw — so "из M" is known on page 1. A row
 * that does not fit moves to the next page; a row taller than a page is
 * cut between lines (at a height where no cell has a line across the cut)
 * and continues under the repeated table header. Lines are drawn one by
 * one, so a cut row leaves no hidden text behind on either page.
 *
 * The PDF is tagged (pdf_tag.h): the title is H1, headings H2 with a
 * bookmark each, fields a list, paragraphs P, tables Table with a THead
 * of TH cells; a table cut by a page break goes on as a new Table under
 * its repeated header. Page furniture is in no element but the Document
 * (cairo 1.16 cannot mark it as an artifact). */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/report.h"
#include "pdf_tag.h"
#include "report_int.h"

#define PAGE_W 595.2756 /* A4 in points */
#define PAGE_H 841.8898
#define MARGIN_X 42.52 /* 15 mm */
#define TEXT_W (PAGE_W - 2 * MARGIN_X)
#define HEADER_Y 26.0
#define CONTENT_TOP 52.0
#define CONTENT_BOTTOM (PAGE_H - 50.0)
#define FOOTER_Y (PAGE_H - 40.0)
#define CELL_PAD 3.0
#define KEEP_NEXT 48.0 /* a heading needs this much room below it */
#define FONT "DejaVu Sans"

struct pline {
  PangoLayoutLine *pLine; /* borrowed from the cell's layout */
  double y0, y1, base, x; /* points from the layout's top-left */
};

struct pcell {
  PangoLayout *pl;
  double x, w; /* box within the text area */
  struct pline *aLine;
  int nLine;
  double h;
};

struct prow {
  struct pcell aCell[RPT_MAX_COLS];
  int nCell;
  enum rpt_block_type type;       /* of the block the row comes from */
  double pad;                     /* inner padding of each cell */
  double spaceBefore, spaceAfter; /* outside the row */
  int bBorder, bHeader, bKeepNext;
  int iTable; /* -1: not in a table */
  double h;   /* content height: the tallest cell */
};

struct fonts {
  PangoFontDescription *pTitle, *pSub, *pHeading, *pBody, *pCell, *pCellBold, *pSmall;
};

struct pager {
  cairo_t *cr;
  PangoContext *ctx;
  struct fonts *pF;
  const struct rpt_doc *pDoc;
  struct prow *aRow;
  int bDraw;
  int nPage, nPages;
  int iHeader; /* header row of the table being laid out, -1 outside tables */
  double y;
  double yFresh; /* y where the content of the current page starts */
  struct kg_pdf_tags tags;
  int iTagTable; /* the table whose Table element is open, -1 none */
  int iOutline;  /* the title's bookmark, parent of the headings' */
};

/* ---- cells ---- */

static void cell_init(struct pcell *c, PangoContext *ctx, const PangoFontDescription *pFont,
                      const char *zText, double x, double w, PangoAlignment align, int nBoldBytes) {
  memset(c, 0, sizeof(*c));
  c->x = x;
  c->w = w;
  c->pl = pango_layout_new(ctx);
  pango_layout_set_font_description(c->pl, pFont);
  pango_layout_set_width(c->pl, (int)(w * PANGO_SCALE));
  pango_layout_set_wrap(c->pl, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(c->pl, align);
  pango_layout_set_text(c->pl, zText ? zText : "", -1);
  if (nBoldBytes > 0) {
    PangoAttrList *pAttrs = pango_attr_list_new();
    PangoAttribute *pA = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
    pA->start_index = 0;
    pA->end_index = (guint)nBoldBytes;
    pango_attr_list_insert(pAttrs, pA);
    pango_layout_set_attributes(c->pl, pAttrs);
    pango_attr_list_unref(pAttrs);
  }
  int n = pango_layout_get_line_count(c->pl);
  c->aLine = kg_xcalloc(n > 0 ? (size_t)n : 1, sizeof(struct pline));
  PangoLayoutIter *it = pango_layout_get_iter(c->pl);
  int i = 0;
  do {
    PangoRectangle log;
    int y0, y1;
    if (i >= n) break;
    pango_layout_iter_get_line_extents(it, NULL, &log);
    pango_layout_iter_get_line_yrange(it, &y0, &y1);
    c->aLine[i].pLine = pango_layout_iter_get_line_readonly(it);
    c->aLine[i].y0 = (double)y0 / PANGO_SCALE;
    c->aLine[i].y1 = (double)y1 / PANGO_SCALE;
    c->aLine[i].base = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
    c->aLine[i].x = (double)log.x / PANGO_SCALE;
    i++;
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
  c->nLine = i;
  c->h = i ? c->aLine[i - 1].y1 : 0;
}

static void cell_free(struct pcell *c) {
  if (c->pl) g_object_unref(c->pl);
  free(c->aLine);
}

/* ---- rows from blocks ---- */

static struct prow *row_new(struct prow **paRow, size_t *pnRow, size_t *pnAlloc) {
  if (*pnRow == *pnAlloc) {
    *pnAlloc = *pnAlloc ? *pnAlloc * 2 : 256;
    *paRow = kg_xrealloc(*paRow, *pnAlloc * sizeof(struct prow));
  }
  struct prow *r = &(*paRow)[(*pnRow)++];
  memset(r, 0, sizeof(*r));
  r->iTable = -1;
  return r;
}

static void row_finish(struct prow *r) {
  r->h = 0;
  for (int i = 0; i < r->nCell; i++)
    if (r->aCell[i].h > r->h) r->h = r->aCell[i].h;
}

/* One row per block, one per table row (plus the table's header row). */
static struct prow *rows_build(const struct rpt_doc *d, PangoContext *ctx, struct fonts *pF,
                               size_t *pnRow) {
  struct prow *aRow = NULL;
  size_t nRow = 0, nAlloc = 0;
  for (size_t i = 0; i < d->nBlock; i++) {
    const struct rpt_block *k = &d->aBlock[i];
    struct prow *r;
    if (k->type == RPT_TABLE) {
      const struct rpt_table *t = k->pTable;
      for (size_t ir = 0; ir <= t->nRow; ir++) {
        r = row_new(&aRow, &nRow, &nAlloc);
        r->bBorder = 1;
        r->pad = CELL_PAD;
        r->iTable = (int)i;
        r->type = RPT_TABLE;
        r->bHeader = ir == 0;
        r->bKeepNext = ir == 0;
        r->spaceAfter = ir == t->nRow ? 8 : 0;
        double x = 0;
        r->nCell = t->nCol;
        for (int c = 0; c < t->nCol; c++) {
          double w = t->aWidth[c] * TEXT_W;
          const char *z =
              ir == 0 ? t->azHead[c] : t->azCell[(ir - 1) * (size_t)t->nCol + (size_t)c];
          cell_init(&r->aCell[c], ctx, ir == 0 ? pF->pCellBold : pF->pCell, z, x, w - 2 * CELL_PAD,
                    PANGO_ALIGN_LEFT, 0);
          r->aCell[c].w = w;
          x += w;
        }
        row_finish(r);
      }
      continue;
    }
    r = row_new(&aRow, &nRow, &nAlloc);
    r->nCell = 1;
    r->type = k->type;
    switch (k->type) {
    case RPT_TITLE:
      cell_init(&r->aCell[0], ctx, pF->pTitle, k->zText, 0, TEXT_W, PANGO_ALIGN_CENTER, 0);
      r->spaceAfter = 4;
      break;
    case RPT_SUBTITLE:
      cell_init(&r->aCell[0], ctx, pF->pSub, k->zText, 0, TEXT_W, PANGO_ALIGN_CENTER, 0);
      r->spaceAfter = 3;
      break;
    case RPT_HEADING:
      cell_init(&r->aCell[0], ctx, pF->pHeading, k->zText, 0, TEXT_W, PANGO_ALIGN_LEFT, 0);
      r->spaceBefore = 8;
      r->spaceAfter = 4;
      r->bKeepNext = 1;
      break;
    case RPT_FIELD: {
      char *z = kg_xasprintf("%s: %s", k->zLabel ? k->zLabel : "", k->zText ? k->zText : "");
      cell_init(&r->aCell[0], ctx, pF->pBody, z, 0, TEXT_W, PANGO_ALIGN_LEFT,
                (int)strlen(k->zLabel ? k->zLabel : "") + 1);
      free(z);
      r->spaceAfter = 3;
      break;
    }
    default:
      cell_init(&r->aCell[0], ctx, pF->pBody, k->zText, 0, TEXT_W, PANGO_ALIGN_LEFT, 0);
      r->spaceAfter = 4;
      break;
    }
    row_finish(r);
  }
  *pnRow = nRow;
  return aRow;
}

/* ---- pagination and drawing ---- */

/* The running header and the footer of page nPage. */
static void draw_chrome(struct pager *P, int nPage) {
  cairo_t *cr = P->cr;
  PangoLayout *pl = pango_layout_new(P->ctx);
  pango_layout_set_font_description(pl, P->pF->pSmall);
  pango_layout_set_width(pl, (int)(TEXT_W * PANGO_SCALE));
  pango_layout_set_ellipsize(pl, PANGO_ELLIPSIZE_END);
  cairo_set_source_rgb(cr, 0.33, 0.33, 0.33);
  pango_layout_set_text(pl, P->pDoc->zRunning, -1);
  cairo_move_to(cr, MARGIN_X, HEADER_Y);
  pango_cairo_show_layout(cr, pl);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, MARGIN_X, HEADER_Y + 12);
  cairo_line_to(cr, PAGE_W - MARGIN_X, HEADER_Y + 12);
  cairo_move_to(cr, MARGIN_X, FOOTER_Y - 3);
  cairo_line_to(cr, PAGE_W - MARGIN_X, FOOTER_Y - 3);
  cairo_stroke(cr);
  pango_layout_set_width(pl, (int)((TEXT_W - 70) * PANGO_SCALE));
  pango_layout_set_ellipsize(pl, PANGO_ELLIPSIZE_NONE);
  pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text(pl, P->pDoc->zFooter, -1);
  cairo_move_to(cr, MARGIN_X, FOOTER_Y);
  pango_cairo_show_layout(cr, pl);
  char zN[16], zM[16];
  snprintf(zN, sizeof(zN), "%d", nPage);
  snprintf(zM, sizeof(zM), "%d", P->nPages);
  char *zPage = kg_trf(P->pDoc->eLang, "report.page", "n", zN, "m", zM, NULL);
  pango_layout_set_width(pl, 70 * PANGO_SCALE);
  pango_layout_set_alignment(pl, PANGO_ALIGN_RIGHT);
  pango_layout_set_text(pl, zPage, -1);
  cairo_move_to(cr, PAGE_W - MARGIN_X - 70, FOOTER_Y);
  pango_cairo_show_layout(cr, pl);
  free(zPage);
  g_object_unref(pl);
  cairo_set_source_rgb(cr, 0, 0, 0);
}

/* Draws content heights [s, e) of row r with its top at y. */
static void draw_segment(struct pager *P, const struct prow *r, double s, double e, double y) {
  cairo_t *cr = P->cr;
  if (!P->bDraw) return;
  double h = (e - s) + 2 * r->pad;
  for (int i = 0; i < r->nCell; i++) {
    const struct pcell *c = &r->aCell[i];
    double x = MARGIN_X + c->x;
    if (r->bHeader) {
      cairo_set_source_rgb(cr, 0.91, 0.91, 0.91);
      cairo_rectangle(cr, x, y, c->w, h);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
    }
    if (r->bBorder) {
      cairo_set_line_width(cr, 0.5);
      cairo_rectangle(cr, x, y, c->w, h);
      cairo_stroke(cr);
    }
    if (r->type == RPT_TABLE) kg_pdf_tag_cell(&P->tags, r->bHeader);
    for (int k = 0; k < c->nLine; k++) {
      const struct pline *l = &c->aLine[k];
      if (l->y0 < s - 0.01) continue;
      if (l->y1 > e + 0.01) break;
      cairo_move_to(cr, x + r->pad + l->x, y + r->pad + l->base - s);
      pango_cairo_show_layout_line(cr, l->pLine);
    }
    if (r->type == RPT_TABLE) kg_pdf_tag_end(&P->tags);
  }
}

/* Opens the structure elements row r is drawn in (see pdf_tag.h); the
 * title and the headings get a bookmark to where they start. */
static void row_tag(struct pager *P, const struct prow *r) {
  struct kg_pdf_tags *t = &P->tags;
  if (!P->bDraw) return;
  switch (r->type) {
  case RPT_TABLE:
    if (P->iTagTable != r->iTable || !kg_pdf_tag_is_open(t, KG_PDF_TABLE)) kg_pdf_tag_table(t);
    P->iTagTable = r->iTable;
    kg_pdf_tag_row(t, r->bHeader);
    return;
  case RPT_FIELD:
    kg_pdf_tag_list_item(t);
    break;
  case RPT_TITLE:
  case RPT_HEADING: {
    const char *zText = pango_layout_get_text(r->aCell[0].pl);
    int bTitle = r->type == RPT_TITLE;
    kg_pdf_tag_heading(t, bTitle ? 1 : 2);
    int id =
        kg_pdf_bookmark(cairo_get_target(P->cr), bTitle ? 0 : P->iOutline, zText, P->nPage, P->y);
    if (bTitle && !P->iOutline) P->iOutline = id;
    break;
  }
  default:
    kg_pdf_tag_paragraph(t);
    break;
  }
  P->iTagTable = -1;
}

static void place_whole(struct pager *P, const struct prow *r) {
  row_tag(P, r);
  draw_segment(P, r, 0, r->h, P->y);
  P->y += r->h + 2 * r->pad + r->spaceAfter;
}

static void page_new(struct pager *P) {
  kg_pdf_tag_close_all(&P->tags); /* the furniture: in the Document element only */
  P->iTagTable = -1;
  if (P->bDraw) {
    if (P->nPage > 0) cairo_show_page(P->cr);
    draw_chrome(P, P->nPage + 1);
  }
  P->nPage++;
  P->y = CONTENT_TOP;
  if (P->iHeader >= 0) place_whole(P, &P->aRow[P->iHeader]); /* the table goes on */
  P->yFresh = P->y;
}

/* The largest content height c in (s, target] at which no cell of r has a
 * line across the cut; s when there is none. */
static double cut_at(const struct prow *r, double s, double target) {
  double c = target < r->h ? target : r->h;
  int bMoved = 1;
  while (bMoved && c > s) {
    bMoved = 0;
    for (int i = 0; i < r->nCell; i++) {
      const struct pcell *pc = &r->aCell[i];
      for (int k = 0; k < pc->nLine; k++) {
        const struct pline *l = &pc->aLine[k];
        if (l->y0 >= c) break;
        if (l->y1 > c + 0.01 && l->y0 < c - 0.01) {
          c = l->y0;
          bMoved = 1;
          break;
        }
      }
    }
  }
  return c > s ? c : s;
}

static void place_row(struct pager *P, int iRow) {
  const struct prow *r = &P->aRow[iRow];
  double s = 0;
  if (r->bHeader) P->iHeader = -1; /* the header is placed as a row of its own below */
  if (r->spaceBefore > 0 && P->y > P->yFresh + 0.01) P->y += r->spaceBefore;
  for (;;) {
    double pads = 2 * r->pad;
    double avail = CONTENT_BOTTOM - P->y;
    double keep = r->bKeepNext ? KEEP_NEXT : 0;
    int bFresh = P->y <= P->yFresh + 0.01;
    if ((r->h - s) + pads + keep <= avail || (bFresh && s == 0 && r->h + pads <= avail)) {
      row_tag(P, r); /* each piece in the elements of its own page */
      draw_segment(P, r, s, r->h, P->y);
      P->y += (r->h - s) + pads + r->spaceAfter;
      break;
    }
    if (!bFresh && s == 0 && r->h + pads + keep <= CONTENT_BOTTOM - CONTENT_TOP - 40) {
      page_new(P); /* the whole row fits on the next page */
      continue;
    }
    double c = cut_at(r, s, s + avail - pads);
    if (c <= s + 0.01) {
      if (!bFresh) {
        page_new(P);
        continue;
      }
      c = s + avail - pads; /* one line taller than a page: cut through it */
    }
    row_tag(P, r);
    draw_segment(P, r, s, c, P->y);
    s = c;
    page_new(P);
  }
  if (r->bHeader) P->iHeader = iRow;
}

/* Lays out (and when P->bDraw, draws) every row; P->nPage counts pages. */
static void paginate(struct pager *P, size_t nRow) {
  P->nPage = 0;
  P->iHeader = -1;
  page_new(P);
  for (size_t i = 0; i < nRow; i++) {
    place_row(P, (int)i);
    /* past the table's last row its header is not repeated any more */
    if (i + 1 == nRow || P->aRow[i + 1].iTable != P->aRow[i].iTable || P->aRow[i + 1].bHeader)
      P->iHeader = -1;
  }
  kg_pdf_tags_finish(&P->tags);
  if (P->bDraw) cairo_show_page(P->cr);
}

/* fontconfig loses a few hundred bytes once, while parsing its XML
 * configuration (not ours to free); sanitizer builds tell LeakSanitizer so
 * that leak checks stay meaningful for our own code. */
#if defined(__SANITIZE_ADDRESS__)
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}
#endif

/* ---- output ---- */

static cairo_status_t write_out(void *pArg, const unsigned char *a, unsigned int n) {
  return kg_buf_append(pArg, a, n) == KG_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static PangoFontDescription *font(double size, int bBold) {
  PangoFontDescription *p = pango_font_description_new();
  pango_font_description_set_family(p, FONT);
  pango_font_description_set_size(p, (int)(size * PANGO_SCALE));
  pango_font_description_set_weight(p, bBold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return p;
}

enum kg_err kg_report_pdf(const json_t *pDoc, const char *zSha256, enum kg_lang eLang, char **ppPdf,
                          size_t *pnPdf, int *pnPages) {
  struct rpt_doc d;
  struct kg_buf out;
  struct fonts f;
  struct prow *aRow = NULL;
  size_t nRow = 0;
  enum kg_err rc;

  *ppPdf = NULL;
  *pnPdf = 0;
  if (pnPages) *pnPages = 0;
  if ((rc = rpt_doc_build(pDoc, zSha256, eLang, &d)) != KG_OK) return rc;
  kg_buf_init(&out, KG_REPORT_MAX_BYTES);
  cairo_surface_t *pSurf = cairo_pdf_surface_create_for_stream(write_out, &out, PAGE_W, PAGE_H);
  cairo_pdf_surface_set_metadata(pSurf, CAIRO_PDF_METADATA_TITLE, d.zTitle);
  cairo_pdf_surface_set_metadata(pSurf, CAIRO_PDF_METADATA_CREATOR, "Kengash");
  if (d.zIssued && d.zIssued[0])
    cairo_pdf_surface_set_metadata(pSurf, CAIRO_PDF_METADATA_CREATE_DATE, d.zIssued);
  cairo_t *cr = cairo_create(pSurf);
  /* A font map of our own, freed below: no per-thread state stays behind
   * in the server's worker threads. */
  PangoFontMap *pMap = pango_cairo_font_map_new();
  PangoContext *ctx = pango_font_map_create_context(pMap);
  pango_cairo_update_context(cr, ctx);
  cairo_font_options_t *pOpt = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(pOpt, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(pOpt, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(ctx, pOpt);
  cairo_font_options_destroy(pOpt);
  pango_cairo_context_set_resolution(ctx, 72); /* font sizes in points = PDF units */
  f.pTitle = font(14, 1);
  f.pSub = font(10, 0);
  f.pHeading = font(10.5, 1);
  f.pBody = font(9, 0);
  f.pCell = font(8, 0);
  f.pCellBold = font(8, 1);
  f.pSmall = font(6.5, 0);

  aRow = rows_build(&d, ctx, &f, &nRow);
  struct pager P = {cr, ctx, &f, &d, aRow, 0, 0, 0, -1, 0, 0, {0}, -1, 0};
  paginate(&P, nRow); /* count */
  P.nPages = P.nPage;
  P.bDraw = 1;
  kg_pdf_tags_init(&P.tags, cr, 1);
  paginate(&P, nRow); /* draw */

  for (size_t i = 0; i < nRow; i++)
    for (int c = 0; c < aRow[i].nCell; c++)
      cell_free(&aRow[i].aCell[c]);
  free(aRow);
  pango_font_description_free(f.pTitle);
  pango_font_description_free(f.pSub);
  pango_font_description_free(f.pHeading);
  pango_font_description_free(f.pBody);
  pango_font_description_free(f.pCell);
  pango_font_description_free(f.pCellBold);
  pango_font_description_free(f.pSmall);
  g_object_unref(ctx);
  g_object_unref(pMap);
  cairo_destroy(cr);
  cairo_surface_finish(pSurf);
  cairo_status_t st = cairo_surface_status(pSurf);
  cairo_surface_destroy(pSurf);
  rpt_doc_free(&d);
  if (st != CAIRO_STATUS_SUCCESS || kg_buf_failed(&out)) {
    int bTooBig = kg_buf_failed(&out);
    kg_log_error("report pdf failed status=%d", (int)st);
    kg_buf_free(&out);
    return bTooBig ? KG_ETOOBIG : KG_EIO;
  }
  *ppPdf = kg_buf_detach(&out, pnPdf);
  /* cairo 1.16 writes no /Lang: added by rewriting the file */
  if ((rc = kg_pdf_set_lang(ppPdf, pnPdf, kg_lang_tag(eLang))) != KG_OK) {
    free(*ppPdf);
    *ppPdf = NULL;
    *pnPdf = 0;
    return rc;
  }
  if (pnPages) *pnPages = P.nPages;
  return KG_OK;
}

/* html.c: a printable HTML page of a document's print model — one
 * self-contained file, A4 print CSS, table headers repeated on every
 * printed page, every text HTML-escaped, the SHA-256 in the footer. */
#include <string.h>

#include "kengash/report.h"
#include "report_int.h"

static const char zStyle[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:11pt;line-height:1.4;"
    "color:#111;max-width:60rem;margin:1.5rem auto;padding:0 1rem}"
    "header.running{font-size:8pt;color:#555;border-bottom:1px solid #999;margin-bottom:1rem}"
    "h1{font-size:16pt;text-align:center;margin:.5rem 0}"
    "p.sub{text-align:center;margin:.2rem 0}"
    "h2{font-size:12pt;margin:1.2rem 0 .4rem;break-after:avoid;page-break-after:avoid}"
    "dl{margin:.3rem 0}dt{font-weight:bold}dd{margin:0 0 .4rem 0;white-space:pre-wrap}"
    "p.para{white-space:pre-wrap}"
    "table{width:100%;border-collapse:collapse;font-size:9pt;margin:.3rem 0 1rem}"
    "thead{display:table-header-group}"
    "th,td{border:1px solid #666;padding:3px 4px;vertical-align:top;text-align:left;"
    "white-space:pre-wrap;overflow-wrap:anywhere}"
    "th{background:#e8e8e8}"
    "footer{font-size:8pt;color:#333;border-top:1px solid #999;margin-top:1.5rem;"
    "padding-top:.3rem;overflow-wrap:anywhere}"
    "@page{size:A4;margin:18mm 15mm 18mm 15mm}"
    "@media print{body{margin:0;max-width:none;padding:0;font-size:10pt}"
    "tr{break-inside:avoid;page-break-inside:avoid}"
    "footer{position:fixed;bottom:0;left:0;right:0;background:#fff}}";

enum kg_err kg_report_html(const json_t *pDoc, const char *zSha256, enum kg_lang eLang,
                           struct kg_buf *b) {
  struct rpt_doc d;
  enum kg_err rc = rpt_doc_build(pDoc, zSha256, eLang, &d);
  if (rc) return rc;
  kg_buf_printf(b,
                "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>",
                kg_lang_tag(eLang));
  kg_buf_html_escape(b, d.zRunning);
  kg_buf_puts(b, "</title>\n<style>");
  kg_buf_puts(b, zStyle);
  kg_buf_puts(b, "</style>\n</head>\n<body>\n<header class=\"running\">");
  kg_buf_html_escape(b, d.zRunning);
  kg_buf_puts(b, "</header>\n<main>\n");
  int bInDl = 0;
  for (size_t i = 0; i < d.nBlock; i++) {
    const struct rpt_block *k = &d.aBlock[i];
    if (k->type != RPT_FIELD && bInDl) {
      kg_buf_puts(b, "</dl>\n");
      bInDl = 0;
    }
    switch (k->type) {
    case RPT_TITLE:
      kg_buf_puts(b, "<h1>");
      kg_buf_html_escape(b, k->zText);
      kg_buf_puts(b, "</h1>\n");
      break;
    case RPT_SUBTITLE:
      kg_buf_puts(b, "<p class=\"sub\">");
      kg_buf_html_escape(b, k->zText);
      kg_buf_puts(b, "</p>\n");
      break;
    case RPT_HEADING:
      kg_buf_puts(b, "<h2>");
      kg_buf_html_escape(b, k->zText);
      kg_buf_puts(b, "</h2>\n");
      break;
    case RPT_FIELD:
      if (!bInDl) kg_buf_puts(b, "<dl>\n");
      bInDl = 1;
      kg_buf_puts(b, "<dt>");
      kg_buf_html_escape(b, k->zLabel);
      kg_buf_puts(b, "</dt><dd>");
      kg_buf_html_escape(b, k->zText);
      kg_buf_puts(b, "</dd>\n");
      break;
    case RPT_PARA:
      kg_buf_puts(b, "<p class=\"para\">");
      kg_buf_html_escape(b, k->zText);
      kg_buf_puts(b, "</p>\n");
      break;
    case RPT_TABLE: {
      const struct rpt_table *t = k->pTable;
      kg_buf_puts(b, "<table>\n<thead><tr>");
      for (int c = 0; c < t->nCol; c++) {
        kg_buf_printf(b, "<th scope=\"col\" style=\"width:%d%%\">", (int)(t->aWidth[c] * 100));
        kg_buf_html_escape(b, t->azHead[c]);
        kg_buf_puts(b, "</th>");
      }
      kg_buf_puts(b, "</tr></thead>\n<tbody>\n");
      for (size_t r = 0; r < t->nRow; r++) {
        kg_buf_puts(b, "<tr>");
        for (int c = 0; c < t->nCol; c++) {
          kg_buf_puts(b, "<td>");
          kg_buf_html_escape(b, t->azCell[r * (size_t)t->nCol + (size_t)c]);
          kg_buf_puts(b, "</td>");
        }
        kg_buf_puts(b, "</tr>\n");
      }
      kg_buf_puts(b, "</tbody>\n</table>\n");
      break;
    }
    }
  }
  if (bInDl) kg_buf_puts(b, "</dl>\n");
  kg_buf_puts(b, "</main>\n<footer>");
  kg_buf_html_escape(b, d.zFooter);
  kg_buf_puts(b, "</footer>\n</body>\n</html>\n");
  rpt_doc_free(&d);
  return kg_buf_failed(b) ? KG_ETOOBIG : KG_OK;
}

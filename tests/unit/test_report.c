/* test_report.c: unit tests for src/report/ without a database: canonical
 * bytes and their SHA-256, the served JSON, location wording, HTML escaping,
 * and the PDF — a small protocol, a row taller than a page (split between
 * pages without losing a line) and 2,000 synthetic proposals (timed: the
 * target is under 2 s in a release build; the figure and the page count
 * are printed). Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <qpdf/qpdf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/build.c"
#include "kengash/i18n.h"
#include "kengash/report.h"

#include "test.h"

/* A protocol model with nEntry proposals, the text of each repeated
 * nRepeat times. */
static json_t *synthetic_protocol(int nEntry, int nRepeat) {
  json_t *pRes = json_array(), *pOth = json_array();
  for (int i = 0; i < nEntry; i++) {
    char zNo[32];
    struct kg_buf b;
    kg_buf_init(&b, 1 << 20);
    for (int k = 0; k < nRepeat; k++)
      kg_buf_printf(&b,
                    "%sПредложение %d: сохранить сквер и высадить липы вдоль улицы Баумана, "
                    "устроить освещение и скамейки.",
                    k ? " " : "", i + 1);
    snprintf(zNo, sizeof(zNo), "D-1/%04d", i + 1);
    char *zBody = kg_buf_detach(&b, NULL);
    kg_buf_free(&b);
    json_array_append_new(i % 4 == 3 ? pOth : pRes,
                          json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:n, s:s, s:s}",
                                    "comment_id", (json_int_t)(i + 1), "registration_number", zNo,
                                    "kind", i % 3 ? "proposal" : "remark", "body", zBody, "channel",
                                    i % 5 ? "online" : "paper", "location",
                                    "точка 49.1201, 55.7881", "status", "published",
                                    "moderation_reason", "submitted_at", "2026-01-10T10:00:00Z",
                                    "basis", i % 4 == 3 ? "rightholder" : "resident"));
    free(zBody);
  }
  return json_pack(
      "{s:s, s:s, s:I, s:s, s:i, s:s, s:s, s:{s:I, s:s, s:s, s:s}, s:s, "
      "s:{s:s, s:s, s:[s]}, s:{s:s, s:s}, s:{s:s, s:I, s:[s,s,s,s]}, s:o, s:o, "
      "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
      "document", "protocol", "title", "Протокол общественных обсуждений", "discussion_id",
      (json_int_t)1, "discussion_title", "Сквер на Баумана", "version", 1, "issued_at",
      "2026-02-01T09:00:00Z", "date", "2026-02-01", "project", "id", (json_int_t)1, "title",
      "Проект планировки квартала", "kind", "territory_planning", "kind_title",
      "Проект планировки территории", "organizer", "Комитет <градостроительства> & \"Ко\"",
      "notification", "text", "Оповещение о начале общественных обсуждений.", "date",
      "2026-01-01T09:00:00Z", "published_at", "Информационная система", "period", "from",
      "2026-01-08T09:00:00Z", "to", "2026-01-30T09:00:00Z", "territory", "description", "Квартал",
      "area_m2", (json_int_t)174000, "bbox", "49.118000", "55.787000", "49.123000", "55.792000",
      "residents", pRes, "others", pOth, "counts", "total", (json_int_t)nEntry, "residents",
      (json_int_t)0, "others", (json_int_t)0, "proposals", (json_int_t)0, "remarks", (json_int_t)0,
      "questions", (json_int_t)0, "published", (json_int_t)nEntry, "rejected", (json_int_t)0,
      "pending", (json_int_t)0, "participants", (json_int_t)nEntry);
}

/* Pages in a PDF: page objects ("/Type /Page" not followed by "s"). */
/* The pages of the PDF as a PDF reader counts them (libqpdf: the page
 * dictionaries sit in compressed object streams); -1 when unreadable. */
static int count_pages(const char *a, size_t n) {
  qpdf_data q = qpdf_init();
  qpdf_silence_errors(q);
  qpdf_read_memory(q, "test.pdf", a, (unsigned long long)n, NULL);
  int nPage = qpdf_has_error(q) ? -1 : qpdf_get_num_pages(q);
  qpdf_cleanup(&q);
  return nPage;
}

static void canonical_bytes_are_sorted_compact_utf8_and_hashed(void) {
  json_t *p = json_pack("{s:s, s:i, s:[s]}", "b", "ё/\"x\"\n", "a", 1, "c", "д");
  char *z = NULL, zSha[65];
  size_t n = 0;
  CHECK(kg_report_canonical(p, &z, &n, zSha) == KG_OK);
  CHECK(z && strcmp(z, "{\"a\":1,\"b\":\"ё/\\\"x\\\"\\n\",\"c\":[\"д\"]}") == 0);
  char zSha2[65];
  kg_report_sha256(z, n, zSha2);
  CHECK(strcmp(zSha, zSha2) == 0 && strlen(zSha) == 64);
  size_t nServed = 0;
  char *zServed = kg_report_served_json(z, n, zSha, &nServed);
  CHECK(nServed == n + 76 && strncmp(zServed, "{\"sha256\":\"", 11) == 0);
  CHECK(strcmp(zServed + 77, z + 1) == 0);
  json_t *pBack = json_loads(zServed, 0, NULL);
  CHECK(pBack && strcmp(json_string_value(json_object_get(pBack, "sha256")), zSha) == 0);
  json_decref(pBack);
  free(zServed);
  free(z);
  json_object_set_new(p, "r", json_real(1.5));
  CHECK(kg_report_canonical(p, &z, &n, zSha) == KG_EINVAL); /* no reals in documents */
  json_decref(p);
}

static void location_is_described_in_words(void) {
  char *z = location_text("{\"type\":\"Point\",\"coordinates\":[49.1201,55.78810]}");
  CHECK(z && strcmp(z, "точка 49.1201, 55.7881") == 0);
  free(z);
  z = location_text("{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4],[5,6]]}");
  CHECK(z && strcmp(z, "линия, 3 вершины") == 0);
  free(z);
  z = location_text("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}");
  CHECK(z && strcmp(z, "полигон, 4 вершины") == 0);
  free(z);
  CHECK(location_text(NULL) == NULL);
  CHECK(strcmp(vertices_word(1), "вершина") == 0 && strcmp(vertices_word(11), "вершин") == 0 &&
        strcmp(vertices_word(22), "вершины") == 0 && strcmp(vertices_word(5), "вершин") == 0);
}

static void html_escapes_everything(void) {
  json_t *p = synthetic_protocol(3, 1);
  json_object_set_new(json_array_get(json_object_get(p, "residents"), 0), "body",
                      json_string("<script>alert('x')</script> & ещё"));
  struct kg_buf b;
  kg_buf_init(&b, 1 << 24);
  CHECK(kg_report_html(p, "ab12", KG_LANG_RU, &b) == KG_OK);
  CHECK(strstr(b.a, "<script>") == NULL);
  CHECK(strstr(b.a, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; ещё") != NULL ||
        strstr(b.a, "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; ещё") != NULL);
  CHECK(strstr(b.a, "Комитет &lt;градостроительства&gt; &amp; &quot;Ко&quot;") != NULL);
  CHECK(strstr(b.a, "SHA-256 канонического JSON: ab12") != NULL);
  CHECK(strstr(b.a, "@page{size:A4") != NULL);
  kg_buf_free(&b);
  json_decref(p);
}

/* The Tatar page: the table's labels, the translation's note, the month
 * named; the content as written; Russian without the note. */
static void tatar_page_is_a_translation_with_its_labels(void) {
  json_t *p = synthetic_protocol(3, 1);
  struct kg_buf b, ru;
  kg_buf_init(&b, 1 << 24);
  kg_buf_init(&ru, 1 << 24);
  CHECK(kg_report_html(p, "ab12", KG_LANG_TT, &b) == KG_OK);
  CHECK(kg_report_html(p, "ab12", KG_LANG_RU, &ru) == KG_OK);
  CHECK(strstr(b.a, "<html lang=\"tt\">") != NULL);
  CHECK(strstr(b.a, kg_tr(KG_LANG_TT, "report.title.protocol")) != NULL);
  CHECK(strstr(b.a, kg_tr(KG_LANG_TT, "report.translation")) != NULL);
  CHECK(strstr(b.a, kg_tr(KG_LANG_TT, "report.heading.notice")) != NULL);
  CHECK(strstr(b.a, kg_tr(KG_LANG_RU, "report.protocol.date")) == NULL);
  CHECK(strstr(b.a, " ел") != NULL); /* "5 декабрь, 2026 ел" */
  CHECK(strstr(ru.a, "<html lang=\"ru\">") != NULL);
  CHECK(strstr(ru.a, kg_tr(KG_LANG_RU, "report.translation")) == NULL);
  CHECK(strstr(ru.a, kg_tr(KG_LANG_RU, "report.heading.notice")) != NULL);
  kg_buf_free(&b);
  kg_buf_free(&ru);
  json_decref(p);
}

static void pdf_of_a_small_protocol(void) {
  json_t *p = synthetic_protocol(5, 1);
  char *a = NULL;
  size_t n = 0;
  int nPages = 0;
  CHECK(kg_report_pdf(p, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                      KG_LANG_RU, &a, &n, &nPages) == KG_OK);
  CHECK(a && n > 1000 && memcmp(a, "%PDF-", 5) == 0);
  CHECK(nPages == 1 && count_pages(a, n) == 1);
  free(a);
  json_decref(p);
}

static void pdf_splits_a_row_taller_than_a_page(void) {
  /* one proposal of about 12,000 characters: several pages */
  json_t *p = synthetic_protocol(1, 120);
  char *a = NULL;
  size_t n = 0;
  int nPages = 0;
  CHECK(kg_report_pdf(p, "ab", KG_LANG_RU, &a, &n, &nPages) == KG_OK);
  CHECK(nPages >= 3 && count_pages(a, n) == nPages);
  free(a);
  json_decref(p);
}

static void pdf_of_2000_proposals_has_every_page(void) {
  json_t *p = synthetic_protocol(2000, 1);
  char *a = NULL;
  size_t n = 0;
  int nPages = 0;
  int64_t t0 = kg_time_mono_ms();
  CHECK(kg_report_pdf(p, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                      KG_LANG_RU, &a, &n, &nPages) == KG_OK);
  int64_t ms = kg_time_mono_ms() - t0;
  CHECK(a && memcmp(a, "%PDF-", 5) == 0);
  CHECK(count_pages(a, n) == nPages);
  /* each row is 3 to 4 lines of 8 pt (about 40 pt): 17 to 22 rows a page */
  CHECK(nPages >= 2000 / 25 && nPages <= 2000 / 12);
  printf("  2000 proposals: %d pages, %zu bytes, %lld ms\n", nPages, n, (long long)ms);
  free(a);
  json_decref(p);
}

int main(void) {
  harness_begin();
  RUN(canonical_bytes_are_sorted_compact_utf8_and_hashed);
  RUN(location_is_described_in_words);
  RUN(html_escapes_everything);
  RUN(tatar_page_is_a_translation_with_its_labels);
  RUN(pdf_of_a_small_protocol);
  RUN(pdf_splits_a_row_taller_than_a_page);
  RUN(pdf_of_2000_proposals_has_every_page);
  return harness_end();
}

/* test_store_projects.c: unit tests for src/store/projects.c (projects,
 * their kinds and documents) against real SpatiaLite files in a temporary
 * directory. Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_harness.h"

static int project_row(void *pArg, const struct kg_project *pr) {
  struct id_list *c = pArg;
  if (c->n < 16) c->aId[c->n] = pr->id;
  c->n++;
  return 0;
}

static int document_row(void *pArg, const struct kg_document *d) {
  struct id_list *c = pArg;
  if (c->n < 16) c->aId[c->n] = d->id;
  c->n++;
  return 0;
}

static int kind_row(void *pArg, const struct kg_project_kind *k) {
  struct id_list *c = pArg;
  if (c->n == 0) CHECK(strcmp(k->zKind, "general_plan") == 0);
  c->n++;
  return 0;
}

static void project_and_documents_insert_get_list(void) {
  struct kg_store *p = fresh();
  struct kg_project pr;
  struct kg_document d = {0}, d2;
  struct id_list c = {0};
  int64_t a = add_project(p, "ППТ квартала 12", "territory_planning", "Описание");
  int64_t b = add_project(p, "ПЗЗ", "land_use_rules", "");
  int64_t x = 0;
  struct kg_project bad = {0, (char *)"T", (char *)"no_such_kind", (char *)"", (char *)"O", 0};
  CHECK(kg_store_project_insert(p, &bad, 0, &x) == KG_EINVAL);
  CHECK(kg_store_project_get(p, a, &pr) == KG_OK);
  CHECK(strcmp(pr.zTitle, "ППТ квартала 12") == 0 && strcmp(pr.zKind, "territory_planning") == 0);
  CHECK(strcmp(pr.zOrganizer, "Комитет") == 0 && pr.createdAt > 0);
  kg_project_clear(&pr);
  CHECK(kg_store_project_get(p, b + 10, &pr) == KG_ENOTFOUND);
  CHECK(kg_store_project_list(p, 0, 10, project_row, &c) == KG_OK);
  CHECK(c.n == 2 && c.aId[0] == a && c.aId[1] == b);
  memset(&c, 0, sizeof(c));
  CHECK(kg_store_project_list(p, a, 10, project_row, &c) == KG_OK && c.n == 1 && c.aId[0] == b);
  memset(&c, 0, sizeof(c));
  CHECK(kg_store_project_list(p, 0, 1, project_row, &c) == KG_OK && c.n == 1);
  memset(&c, 0, sizeof(c));
  CHECK(kg_store_project_kind_each(p, kind_row, &c) == KG_OK && c.n == 7);

  d.projectId = a;
  snprintf(d.zFilename, sizeof(d.zFilename), "схема.pdf");
  snprintf(d.zMediaType, sizeof(d.zMediaType), "application/pdf");
  d.nSize = 1234;
  memset(d.zSha256, 'a', 64);
  CHECK(kg_store_document_insert(p, &d) == KG_OK && d.id > 0 && d.createdAt > 0);
  CHECK(kg_store_document_get(p, d.id, &d2) == KG_OK);
  CHECK(d2.projectId == a && d2.nSize == 1234 && strcmp(d2.zFilename, "схема.pdf") == 0);
  CHECK(strcmp(d2.zSha256, d.zSha256) == 0 && strcmp(d2.zMediaType, "application/pdf") == 0);
  CHECK(kg_store_document_get(p, d.id + 1, &d2) == KG_ENOTFOUND);
  d.id = 0;
  d.projectId = b + 100;
  CHECK(kg_store_document_insert(p, &d) == KG_EINVAL); /* no such project */
  memset(&c, 0, sizeof(c));
  CHECK(kg_store_document_list(p, a, document_row, &c) == KG_OK && c.n == 1);
  memset(&c, 0, sizeof(c));
  CHECK(kg_store_document_list(p, b, document_row, &c) == KG_OK && c.n == 0);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(project_and_documents_insert_get_list);
  return harness_end();
}

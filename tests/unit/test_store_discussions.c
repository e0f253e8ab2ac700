/* test_store_discussions.c: unit tests for src/store/discussions.c against
 * real SpatiaLite files in a temporary directory: insert and get with
 * expositions, territories refused with a reason, the spatial and text
 * filters of the list, list callbacks that call the store again, status
 * transitions and their timeline, the scheduled advance. Prints one line per
 * test and "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_harness.h"

static int expo_row(void *pArg, const struct kg_exposition *e) {
  struct id_list *c = pArg;
  if (c->n == 0) CHECK(strcmp(e->zPlace, "ул. Баумана, 1") == 0 && e->zHours == NULL);
  c->n++;
  return 0;
}

static void discussion_insert_valid_and_get(void) {
  struct kg_store *p = fresh();
  int64_t proj = add_project(p, "Парк", "territory_planning", "");
  struct kg_discussion d = {0}, out;
  struct kg_exposition aExpo[2] = {{(char *)"ул. Баумана, 1", NULL, 0, 0},
                                   {(char *)"Мэрия", (char *)"9-18", 10, 20}};
  struct id_list c = {0};
  char zErr[200];
  int64_t id = 0;
  d.projectId = proj;
  d.zTitle = (char *)"Обсуждение";
  d.announceAt = 100;
  d.opensAt = 200;
  d.closesAt = 300;
  d.zNotice = (char *)"Оповещение";
  CHECK(kg_store_discussion_insert(p, &d,
                                   "MULTIPOLYGON(((49.1 55.7,49.11 55.7,49.11 55.71,49.1 55.71,"
                                   "49.1 55.7)))",
                                   aExpo, 2, 0, &id, zErr, sizeof(zErr)) == KG_OK);
  CHECK(kg_store_discussion_get(p, id, &out) == KG_OK);
  CHECK(out.status == KG_ST_DRAFT && out.projectId == proj && out.opensAt == 200);
  CHECK(strcmp(out.zTitle, "Обсуждение") == 0 && strcmp(out.zProjectTitle, "Парк") == 0);
  CHECK(strcmp(out.zProjectKind, "territory_planning") == 0);
  CHECK(out.zNotice && strcmp(out.zNotice, "Оповещение") == 0);
  CHECK(out.bbox[0] > 49.099 && out.bbox[0] < 49.101 && out.bbox[3] > 55.709 &&
        out.bbox[3] < 55.711);
  /* about 630 m x 1110 m */
  CHECK(out.areaM2 > 600000 && out.areaM2 < 800000);
  CHECK(out.zTerritory && strstr(out.zTerritory, "MultiPolygon") != NULL);
  CHECK(out.protocolAt == 0 && out.concludedAt == 0);
  kg_discussion_clear(&out);
  CHECK(kg_store_discussion_expositions(p, id, expo_row, &c) == KG_OK && c.n == 2);
  CHECK(kg_store_discussion_expositions(p, id + 1, expo_row, &c) == KG_ENOTFOUND);
  CHECK(kg_store_discussion_get(p, id + 1, &out) == KG_ENOTFOUND);
  /* the caller's GeoJSON and area are kept as given; a POLYGON is promoted */
  d.zTerritory = (char *)"{\"type\":\"MultiPolygon\",\"coordinates\":[]}";
  d.areaM2 = 42;
  CHECK(kg_store_discussion_insert(p, &d, "POLYGON((0 0,1 0,1 1,0 1,0 0))", NULL, 0, 0, &id, zErr,
                                   sizeof(zErr)) == KG_OK);
  CHECK(kg_store_discussion_get(p, id, &out) == KG_OK);
  CHECK(out.areaM2 == 42 && strcmp(out.zTerritory, d.zTerritory) == 0);
  kg_discussion_clear(&out);
  /* not WKT / wrong type */
  CHECK(kg_store_discussion_insert(p, &d, "garbage", NULL, 0, 0, &id, zErr, sizeof(zErr)) ==
        KG_EINVAL);
  CHECK(zErr[0] != 0);
  CHECK(kg_store_discussion_insert(p, &d, "POINT(1 2)", NULL, 0, 0, &id, zErr, sizeof(zErr)) ==
        KG_EINVAL);
  /* unknown project: foreign key */
  d.projectId = proj + 10;
  CHECK(kg_store_discussion_insert(p, &d, "POLYGON((0 0,1 0,1 1,0 1,0 0))", NULL, 0, 0, &id, zErr,
                                   sizeof(zErr)) == KG_EINVAL);
  CHECK(q_int(p, "SELECT count(*) FROM discussions") == 2);
  kg_store_close(p);
}

static void discussion_bowtie_is_refused_with_reason(void) {
  struct kg_store *p = fresh();
  struct kg_discussion d = {0};
  char zErr[200] = "x";
  int64_t id = -1;
  d.projectId = add_project(p, "P", "general_plan", "");
  d.zTitle = (char *)"Бабочка";
  CHECK(kg_store_discussion_insert(p, &d,
                                   "MULTIPOLYGON(((49 55,49.01 55.01,49.01 55,49 55.01,49 55)))",
                                   NULL, 0, 0, &id, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(strstr(zErr, "Self-intersection") != NULL);
  CHECK(id == -1);
  CHECK(q_int(p, "SELECT count(*) FROM discussions") == 0);
  kg_store_close(p);
}

static void discussion_bbox_filter_uses_spatial_index(void) {
  struct kg_store *p = fresh();
  int64_t proj = add_project(p, "P", "general_plan", "");
  int64_t a = add_square_discussion(p, proj, "Kazan", 49.10, 55.78, 1000, 2000);
  int64_t b = add_square_discussion(p, proj, "Moscow", 37.60, 55.75, 1000, 2000);
  int64_t c3 = add_square_discussion(p, proj, "Kazan 2", 49.20, 55.78, 1000, 2000);
  struct kg_discussion_filter f = {0};
  struct id_list c;
  f.nLimit = 50;
  CHECK(list_count(p, &f, &c) == 3);
  f.bBbox = 1;
  f.bbox[0] = 49.0;
  f.bbox[1] = 55.7;
  f.bbox[2] = 49.3;
  f.bbox[3] = 55.9;
  CHECK(list_count(p, &f, &c) == 2 && c.aId[0] == a && c.aId[1] == c3);
  /* a box that touches only a's bounding rectangle corner region */
  f.bbox[0] = 49.105;
  f.bbox[2] = 49.106;
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == a);
  f.bbox[0] = 10;
  f.bbox[1] = 10;
  f.bbox[2] = 11;
  f.bbox[3] = 11;
  CHECK(list_count(p, &f, &c) == 0);
  /* cursor + limit */
  f.bbox[0] = 30;
  f.bbox[1] = 50;
  f.bbox[2] = 50;
  f.bbox[3] = 60;
  f.nLimit = 1;
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == a);
  f.afterId = a;
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == b);
  f.nLimit = 50;
  f.afterId = 0;
  /* drop a's entry from the R*Tree: if the filter goes through the index,
   * a disappears although its geometry still intersects (SpatiaLite's
   * index is a table; PostgreSQL's planner picks GiST itself) */
  if (!p->pPg) {
    CHECK(exec_ok(p, "DELETE FROM idx_discussions_territory WHERE pkid = (SELECT min(id) FROM "
                     "discussions)"));
    CHECK(list_count(p, &f, &c) == 2 && c.aId[0] == b && c.aId[1] == c3);
  }
  kg_store_close(p);
}

static void discussion_query_finds_cyrillic_word_in_other_case(void) {
  struct kg_store *p = fresh();
  int64_t p1 = add_project(p, "Реконструкция Парк Победы", "landscaping_rules", "Аллеи и фонтаны");
  int64_t p2 = add_project(p, "ПЗЗ Казани", "land_use_rules", "Зоны");
  int64_t a = add_square_discussion(p, p1, "Общественные обсуждения", 49.1, 55.7, 1000, 2000);
  int64_t b = add_square_discussion(p, p2, "Правила, изменения", 49.2, 55.7, 1000, 2000);
  struct kg_discussion_filter f = {0};
  struct id_list c;
  f.nLimit = 50;
  f.zQuery = "парк";
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == a);
  f.zQuery = "ПАРК побе"; /* prefix, both words */
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == a);
  f.zQuery = "фонтан"; /* project description */
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == a);
  f.zQuery = "правила";
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == b);
  f.zQuery = "парк зоны"; /* AND */
  CHECK(list_count(p, &f, &c) == 0);
  f.zQuery = "сад";
  CHECK(list_count(p, &f, &c) == 0);
  f.zQuery = "\"парк\" OR NOT *"; /* operators are words, quoted */
  if (p->pPg) /* the 'russian' configuration drops "or" and "not" as stop words */
    CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == a);
  else
    CHECK(list_count(p, &f, &c) == 0);
  f.zQuery = " \"  ,. « — » "; /* nothing left: no filter */
  CHECK(list_count(p, &f, &c) == 2);
  f.zQuery = "обсуждения";
  f.bStatus = 1;
  f.status = KG_ST_DRAFT;
  CHECK(list_count(p, &f, &c) == 1);
  f.status = KG_ST_OPEN;
  CHECK(list_count(p, &f, &c) == 0);
  f.bStatus = 0;
  f.zQuery = NULL;
  f.zKind = "land_use_rules";
  CHECK(list_count(p, &f, &c) == 1 && c.aId[0] == b);
  kg_store_close(p);
}

struct nested {
  struct kg_store *p;
  int nOuter, nInner;
};

static int nested_inner(void *pArg, const struct kg_discussion *d) {
  (void)d;
  ((struct nested *)pArg)->nInner++;
  return 0;
}

static int nested_outer(void *pArg, const struct kg_discussion *d) {
  struct nested *n = pArg;
  struct kg_discussion_filter f = {0};
  struct kg_discussion full;
  f.nLimit = 50;
  n->nOuter++;
  /* the same cached statement is busy up the stack */
  CHECK(kg_store_discussion_list(n->p, &f, nested_inner, n) == KG_OK);
  CHECK(kg_store_discussion_get(n->p, d->id, &full) == KG_OK && full.id == d->id);
  kg_discussion_clear(&full);
  return 0;
}

static void list_callback_may_call_the_store_again(void) {
  struct kg_store *p = fresh();
  int64_t proj = add_project(p, "P", "general_plan", "");
  add_square_discussion(p, proj, "A", 1, 1, 1000, 2000);
  add_square_discussion(p, proj, "B", 2, 2, 1000, 2000);
  struct kg_discussion_filter f = {0};
  struct nested n = {p, 0, 0};
  f.nLimit = 50;
  CHECK(kg_store_discussion_list(p, &f, nested_outer, &n) == KG_OK);
  CHECK(n.nOuter == 2 && n.nInner == 4);
  kg_store_close(p);
}

struct events {
  int n;
  struct kg_timeline_event a[8];
};

static int event_row(void *pArg, const struct kg_timeline_event *e) {
  struct events *ev = pArg;
  if (ev->n < 8) {
    ev->a[ev->n] = *e;
    ev->a[ev->n].zNote = NULL; /* borrowed */
  }
  ev->n++;
  return 0;
}

static void transitions_allowed_and_refused(void) {
  static const struct {
    enum kg_status a, b;
    int bOk;
  } aCase[] = {
      {KG_ST_DRAFT, KG_ST_ANNOUNCED, 1},     {KG_ST_ANNOUNCED, KG_ST_OPEN, 1},
      {KG_ST_OPEN, KG_ST_CLOSED, 1},         {KG_ST_CLOSED, KG_ST_PROTOCOL, 1},
      {KG_ST_PROTOCOL, KG_ST_CONCLUDED, 1},  {KG_ST_DRAFT, KG_ST_CANCELLED, 1},
      {KG_ST_PROTOCOL, KG_ST_CANCELLED, 1},  {KG_ST_DRAFT, KG_ST_OPEN, 0},
      {KG_ST_OPEN, KG_ST_ANNOUNCED, 0},      {KG_ST_OPEN, KG_ST_OPEN, 0},
      {KG_ST_CONCLUDED, KG_ST_CANCELLED, 0}, {KG_ST_CANCELLED, KG_ST_CANCELLED, 0},
      {KG_ST_CANCELLED, KG_ST_DRAFT, 0},     {KG_ST_CONCLUDED, KG_ST_CONCLUDED + 1, 0},
      {KG_ST_CANCELLED, KG_ST_ANNOUNCED, 0}, {KG_ST__COUNT, KG_ST_DRAFT, 0},
  };
  for (size_t i = 0; i < sizeof(aCase) / sizeof(aCase[0]); i++) {
    if (kg_status_transition_allowed(aCase[i].a, aCase[i].b) != aCase[i].bOk) {
      fprintf(stderr, "  case %zu\n", i);
      CHECK(0);
    }
  }
  enum kg_status st;
  CHECK(kg_status_parse("protocol", &st) == KG_OK && st == KG_ST_PROTOCOL);
  CHECK(kg_status_parse("Open", &st) == KG_EINVAL);
  CHECK(strcmp(kg_status_name(KG_ST_CANCELLED), "cancelled") == 0);

  struct kg_store *p = fresh();
  int64_t mod = 0;
  CHECK(kg_store_account_insert(p, "m@example.org", "h", "M", "moderator", 1, &mod) == KG_OK);
  int64_t id =
      add_square_discussion(p, add_project(p, "P", "general_plan", ""), "D", 1, 1, 1000, 2000);
  enum kg_status from = KG_ST_CANCELLED;
  CHECK(kg_store_discussion_transition(p, id, KG_ST_OPEN, mod, "skip", 10, &from) == KG_ECONFLICT);
  CHECK(from == KG_ST_DRAFT);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_ANNOUNCED, mod, "оповещение", 11, &from) ==
        KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_OPEN, mod, NULL, 12, &from) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_CLOSED, mod, NULL, 13, &from) == KG_OK);
  /* protocol and concluded need their document issued by the same act (at
   * the same time): not before it, not missing */
  static const char zSha[] = "0000000000000000000000000000000000000000000000000000000000000000";
  CHECK(kg_store_discussion_transition(p, id, KG_ST_PROTOCOL, mod, NULL, 14, &from) ==
        KG_ECONFLICT);
  CHECK(kg_store_report_insert(p, id, "protocol", 1, "{}", 2, zSha, 13, mod, NULL) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_PROTOCOL, mod, NULL, 14, &from) ==
        KG_ECONFLICT);
  CHECK(kg_store_report_insert(p, id, "protocol", 2, "{}", 2, zSha, 14, mod, NULL) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_PROTOCOL, mod, NULL, 14, &from) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_CONCLUDED, mod, NULL, 15, &from) ==
        KG_ECONFLICT);
  CHECK(from == KG_ST_PROTOCOL);
  CHECK(kg_store_report_insert(p, id, "conclusion", 1, "{}", 2, zSha, 15, mod, NULL) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_CONCLUDED, mod, NULL, 15, &from) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id, KG_ST_CANCELLED, mod, NULL, 16, &from) ==
        KG_ECONFLICT);
  CHECK(from == KG_ST_CONCLUDED);
  CHECK(kg_store_discussion_transition(p, id + 5, KG_ST_CANCELLED, mod, NULL, 16, &from) ==
        KG_ENOTFOUND);
  struct kg_discussion d;
  CHECK(kg_store_discussion_get(p, id, &d) == KG_OK);
  CHECK(d.status == KG_ST_CONCLUDED && d.protocolAt == 14 && d.concludedAt == 15 &&
        d.updatedAt == 15);
  kg_discussion_clear(&d);
  struct events ev = {0};
  CHECK(kg_store_discussion_timeline(p, id, event_row, &ev) == KG_OK && ev.n == 5);
  CHECK(ev.a[0].from == KG_ST_DRAFT && ev.a[0].to == KG_ST_ANNOUNCED && ev.a[0].at == 11 &&
        ev.a[0].actorId == mod);
  CHECK(ev.a[4].to == KG_ST_CONCLUDED);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE action = 'discussion.transition' AND "
                 "target_type = 'discussion'") == 5);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE reason = 'оповещение'") == 1);
  /* a refused move leaves no trace and no open transaction */
  CHECK(!kg_db_in_tx(p));
  /* inside the caller's transaction: a savepoint, rolled back with it */
  int64_t id2 = add_square_discussion(p, add_project(p, "Q", "general_plan", ""), "E", 2, 2, 1, 2);
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_discussion_transition(p, id2, KG_ST_CANCELLED, 0, NULL, 20, &from) == KG_OK);
  kg_store_rollback(p);
  CHECK(kg_store_discussion_get(p, id2, &d) == KG_OK && d.status == KG_ST_DRAFT);
  kg_discussion_clear(&d);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log") == 5);
  kg_store_close(p);
}

static void advance_due_moves_announced_to_open_to_closed(void) {
  struct kg_store *p = fresh();
  int64_t proj = add_project(p, "P", "general_plan", "");
  int64_t a = add_square_discussion(p, proj, "A", 1, 1, 1000, 2000);  /* opens at 1000 */
  int64_t b = add_square_discussion(p, proj, "B", 2, 2, 500, 900);    /* both past at 1000 */
  int64_t c = add_square_discussion(p, proj, "C", 3, 3, 5000, 6000);  /* not due */
  int64_t dr = add_square_discussion(p, proj, "Draft", 4, 4, 10, 20); /* draft: never moved */
  int nMoved = -1;
  struct kg_discussion d;
  struct events ev = {0};
  CHECK(kg_store_discussion_transition(p, a, KG_ST_ANNOUNCED, 0, NULL, 1, NULL) == KG_OK);
  CHECK(kg_store_discussion_transition(p, b, KG_ST_ANNOUNCED, 0, NULL, 1, NULL) == KG_OK);
  CHECK(kg_store_discussion_transition(p, c, KG_ST_ANNOUNCED, 0, NULL, 1, NULL) == KG_OK);
  /* b: both dates past, opens and closes in one call */
  CHECK(kg_store_discussion_advance_due(p, 999, &nMoved) == KG_OK && nMoved == 2);
  CHECK(kg_store_discussion_advance_due(p, 1000, &nMoved) == KG_OK && nMoved == 1); /* a opens */
  CHECK(kg_store_discussion_get(p, a, &d) == KG_OK && d.status == KG_ST_OPEN);
  kg_discussion_clear(&d);
  CHECK(kg_store_discussion_get(p, b, &d) == KG_OK && d.status == KG_ST_CLOSED);
  kg_discussion_clear(&d);
  CHECK(kg_store_discussion_get(p, c, &d) == KG_OK && d.status == KG_ST_ANNOUNCED);
  kg_discussion_clear(&d);
  CHECK(kg_store_discussion_get(p, dr, &d) == KG_OK && d.status == KG_ST_DRAFT);
  kg_discussion_clear(&d);
  CHECK(kg_store_discussion_advance_due(p, 1000, &nMoved) == KG_OK && nMoved == 0);
  CHECK(kg_store_discussion_advance_due(p, 2000, &nMoved) == KG_OK && nMoved == 1);
  /* announced with both dates past: open then closed in one call */
  CHECK(kg_store_discussion_advance_due(p, 7000, &nMoved) == KG_OK && nMoved == 2);
  CHECK(kg_store_discussion_get(p, c, &d) == KG_OK && d.status == KG_ST_CLOSED);
  kg_discussion_clear(&d);
  CHECK(kg_store_discussion_timeline(p, c, event_row, &ev) == KG_OK && ev.n == 3);
  CHECK(ev.a[1].from == KG_ST_ANNOUNCED && ev.a[1].to == KG_ST_OPEN && ev.a[1].actorId == 0 &&
        ev.a[1].at == 7000);
  CHECK(ev.a[2].from == KG_ST_OPEN && ev.a[2].to == KG_ST_CLOSED && ev.a[2].actorId == 0);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log") == 0);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(discussion_insert_valid_and_get);
  RUN(discussion_bowtie_is_refused_with_reason);
  RUN(discussion_bbox_filter_uses_spatial_index);
  RUN(discussion_query_finds_cyrillic_word_in_other_case);
  RUN(list_callback_may_call_the_store_again);
  RUN(transitions_allowed_and_refused);
  RUN(advance_due_moves_announced_to_open_to_closed);
  return harness_end();
}

/* test_store.c: unit tests for src/store/ against real SpatiaLite files in a
 * temporary directory. Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/store/store_int.h"
#include "kengash/store.h"

#define HARNESS_OWN_HELPERS
#include "store_harness.h"

/* A new path in the temp dir (free()). */
static char *db_path(void) {
  return kg_xasprintf("%s/db%d.sqlite", g_zDir, ++g_nDb);
}

/* A freshly migrated store. */
static struct kg_store *fresh(void) {
  char *zPath = db_path();
  struct kg_store *p = NULL;
  int nVersion = -1;
  if (kg_store_open(zPath, &p) != KG_OK || kg_store_migrate(p, &nVersion) != KG_OK) {
    fprintf(stderr, "cannot create a test store\n");
    exit(2);
  }
  free(zPath);
  return p;
}

/* One integer from SQL (test-only raw access). */
static int64_t q_int(struct kg_store *p, const char *zSql) {
  sqlite3_stmt *s = NULL;
  int64_t v = -999;
  if (sqlite3_prepare_v2(p->db, zSql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  else
    fprintf(stderr, "  q_int failed: %s: %s\n", zSql, sqlite3_errmsg(p->db));
  sqlite3_finalize(s);
  return v;
}

static int exec_ok(struct kg_store *p, const char *zSql) {
  return sqlite3_exec(p->db, zSql, NULL, NULL, NULL) == SQLITE_OK;
}

static int64_t add_project(struct kg_store *p, const char *zTitle, const char *zKind,
                           const char *zDesc) {
  struct kg_project pr = {0, (char *)zTitle, (char *)zKind, (char *)zDesc, (char *)"Комитет", 0};
  int64_t id = 0;
  CHECK(kg_store_project_insert(p, &pr, 0, &id) == KG_OK);
  return id;
}

/* A square cell [x, x+d] x [y, y+d] as WKT MULTIPOLYGON. */
static char *square(double x, double y, double d) {
  return kg_xasprintf("MULTIPOLYGON(((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f)))", x, y,
                      x + d, y, x + d, y + d, x, y + d, x, y);
}

static int64_t add_discussion(struct kg_store *p, int64_t projectId, const char *zTitle, double x,
                              double y, int64_t opensAt, int64_t closesAt) {
  struct kg_discussion d = {0};
  char *zWkt = square(x, y, 0.01);
  char zErr[200];
  int64_t id = 0;
  d.projectId = projectId;
  d.zTitle = (char *)zTitle;
  d.announceAt = opensAt - 7 * 86400;
  d.opensAt = opensAt;
  d.closesAt = closesAt;
  d.areaM2 = 1; /* as the API passes it (SpatiaLite's geodesic area is not needed) */
  CHECK(kg_store_discussion_insert(p, &d, zWkt, NULL, 0, 0, &id, zErr, sizeof(zErr)) == KG_OK);
  free(zWkt);
  return id;
}

/* ---- tests ---- */

static void migrate_new_file_creates_tables_and_spatial_indexes(void) {
  char *zPath = db_path();
  struct kg_store *p = NULL;
  int nVersion = -1;
  CHECK(kg_store_open(zPath, &p) == KG_OK);
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK);
  CHECK(nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('accounts',"
                 "'sessions','project_kinds','projects','documents','discussions',"
                 "'exposition_places','discussion_events','moderation_log','comments',"
                 "'districts','address_registry','parcels','discussions_fts')") == 14);
  /* every geometry column has a spatial index, and its R*Tree exists */
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns") >= 5);
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled <> 1") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns g WHERE NOT EXISTS (SELECT 1 FROM "
                 "sqlite_master m WHERE m.name = 'idx_' || g.f_table_name || '_' || "
                 "g.f_geometry_column)") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM geometry_columns WHERE f_table_name='discussions' AND "
                 "f_geometry_column='territory' AND srid=4326 AND geometry_type=6") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master WHERE name IN ('idx_discussions_territory',"
                 "'idx_comments_location','idx_districts_geometry',"
                 "'idx_address_registry_geometry','idx_parcels_geometry')") == 5);
  CHECK(q_int(p, "PRAGMA journal_mode = WAL") == -999 || 1); /* pragma returns text */
  CHECK(q_int(p, "PRAGMA foreign_keys") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM project_kinds") == 7);
  struct kg_project_kind k;
  CHECK(kg_store_project_kind_get(p, "territory_planning", &k) == KG_OK);
  CHECK(k.nNoticeDays == 7 && k.nMinDays == 14 && k.nMaxDays == 30);
  CHECK(strcmp(k.zTitleRu, "Проект планировки территории") == 0);
  CHECK(kg_store_project_kind_get(p, "nope", &k) == KG_ENOTFOUND);
  CHECK(kg_store_project_kind_exists(p, "deviation_permit") == 1);
  CHECK(kg_store_project_kind_exists(p, "Deviation_permit") == 0);
  CHECK(kg_store_health(p) == KG_OK);
  kg_store_close(p);
  free(zPath);
}

static void migrate_twice_is_a_noop(void) {
  char *zPath = db_path();
  struct kg_store *p = NULL;
  int nVersion = -1;
  CHECK(kg_store_open(zPath, &p) == KG_OK);
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK &&
        nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
  int64_t nObjects = q_int(p, "SELECT count(*) FROM sqlite_master");
  CHECK(kg_store_migrate(p, &nVersion) == KG_OK &&
        nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master") == nObjects);
  kg_store_close(p);
  /* and from another connection */
  CHECK(kg_store_open(zPath, &p) == KG_OK);
  CHECK(kg_store_migrate(p, NULL) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master") == nObjects);
  CHECK(q_int(p, "SELECT count(*) FROM project_kinds") == 7);
  kg_store_close(p);
  free(zPath);
}

static void account_duplicate_email_in_other_case_conflicts(void) {
  struct kg_store *p = fresh();
  int64_t id = 0, id2 = 0;
  struct kg_account a;
  char zHash[128];
  CHECK(kg_store_account_insert(p, "Anna@Example.org", "$argon2id$h1", "Анна Иванова", "citizen",
                                100, &id) == KG_OK);
  CHECK(id > 0);
  CHECK(kg_store_account_insert(p, "anna@example.ORG", "$argon2id$h2", "X", "citizen", 100, &id2) ==
        KG_ECONFLICT);
  CHECK(kg_store_account_by_email(p, "ANNA@example.org", &a, zHash, sizeof(zHash)) == KG_OK);
  CHECK(a.id == id && strcmp(zHash, "$argon2id$h1") == 0);
  CHECK(strcmp(a.zFullName, "Анна Иванова") == 0 && strcmp(a.zRole, "citizen") == 0);
  CHECK(kg_store_account_by_email(p, "nobody@example.org", &a, NULL, 0) == KG_ENOTFOUND);
  CHECK(kg_store_account_by_email(p, "anna@example.org", &a, zHash, 5) == KG_ETOOBIG);
  CHECK(kg_store_account_set_role(p, id, "moderator") == KG_OK);
  CHECK(kg_store_account_set_role(p, id, "emperor") == KG_EINVAL);
  CHECK(kg_store_account_set_role(p, id + 100, "admin") == KG_ENOTFOUND);
  CHECK(kg_store_account_set_password(p, id, "$argon2id$h3") == KG_OK);
  CHECK(kg_store_account_get(p, id, &a) == KG_OK && strcmp(a.zRole, "moderator") == 0);
  CHECK(kg_store_account_by_email(p, "anna@example.org", &a, zHash, sizeof(zHash)) == KG_OK &&
        strcmp(zHash, "$argon2id$h3") == 0);
  CHECK(kg_store_account_get(p, id + 100, &a) == KG_ENOTFOUND);
  CHECK(kg_store_account_insert(p, "b@example.org", "h", "B", "root", 1, &id2) == KG_EINVAL);
  kg_store_close(p);
}

static void session_insert_get_expire_delete(void) {
  struct kg_store *p = fresh();
  unsigned char aTok[32], aTok2[32];
  struct kg_session ses;
  int64_t acc = 0;
  memset(aTok, 0xab, sizeof(aTok));
  memset(aTok2, 0xcd, sizeof(aTok2));
  CHECK(kg_store_account_insert(p, "s@example.org", "h", "S", "citizen", 1, &acc) == KG_OK);
  CHECK(kg_store_session_insert(p, aTok, acc, "csrf-1", 1000) == KG_OK);
  CHECK(kg_store_session_insert(p, aTok, acc, "csrf-x", 1000) == KG_ECONFLICT);
  CHECK(kg_store_session_insert(p, aTok2, acc, "csrf-2", 1000) == KG_OK);
  CHECK(kg_store_session_get(p, aTok, 999, &ses) == KG_OK);
  CHECK(ses.accountId == acc && strcmp(ses.zCsrf, "csrf-1") == 0 && ses.expiresAt == 1000);
  CHECK(kg_store_session_get(p, aTok, 1000, &ses) == KG_ENOTFOUND); /* expired */
  CHECK(kg_store_session_touch(p, aTok, 2000) == KG_OK);
  CHECK(kg_store_session_get(p, aTok, 1500, &ses) == KG_OK && ses.expiresAt == 2000);
  CHECK(kg_store_session_delete(p, aTok) == KG_OK);
  CHECK(kg_store_session_get(p, aTok, 1, &ses) == KG_ENOTFOUND);
  CHECK(kg_store_session_touch(p, aTok, 2000) == KG_ENOTFOUND);
  CHECK(kg_store_session_delete_account(p, acc) == KG_OK);
  CHECK(kg_store_session_get(p, aTok2, 1, &ses) == KG_ENOTFOUND);
  /* unknown account: foreign key */
  CHECK(kg_store_session_insert(p, aTok, acc + 50, "c", 1000) == KG_EINVAL);
  kg_store_close(p);
}

struct collect {
  int n;
  int64_t aId[16];
};

static int project_row(void *pArg, const struct kg_project *pr) {
  struct collect *c = pArg;
  if (c->n < 16) c->aId[c->n] = pr->id;
  c->n++;
  return 0;
}

static int document_row(void *pArg, const struct kg_document *d) {
  struct collect *c = pArg;
  if (c->n < 16) c->aId[c->n] = d->id;
  c->n++;
  return 0;
}

static int kind_row(void *pArg, const struct kg_project_kind *k) {
  struct collect *c = pArg;
  if (c->n == 0) CHECK(strcmp(k->zKind, "general_plan") == 0);
  c->n++;
  return 0;
}

static void project_and_documents_insert_get_list(void) {
  struct kg_store *p = fresh();
  struct kg_project pr;
  struct kg_document d = {0}, d2;
  struct collect c = {0};
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

static int expo_row(void *pArg, const struct kg_exposition *e) {
  struct collect *c = pArg;
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
  struct collect c = {0};
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

static int discussion_row(void *pArg, const struct kg_discussion *d) {
  struct collect *c = pArg;
  if (c->n < 16) c->aId[c->n] = d->id;
  c->n++;
  return 0;
}

static int list_count(struct kg_store *p, const struct kg_discussion_filter *f, struct collect *c) {
  memset(c, 0, sizeof(*c));
  CHECK(kg_store_discussion_list(p, f, discussion_row, c) == KG_OK);
  return c->n;
}

static void discussion_bbox_filter_uses_spatial_index(void) {
  struct kg_store *p = fresh();
  int64_t proj = add_project(p, "P", "general_plan", "");
  int64_t a = add_discussion(p, proj, "Kazan", 49.10, 55.78, 1000, 2000);
  int64_t b = add_discussion(p, proj, "Moscow", 37.60, 55.75, 1000, 2000);
  int64_t c3 = add_discussion(p, proj, "Kazan 2", 49.20, 55.78, 1000, 2000);
  struct kg_discussion_filter f = {0};
  struct collect c;
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
   * a disappears although its geometry still intersects */
  CHECK(exec_ok(p, "DELETE FROM idx_discussions_territory WHERE pkid = (SELECT min(id) FROM "
                   "discussions)"));
  CHECK(list_count(p, &f, &c) == 2 && c.aId[0] == b && c.aId[1] == c3);
  kg_store_close(p);
}

static void discussion_query_finds_cyrillic_word_in_other_case(void) {
  struct kg_store *p = fresh();
  int64_t p1 = add_project(p, "Реконструкция Парк Победы", "landscaping_rules", "Аллеи и фонтаны");
  int64_t p2 = add_project(p, "ПЗЗ Казани", "land_use_rules", "Зоны");
  int64_t a = add_discussion(p, p1, "Общественные обсуждения", 49.1, 55.7, 1000, 2000);
  int64_t b = add_discussion(p, p2, "Правила, изменения", 49.2, 55.7, 1000, 2000);
  struct kg_discussion_filter f = {0};
  struct collect c;
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
  add_discussion(p, proj, "A", 1, 1, 1000, 2000);
  add_discussion(p, proj, "B", 2, 2, 1000, 2000);
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
  int64_t id = add_discussion(p, add_project(p, "P", "general_plan", ""), "D", 1, 1, 1000, 2000);
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
  CHECK(sqlite3_get_autocommit(p->db));
  /* inside the caller's transaction: a savepoint, rolled back with it */
  int64_t id2 = add_discussion(p, add_project(p, "Q", "general_plan", ""), "E", 2, 2, 1, 2);
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
  int64_t a = add_discussion(p, proj, "A", 1, 1, 1000, 2000);  /* opens at 1000 */
  int64_t b = add_discussion(p, proj, "B", 2, 2, 500, 900);    /* both past at 1000 */
  int64_t c = add_discussion(p, proj, "C", 3, 3, 5000, 6000);  /* not due */
  int64_t dr = add_discussion(p, proj, "Draft", 4, 4, 10, 20); /* draft: never moved */
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

static void backup_produces_a_file_with_the_same_rows(void) {
  struct kg_store *p = fresh(), *q = NULL;
  int64_t proj = add_project(p, "P", "general_plan", "");
  add_discussion(p, proj, "A", 1, 1, 1000, 2000);
  add_discussion(p, proj, "B", 2, 2, 1000, 2000);
  char *zTo = db_path();
  CHECK(kg_store_backup(p, zTo) == KG_OK);
  CHECK(kg_store_backup(p, zTo) == KG_ECONFLICT);
  CHECK(kg_store_open(zTo, &q) == KG_OK);
  if (q) {
    int nVersion = 0;
    CHECK(kg_store_migrate(q, &nVersion) == KG_OK &&
          nVersion == kg_store_aMigration[kg_store_nMigration - 1].nVersion);
    CHECK(q_int(q, "SELECT count(*) FROM discussions") == 2);
    CHECK(q_int(q, "SELECT count(*) FROM projects") == 1);
    CHECK(q_int(q, "SELECT count(*) FROM discussions_fts WHERE discussions_fts MATCH 'a'") == 1);
    struct kg_discussion_filter f = {0};
    struct collect c;
    f.nLimit = 50;
    f.bBbox = 1;
    f.bbox[0] = 0.5;
    f.bbox[1] = 0.5;
    f.bbox[2] = 1.5;
    f.bbox[3] = 1.5;
    CHECK(list_count(q, &f, &c) == 1);
    kg_store_close(q);
  }
  char *zBad = kg_xasprintf("%s/no/such/dir.sqlite", g_zDir);
  CHECK(kg_store_backup(p, zBad) == KG_EIO);
  free(zBad);
  free(zTo);
  kg_store_close(p);
}

static void stats_counts(void) {
  struct kg_store *p = fresh();
  struct kg_stats st;
  int64_t proj = add_project(p, "P", "general_plan", "");
  add_project(p, "P2", "general_plan", "");
  int64_t a = add_discussion(p, proj, "A", 1, 1, 1000, 2000);
  add_discussion(p, proj, "B", 2, 2, 1000, 2000);
  int64_t u1 = 0, u2 = 0;
  CHECK(kg_store_account_insert(p, "u1@example.org", "h", "U1", "citizen", 1, &u1) == KG_OK);
  CHECK(kg_store_account_insert(p, "u2@example.org", "h", "U2", "citizen", 1, &u2) == KG_OK);
  CHECK(kg_store_discussion_transition(p, a, KG_ST_CANCELLED, 0, NULL, 5, NULL) == KG_OK);
  char *zSql = kg_xasprintf(
      "INSERT INTO comments (discussion_id, author_id, kind, body, status, created_at, "
      "updated_at, location) VALUES "
      "(%lld, %lld, 'proposal', 'x', 'published', 1, 1, GeomFromText('POINT(1 1)', 4326)),"
      "(%lld, %lld, 'remark', 'y', 'published', 1, 1, NULL),"
      "(%lld, %lld, 'question', 'z', 'pending', 1, 1, NULL)",
      (long long)a, (long long)u1, (long long)a, (long long)u1, (long long)a, (long long)u2);
  CHECK(exec_ok(p, zSql));
  free(zSql);
  CHECK(kg_store_stats(p, &st) == KG_OK);
  CHECK(st.nDiscussions == 2 && st.aDiscussions[KG_ST_DRAFT] == 1 &&
        st.aDiscussions[KG_ST_CANCELLED] == 1 && st.aDiscussions[KG_ST_OPEN] == 0);
  CHECK(st.nProjects == 2 && st.nComments == 2 && st.nParticipants == 2);
  kg_store_close(p);
}

static void reference_layers_insert(void) {
  struct kg_store *p = fresh();
  CHECK(kg_store_address_insert(p, "ул. Баумана, 1", "Вахитовский", "POINT(49.1 55.79)") == KG_OK);
  CHECK(kg_store_address_insert(p, "ул. Баумана, 1", "Вахитовский", "POINT(49.1 55.79)") ==
        KG_ECONFLICT);
  CHECK(kg_store_address_insert(p, "ул. Баумана, 2", NULL, "not wkt") == KG_EINVAL);
  CHECK(kg_store_parcel_insert(p, "16:50:011101:1", "ИЖС", "POLYGON((0 0,1 0,1 1,0 0))") == KG_OK);
  CHECK(kg_store_district_insert(p, "Вахитовский", "relation/1",
                                 "MULTIPOLYGON(((0 0,1 0,1 1,0 "
                                 "0)))") == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM idx_parcels_geometry") == 1);
  CHECK(kg_store_modlog_insert(p, 0, "comment.reject", "comment", 7, "спам", 5) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE actor_id IS NULL AND at = 5") == 1);
  kg_store_close(p);
}

static void *pool_worker(void *pArg) {
  struct kg_store **pp = pArg;
  pp[0] = kg_store_thread();
  pp[1] = kg_store_thread(); /* the same connection again */
  if (pp[0]) kg_store_health(pp[0]);
  return NULL;
}

static void pool_gives_each_thread_its_connection(void) {
  char *zPath = db_path();
  struct kg_store *aT[2] = {0}, *pMain;
  pthread_t t;
  CHECK(kg_store_thread() == NULL); /* before init */
  kg_store_pool_init(zPath);
  pMain = kg_store_thread();
  CHECK(pMain != NULL && pMain == kg_store_thread());
  CHECK(pMain && kg_store_migrate(pMain, NULL) == KG_OK);
  CHECK(pMain && q_int(pMain, "PRAGMA cache_size") == -512); /* KiB, not SQLite's 2000 */
  CHECK(pthread_create(&t, NULL, pool_worker, aT) == 0);
  pthread_join(t, NULL); /* its connection is closed by the key's destructor */
  CHECK(aT[0] != NULL && aT[0] == aT[1] && aT[0] != pMain);
  kg_store_pool_shutdown(); /* closes the main thread's */
  CHECK(kg_store_thread() == NULL);
  free(zPath);
}

/* kg_store_open turns SQLite's memory statistics off before the first
 * connection (they take a process-wide mutex on every allocation): the
 * counter then never moves, however much the connections allocate. */
static void open_turns_off_sqlite_memory_statistics(void) {
  struct kg_store *p = fresh();
  CHECK(q_int(p, "SELECT count(*) FROM sqlite_master") > 0);
  CHECK(sqlite3_memory_used() == 0);
  kg_store_close(p);
}

static void open_fails_cleanly_on_a_bad_path(void) {
  struct kg_store *p = (struct kg_store *)1;
  char *zBad = kg_xasprintf("%s/missing/dir/x.sqlite", g_zDir);
  CHECK(kg_store_open(zBad, &p) == KG_EDB && p == NULL);
  free(zBad);
}

/* ---- support messages ---- */

/* xCompose for the tests: pArg non-NULL makes it fail (no body). */
static void support_compose(void *pArg, const struct kg_support_message *m, char **pzSubject,
                            char **pzBody) {
  *pzSubject = kg_xasprintf("support %lld", (long long)m->id);
  *pzBody = pArg ? NULL : kg_xasprintf("%s\n%s\n", m->zTopic, m->zBody);
}

static int support_collect(void *pArg, const struct kg_support_message *m) {
  int64_t *a = pArg;
  a[++a[0]] = m->id;
  return a[0] >= 8;
}

static void support_message_and_its_mail_commit_together_or_not_at_all(void) {
  struct kg_store *p = fresh();
  struct kg_support_message m = {0};
  struct kg_support_mail mail = {"help@example.org", support_compose, NULL};
  int64_t t = 1800000000, id = 0, outboxId = 0, nRetry = 0, aId[10] = {0};
  m.zName = "Имя";
  m.zEmail = "Sender@Example.org";
  m.zTopic = "Тема";
  m.zBody = "Текст";
  CHECK(kg_store_support_insert(p, &m, &mail, t, &id, &outboxId, &nRetry) == KG_OK);
  CHECK(id > 0 && outboxId > 0);
  CHECK(q_int(p, "SELECT count(*) FROM outbox WHERE to_addr = 'help@example.org' AND "
                 "body_text = 'Тема' || char(10) || 'Текст' || char(10)") == 1);
  CHECK(q_int(p, "SELECT outbox_id = (SELECT max(id) FROM outbox) FROM support_messages") == 1);
  /* the e-mail cannot be made: the message is not stored either */
  mail.pArg = &m;
  CHECK(kg_store_support_insert(p, &m, &mail, t, &id, &outboxId, &nRetry) == KG_EINVAL);
  CHECK(id == 0 && outboxId == 0);
  CHECK(q_int(p, "SELECT count(*) FROM support_messages") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == 1);
  /* no support address: stored, no e-mail */
  mail.zTo = "";
  CHECK(kg_store_support_insert(p, &m, &mail, t + 1, &id, &outboxId, &nRetry) == KG_OK);
  CHECK(id > 0 && outboxId == 0);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == 1);
  /* five an hour per address, compared without case */
  m.zEmail = "sender@example.ORG";
  for (int i = 0; i < 3; i++)
    CHECK(kg_store_support_insert(p, &m, NULL, t + 2, &id, NULL, NULL) == KG_OK);
  CHECK(kg_store_support_insert(p, &m, NULL, t + 10, &id, NULL, &nRetry) == KG_ELIMIT);
  CHECK(id == 0 && nRetry == KG_SUPPORT_RATE_WINDOW - 9);
  CHECK(kg_store_support_insert(p, &m, NULL, t + KG_SUPPORT_RATE_WINDOW, &id, NULL, NULL) == KG_OK);
  m.zEmail = "other@example.org";
  CHECK(kg_store_support_insert(p, &m, NULL, t + 10, &id, NULL, NULL) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM support_messages") == 7);
  /* newest first, then from a cursor */
  CHECK(kg_store_support_list(p, 0, 3, support_collect, aId) == KG_OK);
  CHECK(aId[0] == 3 && aId[1] == 7 && aId[2] == 6 && aId[3] == 5);
  aId[0] = 0;
  CHECK(kg_store_support_list(p, 3, 50, support_collect, aId) == KG_OK);
  CHECK(aId[0] == 2 && aId[1] == 2 && aId[2] == 1);
  aId[0] = 0;
  CHECK(kg_store_support_get(p, 1, support_collect, aId) == KG_OK && aId[0] == 1 && aId[1] == 1);
  CHECK(kg_store_support_get(p, 99, support_collect, aId) == KG_ENOTFOUND);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(open_turns_off_sqlite_memory_statistics);
  RUN(migrate_new_file_creates_tables_and_spatial_indexes);
  RUN(migrate_twice_is_a_noop);
  RUN(account_duplicate_email_in_other_case_conflicts);
  RUN(session_insert_get_expire_delete);
  RUN(project_and_documents_insert_get_list);
  RUN(discussion_insert_valid_and_get);
  RUN(discussion_bowtie_is_refused_with_reason);
  RUN(discussion_bbox_filter_uses_spatial_index);
  RUN(discussion_query_finds_cyrillic_word_in_other_case);
  RUN(list_callback_may_call_the_store_again);
  RUN(transitions_allowed_and_refused);
  RUN(advance_due_moves_announced_to_open_to_closed);
  RUN(backup_produces_a_file_with_the_same_rows);
  RUN(stats_counts);
  RUN(reference_layers_insert);
  RUN(pool_gives_each_thread_its_connection);
  RUN(open_fails_cleanly_on_a_bad_path);
  RUN(support_message_and_its_mail_commit_together_or_not_at_all);
  return harness_end();
}

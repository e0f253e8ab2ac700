/* store_harness.h: test.h plus what the store's unit tests share: stores on
 * real SpatiaLite files in the harness's temporary directory, one-value
 * queries, and the fixtures most of them start from (an account, a
 * discussion on a territory, a square as WKT). Included by exactly one test
 * file per binary instead of test.h (everything here is static). */
#ifndef KENGASH_TESTS_STORE_HARNESS_H
#define KENGASH_TESTS_STORE_HARNESS_H

#include "test.h"

#include <dirent.h>
#include <unistd.h>

#include "../../src/store/store_int.h"
#include "kengash/store.h"

/* Whether a thread of this process is called zName (/proc/self/task/N/comm). */
static inline int thread_named(const char *zName) {
  DIR *pDir = opendir("/proc/self/task");
  struct dirent *e;
  int bFound = 0;
  while (pDir && !bFound && (e = readdir(pDir)) != NULL) {
    char zPath[300], zComm[32] = "";
    snprintf(zPath, sizeof(zPath), "/proc/self/task/%s/comm", e->d_name);
    FILE *pF = e->d_name[0] != '.' ? fopen(zPath, "r") : NULL;
    if (!pF) continue;
    if (fgets(zComm, sizeof(zComm), pF)) zComm[strcspn(zComm, "\n")] = 0;
    fclose(pF);
    bFound = strcmp(zComm, zName) == 0;
  }
  if (pDir) closedir(pDir);
  return bFound;
}
/* A square on the centre of Kazan, [49.118, 49.123] x [55.787, 55.792]. */
#define KAZAN_SQUARE_WKT                                                                           \
  "MULTIPOLYGON(((49.118 55.787,49.123 55.787,49.123 55.792,49.118 55.792,49.118 55.787)))"

static int g_nDb;

/* ---- PostgreSQL (tests/pg/run_unit.py) ----
 * With KG_TEST_PG_URL set (postgresql://user@host:port, no database) every
 * store of a test is a new database on that cluster instead of a file:
 * fresh() copies a template migrated once by kg_store_migrate, open_new()
 * makes an empty one with PostGIS. The tests then run unchanged on the
 * PostgreSQL driver behind the engine seam (src/store/db.h). */

/* Runs zSql on the cluster's database "postgres"; exits on failure. */
static inline void pg_admin(const char *zUrl, const char *zSql) {
  char *zConn = kg_xasprintf("%s/postgres", zUrl);
  struct kg_store *p = NULL;
  if (kg_store_open(zConn, &p) != KG_OK || kg_pg_exec(p->pPg, zSql) != SQLITE_OK) {
    fprintf(stderr, "postgresql admin failed: %s: %s\n", zSql, p ? kg_db_errmsg(p) : "");
    exit(2);
  }
  kg_store_close(p);
  free(zConn);
}

/* A new database of the cluster: a copy of zTemplate, or empty with
 * PostGIS (zTemplate NULL). Its conninfo (free()). */
static inline char *pg_new_db(const char *zUrl, const char *zTemplate) {
  char *zName = kg_xasprintf("kgt_%d_%d", (int)getpid(), ++g_nDb);
  char *zSql =
      kg_xasprintf("CREATE DATABASE %s TEMPLATE %s", zName, zTemplate ? zTemplate : "template0");
  pg_admin(zUrl, zSql);
  free(zSql);
  char *zConn = kg_xasprintf("%s/%s", zUrl, zName);
  free(zName);
  if (!zTemplate) {
    struct kg_store *p = NULL;
    if (kg_store_open(zConn, &p) != KG_OK ||
        kg_pg_exec(p->pPg, "CREATE EXTENSION postgis") != SQLITE_OK) {
      fprintf(stderr, "cannot create postgis\n");
      exit(2);
    }
    kg_store_close(p);
  }
  return zConn;
}

/* The store at zConn, opened and migrated (exit 2 when it cannot be). */
static inline struct kg_store *open_migrated(const char *zConn) {
  struct kg_store *p = NULL;
  int nVersion = -1;
  if (kg_store_open(zConn, &p) != KG_OK || kg_store_migrate(p, &nVersion) != KG_OK) {
    fprintf(stderr, "cannot open and migrate a postgresql test store\n");
    exit(2);
  }
  return p;
}

/* The template every fresh() copies: migrated once, on first use. */
static inline const char *pg_template(const char *zUrl) {
  static char zName[48];
  if (zName[0]) return zName;
  char *zConn = pg_new_db(zUrl, NULL);
  kg_store_close(open_migrated(zConn));
  snprintf(zName, sizeof(zName), "%s", strrchr(zConn, '/') + 1);
  free(zConn);
  return zName;
}

/* A new database path in the temporary directory (free()); on
 * PostgreSQL, the conninfo of a new empty database. */
static inline char *db_path(void) {
  const char *zUrl = getenv("KG_TEST_PG_URL");
  if (zUrl) return pg_new_db(zUrl, NULL);
  return kg_xasprintf("%s/db%d.sqlite", g_zDir, ++g_nDb);
}

/* A new, empty database file in the directory, not migrated. */
static inline struct kg_store *open_new(void) {
  char *zPath = db_path();
  struct kg_store *p = NULL;
  if (kg_store_open(zPath, &p) != KG_OK) {
    fprintf(stderr, "cannot open a test store\n");
    exit(2);
  }
  free(zPath);
  return p;
}

/* A new database with every migration applied. */
static inline struct kg_store *fresh(void) {
  const char *zUrl = getenv("KG_TEST_PG_URL");
  if (zUrl) {
    char *zConn = pg_new_db(zUrl, pg_template(zUrl));
    struct kg_store *p = open_migrated(zConn);
    free(zConn);
    return p;
  }
  struct kg_store *p = open_new();
  int nVersion = -1;
  if (kg_store_migrate(p, &nVersion) != KG_OK) {
    fprintf(stderr, "cannot migrate a test store\n");
    exit(2);
  }
  return p;
}

/* The first column of the first row of zSql as an integer; -999 (and a
 * message) when there is none. Through the seam: either engine. */
static inline int64_t q_int(struct kg_store *p, const char *zSql) {
  struct kg_db_stmt *s = NULL;
  int64_t v = -999;
  if (kg_store_sql_prepare(p, zSql, &s) == KG_OK && kg_db_step(s) == SQLITE_ROW)
    v = kg_db_col_i64(s, 0);
  else
    fprintf(stderr, "  q_int failed: %s: %s\n", zSql, kg_db_errmsg(p));
  kg_store_sql_done(p, s);
  return v;
}

/* 1 when zSql runs; failures are expected by some checks, so not printed. */
static inline int exec_ok(struct kg_store *p, const char *zSql) {
  if (p->pPg) return kg_pg_exec(p->pPg, zSql) == SQLITE_OK;
  return sqlite3_exec(p->db, zSql, NULL, NULL, NULL) == SQLITE_OK;
}

/* Square [x, x+d] x [y, y+d] as WKT MULTIPOLYGON (free()). */
static inline char *square(double x, double y, double d) {
  return kg_xasprintf("MULTIPOLYGON(((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f)))", x, y,
                      x + d, y, x + d, y + d, x, y + d, x, y);
}

/* Ids a list callback collected (the first 16) and how many rows it saw. */
struct id_list {
  int n;
  int64_t aId[16];
};

/* A new project; its id. */
static inline int64_t add_project(struct kg_store *p, const char *zTitle, const char *zKind,
                                  const char *zDesc) {
  struct kg_project pr = {0, (char *)zTitle, (char *)zKind, (char *)zDesc, (char *)"Комитет", 0};
  int64_t id = 0;
  CHECK(kg_store_project_insert(p, &pr, 0, &id) == KG_OK);
  return id;
}

/* A draft discussion of projectId on the 0.01-degree square at (x, y),
 * announced a week before opensAt; its id. */
static inline int64_t add_square_discussion(struct kg_store *p, int64_t projectId,
                                            const char *zTitle, double x, double y, int64_t opensAt,
                                            int64_t closesAt) {
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

/* kg_store_discussion_list's callback: collects the ids into an id_list. */
static inline int discussion_row(void *pArg, const struct kg_discussion *d) {
  struct id_list *c = pArg;
  if (c->n < 16) c->aId[c->n] = d->id;
  c->n++;
  return 0;
}

/* The discussions filter f lists, into *c; their count. */
static inline int list_count(struct kg_store *p, const struct kg_discussion_filter *f,
                             struct id_list *c) {
  memset(c, 0, sizeof(*c));
  CHECK(kg_store_discussion_list(p, f, discussion_row, c) == KG_OK);
  return c->n;
}

/* A new account "Участник Тестовый" with role zRole; its id. */
static inline int64_t add_account_role(struct kg_store *p, const char *zEmail, const char *zRole) {
  int64_t id = 0;
  CHECK(kg_store_account_insert(p, zEmail, "$argon2id$x", "Участник Тестовый", zRole, 1, &id) ==
        KG_OK);
  return id;
}

/* A new citizen's account; its id. */
static inline int64_t add_account(struct kg_store *p, const char *zEmail) {
  return add_account_role(p, zEmail, "citizen");
}

/* A draft discussion of a new project on territory zWkt; its id. */
static inline int64_t add_draft(struct kg_store *p, const char *zWkt, int64_t announceAt,
                                int64_t opensAt, int64_t closesAt) {
  struct kg_project pr = {0,          (char *)"Проект",  (char *)"territory_planning",
                          (char *)"", (char *)"Комитет", 0};
  struct kg_discussion d = {0};
  int64_t projectId = 0, id = 0;
  char zErr[200] = "";
  CHECK(kg_store_project_insert(p, &pr, 0, &projectId) == KG_OK);
  d.projectId = projectId;
  d.zTitle = (char *)"Обсуждение";
  d.announceAt = announceAt;
  d.opensAt = opensAt;
  d.closesAt = closesAt;
  d.areaM2 = 1;
  CHECK(kg_store_discussion_insert(p, &d, zWkt, NULL, 0, 0, &id, zErr, sizeof(zErr)) == KG_OK);
  if (zErr[0]) fprintf(stderr, "  territory: %s\n", zErr);
  return id;
}

/* Moves discussion id from draft through every status up to st at time now. */
static inline void move_to(struct kg_store *p, int64_t id, enum kg_status st, int64_t now) {
  for (int s = KG_ST_ANNOUNCED; s <= (int)st; s++)
    CHECK(kg_store_discussion_transition(p, id, (enum kg_status)s, 0, NULL, now, NULL) == KG_OK);
}

#endif

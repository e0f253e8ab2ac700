/* migrate_pg.c: `kengash migrate-to-postgres` — its options, the password
 * file and the progress lines on stderr; the work is kg_store_pg_migrate
 * (src/store/pg_migrate.c). The password never comes from argv and is
 * never printed. */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_int.h"
#include "kengash/cli.h"

#define CMD "kengash migrate-to-postgres"
#define MAX_PASSWORD 1024

static const struct kg_option aOpt[] = {
    {"config", "read options from FILE (lines: key = value)"},
    {"log-level", "debug | info | warn | error (info)"},
    {"log-format", "logfmt | json: one logfmt line or one JSON object per line (logfmt)"},
    {"from", "the SQLite database to move (opened read-only)"},
    {"to", "the PostgreSQL database: a libpq connection string or postgresql:// URI,\n"
           "                   without a password"},
    {"password-file", "read the PostgreSQL password from FILE's first line (else libpq's\n"
                      "                   PGPASSWORD or ~/.pgpass)"},
};

struct progress {
  int bQuiet;
};

static void on_progress(void *pArg, enum kg_store_pg_step e, const char *zTable, int64_t nDone,
                        int64_t nTotal) {
  const struct progress *p = pArg;
  if (e == KG_STORE_PG_VERIFY && !nTotal)
    fprintf(stderr, "kengash: check %-26s MISMATCH\n", zTable);
  if (p->bQuiet) return;
  if (e == KG_STORE_PG_SCHEMA && nDone == nTotal)
    fprintf(stderr, "kengash: schema: %lld PostgreSQL migrations applied\n", (long long)nDone);
  else if (e == KG_STORE_PG_COPY)
    fprintf(stderr, "kengash: copy  %-26s %lld / %lld rows\n", zTable, (long long)nDone,
            (long long)nTotal);
  else if (e == KG_STORE_PG_VERIFY && nTotal)
    fprintf(stderr, "kengash: check %-26s %lld rows, count and SHA-256 agree\n", zTable,
            (long long)nDone);
}

/* The first line of zFile into zOut (nOut bytes). 0 after a message. */
static int read_password(const char *zFile, char *zOut, size_t nOut) {
  FILE *f = fopen(zFile, "r");
  if (!f) {
    fprintf(stderr, CMD ": cannot read the password file %s\n", zFile);
    return 0;
  }
  int bOk = fgets(zOut, (int)nOut, f) != NULL;
  fclose(f);
  if (bOk) zOut[strcspn(zOut, "\r\n")] = 0;
  if (!bOk || !zOut[0]) {
    fprintf(stderr, CMD ": the password file %s is empty\n", zFile);
    return 0;
  }
  return 1;
}

/* Takes --quiet (no value) out of argv; 1 when it was there. */
static int take_quiet(int *pArgc, char **argv) {
  int bQuiet = 0, nArg = 0;
  for (int i = 0; i < *pArgc; i++) {
    if (i > 0 && strcmp(argv[i], "--quiet") == 0)
      bQuiet = 1;
    else
      argv[nArg++] = argv[i];
  }
  *pArgc = nArg;
  return bQuiet;
}

int kg_cli_cmd_migrate_pg(int argc, char **argv) {
  if (kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help(
        "migrate-to-postgres --from FILE.sqlite --to CONNINFO [--password-file FILE] [--quiet]",
        "Moves a city's database into an empty PostgreSQL 15 + PostGIS 3 database, in one\n"
        "transaction: the schema, every table's rows, the search index and the id sequences.\n"
        "Then every table's row count and SHA-256 over its rows are compared on both sides;\n"
        "any difference undoes it all (exit 1). It reads one snapshot of the SQLite file,\n"
        "so a server may keep running, but what it writes after the start is not moved:\n"
        "stop it for the final move. Then run `kengash serve --db CONNINFO`.",
        aOpt, KG_CLI_N(aOpt));
    printf("  --%-14s %s\n", "quiet", "no progress lines, only errors");
    return 0;
  }
  struct progress prog = {.bQuiet = take_quiet(&argc, argv)};
  struct kg_config cfg;
  if (!kg_cli_load_config(&cfg, argc, argv, aOpt, KG_CLI_N(aOpt), NULL, NULL)) return 2;
  const char *zFrom = kg_config_get(&cfg, "from"), *zTo = kg_config_get(&cfg, "to");
  const char *zPasswordFile = kg_config_get(&cfg, "password-file");
  char zPassword[MAX_PASSWORD] = "";
  int rc = 2;
  if (!zFrom || !*zFrom || !zTo || !*zTo) {
    fprintf(stderr, CMD ": --from FILE.sqlite and --to CONNINFO are required\n");
    goto out;
  }
  rc = 1;
  if (zPasswordFile && *zPasswordFile &&
      !read_password(zPasswordFile, zPassword, sizeof(zPassword)))
    goto out;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct kg_store_pg_report rep;
  enum kg_err err =
      kg_store_pg_migrate(zFrom, zTo, zPassword[0] ? zPassword : NULL, on_progress, &prog, &rep);
  sodium_memzero(zPassword, sizeof(zPassword));
  if (err != KG_OK) {
    fprintf(stderr, CMD ": %s\n", rep.zMsg);
    if (rep.nMismatch) fprintf(stderr, CMD ": nothing was written to PostgreSQL\n");
    goto out;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!prog.bQuiet)
    fprintf(stderr,
            "kengash: moved %d tables, %lld rows to %s in %.1f s; row counts and SHA-256 hashes "
            "agree\n",
            rep.nTables, (long long)rep.nRows, rep.zTarget,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  rc = 0;
out:
  sodium_memzero(zPassword, sizeof(zPassword));
  kg_config_free(&cfg);
  return rc;
}

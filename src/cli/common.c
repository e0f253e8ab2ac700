/* common.c: what every subcommand of src/cli/ does the same way: --help,
 * loading the options and the log settings, opening the database, the
 * holder key. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

void kg_cli_print_help(const char *zUsage, const char *zAbout, const struct kg_option *aOpt,
                       size_t nOpt) {
  printf("usage: kengash %s\n\n%s\n\noptions (each also from KENGASH_<NAME> or the config file):\n",
         zUsage, zAbout);
  for (size_t i = 0; i < nOpt; i++)
    if (aOpt[i].zHelp) printf("  --%-14s %s\n", aOpt[i].zName, aOpt[i].zHelp);
  printf("  --%-14s %s\n", "help", "show this help");
}

int kg_cli_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
  return 0;
}

/* 1 when z is a libpq connection string: a postgresql:// or postgres://
 * URI, or key=value pairs that start with one of libpq's keywords. */
static int is_pg_conninfo(const char *z) {
  static const char *const azKey[] = {"host",     "hostaddr", "port",    "dbname",  "user",
                                      "password", "passfile", "service", "sslmode", "options"};
  if (strncmp(z, "postgresql://", 13) == 0 || strncmp(z, "postgres://", 11) == 0) return 1;
  z += strspn(z, " \t");
  size_t n = strspn(z, "abcdefghijklmnopqrstuvwxyz_");
  if (z[n + strspn(z + n, " \t")] != '=') return 0;
  for (size_t i = 0; i < sizeof(azKey) / sizeof(azKey[0]); i++)
    if (strlen(azKey[i]) == n && strncmp(z, azKey[i], n) == 0) return 1;
  return 0;
}

int kg_cli_load_config(struct kg_config *pCfg, int argc, char **argv, const struct kg_option *aOpt,
                       size_t nOpt, char ***pazPos, int *pnPos) {
  char zErr[256];
  if (kg_config_load(pCfg, argc, argv, aOpt, nOpt, pazPos, pnPos, zErr, sizeof(zErr)) != KG_OK) {
    fprintf(stderr, "kengash: %s\n", zErr);
    kg_config_free(pCfg);
    return 0;
  }
  static const char *azLevel[] = {"debug", "info", "warn", "error"};
  for (int i = 0; i < 4; i++)
    if (strcmp(pCfg->zLogLevel, azLevel[i]) == 0) kg_log_set_level((enum kg_log_level)i);
  const char *zFormat = kg_config_get(pCfg, "log-format");
  if (zFormat && strcmp(zFormat, "logfmt") != 0 && strcmp(zFormat, "json") != 0) {
    fprintf(stderr, "kengash: --log-format must be logfmt or json\n");
    kg_config_free(pCfg);
    return 0;
  }
  kg_log_set_json(zFormat && strcmp(zFormat, "json") == 0);
  /* a PostgreSQL connection string would be taken for a file name (and
   * echoed with its password in the error): say what exists instead,
   * without the value */
  if (is_pg_conninfo(pCfg->zDb)) {
    fprintf(stderr, "kengash: --db: the PostgreSQL store is not there yet (issue 22): the server "
                    "runs on an SQLite file; `kengash migrate-to-postgres` copies one into "
                    "PostgreSQL to rehearse the move\n");
    kg_config_free(pCfg);
    return 0;
  }
  return 1;
}

struct kg_store *kg_cli_open_db(const char *zDb) {
  struct kg_store *pStore = NULL;
  int nVersion = 0;
  if (kg_store_open(zDb, &pStore) != KG_OK) {
    fprintf(stderr, "kengash: cannot open the database %s\n", zDb);
    return NULL;
  }
  if (kg_store_migrate(pStore, &nVersion) != KG_OK) {
    fprintf(stderr, "kengash: cannot migrate the database %s\n", zDb);
    kg_store_close(pStore);
    return NULL;
  }
  return pStore;
}

int kg_cli_holder_key(const struct kg_config *pCfg, const char *zCmd,
                      unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES]) {
  const char *zGiven = kg_config_get(pCfg, "holder-key-file");
  char *zPath = zGiven && *zGiven ? kg_xstrdup(zGiven) : kg_auth_holder_key_default_path(pCfg->zDb);
  char zErr[1024];
  int bCreated = 0;
  enum kg_err rc = kg_auth_holder_key_load(zPath, aKey, &bCreated, zErr, sizeof(zErr));
  if (rc != KG_OK)
    fprintf(stderr, "kengash %s: %s\n", zCmd, zErr);
  else if (bCreated)
    kg_log_info("holder key created path=\"%s\" (back it up apart from the database)", zPath);
  free(zPath);
  return rc == KG_OK;
}

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
  return 1;
}

struct kg_store *kg_cli_open_db(const char *zDb) {
  struct kg_store *pStore = NULL;
  int nVersion = 0;
  /* a connection string may hold a password: never echoed */
  const char *zShown = kg_store_is_pg(zDb) ? "(the PostgreSQL database of --db)" : zDb;
  if (kg_store_open(zDb, &pStore) != KG_OK) {
    fprintf(stderr, "kengash: cannot open the database %s\n", zShown);
    return NULL;
  }
  if (kg_store_migrate(pStore, &nVersion) != KG_OK) {
    fprintf(stderr, "kengash: cannot migrate the database %s\n", zShown);
    kg_store_close(pStore);
    return NULL;
  }
  return pStore;
}

int kg_cli_holder_key_given(const struct kg_config *pCfg, const char *zCmd) {
  const char *zGiven = kg_config_get(pCfg, "holder-key-file");
  if ((!zGiven || !*zGiven) && kg_store_is_pg(pCfg->zDb)) {
    /* no file beside the database to put it in; every server of the
     * database must use the same key */
    fprintf(stderr,
            "kengash %s: --holder-key-file is required with a PostgreSQL --db (the "
            "same key file on every server of the database)\n",
            zCmd);
    return 0;
  }
  return 1;
}

int kg_cli_holder_key(const struct kg_config *pCfg, const char *zCmd,
                      unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES]) {
  const char *zGiven = kg_config_get(pCfg, "holder-key-file");
  if (!kg_cli_holder_key_given(pCfg, zCmd)) return 0;
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

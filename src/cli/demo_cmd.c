/* demo_cmd.c: `kengash demo` — its options; the data set is demo.c's. */
#define _GNU_SOURCE
#include <stdio.h>

#include "cli_int.h"
#include "kengash/auth.h"
#include "kengash/cli.h"

static const struct kg_option aDemoOpt[] = {
    KG_CLI_OPT_COMMON,
    {"geodata", "directory with the demo geodata (geodata)"},
    {"files", "directory for the demo documents (files)"},
};

int kg_cli_cmd_demo(int argc, char **argv) {
  if (kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help(
        "demo --db FILE [--geodata DIR]",
        "Loads the demo data set from geodata/: Kazan's districts, the synthetic address\n"
        "registry and parcels, projects and discussions in every state, demo accounts.",
        aDemoOpt, KG_CLI_N(aDemoOpt));
    return 0;
  }
  struct kg_config cfg;
  if (!kg_cli_load_config(&cfg, argc, argv, aDemoOpt, KG_CLI_N(aDemoOpt), NULL, NULL)) return 2;
  int rc = 1;
  struct kg_store *pStore = kg_cli_open_db(cfg.zDb);
  kg_auth_init();
  if (pStore) rc = kg_cli_demo(pStore, &cfg);
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}

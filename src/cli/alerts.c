/* alerts.c: `kengash alerts digest` — the weekly digest of area alerts,
 * now (the server also sends it on schedule). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kengash/alerts.h"
#include "kengash/cli.h"

static const struct kg_option aAlertsOpt[] = {
    KG_CLI_OPT_COMMON,
    {"base-url", "public URL of the site, used in the e-mails' links (http://127.0.0.1:8080)"},
    /* hidden: stop after N digests and wait to be killed (the crash test) */
    {"hold-after", NULL},
};

/* alerts digest: the weekly digest of area alerts, now. */
int kg_cli_cmd_alerts(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "digest") != 0 || kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help("alerts digest --db FILE [--base-url URL]",
                      "Queues the digest of area alerts now (the server sends it every Monday at\n"
                      "08:00 UTC): one e-mail per weekly subscription with pending items. Safe to\n"
                      "run while serving and to run again after an interruption.",
                      aAlertsOpt, KG_CLI_N(aAlertsOpt));
    return argc >= 2 && kg_cli_wants_help(argc, argv) ? 0 : 2;
  }
  struct kg_config cfg;
  if (!kg_cli_load_config(&cfg, argc - 1, argv + 1, aAlertsOpt, KG_CLI_N(aAlertsOpt), NULL, NULL))
    return 2;
  const char *zHold = kg_config_get(&cfg, "hold-after");
  int rc = 1, nSent = 0;
  struct kg_store *pStore = kg_cli_open_db(cfg.zDb);
  if (pStore) {
    enum kg_err e =
        kg_alerts_digest(pStore, &cfg, kg_time_now() + 1, zHold ? atoi(zHold) : 0, &nSent);
    printf("alerts digest: sent=%d%s\n", nSent, e == KG_OK ? "" : " (stopped by an error)");
    rc = e == KG_OK ? 0 : 1;
    kg_store_close(pStore);
  }
  kg_config_free(&cfg);
  return rc;
}

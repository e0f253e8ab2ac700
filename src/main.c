/* main.c: the kengash command line — one table of subcommands (their
 * bodies are in src/cli/), which main() dispatches through and
 * `kengash --help` lists. */
#include <stdio.h>
#include <string.h>

#include "kengash/cli.h"

static const struct kg_cli_command aCommand[] = {
    {"serve", "serve", "serve the site and the API", kg_cli_cmd_serve},
    {"demo", "demo", "load the demo data set into a database", kg_cli_cmd_demo},
    {"user", "user add", "create an account (password on standard input)", kg_cli_cmd_user},
    {"import", "import",
     "load a reference layer (addresses, parcels, territories) from GeoJSON,\n"
     "or the rights register from CSV",
     kg_cli_cmd_import},
    {"backup", "backup", "write an online, consistent copy of the database", kg_cli_cmd_backup},
    {"restore", "restore", "restore a backup copy and its documents into a new database",
     kg_cli_cmd_restore},
    {"alerts", "alerts digest", "queue the weekly digest of area alerts now", kg_cli_cmd_alerts},
    {"migrate-to-postgres", "migrate-to-postgres",
     "move the database into an empty PostgreSQL + PostGIS database\n"
     "and check the copy (then serve it with --db CONNINFO)",
     kg_cli_cmd_migrate_pg},
};

#define N_COMMAND (sizeof(aCommand) / sizeof(aCommand[0]))
#define SYNOPSIS_WIDTH 12 /* a longer synopsis gets two spaces after it */

static void usage(FILE *f) {
  fputs("usage: kengash <command> [options]\n\ncommands:\n", f);
  for (size_t i = 0; i < N_COMMAND; i++) {
    int nWidth = (int)strlen(aCommand[i].zSynopsis) + 1;
    if (nWidth < SYNOPSIS_WIDTH) nWidth = SYNOPSIS_WIDTH;
    fprintf(f, "  %-*s ", nWidth, aCommand[i].zSynopsis);
    /* a continued help line starts under the first one */
    for (const char *z = aCommand[i].zHelp; *z; z++) {
      fputc(*z, f);
      if (*z == '\n') fprintf(f, "%*s", SYNOPSIS_WIDTH + 3, "");
    }
    fputc('\n', f);
  }
  fputs("\nRun 'kengash <command> --help' for its options.\n", f);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *zCmd = argv[1];
  if (strcmp(zCmd, "--help") == 0 || strcmp(zCmd, "-h") == 0 || strcmp(zCmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < N_COMMAND; i++)
    if (strcmp(zCmd, aCommand[i].zName) == 0) return aCommand[i].xRun(argc - 1, argv + 1);
  fprintf(stderr, "kengash: unknown command '%s'\n", zCmd);
  usage(stderr);
  return 2;
}

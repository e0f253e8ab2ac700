/* backup.c: `kengash backup` and `kengash restore` — their options and
 * checks; the work is kg_store_backup and restore.c. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "kengash/cli.h"

/* backup and restore copy an SQLite file; a PostgreSQL database has its
 * own tools, which also copy it online and consistently */
#define PG_BACKUP                                                                                  \
  "kengash %s: --db names a PostgreSQL database: back it up and restore it with PostgreSQL's "     \
  "own tools (pg_dump and pg_restore, or pg_basebackup; README, \"Backup and restore\"), and "     \
  "the --files directory beside it\n"

static const struct kg_option aBackupOpt[] = {
    KG_CLI_OPT_COMMON,
    {"to", "file to write the copy to (must not exist)"},
};

static const struct kg_option aRestoreOpt[] = {
    KG_CLI_OPT_COMMON,
    {"from", "the backup copy of the database"},
    {"files", "directory the restored server keeps documents in (files)"},
    {"from-files", "the backed-up documents directory to copy them from (none: check --files)"},
};

int kg_cli_cmd_backup(int argc, char **argv) {
  if (kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help("backup --db FILE --to FILE [--verify]",
                      "Writes an online, consistent copy of the database (safe while serving).\n"
                      "--verify then checks the copy: integrity, spatial indexes, geometries, and\n"
                      "every table's row count against the database's at the copied snapshot.",
                      aBackupOpt, KG_CLI_N(aBackupOpt));
    printf("  --%-14s %s\n", "verify", "check the copy; exit 1 on any mismatch");
    return 0;
  }
  /* --verify takes no value: taken out before the options are parsed */
  int bVerify = 0, nArg = 0;
  for (int i = 0; i < argc; i++) {
    if (i > 0 && strcmp(argv[i], "--verify") == 0)
      bVerify = 1;
    else
      argv[nArg++] = argv[i];
  }
  argc = nArg;
  struct kg_config cfg;
  if (!kg_cli_load_config(&cfg, argc, argv, aBackupOpt, KG_CLI_N(aBackupOpt), NULL, NULL)) return 2;
  const char *zTo = kg_config_get(&cfg, "to");
  int rc = 1;
  struct kg_store *pStore = NULL;
  if (kg_store_is_pg(cfg.zDb)) {
    fprintf(stderr, PG_BACKUP, "backup");
    rc = 2;
    goto out;
  }
  if (!zTo || !*zTo) {
    fprintf(stderr, "kengash backup: --to FILE is required\n");
    rc = 2;
    goto out;
  }
  if (access(cfg.zDb, R_OK) != 0) {
    fprintf(stderr, "kengash backup: cannot read %s\n", cfg.zDb);
    goto out;
  }
  if (kg_store_open(cfg.zDb, &pStore) != KG_OK) {
    fprintf(stderr, "kengash backup: cannot open %s\n", cfg.zDb);
    goto out;
  }
  if (bVerify) {
    rc = kg_cli_backup_verify(pStore, zTo);
    goto out;
  }
  enum kg_err err = kg_store_backup(pStore, zTo);
  if (err == KG_ECONFLICT) {
    fprintf(stderr, "kengash backup: %s already exists\n", zTo);
    goto out;
  }
  if (err != KG_OK) {
    fprintf(stderr, "kengash backup: the copy failed (%s)\n", kg_err_name(err));
    goto out;
  }
  printf("kengash: backup written to %s\n", zTo);
  rc = 0;
out:
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}

int kg_cli_cmd_restore(int argc, char **argv) {
  if (kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help("restore --from COPY --db FILE [--files DIR] [--from-files DIR]",
                      "Checks a backup copy and writes it to a new database FILE (which must not\n"
                      "exist), then makes every document present in --files with the right\n"
                      "SHA-256, copying from --from-files. Exit 1 lists what is missing.",
                      aRestoreOpt, KG_CLI_N(aRestoreOpt));
    return 0;
  }
  struct kg_config cfg;
  if (!kg_cli_load_config(&cfg, argc, argv, aRestoreOpt, KG_CLI_N(aRestoreOpt), NULL, NULL))
    return 2;
  int rc = 2;
  const char *zFrom = kg_config_get(&cfg, "from");
  if (kg_store_is_pg(cfg.zDb))
    fprintf(stderr, PG_BACKUP, "restore");
  else if (!zFrom || !*zFrom)
    fprintf(stderr, "kengash restore: --from COPY is required\n");
  else
    rc = kg_cli_restore(zFrom, cfg.zDb, kg_config_get(&cfg, "from-files"), cfg.zFiles);
  kg_config_free(&cfg);
  return rc;
}

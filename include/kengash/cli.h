/* cli.h: the subcommands of the kengash binary. main() dispatches through
 * one table of struct kg_cli_command (src/main.c); each command reads its
 * options from flags, KENGASH_* variables and a config file (config.h),
 * answers --help, prints its own messages and returns the process exit
 * code (0 done, 1 failed, 2 wrong usage). */
#ifndef KENGASH_CLI_H
#define KENGASH_CLI_H

/* One subcommand. argv[0] is the command's name. */
struct kg_cli_command {
  const char *zName;     /* as typed: argv[1] of the process */
  const char *zSynopsis; /* as listed by kengash --help, e.g. "user add" */
  const char *zHelp;     /* one line for kengash --help (a '\n' continues it) */
  int (*xRun)(int argc, char **argv);
};

/* serve: migrates the database and serves the site and the API until
 * SIGTERM or SIGINT (src/cli/serve.c). */
int kg_cli_cmd_serve(int argc, char **argv);
/* demo: loads the demo data set (src/cli/demo_cmd.c). */
int kg_cli_cmd_demo(int argc, char **argv);
/* user add: creates an account or updates its role and password
 * (src/cli/user.c). */
int kg_cli_cmd_user(int argc, char **argv);
/* import: a reference layer from GeoJSON or CSV, or the rights register
 * (src/cli/import.c). */
int kg_cli_cmd_import(int argc, char **argv);
/* backup and restore (src/cli/backup.c). */
int kg_cli_cmd_backup(int argc, char **argv);
int kg_cli_cmd_restore(int argc, char **argv);
/* alerts digest: queues the weekly digest of area alerts now
 * (src/cli/alerts.c). */
int kg_cli_cmd_alerts(int argc, char **argv);
/* migrate-to-postgres: moves the database into an empty PostgreSQL +
 * PostGIS database and checks the copy (src/cli/migrate_pg.c). */
int kg_cli_cmd_migrate_pg(int argc, char **argv);

#endif

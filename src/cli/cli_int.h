/* cli_int.h: shared between the subcommands in src/cli/ (internal): option
 * handling, opening the database, the holder key, the CSV reader, and the
 * longer subcommands' workers. */
#ifndef KENGASH_CLI_INT_H
#define KENGASH_CLI_INT_H

#include <stdio.h>

#include "kengash/auth.h"
#include "kengash/config.h"
#include "kengash/store.h"

/* ---- options (common.c) ---- */

/* The options every subcommand takes. */
#define KG_CLI_OPT_COMMON                                                                          \
  {"config", "read options from FILE (lines: key = value)"},                                       \
      {"log-level", "debug | info | warn | error (info)"},                                         \
      {"log-format", "logfmt | json: one logfmt line or one JSON object per line (logfmt)"}, {     \
    "db", "the database file (kengash.sqlite)"                                                     \
  }

#define KG_CLI_N(a) (sizeof(a) / sizeof((a)[0]))

/* Prints a subcommand's --help: usage line, what it does, its options
 * (those with a help line) and --help itself. */
void kg_cli_print_help(const char *zUsage, const char *zAbout, const struct kg_option *aOpt,
                       size_t nOpt);
/* 1 when --help or -h is among argv[1..]. */
int kg_cli_wants_help(int argc, char **argv);
/* Loads the options (kg_config_load) and applies --log-level and
 * --log-format. Returns 1, or 0 after a message on stderr (pCfg then
 * freed). */
int kg_cli_load_config(struct kg_config *pCfg, int argc, char **argv, const struct kg_option *aOpt,
                       size_t nOpt, char ***pazPos /* OUT */, int *pnPos /* OUT */);
/* Opens and migrates the database; NULL after a message on stderr. Close
 * with kg_store_close(). */
struct kg_store *kg_cli_open_db(const char *zDb);
/* The key of holder identifiers' hashes into aKey: --holder-key-file, or
 * "<db>.holder-key", made (0600, random) when missing. 0 with a message on
 * stderr ("kengash zCmd: ...") when the file is refused. */
int kg_cli_holder_key(const struct kg_config *pCfg, const char *zCmd,
                      unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES] /* OUT */);
/* 0 after a message when the holder key has no place of its own: --db is
 * PostgreSQL and --holder-key-file is not given. */
int kg_cli_holder_key_given(const struct kg_config *pCfg, const char *zCmd);

/* ---- CSV, RFC 4180 (csv.c) ---- */

/* A CSV file read record by record: commas between fields, fields
 * optionally in double quotes with "" for a quote (and line breaks
 * inside), CRLF, LF or CR line ends, UTF-8 with an optional byte order
 * mark. Errors name the line where the record starts and the field's
 * position, never its text. */
struct kg_cli_csv {
  FILE *f;
  long nLine;       /* physical line of the next byte, from 1 */
  long nRecordLine; /* where the record just read starts */
  int nField;       /* fields in the record just read */
  int nMaxField;
  size_t nMaxBytes;     /* longest field as written */
  const char *zTooMany; /* the message for a record with more than nMaxField fields */
  size_t *anField;      /* nMaxField lengths */
  char *aField;         /* nMaxField fields of nMaxBytes + 1 bytes */
};

/* Opens zFile (after the caller's own checks) for records of at most
 * nMaxField fields of nMaxBytes each; zTooMany (static) is what a longer
 * record is refused with, after "line N: ". NULL when the file cannot be
 * opened. Free with kg_cli_csv_close(). */
struct kg_cli_csv *kg_cli_csv_open(const char *zFile, int nMaxField, size_t nMaxBytes,
                                   const char *zTooMany);
void kg_cli_csv_close(struct kg_cli_csv *c);
/* Skips a UTF-8 byte order mark at the start. 0 when the file starts with
 * a broken one (the caller refuses the header). */
int kg_cli_csv_skip_bom(struct kg_cli_csv *c);
/* Reads the next record. Returns 1 with a record, 0 at the end of the
 * file, -1 after writing why into zErr. */
int kg_cli_csv_read(struct kg_cli_csv *c, char *zErr /* OUT */, size_t nErr);
/* Field i of the record just read, with the spaces and tabs around it
 * removed (in place; anField[i] follows). */
char *kg_cli_csv_field(struct kg_cli_csv *c, int i);

/* ---- the subcommands' workers ---- */

/* Loads the demo data set (see README); pStore is migrated (demo.c). */
int kg_cli_demo(struct kg_store *pStore, const struct kg_config *pCfg);
/* Imports one GeoJSON or CSV file into layer zLayer; inside the caller's
 * transaction unless bOwnTransaction. Returns the exit code (0, 1, or 2
 * for a bad layer name) and the number of features through *pnImported
 * (import.c). */
int kg_cli_import_file(struct kg_store *pStore, const char *zLayer, const char *zCrs,
                       const char *zFile, int bOwnTransaction, long *pnImported /* OUT */);
/* Replaces the rights register with a CSV extract (cadastral_number,
 * holder_id), each holder identifier hashed with aKey
 * (KG_AUTH_HOLDER_KEY_BYTES, from the holder key file), in one transaction;
 * progress on stderr every 100,000 rows (rights.c). */
int kg_cli_import_rights(struct kg_store *pStore, const unsigned char *aKey, const char *zFile);
/* backup --verify: kg_store_backup_verified to zTo, the outcome printed
 * (restore.c). */
int kg_cli_backup_verify(struct kg_store *pStore, const char *zTo);
/* restore: checks the copy zFrom, writes it to zDb (must not exist), then
 * makes every document row's file present in zFiles with the right hash,
 * copying from zFromFiles (NULL: only check zFiles); missing or damaged
 * documents are listed by id and hash and make the exit code 1
 * (restore.c). */
int kg_cli_restore(const char *zFrom, const char *zDb, const char *zFromFiles, const char *zFiles);

#endif

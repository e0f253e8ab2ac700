/* cli.h: the longer subcommands of the kengash binary (demo data, reference
 * layer import). Each returns the process exit code and prints its own
 * messages. */
#ifndef KENGASH_CLI_H
#define KENGASH_CLI_H

#include "kengash/config.h"
#include "kengash/store.h"

/* Loads the demo data set (see README); pStore is migrated. */
int kg_cli_demo(struct kg_store *pStore, const struct kg_config *pCfg);
/* Imports a GeoJSON FeatureCollection file into layer zLayer (addresses |
 * parcels | territories), transforming from zCrs (NULL = EPSG:4326). */
int kg_cli_import(struct kg_store *pStore, const char *zLayer, const char *zCrs, const char *zFile);
/* Replaces the rights register with a CSV extract (cadastral_number,
 * holder_id), each holder identifier hashed with aKey
 * (KG_AUTH_HOLDER_KEY_BYTES, from the holder key file), in one transaction;
 * progress on stderr every 100,000 rows (src/cli/rights.c). */
int kg_cli_import_rights(struct kg_store *pStore, const unsigned char *aKey, const char *zFile);
/* backup --verify: kg_store_backup_verified to zTo, the outcome printed
 * (src/cli/restore.c). */
int kg_cli_backup_verify(struct kg_store *pStore, const char *zTo);
/* restore: checks the copy zFrom, writes it to zDb (must not exist), then
 * makes every document row's file present in zFiles with the right hash,
 * copying from zFromFiles (NULL: only check zFiles); missing or damaged
 * documents are listed by id and hash and make the exit code 1. */
int kg_cli_restore(const char *zFrom, const char *zDb, const char *zFromFiles, const char *zFiles);

#endif

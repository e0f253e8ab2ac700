/* cli_int.h: shared between the subcommands in src/cli/ (internal). */
#ifndef KENGASH_CLI_INT_H
#define KENGASH_CLI_INT_H

#include "kengash/store.h"

/* Imports one GeoJSON file into layer zLayer; inside the caller's
 * transaction unless bOwnTransaction. Returns the exit code (0, 1, or 2
 * for a bad layer name) and the number of features through *pnImported. */
int kg_cli_import_file(struct kg_store *pStore, const char *zLayer, const char *zCrs,
                       const char *zFile, int bOwnTransaction, long *pnImported /* OUT */);

#endif

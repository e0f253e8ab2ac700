/* fuzz_import.c: the CSV and GeoJSON importers (kg_cli_import_file) into
 * a real store, rolled back after each input. Input: one byte choosing
 * the layer and the source CRS, then the file's text (CSV when it does not
 * start with '{'). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cli/cli_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

static struct kg_store *g_pStore;
static char g_zFile[64];

static void close_store(void) {
  kg_store_close(g_pStore);
  char z[96];
  snprintf(z, sizeof(z), "/tmp/kengash-fuzz-import-%d.sqlite", (int)getpid());
  unlink(z);
  unlink(g_zFile);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  static const char *const azLayer[] = {"addresses", "parcels", "territories"};
  static const char *const azCrs[] = {"EPSG:4326", "EPSG:32639"};
  if (!g_pStore) {
    char z[96];
    kg_log_set_level(KG_LOG_ERROR);
    snprintf(z, sizeof(z), "/tmp/kengash-fuzz-import-%d.sqlite", (int)getpid());
    unlink(z);
    if (kg_store_open(z, &g_pStore) != KG_OK) abort();
    snprintf(g_zFile, sizeof(g_zFile), "/tmp/kengash-fuzz-import-%d.in", (int)getpid());
    atexit(close_store);
  }
  if (nData < 1) return 0;
  FILE *f = fopen(g_zFile, "wb");
  if (!f) abort();
  fwrite(aData + 1, 1, nData - 1, f);
  fclose(f);
  long n = 0;
  if (kg_store_begin(g_pStore) != KG_OK) abort();
  kg_cli_import_file(g_pStore, azLayer[aData[0] % 3], azCrs[(aData[0] >> 2) & 1], g_zFile, 0, &n);
  kg_store_rollback(g_pStore);
  return 0;
}

/* fuzz_config.c: the config file reader (kg_config_load with --config:
 * "key = value" lines, comments, trimming, numbers and their ranges).
 * Input: the file's text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kengash/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

/* The file each input is written to, removed when the fuzzer exits. */
static char zPath[64];

static void remove_path(void) {
  unlink(zPath);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  static const struct kg_option aOpt[] = {
      {"config", ""},     {"db", ""},         {"listen", ""},        {"files", ""},
      {"web", ""},        {"base-url", ""},   {"threads", ""},       {"tick", ""},
      {"max-upload", ""}, {"timeout", ""},    {"per-ip", ""},        {"session-hours", ""},
      {"reset-ttl", ""},  {"mail-retry", ""}, {"signup-limit", ""},  {"support-limit", ""},
      {"log-level", ""},  {"smtp", ""},       {"login-window", NULL}};
  if (!zPath[0]) {
    snprintf(zPath, sizeof(zPath), "/tmp/kengash-fuzz-config-%d.conf", (int)getpid());
    atexit(remove_path);
  }
  FILE *f = fopen(zPath, "wb");
  if (!f) abort();
  fwrite(aData, 1, nData, f);
  fclose(f);
  char *argv[] = {"serve", "--config", zPath, NULL};
  char **azPos = NULL;
  int nPos = 0;
  char zErr[512];
  struct kg_config cfg;
  kg_config_load(&cfg, 3, argv, aOpt, sizeof(aOpt) / sizeof(aOpt[0]), &azPos, &nPos, zErr,
                 sizeof(zErr));
  kg_config_free(&cfg);
  return 0;
}

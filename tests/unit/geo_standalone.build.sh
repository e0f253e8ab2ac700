#!/bin/sh
# Builds and runs tests/unit/test_geo.c without meson, under ASan/UBSan.
# The few core.h functions geo.c uses (kg_x*) come from a stand-in written
# to a temporary directory, so this works before src/core/core.c builds.
# Usage: tests/unit/geo_standalone.build.sh [--no-run]
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d /tmp/kg_geo_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/core_standin.c" <<'CEOF'
/* Stand-in for the allocation helpers of src/core/core.c. */
#define _POSIX_C_SOURCE 200809L
#include "kengash/core.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void oom(void) {
  fputs("out of memory\n", stderr);
  abort();
}
void *kg_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom();
  return p;
}
void *kg_xcalloc(size_t m, size_t n) {
  void *p = calloc(m ? m : 1, n ? n : 1);
  if (!p) oom();
  return p;
}
void *kg_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom();
  return q;
}
char *kg_xstrdup(const char *z) {
  char *p = strdup(z ? z : "");
  if (!p) oom();
  return p;
}
CEOF
CC=${CC:-gcc}
# shellcheck disable=SC2046
$CC -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -Iinclude $(pkg-config --cflags proj jansson) \
    -o "$tmp/test_geo" tests/unit/test_geo.c src/geo/*.c "$tmp/core_standin.c" \
    $(pkg-config --libs proj jansson) -lm -pthread
if [ "${1:-}" = "--no-run" ]; then exit 0; fi
"$tmp/test_geo"

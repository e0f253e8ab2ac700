#!/bin/sh
# Builds and runs tests/unit/test_geo.c without meson, under ASan/UBSan:
# src/geo/ with src/core/core.c (allocation, log and string helpers) and
# nothing else, so geo's tests run before the rest of the tree builds.
# Usage: tests/unit/geo_standalone.build.sh [--no-run]
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d /tmp/kg_geo_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-gcc}
# shellcheck disable=SC2046
$CC -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -Iinclude $(pkg-config --cflags proj jansson) \
    -o "$tmp/test_geo" tests/unit/test_geo.c src/geo/*.c src/core/core.c \
    $(pkg-config --libs proj jansson) -lm -pthread
if [ "${1:-}" = "--no-run" ]; then exit 0; fi
"$tmp/test_geo"

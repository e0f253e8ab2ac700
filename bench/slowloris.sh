#!/usr/bin/env bash
# bench/slowloris.sh: /healthz latency while 2,000 slow clients from 2,000
# loopback addresses hold connections that never finish their head
# (issue 18). Runs the scenario of tests/api/test_slowloris.py against a
# release build (build-bench/, as bench/run) and prints its figures:
# p50/p99/max of /healthz on fresh connections and the longest time a slow
# connection was held. The target is a p99 under 100 ms. Server and client
# share the machine: run it when nothing else is running.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-bench}
[ -f "$BUILD_DIR/build.ninja" ] || meson setup "$BUILD_DIR" --buildtype=release >/dev/null
ninja -C "$BUILD_DIR" kengash >/dev/null
KENGASH_BIN="$PWD/$BUILD_DIR/kengash" /usr/bin/python3 -m pytest -q -s -p no:cacheprovider \
  tests/api/test_slowloris.py -k slowloris_from_many 2>&1 |
  grep -E "slow connections|healthz under|passed|failed|Error"

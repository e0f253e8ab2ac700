#!/usr/bin/env bash
# bench/alerts.sh [N]: matching one new discussion territory against N
# confirmed area-alert subscriptions (default 100,000), at the store level
# (kg_store_alert_match: R*Tree candidates, then ST_Intersects), as the
# server's background step does for every discussion event. A release
# build in its own directory (build-bench-alerts). Not part of the tests;
# numbers depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
build=${BUILD:-build-bench-alerts}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" bench-alerts >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench-alerts" "$tmp/db.sqlite" "$n"

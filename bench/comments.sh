#!/usr/bin/env bash
# bench/comments.sh [N]: wrk figures for the comment read paths on a
# discussion with N (100,000) published comments (the discussion's page,
# its GeoJSON and OGC API - Features items in a box), next to /healthz and
# the discussion detail, in one run: -t2 -c32 -d10s unless DURATION/CONNECTIONS.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
scripts/deps bench
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
dur=${DURATION:-10s}; conns=${CONNECTIONS:-32}
mkdir -p bench/data
db=bench/data/comments-$n.sqlite
if [ ! -f "$db" ]; then
  build/bench-gen "$db.tmp" "$n" geodata | tail -1 > "$db.info"
  mv "$db.tmp" "$db"
fi
did=$(sed -n 's/.*discussion=\([0-9]*\).*/\1/p' "$db.info")
bbox=$(sed -n 's/.*bbox=\([0-9.,]*\).*/\1/p' "$db.info")
tmp=$(mktemp -d)
build/kengash serve --db "$db" --files "$tmp/files" --listen 127.0.0.1:0 --per-ip 0 \
  --log-level warn >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q 'serving on port' "$tmp/out" && break; sleep 0.1; done
port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$tmp/out")
base="http://127.0.0.1:$port"
nfeat=$(curl -s "$base/api/v1/discussions/$did/comments.geojson?bbox=$bbox" | grep -o '"Feature"' | wc -l)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $n published comments; bbox holds $nfeat"
echo "wrk -t2 -c$conns -d$dur, server and wrk on the same machine"
printf '%-60s %10s %9s %9s %7s\n' path req/s p50 p99 vs-hz
hz=
for path in /healthz "/api/v1/discussions/$did" "/api/v1/discussions/$did/comments?limit=50" \
            "/api/v1/discussions/$did/comments.geojson?bbox=$bbox" \
            "/ogc/collections/comments/items?bbox=$bbox&limit=100"; do
  out=$(wrk -t2 -c"$conns" -d"$dur" --latency "$base$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print "non-2xx:" $NF}')
  [ -z "$hz" ] && hz=$rps
  printf '%-60s %10s %9s %9s %6.1f%% %s\n' "$path" "$rps" "$p50" "$p99" \
    "$(echo "$rps $hz" | awk '{print 100*$1/$2}')" "$bad"
done
echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"

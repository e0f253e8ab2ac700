#!/usr/bin/env bash
# bench/foundation.sh: throughput of GET /api/v1/discussions/{id} next to
# /healthz, with wrk (-t2 -c32 -d10s by default), in one run on this machine.
# Builds a release binary, starts it on a temporary database with a demo
# discussion (a Kazan district's polygon as territory), measures, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps bench
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
dur=${DURATION:-10s}; conns=${CONNECTIONS:-32}; threads=${WRK_THREADS:-2}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
echo "bench-moderator-password" | build/kengash user add --db "$tmp/db.sqlite" \
  --email bench@example.org --role moderator >/dev/null
build/kengash serve --db "$tmp/db.sqlite" --files "$tmp/files" --listen 127.0.0.1:0 \
  --per-ip 0 --log-level warn >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 50); do grep -q 'serving on port' "$tmp/out" && break; sleep 0.1; done
port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$tmp/out")
base="http://127.0.0.1:$port"
jar="$tmp/jar"
csrf=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.org","password":"bench-moderator-password"}' \
  "$base/api/v1/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
post() { curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "$2" "$base$1"; }
pid_project=$(post /api/v1/projects '{"title":"Bench","kind":"general_plan","organizer":"Bench"}' |
  sed -n 's/^{"id":\([0-9]*\).*/\1/p')
# The territory: Вахитовский район from the OSM districts file (about 1,300 vertices).
terr=$(/usr/bin/python3 -c '
import json,sys
fc=json.load(open("geodata/kazan_districts_osm.geojson"))
f=[f for f in fc["features"] if f["properties"]["name"].startswith("Вахитов")][0]
print(json.dumps(f["geometry"]))')
now=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
body=$(printf '{"project_id":%s,"title":"Bench discussion","territory":%s,"announce_at":"%s","opens_at":"%s","closes_at":"%s"}' \
  "$pid_project" "$terr" "$(iso $((now+86400)))" "$(iso $((now+9*86400)))" "$(iso $((now+50*86400)))")
did=$(post /api/v1/discussions "$body" | sed -n 's/^{"id":\([0-9]*\).*/\1/p')
post "/api/v1/discussions/$did/transitions" '{"to":"announced"}' >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "wrk -t$threads -c$conns -d$dur, server and wrk on the same machine"
printf '%-40s %12s %10s %10s\n' path req/s p50 p99
for path in /healthz "/api/v1/discussions/$did"; do
  out=$(wrk -t"$threads" -c"$conns" -d"$dur" --latency "$base$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-40s %12s %10s %10s %s\n' "$path" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
done
echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"

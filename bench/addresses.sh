#!/usr/bin/env bash
# bench/addresses.sh [N]: the address search over a register of N addresses
# (default 200,000). Generates the register (bench/gen-addresses.py, a
# GAR/FIAS-style CSV) and a mix of queries as people type them, loads it
# with `kengash import --layer addresses` (timed), then measures:
#   - the store alone: kg_store_address_search and kg_store_address_resolve
#     per query (bench-addresses: median, p99);
#   - GET /api/v1/addresses over HTTP with wrk: one connection (the latency
#     of one query: p50, p99; /healthz alike for what HTTP itself costs) and
#     CONNECTIONS connections (throughput).
# A release build in its own directory (build-bench-addr). Not part of the
# tests; numbers depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps bench
n=${1:-200000}
dur=${DURATION:-10s}; conns=${CONNECTIONS:-32}; threads=${WRK_THREADS:-2}
build=${BUILD:-build-bench-addr}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" kengash bench-addresses >/dev/null
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; }; rm -rf "$tmp"' EXIT
db="$tmp/db.sqlite"
/usr/bin/python3 bench/gen-addresses.py "$tmp/register.csv" "$tmp/queries.txt" "$n" 4000
echo "bench-password-long" | "$build/kengash" user add --db "$db" --email bench@example.org \
  --role citizen >/dev/null
t0=$(date +%s.%N)
"$build/kengash" import --db "$db" --layer addresses "$tmp/register.csv"
t1=$(date +%s.%N)
printf 'import of %s addresses: %.1f s; database %s MB\n' "$n" "$(awk "BEGIN {print $t1 - $t0}")" \
  "$(( $(stat -c %s "$db") / 1048576 ))"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "-- store level (one connection, no HTTP)"
"$build/bench-addresses" "$db" "$tmp/queries.txt" 3
"$build/kengash" serve --db "$db" --files "$tmp/files" --listen 127.0.0.1:0 \
  --per-ip 0 --log-level warn >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q 'serving on port' "$tmp/out" && break; sleep 0.1; done
port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$tmp/out")
base="http://127.0.0.1:$port"
curl -sf "$base/api/v1/addresses?q=%D0%91%D0%B0%D1%83%D0%BC%D0%B0%D0%BD%D0%B0%2019&limit=1" |
  grep -q 'ул. Баумана, д. 19' || { echo "the demo address is not first" >&2; exit 1; }
echo "-- GET /api/v1/addresses over HTTP (wrk, server and wrk on the same machine)"
printf '%-34s %12s %10s %10s\n' run req/s p50 p99
for run in "healthz 1" "addresses 1" "addresses $conns"; do
  set -- $run
  c=$2; t=$threads; [ "$c" -lt "$t" ] && t=$c
  if [ "$1" = healthz ]; then
    out=$(wrk -t1 -c1 -d"$dur" --latency "$base/healthz")
  else
    out=$(BENCH_QUERIES="$tmp/queries.txt" WRK_THREADS=$t wrk -t"$t" -c"$c" -d"$dur" --latency \
      -s bench/lua/addresses.lua "$base")
  fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-34s %12s %10s %10s %s\n' "$1 (wrk -t$t -c$c -d$dur)" "$rps" "$p50" "$p99" \
    "${non2xx:+non-2xx: $non2xx}"
done
echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"

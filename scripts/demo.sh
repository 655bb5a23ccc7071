#!/usr/bin/env bash
# The main job: a flash sale rehearsed end to end on this machine, then proved correct.
#
#   scripts/demo.sh
#
# Installs what is missing (scripts/setup.sh), builds release binaries, starts a private
# redis-server and `flashsale serve` on free loopback ports with secrets generated for this run,
# creates a demo sale of STOCK units, runs a burst of USERS buyers (HS256 JWTs) arriving within
# WINDOW seconds, verifies every invariant against Redis, prints the report and where the HTML
# report is, and stops everything it started. Exit status: 0 when every verdict is PASS.
# The web dashboard (`flashsale dashboard`) runs beside the engine from before the burst until
# the report is printed: its URL is printed first, open it in a browser to watch the sale.
#
# Knobs (environment): USERS (200000), STOCK (10000), WINDOW (5 s), CONNS (1000 connections),
# RETRY_SHARE (0.05), GREEDY_SHARE (0.05), WORKERS (engine workers; default one per core),
# OUT (demo-report/), SCRATCH (a --scratch-path for swift build), SKIP_BUILD=1 (use the
# release binaries already built), DASHBOARD_PORT (free port), DASHBOARD_HOST (127.0.0.1; 0.0.0.0
# to open it from another machine), DASHBOARD_HOLD (seconds to keep it up after the report; 0).
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-200000}
STOCK=${STOCK:-10000}
WINDOW=${WINDOW:-5}
CONNS=${CONNS:-1000}
RETRY_SHARE=${RETRY_SHARE:-0.05}
GREEDY_SHARE=${GREEDY_SHARE:-0.05}
OUT=${OUT:-demo-report}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1/5 packages"
scripts/setup.sh

say "2/5 release build"
SWIFT_BUILD=(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"})
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  "${SWIFT_BUILD[@]}" 2>&1 | tail -n 2
fi
BIN=$("${SWIFT_BUILD[@]}" --show-bin-path)
for b in flashsale flashsale-loadtest; do
  [ -x "$BIN/$b" ] || { echo "demo: $BIN/$b is missing (build failed?)" >&2; exit 2; }
done
# Thousands of connections need descriptors on both ends.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

RUN=$(mktemp -d /tmp/flashsale-demo.XXXXXX)
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 40000 ))
    port_open "$p" || { echo "$p"; return; }
  done
}
wait_port() {
  local i
  for i in $(seq 1 150); do port_open "$1" && return 0; sleep 0.1; done
  return 1
}
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

say "3/5 private redis-server and flashsale serve"
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --dir "$RUN" --logfile "$RUN/redis.log" --maxclients 10000 &
PIDS+=($!)
wait_port "$REDIS_PORT" || { echo "demo: redis-server did not start" >&2; cat "$RUN/redis.log" >&2; exit 2; }
echo "redis-server on 127.0.0.1:$REDIS_PORT"

export FLASHSALE_JWT_SECRET FLASHSALE_ADMIN_TOKEN FLASHSALE_PAYMENT_TOKEN FLASHSALE_FULFILMENT_TOKEN
FLASHSALE_JWT_SECRET=$(secret)
FLASHSALE_ADMIN_TOKEN=$(secret)
FLASHSALE_PAYMENT_TOKEN=$(secret)
FLASHSALE_FULFILMENT_TOKEN=$(secret)
ENGINE_PORT=$(free_port)
# Every buyer comes from 127.0.0.1 here, so the per-address limit (meant for real clients) is off.
"$BIN/flashsale" serve --host 127.0.0.1 --port "$ENGINE_PORT" --redis "redis://127.0.0.1:$REDIS_PORT" \
  --rate-limit-address off ${WORKERS:+--workers "$WORKERS"} > "$RUN/engine.log" 2>&1 &
PIDS+=($!)
wait_port "$ENGINE_PORT" || { echo "demo: flashsale serve did not start" >&2; cat "$RUN/engine.log" >&2; exit 2; }
echo "flashsale serve on 127.0.0.1:$ENGINE_PORT (secrets generated for this run)"

DASHBOARD_PORT=${DASHBOARD_PORT:-$(free_port)}
"$BIN/flashsale" dashboard --redis "redis://127.0.0.1:$REDIS_PORT" --host "${DASHBOARD_HOST:-127.0.0.1}" \
  --port "$DASHBOARD_PORT" > "$RUN/dashboard.log" 2>&1 &
PIDS+=($!)
wait_port "$DASHBOARD_PORT" || { echo "demo: flashsale dashboard did not start" >&2; cat "$RUN/dashboard.log" >&2; exit 2; }
DASHBOARD_URL="http://${DASHBOARD_HOST:-127.0.0.1}:$DASHBOARD_PORT/"
printf '\033[1mdashboard: %s\033[0m  (open it now; it stays up until the report is printed)\n' "$DASHBOARD_URL"

SALE="demo-$(date +%Y%m%d-%H%M%S)"
say "4/5 burst: $USERS buyers within ${WINDOW}s for $STOCK units (sale $SALE)"
set +e
"$BIN/flashsale-loadtest" burst --url "http://127.0.0.1:$ENGINE_PORT" --sale "$SALE" --sku demo-sku \
  --create-sale --stock "$STOCK" --per-user-limit 1 \
  --users "$USERS" --window "$WINDOW" --retry-share "$RETRY_SHARE" --greedy-share "$GREEDY_SHARE" \
  --connections "$CONNS" --redis "redis://127.0.0.1:$REDIS_PORT" --out "$OUT"
STATUS=$?
set -e

say "5/5 result"
if [ $STATUS -eq 0 ]; then
  echo "every invariant PASSED"
else
  echo "verification FAILED or the run could not complete (exit $STATUS); engine log tail:"
  tail -n 20 "$RUN/engine.log" || true
fi
if [ -f "$OUT/report.html" ]; then
  echo "HTML report: $(cd "$OUT" && pwd)/report.html"
  echo "JSON report: $(cd "$OUT" && pwd)/report.json"
fi
echo "dashboard: $DASHBOARD_URL"
if [ "${DASHBOARD_HOLD:-0}" -gt 0 ] 2>/dev/null; then
  echo "keeping the engine, Redis and the dashboard up for ${DASHBOARD_HOLD}s (DASHBOARD_HOLD)"
  sleep "$DASHBOARD_HOLD"
fi
exit $STATUS

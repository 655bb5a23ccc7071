#!/usr/bin/env bash
# Persisted orders per second through one engine's group commit into one Redis core, next to
# redis-benchmark's EVALSHA of the anchor per-request purchase script (-c 50 -P 16), same run,
# same redis-server: redis-server pinned to CPU 0, the drivers to CPU 1.
#
#   loadtest/redis-group-commit.sh                # 10 s engine run, 2M redis-benchmark calls
#   SECONDS_RUN=20 RB_N=4000000 loadtest/redis-group-commit.sh
#
# Env: ANCHORS (dir with redis/purchase.lua; default ../shared/anchors next to the repo),
# SCRATCH (release build dir; default .build-measure), REDIS_PORT (default: first free >= 6395),
# OUTSTANDING (purchases waiting for an answer, default 1024), SERVER_CPU (0), CLIENT_CPU (1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors}
SCRATCH=${SCRATCH:-$ROOT/.build-measure}
SECONDS_RUN=${SECONDS_RUN:-10}
RB_N=${RB_N:-2000000}
OUTSTANDING=${OUTSTANDING:-1024}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
LUA="$ANCHORS/redis/purchase.lua"
[ -f "$LUA" ] || { echo "missing $LUA (set ANCHORS)" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
REDIS_PORT=${REDIS_PORT:-6395}
while ! port_free "$REDIS_PORT"; do REDIS_PORT=$((REDIS_PORT + 1)); done

echo "building the test bundle (release) in $SCRATCH ..." >&2
swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path "$SCRATCH" 2>&1 | tail -n 2 >&2
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
BUNDLE="$BIN/FlashSalePackageTests.xctest"

RUN_DIR=$(mktemp -d /tmp/fs-group-commit.XXXXXX)
taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log" --maxclients 20000 &
REDIS_PID=$!
trap 'kill -TERM $REDIS_PID 2>/dev/null; wait $REDIS_PID 2>/dev/null; rm -rf "$RUN_DIR"' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break; sleep 0.1; done
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

echo "engine group commit: ${SECONDS_RUN}s, $OUTSTANDING outstanding purchases, driver on CPU $CLIENT_CPU" >&2
FLASHSALE_MEASURE=1 FLASHSALE_MEASURE_REDIS_PORT=$REDIS_PORT FLASHSALE_MEASURE_SECONDS=$SECONDS_RUN \
FLASHSALE_MEASURE_OUTSTANDING=$OUTSTANDING \
  taskset -c "$CLIENT_CPU" "$BUNDLE" FlashSaleRedisTests.GroupCommitMeasureTests > "$RUN_DIR/engine.txt" 2>&1 || {
    cat "$RUN_DIR/engine.txt" >&2; exit 1; }
ENGINE_LINE=$(grep '^GROUP-COMMIT' "$RUN_DIR/engine.txt")
ENGINE_CPU=$(rcli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/{s+=$2} END{printf "%.2f", s}')

echo "redis-benchmark EVALSHA purchase.lua -c 50 -P 16 -n $RB_N" >&2
rcli FLUSHALL > /dev/null
rcli SET stock:s1 100000000 > /dev/null
SHA=$(rcli SCRIPT LOAD "$(cat "$LUA")")
taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c 50 -P 16 -n "$RB_N" -r 1000000000 --csv \
  EVALSHA "$SHA" 3 stock:s1 buyers:s1 orders:s1 u__rand_int__ 1 s1 > "$RUN_DIR/rb.txt" 2>&1
RB_RPS=$(grep -v '^"test"' "$RUN_DIR/rb.txt" | grep -m1 '^"' | tr -d '"' | cut -d, -f2)

ORDERS=$(sed -n 's/.*orders_per_s=\([0-9.]*\).*/\1/p' <<< "$ENGINE_LINE")
echo "$ENGINE_LINE"
echo "redis_cpu_s_during_engine_run(incl. setup)=$ENGINE_CPU"
echo "REDIS-BENCHMARK evalsha_P16_calls_per_s=$RB_RPS"
awk -v a="$ORDERS" -v b="$RB_RPS" 'BEGIN { if (b > 0) printf "RATIO group_commit_orders / evalsha_calls = %.2f\n", a / b }'

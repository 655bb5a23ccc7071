#!/usr/bin/env bash
# Persisted orders per second through one engine's group commit into one Redis core, next to
# redis-benchmark's EVALSHA of the per-request purchase script (loadtest/peers/purchase.lua,
# -c 50 -P 16), same run, same redis-server: redis-server pinned to CPU 0, the drivers to CPU 1.
# The engine side is GroupCommitMeasureTests (FlashSaleRedisTests), run from a release test
# build with -enable-testing in its own scratch directory (SCRATCH), so the product build in
# .build is left alone.
#
#   loadtest/redis-group-commit.sh                # 10 s engine run, 2M redis-benchmark calls
#   SECONDS_RUN=20 RB_N=4000000 loadtest/redis-group-commit.sh
#
# Knobs: SECONDS_RUN (10), RB_N (2000000), OUTSTANDING (purchases waiting for an answer, 1024),
# SCRATCH (.build-measure), and those of loadtest/lib.sh.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
SCRATCH=${SCRATCH:-$REPO/.build-measure}
SECONDS_RUN=${SECONDS_RUN:-10}
RB_N=${RB_N:-2000000}
OUTSTANDING=${OUTSTANDING:-1024}

lt_init fs-group-commit
log "building the test bundle (release, -enable-testing) in $SCRATCH"
(cd "$REPO" && swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path "$SCRATCH" 2>&1 | tail -n 2 >&2) \
  || die "release test build failed"
BUNDLE="$(cd "$REPO" && swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/FlashSalePackageTests.xctest"
start_redis

log "engine group commit: ${SECONDS_RUN}s, $OUTSTANDING outstanding purchases, driver on CPU $CLIENT_CPU"
wait_quiet
FLASHSALE_MEASURE=1 FLASHSALE_MEASURE_REDIS_PORT=$REDIS_PORT FLASHSALE_MEASURE_SECONDS=$SECONDS_RUN \
FLASHSALE_MEASURE_OUTSTANDING=$OUTSTANDING \
  measured on_client_cpu "$BUNDLE" FlashSaleRedisTests.GroupCommitMeasureTests > "$RUN_DIR/engine.txt" 2>&1 \
  || { cat "$RUN_DIR/engine.txt" >&2; die "GroupCommitMeasureTests failed"; }
ENGINE_CPU_LINE=$CPU_LINE
ENGINE_LINE=$(grep '^GROUP-COMMIT' "$RUN_DIR/engine.txt") || die "no GROUP-COMMIT line in $RUN_DIR/engine.txt"
ENGINE_REDIS_S=$(redis_cpu_s)

log "redis-benchmark EVALSHA purchase.lua -c 50 -P 16 -n $RB_N"
wait_quiet
evalsha_bench 16 "$RB_N" "$RUN_DIR/rb.txt"

ORDERS=$(sed -n 's/.*orders_per_s=\([0-9.]*\).*/\1/p' <<< "$ENGINE_LINE")
echo "$ENGINE_LINE"
echo "redis_cpu_s_during_engine_run(incl. setup)=$ENGINE_REDIS_S  cpu: $ENGINE_CPU_LINE"
echo "REDIS-BENCHMARK evalsha_P16_calls_per_s=$RB_RPS redis_cpu_us_per_call=$RB_REDIS_US  cpu: $CPU_LINE"
echo "RATIO group_commit_orders / evalsha_calls = $(ratio "$ORDERS" "$RB_RPS")"

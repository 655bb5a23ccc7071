#!/usr/bin/env bash
# How low Redis CPU per order can go, next to the canonical one-script-per-purchase design
# on the same redis-server in the same run (issue 12's floor; docs/performance.md):
#   - PING at one connection, one command per round trip (redis-benchmark -c 1 -P 1):
#     what one request/reply costs Redis when nothing else is in flight — the least a
#     flush of one order (one connection, --ack persisted) can cost;
#   - loadtest/redis_floor.py driving, at each batch size of BATCHES, the engine's flush
#     script (schema 3, and as a schema-2 sale drives it), the store-only floors of
#     loadtest/redis-floor/ (storing record, buyer units, expiry entry and event with one
#     multi-field command each and NO check; the compact one with listpack record buckets
#     and packed events, hash-max-listpack-value 128) and the flush's arguments alone;
#   - redis-benchmark -c 50 -P 16 EVALSHA of loadtest/peers/purchase.lua: CPU per call.
# Every order is a new buyer with an Idempotency-Key.
#
#   loadtest/redis-floor.sh                       # BATCHES="1 16 64 250", ORDERS=100000
#   BATCHES=250 ORDERS=50000 loadtest/redis-floor.sh
#
# Knobs: BATCHES, ORDERS (per variant and batch size; batch 1 runs ORDERS/10), RB_N
# (canonical calls, 500000), and those of loadtest/lib.sh (SERVER_CPU, CLIENT_CPU, OUT).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
BATCHES=${BATCHES:-1 16 64 250}
ORDERS=${ORDERS:-100000}
RB_N=${RB_N:-500000}
VARIANTS="flush flush-v2 store-only store-only-compact argv-only"

lt_init fs-redis-floor
start_redis

TABLE="$RUN_DIR/table.tsv"
: > "$TABLE"
c0=$(redis_cpu_s)
on_client_cpu redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c 1 -P 1 -n 100000 -q -t ping_mbulk > /dev/null
c1=$(redis_cpu_s)
PING_US=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", (b - a) / 100000 * 1e6}')
for batch in $BATCHES; do
  n=$ORDERS; [ "$batch" = 1 ] && n=$((ORDERS / 10))
  for variant in $VARIANTS; do
    if [ "$variant" = store-only-compact ]; then rcli CONFIG SET hash-max-listpack-value 128 > /dev/null; fi
    on_client_cpu "$PY" "$LOADTEST/redis_floor.py" "$REDIS_PORT" "$variant" "$batch" "$n" --repo "$REPO" >> "$TABLE" \
      || die "redis_floor.py $variant $batch failed"
    rcli CONFIG SET hash-max-listpack-value 64 > /dev/null
    log "$(tail -n 1 "$TABLE" | tr '\t' ' ')"
  done
done
evalsha_bench 16 "$RB_N" "$RUN_DIR/redis-benchmark.csv"

{
  echo "## Redis CPU per order: the flush, its floors and the canonical script (same redis-server, one run)"
  echo
  echo "| variant | batch | orders | Redis CPU µs/order | vs EVALSHA | Redis memory B/order |"
  echo "|---|---:|---:|---:|---:|---:|"
  while IFS=$'\t' read -r v b n us bytes; do
    echo "| $v | $b | $n | $us | $(ratio "$us" "$RB_REDIS_US")x | $bytes |"
  done < "$TABLE"
  echo
  echo "- PING, one connection, one command per round trip: **$PING_US µs** of Redis CPU per call ($(ratio "$PING_US" "$RB_REDIS_US")x the script)"
  echo "- canonical script (redis-benchmark -c 50 -P 16 EVALSHA purchase.lua, $RB_N calls): **$RB_REDIS_US µs** of Redis CPU per call"
  echo "- issue 12's target: ≤ 0.5x the script's CPU per call"
  echo
  echo "raw: $RUN_DIR"
} | tee "$RUN_DIR/summary.md"

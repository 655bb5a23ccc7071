#!/usr/bin/env bash
# Group-commit flush vs the canonical one-script-per-purchase, side by side, one run:
#
#   (a) redis-benchmark -c 50 -P 16 EVALSHA of loadtest/peers/purchase.lua (a random user
#       per call), and
#   (b) orders/s through FlashSaleScripts.flush (loadtest/flush_driver.py, the shipped Lua
#       read from the Swift sources) with batches of 64/128/256, DEPTH calls in flight.
#
# redis-server is pinned to CPU 0 (--save '' --appendonly no), the load to CPU 1. Besides
# throughput it reports Redis CPU µs per purchase/order (from INFO cpu), which is less
# sensitive to other work on the machine than wall-clock throughput. No Swift build needed.
#
#   loadtest/flush-vs-redis-benchmark.sh
#   RB_N=200000 ORDERS=100000 BATCHES=128 REPS=1 loadtest/flush-vs-redis-benchmark.sh
#
# Knobs: RB_N (1000000), ORDERS (400000), DEPTH (4), BATCHES ("64 128 256"), REPS (2),
#        IDEM=1 (every order carries an Idempotency-Key), and those of loadtest/lib.sh.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
: "${RB_N:=1000000}" "${ORDERS:=400000}" "${DEPTH:=4}" "${BATCHES:=64 128 256}" "${REPS:=2}"
IDEM_FLAG=(); [ "${IDEM:-0}" = 1 ] && IDEM_FLAG=(--idem)

lt_init flush-vs-rb
start_redis
echo "# $(date -u +%FT%TZ) $(redis-server --version | cut -d' ' -f3) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %6s %12s %14s %10s\n' setup rep "per_s" "redis_us_each" others_s
foreign() { sed -n 's/.*foreign_s=\([0-9.]*\).*/\1/p' <<< "$CPU_LINE"; }
best_rb=0
for rep in $(seq 1 "$REPS"); do
  wait_quiet
  evalsha_bench 16 "$RB_N" "$RUN_DIR/rb-P16-r$rep.txt"
  printf '%-28s %6s %12s %14s %10s\n' "purchase.lua rb -c50 -P16" "$rep" "$RB_RPS" "$RB_REDIS_US" "$(foreign)"
  best_rb=$(awk -v a="$best_rb" -v b="$RB_RPS" 'BEGIN{print (b + 0 > a) ? b : a}')
done

for batch in $BATCHES; do
  best=0
  for rep in $(seq 1 "$REPS"); do
    wait_quiet
    out="$RUN_DIR/flush-b$batch-r$rep.txt"
    measured on_client_cpu "$PY" "$LOADTEST/flush_driver.py" "$REDIS_PORT" "$batch" --orders "$ORDERS" \
      --depth "$DEPTH" --repo "$REPO" "${IDEM_FLAG[@]}" > "$out" 2>&1 || { cat "$out" >&2; die "flush_driver failed"; }
    rate=$(sed -n 's/.*orders_per_s=\([0-9]*\).*/\1/p' "$out")
    us=$(sed -n 's/.*redis_cpu_us_per_order=\([0-9.]*\).*/\1/p' "$out")
    printf '%-28s %6s %12s %14s %10s\n' "flush batch=$batch depth=$DEPTH" "$rep" "$rate" "$us" "$(foreign)"
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN{print (b + 0 > a) ? b : a}')
  done
  echo "  ratio flush(batch=$batch) / purchase.lua, best of reps: $(ratio "$best" "$best_rb")x"
done
echo "raw output: $RUN_DIR"

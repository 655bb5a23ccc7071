#!/usr/bin/env bash
# Group-commit flush vs the canonical one-script-per-purchase, side by side, one run.
#
#   (a) redis-benchmark -c 50 -P 16 EVALSHA of ../shared/anchors/redis/purchase.lua
#       (exactly as ../shared/anchors/lib.sh run_rb does it), and
#   (b) orders/s through FlashSaleScripts.flush (loadtest/flush_driver.py, the shipped
#       Lua read from the Swift sources) with batches of 64/128/256, DEPTH calls in flight.
#
# redis-server is pinned to CPU 0 (--save '' --appendonly no), the load to CPU 1.
# Besides throughput it reports Redis CPU µs per purchase/order (from INFO cpu), which
# is less sensitive to other work on the machine than wall-clock throughput.
#
# Knobs: RB_N (1000000), ORDERS (400000), DEPTH (4), BATCHES ("64 128 256"), REPS (2),
#        SERVER_CPU (0), CLIENT_CPU (1), IDEM=1 (every order carries an Idempotency-Key).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PURCHASE_LUA=${PURCHASE_LUA:-/work/shared/anchors/redis/purchase.lua}
RB_N=${RB_N:-1000000}
ORDERS=${ORDERS:-400000}
DEPTH=${DEPTH:-4}
BATCHES=${BATCHES:-"64 128 256"}
REPS=${REPS:-2}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
IDEM_FLAG=(); [ "${IDEM:-0}" = 1 ] && IDEM_FLAG=(--idem)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/flush-vs-rb.XXXXXX)
taskset -c "$SERVER_CPU" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no --dir "$dir" --logfile "$dir/redis.log" --maxclients 20000 &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done

rcli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
redis_cpu() { rcli INFO cpu | awk -F: '/^used_cpu_(user|sys):/{s+=$2} END{printf "%.6f", s}'; }

echo "# $(date -u +%FT%TZ) $(redis-server --version | cut -d' ' -f3) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %6s %12s %14s\n' setup rep "per_s" "redis_us_each"
best_rb=0
for rep in $(seq 1 "$REPS"); do
  rcli FLUSHALL >/dev/null
  rcli SET stock:s1 100000000 >/dev/null
  sha=$(rcli SCRIPT LOAD "$(cat "$PURCHASE_LUA")")
  c0=$(redis_cpu)
  line=$(taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -P 16 -n "$RB_N" -r 1000000000 --csv \
    EVALSHA "$sha" 3 stock:s1 buyers:s1 orders:s1 u__rand_int__ 1 s1 | grep -v '^"test"' | grep -m1 '^"' | tr -d '"')
  c1=$(redis_cpu)
  rps=$(echo "$line" | cut -d, -f2)
  us=$(awk -v a="$c0" -v b="$c1" -v n="$RB_N" 'BEGIN{printf "%.2f", (b-a)/n*1e6}')
  printf '%-28s %6s %12.0f %14s\n' "purchase.lua rb -c50 -P16" "$rep" "$rps" "$us"
  best_rb=$(awk -v a="$best_rb" -v b="$rps" 'BEGIN{print (b>a)?b:a}')
done

for batch in $BATCHES; do
  best=0
  for rep in $(seq 1 "$REPS"); do
    out=$(taskset -c "$CLIENT_CPU" python3 "$HERE/flush_driver.py" "$port" "$batch" --orders "$ORDERS" \
      --depth "$DEPTH" --repo "$REPO" "${IDEM_FLAG[@]}")
    rate=$(sed -n 's/.*orders_per_s=\([0-9]*\).*/\1/p' <<< "$out")
    us=$(sed -n 's/.*redis_cpu_us_per_order=\([0-9.]*\).*/\1/p' <<< "$out")
    printf '%-28s %6s %12s %14s\n' "flush batch=$batch depth=$DEPTH" "$rep" "$rate" "$us"
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN{print (b>a)?b:a}')
  done
  awk -v f="$best" -v r="$best_rb" -v b="$batch" \
    'BEGIN{printf "  ratio flush(batch=%s) / purchase.lua, best of reps: %.2fx\n", b, f/r}'
done

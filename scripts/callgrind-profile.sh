#!/usr/bin/env bash
# Instructions per request of the release engine, exact and repeatable (callgrind), for one
# kind of request; a wall-clock-free complement to loadtest/sellout-burst.sh.
#
#   scripts/callgrind-profile.sh MODE [OUTDIR]
#     MODE: soldout  - POST purchases on a sold-out SKU, X-User-Id (--trust-user-header)
#           reserved - POST purchases that reserve (stock 1e8; --ack persisted, Redis included)
#           healthz  - GET /healthz
#           jwt      - POST purchases on a sold-out SKU authenticated by HS256 tokens
#   BIN=path/to/flashsale (default .build/release/flashsale), DUR=5s (measured wrk run).
#   CLUSTER=1: Redis is a local Redis Cluster of 3 masters (no replicas) and the engine gets
#   their seed list, to compare the engine's cost per request with standalone Redis.
#
# The engine (--workers 1) runs under valgrind --tool=callgrind next to a private
# redis-server; after a 3 s warm-up the counters are zeroed, wrk -t1 -c50 runs for DUR, and
# the counters are dumped. Prints total Ir / requests answered; the dump (OUTDIR/cg.out.1)
# opens in callgrind_annotate --inclusive=yes. valgrind 3.19 cannot read Swift 6's DWARF 5,
# so the binary is profiled with its debug info stripped (symbols stay).
set -uo pipefail
MODE=${1:?mode: soldout | reserved | healthz | jwt}
OUT=${2:-/tmp/flashsale-callgrind/$MODE}
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$REPO/.build/release/flashsale}
DUR=${DUR:-5s}
LUA=$REPO/loadtest/wrk
mkdir -p "$OUT"
rm -f "$OUT"/cg.out*
strip --strip-debug -o "$OUT/flashsale" "$BIN" || exit 1
RP=$((6400 + RANDOM % 500)); EP=$((18400 + RANDOM % 500))
export FLASHSALE_JWT_SECRET=loadtest-jwt-secret FLASHSALE_ADMIN_TOKEN=loadtest-admin FLASHSALE_PAYMENT_TOKEN=loadtest-pay \
  FLASHSALE_FULFILMENT_TOKEN=loadtest-fulfil
REDIS_URL=redis://127.0.0.1:$RP
RPIDS=()
if [ "${CLUSTER:-0}" = 1 ]; then
  NODES=()
  for p in "$RP" $((RP + 1)) $((RP + 2)); do
    mkdir -p "$OUT/node-$p"; rm -f "$OUT/node-$p/nodes.conf"
    redis-server --port "$p" --bind 127.0.0.1 --dir "$OUT/node-$p" --save '' --appendonly no --cluster-enabled yes \
      --cluster-config-file nodes.conf > "$OUT/redis-$p.log" 2>&1 &
    RPIDS+=($!); NODES+=("127.0.0.1:$p")
  done
  sleep 0.3
  redis-cli --cluster create "${NODES[@]}" --cluster-yes > "$OUT/cluster-create.log" 2>&1 || { cat "$OUT/cluster-create.log"; exit 1; }
  for _ in $(seq 1 100); do
    ok=0
    for p in "$RP" $((RP + 1)) $((RP + 2)); do redis-cli -p "$p" cluster info | grep -q cluster_state:ok && ok=$((ok + 1)); done
    [ "$ok" = 3 ] && break
    sleep 0.1
  done
  REDIS_URL=redis://127.0.0.1:$RP,redis://127.0.0.1:$((RP + 1)),redis://127.0.0.1:$((RP + 2))
else
  redis-server --port "$RP" --save '' --appendonly no > "$OUT/redis.log" 2>&1 &
  RPIDS+=($!)
  sleep 0.3
fi
EXTRA=(--trust-user-header)
[ "$MODE" = jwt ] && EXTRA=(--rate-limit-user off --rate-limit-address off)
valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$OUT/flashsale" serve --host 127.0.0.1 --port "$EP" \
  --redis "$REDIS_URL" --workers 1 --node-id callgrind --log-level warning --ack persisted "${EXTRA[@]}" \
  > "$OUT/engine.log" 2>&1 &
EPID=$!
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EP/readyz")" = 200 ] && break
  sleep 0.2
done
put_sale() { # name stock
  local now starts ends
  now=$(date -u +%s); starts=$(date -u -d "@$((now - 60))" +%FT%TZ); ends=$(date -u -d "@$((now + 3600))" +%FT%TZ)
  curl -s -o /dev/null -X PUT "http://127.0.0.1:$EP/v1/sales/$1" -H 'Authorization: Bearer loadtest-admin' \
    -H 'Content-Type: application/json' \
    -d "{\"starts_at\":\"$starts\",\"ends_at\":\"$ends\",\"per_user_limit\":1,\"reservation_ttl_s\":600,\"items\":[{\"sku\":\"s1\",\"stock\":$2}]}"
}
URL=http://127.0.0.1:$EP/
case $MODE in
  soldout) put_sale burst 100; export SALE=burst; SCRIPT=$LUA/burst.lua ;;
  reserved) put_sale burst 100000000; export SALE=burst; SCRIPT=$LUA/burst.lua ;;
  healthz) SCRIPT=""; URL=http://127.0.0.1:$EP/healthz ;;
  jwt) put_sale soldout 0; export SALE=soldout; export AUTH=jwt; SCRIPT=$LUA/engine-auth.lua
       "$BIN" token --sub u --count 10000 --ttl 7200 > "$OUT/tokens.txt"; export TOKENS=$OUT/tokens.txt ;;
  *) echo "unknown mode $MODE" >&2; kill "$EPID" "${RPIDS[@]}"; exit 2 ;;
esac
args=(-t1 -c50); [ -n "$SCRIPT" ] && args+=(-s "$SCRIPT")
wrk "${args[@]}" -d3s "$URL" > "$OUT/wrk-warmup.txt" 2>&1   # soldout: sells the 100 units
callgrind_control -z "$EPID" > /dev/null
wrk "${args[@]}" -d"$DUR" "$URL" > "$OUT/wrk.txt" 2>&1
callgrind_control -d "$EPID" > /dev/null
sleep 0.5
kill "$EPID"; wait "$EPID" 2>/dev/null
kill "${RPIDS[@]}"; wait "${RPIDS[@]}" 2>/dev/null
REQUESTS=$(awk '/requests in/{print $1}' "$OUT/wrk.txt")
IR=$(callgrind_annotate "$OUT/cg.out.1" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",", "", $1); print $1}')
echo "$MODE: $REQUESTS requests, $IR Ir, $(awk -v a="$IR" -v b="$REQUESTS" 'BEGIN{printf "%.0f", a / b}') Ir/request (dump: $OUT/cg.out.1)"
grep -E "BURST_COUNTS|Non-2xx" "$OUT/wrk.txt"

#!/usr/bin/env bash
# Sell-out burst, side by side: 1M distinct users, 10,000 units, 1,000 connections.
#   - nginx `return 200`, one worker (loadtest/peers/nginx.conf.in), on CPU 0
#   - the canonical Go + Redis Lua seckill (loadtest/peers/seckill-go) + its Redis on CPU 0
#   - the FlashSale engine (--workers 1 --trust-user-header --ack persisted) + its Redis on CPU 0
# wrk (one thread) on CPU 1 with the same generator for all three (loadtest/wrk/burst.lua:
# one random user per request); then the oversell checks in Redis. Then, separately, the
# cost of JWT verification: engine CPU time per sold-out purchase authenticated by real
# HS256 tokens vs by X-User-Id (loadtest/wrk/engine-auth.lua).
#
#   loadtest/sellout-burst.sh                          # DURATION=10s, one run of each
#   DURATION=15s loadtest/sellout-burst.sh
#   ONLY="engine jwt" loadtest/sellout-burst.sh        # sections: nginx go engine jwt
#   FLASHSALE_BIN_DIR=.build/release loadtest/sellout-burst.sh    # skip the release build
#
# Other knobs: BURST_STOCK (10000), CONNS (1000), JWT_USERS (10000), and those of
# loadtest/lib.sh. Output: $RUN_DIR/{summary.md,results.tsv,raw wrk logs}.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
BURST_STOCK=${BURST_STOCK:-10000}
CONNS=${CONNS:-1000}
JWT_USERS=${JWT_USERS:-10000}
ONLY=${ONLY:-"nginx go engine jwt"}
want() { [[ " $ONLY " == *" $1 "* ]]; }
BURST_LUA=$LOADTEST/wrk/burst.lua
AUTH_LUA=$LOADTEST/wrk/engine-auth.lua

lt_init flashsale-burst
BIN=$(release_bin flashsale) || exit 1
build_peers
RESULTS="$RUN_DIR/results.tsv"
printf "$RESULTS_HEADER" > "$RESULTS"
{
  echo "date_utc: $(date -u +%FT%TZ)  nproc: $(nproc)  kernel: $(uname -sr)"
  echo "engine: $BIN ($("$BIN" --version 2>/dev/null || echo dev))"
  echo "settings: DURATION=$DURATION WARMUP=$WARMUP conns=$CONNS stock=$BURST_STOCK; server CPU $SERVER_CPU, wrk CPU $CLIENT_CPU"
  echo "load before start: $(cat /proc/loadavg)"
} > "$RUN_DIR/env.txt"

# ---------- nginx ----------
if want nginx; then
  log "== nginx return 200, one worker, CPU $SERVER_CPU"
  start_nginx
  BURST_TARGET=peer SERVER_PID=$NGINX_PID run_wrk nginx "$CONNS" "http://127.0.0.1:$NGINX_PORT/purchase" "$BURST_LUA"
  stop_started
fi

# ---------- Go + Redis Lua peer ----------
go_ok=NA go_cf=NA go_ot=NA go_sold=NA go_xlen=NA go_verdict=skipped
if want go; then
  log "== Go + Redis Lua peer, both on CPU $SERVER_CPU, stock $BURST_STOCK"
  start_redis; seckill_reset "$BURST_STOCK" > /dev/null; start_seckill
  go_prep() { # warm up on users outside the burst's ids, then a fresh stock
    USERS=1000000000 on_client_cpu wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$BURST_LUA" \
      "http://127.0.0.1:$SECKILL_PORT/purchase" > /dev/null 2>&1
    seckill_settle; seckill_reset "$BURST_STOCK" > /dev/null
  }
  BURST_TARGET=peer NO_WARMUP=1 PRE_RUN=go_prep SERVER_PID=$SECKILL_PID \
    run_wrk go-redis "$CONNS" "http://127.0.0.1:$SECKILL_PORT/purchase" "$BURST_LUA"
  seckill_settle
  read -r go_ok go_cf go_ot < <(burst_counts "$RUN_DIR/wrk-go-redis-c$CONNS-burst.txt")
  go_left=$(rcli GET stock:s1); go_xlen=$(rcli XLEN orders:s1); go_scard=$(rcli SCARD buyers:s1)
  go_sold=$((BURST_STOCK - go_left))
  go_verdict=PASS
  { [ "$go_left" -ge 0 ] && [ "$go_xlen" -eq "$go_sold" ] && [ "$go_scard" -eq "$go_sold" ]; } || go_verdict=FAIL-oversell
  stop_started
fi

# ---------- FlashSale engine ----------
ATTEMPT=0
engine_prep() { # warm the engine on another sale, then a fresh burst sale
  ATTEMPT=$((ATTEMPT + 1))
  put_sale warm 100000000 > /dev/null
  SALE=warm on_client_cpu wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$BURST_LUA" "http://127.0.0.1:$ENGINE_PORT/" > /dev/null 2>&1
  export SALE="burst$ATTEMPT"
  put_sale "$SALE" "$BURST_STOCK" > /dev/null
}
fs_ok=NA fs_cf=NA fs_ot=NA fs_reserved=NA fs_total=NA fs_orders=NA fs_pool=NA fs_leased=NA fs_verdict=skipped
if want engine; then
  log "== FlashSale engine (--workers 1 --trust-user-header) + Redis, both on CPU $SERVER_CPU, stock $BURST_STOCK"
  start_redis
  start_engine "$BIN" --trust-user-header --ack persisted || die "engine did not start"
  NO_WARMUP=1 PRE_RUN=engine_prep SERVER_PID=$ENGINE_PID run_wrk flashsale "$CONNS" "http://127.0.0.1:$ENGINE_PORT/" "$BURST_LUA"
  sleep 1
  read -r fs_ok fs_cf fs_ot < <(burst_counts "$RUN_DIR/wrk-flashsale-c$CONNS-burst.txt")
  K="fs:{$SALE}"
  fs_total=$(rcli HGET "$K:counts:s1" total); fs_reserved=$(rcli HGET "$K:counts:s1" reserved)
  fs_paid=$(rcli HGET "$K:counts:s1" paid); fs_paid=${fs_paid:-0}
  fs_pool=$(rcli GET "$K:pool:s1")
  fs_leased=$(rcli HVALS "$K:leases:s1" | awk '{s += $1} END{print s + 0}')
  fs_orders=$(rcli HLEN "$K:orders")
  fs_buyers=$(rcli HLEN "$K:buyers:s1")
  fs_verdict=PASS
  [ $((fs_reserved + fs_paid)) -le "$fs_total" ] || fs_verdict=FAIL-oversell
  [ "$fs_total" -eq $((fs_pool + fs_leased + fs_reserved + fs_paid)) ] || fs_verdict="$fs_verdict;FAIL-conservation"
  { [ "$fs_orders" -eq "$fs_reserved" ] && [ "$fs_buyers" -eq "$fs_reserved" ]; } || fs_verdict="$fs_verdict;orders/buyers!=reserved"
  [ "${fs_ok:-0}" -le "$fs_reserved" ] || fs_verdict="$fs_verdict;FAIL-201-not-persisted"
  "$BIN" top --once --redis "redis://127.0.0.1:$REDIS_PORT" --sale "$SALE" > "$RUN_DIR/top-after-burst.txt" 2>&1
  stop_started
fi

# ---------- JWT verification cost ----------
# The steady state of a burst (a sold-out SKU: authentication, parsing and the core's
# decision, no Redis round trip), once with real HS256 tokens and once with X-User-Id:
# engine CPU time per request differs by the JWT verification.
if want jwt; then
  log "== JWT cost: sold-out purchases, tokens vs X-User-Id ($JWT_USERS users)"
  env "${ENGINE_ENV[@]}" "$BIN" token --sub u --count "$JWT_USERS" --ttl 7200 > "$RUN_DIR/tokens.txt" || die "token minting failed"
  start_redis
  jwt_run() { # NAME AUTH [serve flags...]
    local name=$1 auth=$2; shift 2
    start_engine "$BIN" --rate-limit-user off --rate-limit-address off "$@" || die "engine did not start"
    export SALE=soldout
    put_sale soldout 0 > /dev/null
    AUTH=$auth TOKENS="$RUN_DIR/tokens.txt" USERS="$JWT_USERS" SERVER_PID=$ENGINE_PID \
      run_wrk "$name" "$CONNS" "http://127.0.0.1:$ENGINE_PORT/" "$AUTH_LUA"
    stop_pid "$ENGINE_PID"
  }
  jwt_run engine-trusted header --trust-user-header
  jwt_run engine-jwt jwt
  stop_started
fi

# ---------- summary ----------
r() { result "$1" "$CONNS" "$2" "$3"; }
n_rps=$(r nginx burst rps); g_rps=$(r go-redis burst rps); f_rps=$(r flashsale burst rps)
cpu_trusted=$(r engine-trusted engine-auth cpu_us_per_req); cpu_jwt=$(r engine-jwt engine-auth cpu_us_per_req)
{
  echo "## Sell-out burst: $BURST_STOCK units, users from 1M ids, $CONNS connections, $DURATION, server side on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU"
  echo
  echo "| setup | req/s | p50 ms | p99 ms | server CPU µs/req | 2xx/409/other | oversell check |"
  echo "|---|---:|---:|---:|---:|---|---|"
  echo "| nginx return 200 (1 worker) | $n_rps | $(r nginx burst p50_ms) | $(r nginx burst p99_ms) | $(r nginx burst cpu_us_per_req) | | |"
  echo "| Go + Redis Lua (GOMAXPROCS=1, Redis on the same core) | $g_rps | $(r go-redis burst p50_ms) | $(r go-redis burst p99_ms) | $(r go-redis burst cpu_us_per_req) (Go only) | $go_ok/$go_cf/$go_ot | $go_verdict (sold $go_sold, orders $go_xlen) |"
  echo "| FlashSale (--workers 1, --ack persisted, Redis on the same core) | $f_rps | $(r flashsale burst p50_ms) | $(r flashsale burst p99_ms) | $(r flashsale burst cpu_us_per_req) (engine only) | $fs_ok/$fs_cf/$fs_ot | $fs_verdict (reserved $fs_reserved of $fs_total, orders $fs_orders, pool $fs_pool, leased $fs_leased) |"
  echo
  echo "- engine / nginx req/s: **$(ratio "$f_rps" "$n_rps")x** (target >= 1.0)"
  echo "- engine / Go peer req/s: **$(ratio "$f_rps" "$g_rps")x** (target >= 5)"
  echo "- engine p99 / nginx p99: **$(ratio "$(r flashsale burst p99_ms)" "$(r nginx burst p99_ms)")x** (target <= 1.2)"
  echo
  echo "## JWT verification cost (sold-out purchases, $CONNS connections, $JWT_USERS distinct users)"
  echo
  echo "| auth | req/s | p99 ms | engine CPU µs/request |"
  echo "|---|---:|---:|---:|"
  echo "| X-User-Id (--trust-user-header) | $(r engine-trusted engine-auth rps) | $(r engine-trusted engine-auth p99_ms) | $cpu_trusted |"
  echo "| Bearer JWT HS256 | $(r engine-jwt engine-auth rps) | $(r engine-jwt engine-auth p99_ms) | $cpu_jwt |"
  echo
  echo "- JWT verification: **$(awk -v a="$cpu_jwt" -v b="$cpu_trusted" 'BEGIN{ if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a - b; else printf "NA" }') µs** of engine CPU per request"
  echo
  echo "(foreign_s in results.tsv: CPU-seconds other processes used during the run; a run above FOREIGN_MAX_S is retried)"
} | tee "$RUN_DIR/summary.md"
echo "raw logs: $RUN_DIR"

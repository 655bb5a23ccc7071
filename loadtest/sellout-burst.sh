#!/usr/bin/env bash
# Sell-out burst, side by side (issue 5): 1M distinct users, 10,000 units, 1,000 connections.
#   - FlashSale engine (--workers 1 --trust-user-header, --ack persisted) + its Redis on CPU 0
#   - nginx `return 200`, one worker, on CPU 0
#   - the canonical Go + Redis Lua peer (anchors/go/seckill) + its Redis on CPU 0
# wrk (one thread) on CPU 1, the same kind of Lua generator for all three (one random user per
# request). Then, separately, the cost of JWT verification per request: the engine answering
# purchases authenticated by real HS256 tokens vs by X-User-Id, engine CPU time per request.
#
#   loadtest/sellout-burst.sh                       # DURATION=10s, one run of each
#   DURATION=15s FLASHSALE_BIN=.build/release/flashsale loadtest/sellout-burst.sh
#   ONLY="engine jwt" loadtest/sellout-burst.sh        # sections: nginx go engine jwt
#
# Reuses ../shared/anchors (lib.sh: pinning, PID tracking, noise guard, wrk parsing; build.sh
# for the Go peer). Output: $OUTDIR/results/<UTC stamp>/{summary.md,results.tsv,raw logs}.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$(cd "$REPO/../shared/anchors" 2>/dev/null && pwd || echo /work/shared/anchors)}
export OUTDIR=${OUTDIR:-/tmp/flashsale-burst}
source "$ANCHORS/lib.sh"

BURST_STOCK=${BURST_STOCK:-10000}
CONNS=${CONNS:-1000}
JWT_USERS=${JWT_USERS:-10000}
ONLY=${ONLY:-"nginx go engine jwt"}
want() { [[ " $ONLY " == *" $1 "* ]]; }
QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-120}
export QUIET_MAX_WAIT
SECRET_ENV=(FLASHSALE_JWT_SECRET=loadtest-jwt-secret FLASHSALE_ADMIN_TOKEN=loadtest-admin FLASHSALE_PAYMENT_TOKEN=loadtest-pay)
BIN=${FLASHSALE_BIN:-}
if [ -z "$BIN" ]; then
  log "building the release engine (swift build -c release --product flashsale)"
  (cd "$REPO" && swift build -c release --product flashsale 2>&1 | tail -n 2) || exit 1
  BIN="$REPO/.build/release/flashsale"
fi
[ -x "$BIN" ] || { echo "no engine binary at $BIN" >&2; exit 1; }
"$ANCHORS/build.sh" || exit 1
ulimit -n "${NOFILE:-65536}" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

RUN_DIR="$OUTDIR/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN_DIR"
RESULTS="$RUN_DIR/results.tsv"
printf 'setup\tconns\trep\trps\tp50_ms\tp99_ms\tnon2xx\tsock_err\tcpu\n' > "$RESULTS"
trap 'cleanup_all' EXIT
trap 'cleanup_all; exit 130' INT TERM
REDIS_PORT=$(pick_port "${REDIS_PORT:-6391}")
NGINX_PORT=$(pick_port 18181); GO_PORT=$(pick_port 18183); ENGINE_PORT=$(pick_port 18185)
{
  echo "date_utc: $(date -u +%FT%TZ)  nproc: $(nproc)  kernel: $(uname -sr)"
  echo "engine: $BIN  ($("$BIN" --version 2>/dev/null || echo dev))"
  echo "settings: DURATION=$DURATION WARMUP=$WARMUP conns=$CONNS stock=$BURST_STOCK; server CPU $SERVER_CPU, wrk CPU $CLIENT_CPU"
  echo "load before start: $(cat /proc/loadavg)"
} > "$RUN_DIR/env.txt"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clk_tck=$(getconf CLK_TCK)
row() { awk -F'\t' -v s="$1" '$1==s{print; exit}' "$RESULTS"; }
col() { row "$1" | cut -f"$2"; }

# ---------- nginx ----------
if want nginx; then
log "== nginx return 200, one worker, CPU $SERVER_CPU"
start_nginx "$NGINX_PORT"
run_wrk nginx "$CONNS" 1 "http://127.0.0.1:$NGINX_PORT/purchase" "$ANCHORS/wrk/burst.lua"
cleanup_all
fi

# ---------- Go + Redis Lua peer ----------
go_ok=NA go_cf=NA go_ot=NA go_sold=NA go_xlen=NA go_verdict=skipped
if want go; then
log "== Go + Redis Lua peer, both on CPU $SERVER_CPU, stock $BURST_STOCK"
start_redis "$SERVER_CPU"; reset_redis "$BURST_STOCK" > /dev/null; start_go "$GO_PORT"
go_prep() {
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$ANCHORS/wrk/purchase.lua" "http://127.0.0.1:$GO_PORT/purchase" > /dev/null 2>&1
  drain_redis; reset_redis "$BURST_STOCK" > /dev/null
}
NO_WARMUP=1 PRE_RUN=go_prep run_wrk go-redis "$CONNS" 1 "http://127.0.0.1:$GO_PORT/purchase" "$ANCHORS/wrk/burst.lua"
drain_redis
out="$RUN_DIR/wrk-go-redis-c$CONNS-r1.txt"
read -r go_ok go_cf go_ot < <(sed -n 's/^BURST_COUNTS ok=\([0-9]*\) conflict=\([0-9]*\) other=\([0-9]*\)/\1 \2 \3/p' "$out")
go_left=$(rcli GET stock:s1); go_xlen=$(rcli XLEN orders:s1); go_scard=$(rcli SCARD buyers:s1)
go_sold=$((BURST_STOCK - go_left))
go_verdict=PASS
{ [ "$go_left" -ge 0 ] && [ "$go_xlen" -eq "$go_sold" ] && [ "$go_scard" -eq "$go_sold" ]; } || go_verdict=FAIL-oversell
cleanup_all
fi

# ---------- FlashSale engine ----------
start_engine() { # port extra-args... -> ENGINE_PID
  local port=$1; shift
  env "${SECRET_ENV[@]}" taskset -c "$SERVER_CPU" "$BIN" serve --host 127.0.0.1 --port "$port" \
    --redis "redis://127.0.0.1:$REDIS_PORT" --workers 1 --node-id "burst-$port" --log-level warning "$@" \
    > "$RUN_DIR/engine-$port.log" 2>&1 &
  ENGINE_PID=$!; STARTED_PIDS+=("$ENGINE_PID")
  wait_port "$port"
  local i
  for i in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] && return 0
    sleep 0.1
  done
  log "engine on $port not healthy"; return 1
}
put_sale() { # port sale stock
  local now starts ends
  now=$(date -u +%s); starts=$(date -u -d "@$((now - 60))" +%FT%TZ); ends=$(date -u -d "@$((now + 3600))" +%FT%TZ)
  curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$1/v1/sales/$2" \
    -H 'Authorization: Bearer loadtest-admin' -H 'Content-Type: application/json' \
    -d "{\"starts_at\":\"$starts\",\"ends_at\":\"$ends\",\"per_user_limit\":1,\"reservation_ttl_s\":600,\"items\":[{\"sku\":\"s1\",\"stock\":$3}]}"
}
ATTEMPT=0
engine_prep() { # warm the engine on another sale, then a fresh burst sale
  ATTEMPT=$((ATTEMPT + 1))
  put_sale "$ENGINE_PORT" warm 100000000 > /dev/null
  SALE=warm taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$REPO/loadtest/wrk/engine-burst.lua" \
    "http://127.0.0.1:$ENGINE_PORT/" > /dev/null 2>&1
  export SALE="burst$ATTEMPT"
  put_sale "$ENGINE_PORT" "$SALE" "$BURST_STOCK" > /dev/null
}
fs_ok=NA fs_cf=NA fs_ot=NA fs_reserved=NA fs_total=NA fs_orders=NA fs_pool=NA fs_leased=NA fs_verdict=skipped
if want engine; then
log "== FlashSale engine (--workers 1 --trust-user-header) + Redis, both on CPU $SERVER_CPU, stock $BURST_STOCK"
start_redis "$SERVER_CPU"; rcli FLUSHALL > /dev/null
start_engine "$ENGINE_PORT" --trust-user-header --ack persisted
engine_cpu0=$(cpu_ticks "$ENGINE_PID")
NO_WARMUP=1 PRE_RUN=engine_prep run_wrk flashsale "$CONNS" 1 "http://127.0.0.1:$ENGINE_PORT/" "$REPO/loadtest/wrk/engine-burst.lua"
sleep 1
out="$RUN_DIR/wrk-flashsale-c$CONNS-r1.txt"
read -r fs_ok fs_cf fs_ot < <(sed -n 's/^BURST_COUNTS ok=\([0-9]*\) conflict=\([0-9]*\) other=\([0-9]*\)/\1 \2 \3/p' "$out")
K="fs:{$SALE}"
fs_total=$(rcli HGET "$K:counts:s1" total); fs_reserved=$(rcli HGET "$K:counts:s1" reserved); fs_paid=$(rcli HGET "$K:counts:s1" paid)
fs_pool=$(rcli GET "$K:pool:s1")
fs_leased=$(rcli HVALS "$K:leases:s1" | awk '{s+=$1} END{print s+0}')
fs_orders=$(rcli --scan --pattern "$K:order:*" | wc -l)
fs_buyers=$(rcli HLEN "$K:buyers:s1")
fs_verdict=PASS
[ $((fs_reserved + fs_paid)) -le "$fs_total" ] || fs_verdict=FAIL-oversell
[ "$fs_total" -eq $((fs_pool + fs_leased + fs_reserved + fs_paid)) ] || fs_verdict="$fs_verdict;FAIL-conservation"
[ "$fs_orders" -eq "$fs_reserved" ] && [ "$fs_buyers" -eq "$fs_reserved" ] || fs_verdict="$fs_verdict;orders/buyers!=reserved"
[ "${fs_ok:-0}" -le "$fs_reserved" ] || fs_verdict="$fs_verdict;FAIL-201-not-persisted"
"$BIN" top --once --redis "redis://127.0.0.1:$REDIS_PORT" --sale "$SALE" > "$RUN_DIR/top-after-burst.txt" 2>&1
cleanup_all
fi

# ---------- JWT verification cost ----------
# Steady state of a burst (a sold-out SKU: authentication, parsing and the core's decision,
# no Redis round trip), once with real HS256 tokens and once with X-User-Id. Engine CPU time
# per request (utime + stime from /proc) differs only by the JWT verification.
cpu_trusted=NA cpu_jwt=NA
if want jwt; then
log "== JWT cost: sold-out purchases, tokens vs X-User-Id ($JWT_USERS users)"
env "${SECRET_ENV[@]}" "$BIN" token --sub u --count "$JWT_USERS" --ttl 7200 > "$RUN_DIR/tokens.txt"
start_redis "$SERVER_CPU"; rcli FLUSHALL > /dev/null
jwt_run() { # setup lua extra-args...
  local setup=$1 lua=$2; shift 2
  start_engine "$ENGINE_PORT" --rate-limit-user off --rate-limit-address off "$@"
  export SALE=soldout
  put_sale "$ENGINE_PORT" soldout 0 > /dev/null
  local a b reqs
  a=$(cpu_ticks "$ENGINE_PID")
  TOKENS="$RUN_DIR/tokens.txt" USERS="$JWT_USERS" run_wrk "$setup" "$CONNS" 1 "http://127.0.0.1:$ENGINE_PORT/" "$lua"
  b=$(cpu_ticks "$ENGINE_PID")
  # requests between a and b (warm-up included), from the engine's own metrics
  reqs=$(curl -s "http://127.0.0.1:$ENGINE_PORT/metrics" | awk '/^flashsale_http_requests_total\{method="POST"/{s+=$NF} END{print s+0}')
  awk -v t=$((b - a)) -v hz="$clk_tck" -v n="$reqs" 'BEGIN{printf "%.3f", (n > 0 ? t / hz / n * 1e6 : 0)}'
  stop_pid "$ENGINE_PID"
}
cpu_trusted=$(jwt_run engine-trusted "$REPO/loadtest/wrk/engine-trusted.lua" --trust-user-header | tail -1)
cpu_jwt=$(jwt_run engine-jwt "$REPO/loadtest/wrk/engine-jwt.lua" | tail -1)
cleanup_all
fi

# ---------- summary ----------
n_rps=$(col nginx 4); n_p99=$(col nginx 6)
g_rps=$(col go-redis 4); g_p99=$(col go-redis 6)
f_rps=$(col flashsale 4); f_p99=$(col flashsale 6)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else printf "NA" }'; }
{
  echo "## Sell-out burst: $BURST_STOCK units, users from 1M ids, $CONNS connections, $DURATION, server side on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU"
  echo
  echo "| setup | req/s | p50 ms | p99 ms | 2xx/409/other | oversell check |"
  echo "|---|---:|---:|---:|---|---|"
  echo "| nginx return 200 (1 worker) | $n_rps | $(col nginx 5) | $n_p99 | | |"
  echo "| Go + Redis Lua (GOMAXPROCS=1, Redis on the same core) | $g_rps | $(col go-redis 5) | $g_p99 | ${go_ok:-NA}/${go_cf:-NA}/${go_ot:-NA} | $go_verdict (sold $go_sold, orders $go_xlen) |"
  echo "| FlashSale (--workers 1, --ack persisted, Redis on the same core) | $f_rps | $(col flashsale 5) | $f_p99 | ${fs_ok:-NA}/${fs_cf:-NA}/${fs_ot:-NA} | $fs_verdict (reserved $fs_reserved of $fs_total, orders $fs_orders, pool $fs_pool, leased $fs_leased) |"
  echo
  echo "- engine / nginx req/s: **$(ratio "$f_rps" "$n_rps")x** (target >= 1.0)"
  echo "- engine / Go peer req/s: **$(ratio "$f_rps" "$g_rps")x** (target >= 5)"
  echo "- engine p99 / nginx p99: **$(ratio "$f_p99" "$n_p99")x** (target <= 1.2)"
  echo
  echo "## JWT verification cost (sold-out purchases, $CONNS connections, $JWT_USERS distinct users)"
  echo
  echo "| auth | req/s | p99 ms | engine CPU µs/request |"
  echo "|---|---:|---:|---:|"
  echo "| X-User-Id (--trust-user-header) | $(col engine-trusted 4) | $(col engine-trusted 6) | $cpu_trusted |"
  echo "| Bearer JWT HS256 | $(col engine-jwt 4) | $(col engine-jwt 6) | $cpu_jwt |"
  echo
  echo "- JWT verification: **$(awk -v a="$cpu_jwt" -v b="$cpu_trusted" 'BEGIN{printf "%.2f", a - b}') µs** of engine CPU per request"
  echo
  echo "(cpu column of results.tsv: per-core busy %, our share, foreign CPU-seconds during the run)"
} | tee "$RUN_DIR/summary.md"
echo "raw logs: $RUN_DIR"

# Helpers for the side-by-side benchmark scripts in loadtest/ (sourced, bash).
#
# - servers: the FlashSale engine (release build) and the comparison peers of
#   loadtest/peers/ (nginx, uvhttp, seckill-go) and redis-server, each pinned to
#   $SERVER_CPU; load generators (wrk, redis-benchmark, the load driver) on $CLIENT_CPU;
# - every process started here is tracked by its PID and stopped by it (stop_started,
#   installed as the EXIT trap by lt_init); loopback addresses only;
# - a noise guard: before each measured run wait until other processes are quiet, after
#   it count the CPU they used (cpuwatch.py) and retry a disturbed run;
# - CPU time per request of the server process (utime + stime of it and its children).
#
# Knobs (environment): SERVER_CPU (0), CLIENT_CPU (1), DURATION (10s), WARMUP (2s),
# QUIET_PCT (10: % of a core others may use before a run), QUIET_MAX_WAIT (120 s),
# FOREIGN_MAX_S (0.5: CPU-seconds others may use during a run), RETRIES (3),
# FLASHSALE_BIN_DIR (use these release binaries instead of building), OUT (run directory).

LOADTEST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LOADTEST/.." && pwd)
PEERS=$LOADTEST/peers
PEERS_BUILD=${PEERS_BUILD:-$REPO/.build-peers}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
TICKS=$(getconf CLK_TCK)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=$(command -v python3)
export CPUWATCH_ROOT=$$
STARTED_PIDS=()
# Secrets the engine refuses to start without (benchmark values, loopback only).
ENGINE_ENV=(FLASHSALE_JWT_SECRET=loadtest-jwt-secret FLASHSALE_ADMIN_TOKEN=loadtest-admin
  FLASHSALE_PAYMENT_TOKEN=loadtest-pay FLASHSALE_FULFILMENT_TOKEN=loadtest-fulfil)

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# lt_init NAME: installs what the benchmarks need (only what is missing), raises the
# descriptor limit, makes RUN_DIR (OUT, or /tmp/NAME.XXXXXX) and the cleanup traps.
lt_init() {
  FLASHSALE_SETUP_LOADTEST=1 "$REPO/scripts/setup.sh" >&2 || die "scripts/setup.sh failed"
  ulimit -n "${NOFILE:-65536}" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  RUN_DIR=${OUT:-$(mktemp -d "/tmp/$1.XXXXXX")}
  mkdir -p "$RUN_DIR"
  trap stop_started EXIT
  trap 'stop_started; exit 130' INT TERM
}

# ---------- processes ----------
track() { STARTED_PIDS+=("$1"); }
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
stop_started() {
  local p
  for p in "${STARTED_PIDS[@]}"; do stop_pid "$p"; done
  STARTED_PIDS=()
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_port() { # PORT [tries of 0.1 s]
  local i
  for i in $(seq 1 "${2:-100}"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  log "port $1 did not open"; return 1
}
# (foreground only: a backgrounded function would be a subshell, and $! its PID)
on_client_cpu() { taskset -c "$CLIENT_CPU" "$@"; }

# utime + stime ticks of a process and its direct children (nginx's worker).
cpu_ticks() {
  local total=0 p f
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    f=$(cat /proc/"$p"/stat 2>/dev/null) || continue
    f=${f##*) }            # the fields after "(comm) ", starting with field 3
    set -- $f
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

# ---------- builds ----------
# release_bin PRODUCT: the path of a release binary; builds it (incrementally) unless
# FLASHSALE_BIN_DIR already holds it.
release_bin() {
  if [ -n "${FLASHSALE_BIN_DIR:-}" ] && [ -x "$FLASHSALE_BIN_DIR/$1" ]; then
    echo "$(cd "$FLASHSALE_BIN_DIR" && pwd)/$1"; return 0
  fi
  log "swift build -c release --product $1"
  (cd "$REPO" && swift build -c release --product "$1" 2>&1 | tail -n 2 >&2) || die "release build of $1 failed"
  echo "$(cd "$REPO" && swift build -c release --show-bin-path)/$1"
}

# build_peers: loadtest/peers/uvhttp and seckill-go into $PEERS_BUILD, when out of date.
build_peers() {
  mkdir -p "$PEERS_BUILD"
  if [ ! -x "$PEERS_BUILD/uvhttp" ] || [ "$PEERS/uvhttp/uvhttp.c" -nt "$PEERS_BUILD/uvhttp" ]; then
    log "cc loadtest/peers/uvhttp"
    cc -O2 -Wall -Wextra -o "$PEERS_BUILD/uvhttp" "$PEERS/uvhttp/uvhttp.c" -luv || die "uvhttp build failed"
  fi
  if [ ! -x "$PEERS_BUILD/seckill-go" ] || [ "$PEERS/seckill-go/main.go" -nt "$PEERS_BUILD/seckill-go" ]; then
    log "go build loadtest/peers/seckill-go (GOPATH /usr/share/gocode, offline)"
    (cd "$PEERS/seckill-go" && GO111MODULE=off GOFLAGS= GOPATH=/usr/share/gocode \
      GOCACHE="$PEERS_BUILD/gocache" go build -o "$PEERS_BUILD/seckill-go" .) || die "seckill-go build failed"
  fi
}

# ---------- servers (each sets its *_PORT and *_PID) ----------
start_redis() { # [CPU] -> REDIS_PORT, REDIS_PID; no persistence
  REDIS_PORT=$(pick_port "${REDIS_PORT:-16390}")
  mkdir -p "$RUN_DIR/redis"
  taskset -c "${1:-$SERVER_CPU}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
    --appendonly no --daemonize no --dir "$RUN_DIR/redis" --logfile "$RUN_DIR/redis/redis.log" \
    --maxclients 20000 &
  REDIS_PID=$!; track "$REDIS_PID"
  wait_port "$REDIS_PORT"
}
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_cpu_s() { rcli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/{s+=$2} END{printf "%.6f", s}'; }

start_nginx() { # -> NGINX_PORT, NGINX_PID (loadtest/peers/nginx.conf.in)
  NGINX_PORT=$(pick_port "${NGINX_PORT:-18181}")
  local dir="$RUN_DIR/nginx"
  mkdir -p "$dir"
  sed -e "s#@RUNDIR@#$dir#g" -e "s#@PORT@#$NGINX_PORT#g" "$PEERS/nginx.conf.in" > "$dir/nginx.conf"
  taskset -c "$SERVER_CPU" nginx -c "$dir/nginx.conf" -p "$dir" > "$dir/stdout.log" 2>&1 &
  NGINX_PID=$!; track "$NGINX_PID"
  wait_port "$NGINX_PORT"
}

start_uvhttp() { # -> UVHTTP_PORT, UVHTTP_PID
  UVHTTP_PORT=$(pick_port "${UVHTTP_PORT:-18182}")
  taskset -c "$SERVER_CPU" "$PEERS_BUILD/uvhttp" "$UVHTTP_PORT" > "$RUN_DIR/uvhttp.log" 2>&1 &
  UVHTTP_PID=$!; track "$UVHTTP_PID"
  wait_port "$UVHTTP_PORT"
}

start_seckill() { # -> SECKILL_PORT, SECKILL_PID (needs start_redis; GOMAXPROCS=1)
  SECKILL_PORT=$(pick_port "${SECKILL_PORT:-18183}")
  GOMAXPROCS=1 taskset -c "$SERVER_CPU" "$PEERS_BUILD/seckill-go" -listen "127.0.0.1:$SECKILL_PORT" \
    -redis "127.0.0.1:$REDIS_PORT" -script "$PEERS/purchase.lua" -pool "${POOL:-64}" \
    > "$RUN_DIR/seckill-go.log" 2>&1 &
  SECKILL_PID=$!; track "$SECKILL_PID"
  wait_port "$SECKILL_PORT"
}

# seckill_reset STOCK: empties Redis, stocks s1, loads purchase.lua; prints its sha.
seckill_reset() {
  rcli FLUSHALL > /dev/null
  rcli SET stock:s1 "$1" > /dev/null
  rcli SCRIPT LOAD "$(cat "$PEERS/purchase.lua")"
}
# seckill_settle: waits until the order stream stops growing (net/http finishes handlers
# of requests whose client has gone).
seckill_settle() {
  local a b i
  for i in $(seq 1 40); do
    a=$(rcli XLEN orders:s1); sleep 0.25; b=$(rcli XLEN orders:s1)
    [ "$a" = "$b" ] && return 0
  done
}

# start_engine BIN [serve flags...] -> ENGINE_PORT, ENGINE_PID; one worker on $SERVER_CPU,
# Redis from start_redis; waits for /readyz.
start_engine() {
  local bin=$1 i; shift
  ENGINE_PORT=$(pick_port "${ENGINE_PORT:-18185}")
  env "${ENGINE_ENV[@]}" taskset -c "$SERVER_CPU" "$bin" serve --host 127.0.0.1 --port "$ENGINE_PORT" \
    --redis "redis://127.0.0.1:$REDIS_PORT" --workers 1 --node-id "bench-$ENGINE_PORT" \
    --log-level warning "$@" > "$RUN_DIR/engine-$ENGINE_PORT.log" 2>&1 &
  ENGINE_PID=$!; track "$ENGINE_PID"
  wait_port "$ENGINE_PORT" || return 1
  for i in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ENGINE_PORT/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  log "engine on $ENGINE_PORT not ready (log: $RUN_DIR/engine-$ENGINE_PORT.log)"; return 1
}
# put_sale SALE STOCK: a live sale of SKU s1 (per-user limit 1) on the engine.
put_sale() {
  local now starts ends
  now=$(date -u +%s); starts=$(date -u -d "@$((now - 60))" +%FT%TZ); ends=$(date -u -d "@$((now + 3600))" +%FT%TZ)
  curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$ENGINE_PORT/v1/sales/$1" \
    -H 'Authorization: Bearer loadtest-admin' -H 'Content-Type: application/json' \
    -d "{\"starts_at\":\"$starts\",\"ends_at\":\"$ends\",\"per_user_limit\":1,\"reservation_ttl_s\":600,\"items\":[{\"sku\":\"s1\",\"stock\":$2}]}"
}

# ---------- noise guard ----------
# wait_quiet: waits (up to QUIET_MAX_WAIT s) until other processes use < QUIET_PCT % of a core.
wait_quiet() {
  local waited=0 pct
  while :; do
    pct=$("$PY" "$LOADTEST/cpuwatch.py" quiet 1)
    [ "$pct" -le "${QUIET_PCT:-10}" ] && { [ "$waited" -gt 0 ] && log "quiet after ${waited}s"; return 0; }
    if [ "$waited" -ge "${QUIET_MAX_WAIT:-120}" ]; then
      log "machine still busy (others use ${pct}% of a core) after ${waited}s; measuring anyway"; return 0
    fi
    [ "$waited" -eq 0 ] && log "machine busy (others use ${pct}% of a core); waiting up to ${QUIET_MAX_WAIT:-120}s"
    sleep 4; waited=$((waited + 5))
  done
}
# measured CMD...: runs CMD between two CPU snapshots; sets CPU_LINE (cpuwatch diff).
measured() {
  "$PY" "$LOADTEST/cpuwatch.py" snap "$RUN_DIR/.cpu-a"
  "$@"
  local rc=$?
  "$PY" "$LOADTEST/cpuwatch.py" snap "$RUN_DIR/.cpu-b"
  CPU_LINE=$("$PY" "$LOADTEST/cpuwatch.py" diff "$RUN_DIR/.cpu-a" "$RUN_DIR/.cpu-b")
  return $rc
}
disturbed() { # CPU_LINE -> true when others used more than FOREIGN_MAX_S
  awk -v f="$(sed -n 's/.*foreign_s=\([0-9.]*\).*/\1/p' <<< "$1")" -v m="${FOREIGN_MAX_S:-0.5}" 'BEGIN{exit !(f > m)}'
}

# ---------- wrk ----------
ms() { # wrk's "850.00us" / "1.23ms" / "1.20s" -> ms; NA when wrk had no sample
  awk -v v="$1" 'BEGIN{
    if (v == "" || v ~ /^0(\.0+)?(us|ms|s)$/) { printf "NA"; exit }
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /[0-9]s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else if (v ~ /[0-9]m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else printf "NA" }'
}

RESULTS_HEADER='setup\tconns\tmode\trps\tp50_ms\tp99_ms\tnon2xx\tsock_err\tcpu_us_per_req\tforeign_s\tattempt\tcpu\n'
# run_wrk NAME CONNS URL [LUA]: a warm-up (unless NO_WARMUP=1), PRE_RUN (a command, if
# set), then the measured run of DURATION between CPU snapshots, retried (RETRIES) when
# disturbed. Appends a row to $RESULTS (RESULTS_HEADER); cpu_us_per_req needs SERVER_PID.
# MODE is the Lua script's name (or plain), unless WRK_MODE names the row.
# Raw output: $RUN_DIR/wrk-NAME-cCONNS-MODE.txt.
run_wrk() {
  local name=$1 conns=$2 url=$3 lua=${4:-} args=() mode=plain out attempt t0 t1
  [ -n "$lua" ] && { args=(-s "$lua"); mode=$(basename "$lua" .lua); }
  mode=${WRK_MODE:-$mode}
  out="$RUN_DIR/wrk-$name-c$conns-$mode.txt"
  for attempt in $(seq 1 "${RETRIES:-3}"); do
    wait_quiet
    [ "${NO_WARMUP:-0}" = 1 ] || on_client_cpu wrk -t1 -c"$conns" -d"$WARMUP" --timeout "$WRK_TIMEOUT" \
      "${args[@]}" "$url" > /dev/null 2>&1
    [ -n "${PRE_RUN:-}" ] && $PRE_RUN
    t0=$([ -n "${SERVER_PID:-}" ] && cpu_ticks "$SERVER_PID" || echo 0)
    measured on_client_cpu wrk -t1 -c"$conns" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency \
      "${args[@]}" "$url" > "$out" 2>&1
    t1=$([ -n "${SERVER_PID:-}" ] && cpu_ticks "$SERVER_PID" || echo 0)
    echo "# cpu: $CPU_LINE attempt=$attempt" >> "$out"
    disturbed "$CPU_LINE" || break
    log "$name c=$conns $mode: attempt $attempt disturbed ($CPU_LINE)"
    cp "$out" "$out.disturbed$attempt"
  done
  local rps reqs p50 p99 non2xx sockerr cpu_us foreign
  rps=$(awk '/^Requests\/sec:/{print $2}' "$out"); rps=${rps:-NA}
  reqs=$(awk '/requests in/{print $1}' "$out")
  p50=$(ms "$(awk '$1=="50%"{print $2}' "$out")")
  p99=$(ms "$(awk '$1=="99%"{print $2}' "$out")")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/{gsub(",", ""); print $4 + $6 + $8 + $10}' "$out"); sockerr=${sockerr:-0}
  cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$TICKS" -v n="${reqs:-0}" -v s="${SERVER_PID:-}" \
    'BEGIN{ if (s != "" && n > 0) printf "%.3f", d / hz / n * 1e6; else printf "NA" }')
  foreign=$(sed -n 's/.*foreign_s=\([0-9.]*\).*/\1/p' <<< "$CPU_LINE")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conns" "$mode" "$rps" "$p50" "$p99" \
    "$non2xx" "$sockerr" "$cpu_us" "$foreign" "$attempt" "$CPU_LINE" >> "$RESULTS"
  log "$name c=$conns $mode: $rps req/s p50=${p50}ms p99=${p99}ms cpu/req=${cpu_us}us non2xx=$non2xx sockerr=$sockerr others=${foreign}s"
}
# burst_counts FILE: "ok conflict other" from burst.lua's last line.
burst_counts() { sed -n 's/^BURST_COUNTS ok=\([0-9]*\) conflict=\([0-9]*\) other=\([0-9]*\)/\1 \2 \3/p' "$1"; }
# result NAME CONNS MODE COLUMN: one field of $RESULTS (NA when the run is missing).
result() {
  awk -F'\t' -v s="$1" -v c="$2" -v m="$3" -v k="$4" \
    'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) col = i; next }
     $1 == s && $2 == c && $3 == m { v = $col } END { print (v == "" ? "NA" : v) }' "$RESULTS"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "NA" }'; }

# ---------- redis-benchmark ----------
# evalsha_bench PIPELINE CALLS OUTFILE: redis-benchmark (50 clients) of purchase.lua with a
# random user per call, on a fresh Redis. Sets RB_RPS (calls/s), RB_REDIS_US (Redis CPU µs
# per call, from INFO cpu) and CPU_LINE.
evalsha_bench() {
  local sha c0 c1 line
  sha=$(seckill_reset 100000000)
  c0=$(redis_cpu_s)
  measured on_client_cpu redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c 50 -P "$1" -n "$2" \
    -r 1000000000 --csv EVALSHA "$sha" 3 stock:s1 buyers:s1 orders:s1 u__rand_int__ 1 s1 > "$3" 2>&1
  c1=$(redis_cpu_s)
  echo "# cpu: $CPU_LINE" >> "$3"
  RB_REDIS_US=$(awk -v a="$c0" -v b="$c1" -v n="$2" 'BEGIN{printf "%.2f", (b - a) / n * 1e6}')
  # csv: "test","rps",...
  RB_RPS=$(grep -v '^"test"' "$3" | grep -m1 '^"' | tr -d '"' | cut -d, -f2)
  RB_RPS=${RB_RPS:-NA}
}

#!/usr/bin/env bash
# wrk against `flashsale serve --workers 1` (GET /healthz) and nginx (one
# worker, `return 200`) in one run: server pinned to CPU $SERVER_CPU, wrk to
# CPU $CLIENT_CPU, at 64 and 1000 connections and with 16-deep pipelining.
# Prints req/s, p99, server CPU time per request (utime+stime from
# /proc/<pid>/stat, nginx master + worker) and the flashsale/nginx ratios.
#
# Usage: loadtest/http-vs-nginx.sh            (after swift build -c release --product flashsale)
# Knobs: BIN (.build/release/flashsale), DURATION (10s), WARMUP (2s), CONNS ("64 1000"),
#        PIPE_CONNS ("64 1000"), SERVER_CPU (0), CLIENT_CPU (1), OUT (a temp dir),
#        QUIET_PCT (10) / QUIET_MAX_WAIT (120 s): wait for a quiet machine before each run.
# Every process started here is stopped by its PID. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${BIN:-$ROOT/.build/release/flashsale}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-"64 1000"}
PIPE_CONNS=${PIPE_CONNS:-"64 1000"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUT=${OUT:-$(mktemp -d /tmp/http-vs-nginx.XXXXXX)}
mkdir -p "$OUT"
PIPE_LUA=$ROOT/loadtest/wrk/pipeline16.lua
TICKS=$(getconf CLK_TCK)
PIDS=()

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
for tool in wrk nginx taskset; do
  command -v "$tool" > /dev/null || { echo "missing $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "no $BIN: swift build -c release --product flashsale" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() { local p; for p in "${PIDS[@]}"; do stop_pid "$p"; done; }
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_port() {
  local i
  for i in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "port $1 did not open" >&2; return 1
}

# utime+stime ticks of a process and its direct children (nginx workers).
cpu_ticks() {
  local pid=$1 total=0 p f
  for p in "$pid" $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    f=$(cat /proc/"$p"/stat 2>/dev/null) || continue
    f=${f##*) }   # fields after "(comm) "; utime and stime are fields 14 and 15 overall
    set -- $f
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
# Busy ticks of the whole machine (all CPUs), to show what else ran.
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# CPU seconds used by finished children of this shell (wrk), from `times`.
children_cpu() { times | tail -n 1 | awk '{ s=0; for (i=1;i<=2;i++) { split($i,a,/m|s/); s+=a[1]*60+a[2] } printf "%.2f", s }'; }

# Waits (up to QUIET_MAX_WAIT s) until other processes use < QUIET_PCT % of one core:
# other sessions' builds on this 2-core box otherwise dominate the figures.
wait_quiet() {
  local waited=0 b0 b1 c0 c1 pct
  while :; do
    b0=$(machine_busy); c0=$(( $(cpu_ticks "$FS_PID") + $(cpu_ticks "$NG_PID") )); sleep 1
    b1=$(machine_busy); c1=$(( $(cpu_ticks "$FS_PID") + $(cpu_ticks "$NG_PID") ))
    pct=$(( (b1 - b0 - (c1 - c0)) * 100 / TICKS ))
    [ "$pct" -le "${QUIET_PCT:-10}" ] && return 0
    if [ "$waited" -ge "${QUIET_MAX_WAIT:-120}" ]; then log "machine still busy (others ${pct}% of a core); measuring anyway"; return 0; fi
    [ "$waited" -eq 0 ] && log "machine busy (others ${pct}% of a core); waiting up to ${QUIET_MAX_WAIT:-120}s"
    sleep 4; waited=$((waited + 5))
  done
}

RESULTS=$OUT/results.tsv
: > "$RESULTS"

# run_wrk NAME PID URL CONNS [LUA]
run_wrk() {
  local name=$1 pid=$2 url=$3 conns=$4 lua=${5:-} args=() out c0 c1 b0 b1 w0 w1
  [ -n "$lua" ] && args=(-s "$lua")
  out=$OUT/wrk-$name-c$conns${lua:+-pipe16}.txt
  wait_quiet
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"$WARMUP" --timeout 10s "${args[@]}" "$url" > /dev/null 2>&1 || true
  c0=$(cpu_ticks "$pid"); b0=$(machine_busy); w0=$(children_cpu)
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"$DURATION" --timeout 10s --latency "${args[@]}" "$url" > "$out" 2>&1
  c1=$(cpu_ticks "$pid"); b1=$(machine_busy); w1=$(children_cpu)
  local rps reqs p99 errs server_s other_s cpu_us
  rps=$(awk '/^Requests\/sec:/{print $2}' "$out")
  reqs=$(awk '/requests in/{print $1}' "$out")
  p99=$(awk '$1=="99%"{print $2}' "$out"); p99=${p99:-NA}
  errs=$(awk '/Non-2xx|Socket errors/{printf "%s ", $0}' "$out")
  server_s=$(awk -v d=$((c1 - c0)) -v t="$TICKS" 'BEGIN{printf "%.2f", d/t}')
  other_s=$(awk -v b=$((b1 - b0)) -v t="$TICKS" -v s="$server_s" -v w0="$w0" -v w1="$w1" \
    'BEGIN{o=b/t-s-(w1-w0); if (o<0) o=0; printf "%.2f", o}')
  cpu_us=$(awk -v d=$((c1 - c0)) -v t="$TICKS" -v n="${reqs:-0}" 'BEGIN{ if (n>0) printf "%.3f", d/t/n*1e6; else print "NA"}')
  [ "$p99" = "0.00us" ] && p99=NA   # wrk's histogram is broken with pipelining
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conns" "${lua:+pipe16}" "${rps:-NA}" "$p99" "$cpu_us" "$other_s" "$errs" >> "$RESULTS"
  log "$name c=$conns ${lua:+pipe16}: ${rps:-NA} req/s p99=$p99 cpu/req=${cpu_us}us (server ${server_s}s, others ${other_s}s) $errs"
}

# --- flashsale ---
# The engine needs its secrets and a Redis (/healthz reports Redis health); a private,
# idle redis-server shares the server's CPU. Rate limits are off: every wrk connection
# comes from 127.0.0.1.
RD_PORT=$(pick_port 18470)
taskset -c "$SERVER_CPU" redis-server --port "$RD_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no > "$OUT/redis.log" 2>&1 &
RD_PID=$!; PIDS+=("$RD_PID")
wait_port "$RD_PORT"
FS_PORT=$(pick_port 18480)
FLASHSALE_JWT_SECRET=bench-jwt FLASHSALE_ADMIN_TOKEN=bench-admin FLASHSALE_PAYMENT_TOKEN=bench-pay \
  taskset -c "$SERVER_CPU" "$BIN" serve --host 127.0.0.1 --port "$FS_PORT" --workers 1 \
  --redis "redis://127.0.0.1:$RD_PORT" --rate-limit-address off --rate-limit-user off > "$OUT/flashsale.log" 2>&1 &
FS_PID=$!; PIDS+=("$FS_PID")
wait_port "$FS_PORT"
# --- nginx (as ../shared/anchors/nginx/nginx.conf.in) ---
NG_PORT=$(pick_port $((FS_PORT + 1)))
mkdir -p "$OUT/nginx"
cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process on;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 8192; use epoll; multi_accept on; }
http {
    access_log off;
    client_body_temp_path $OUT/nginx/client_body;
    proxy_temp_path $OUT/nginx/proxy;
    fastcgi_temp_path $OUT/nginx/fastcgi;
    uwsgi_temp_path $OUT/nginx/uwsgi;
    scgi_temp_path $OUT/nginx/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 65s;
    tcp_nodelay on;
    server {
        listen 127.0.0.1:$NG_PORT backlog=4096;
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
}
CONF
taskset -c "$SERVER_CPU" nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" > "$OUT/nginx/stdout.log" 2>&1 &
NG_PID=$!; PIDS+=("$NG_PID")
wait_port "$NG_PORT"
sleep 0.5

log "flashsale pid $FS_PID port $FS_PORT, nginx pid $NG_PID port $NG_PORT; server CPU $SERVER_CPU, wrk CPU $CLIENT_CPU; $DURATION per run; raw output in $OUT"
for c in $CONNS; do
  run_wrk nginx "$NG_PID" "http://127.0.0.1:$NG_PORT/healthz" "$c"
  run_wrk flashsale "$FS_PID" "http://127.0.0.1:$FS_PORT/healthz" "$c"
done
for c in $PIPE_CONNS; do
  run_wrk nginx "$NG_PID" "http://127.0.0.1:$NG_PORT/healthz" "$c" "$PIPE_LUA"
  run_wrk flashsale "$FS_PID" "http://127.0.0.1:$FS_PORT/healthz" "$c" "$PIPE_LUA"
done

echo
printf '%-10s %6s %7s %12s %10s %14s %10s\n' server conns mode req/s p99 cpu_us/req others_s
awk -F'\t' '{ printf "%-10s %6s %7s %12s %10s %14s %10s\n", $1, $2, ($3==""?"plain":$3), $4, $5, $6, $7 }' "$RESULTS"
echo
echo "others_s: CPU-seconds other processes used during the run (> ~0.5 means the figures are disturbed)"
echo "ratios flashsale/nginx (targets: req/s >= 1.0 and cpu/req <= 1.0 plain; req/s >= 5.0 pipelined)"
awk -F'\t' '{ k=$2"\t"($3==""?"plain":$3); if ($1=="nginx") { nr[k]=$4; nc[k]=$6 } else { fr[k]=$4; fc[k]=$6; keys[k]=1 } }
  END { for (k in keys) { split(k, a, "\t");
    printf "  c=%-5s %-7s req/s x%.2f   cpu/req x%.2f\n", a[1], a[2], (nr[k]>0?fr[k]/nr[k]:0), (nc[k]>0?fc[k]/nc[k]:0) } }' "$RESULTS" | sort

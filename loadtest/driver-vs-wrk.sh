#!/usr/bin/env bash
# The load driver's own speed against wrk's, in one run, on the same machine:
# nginx `return 200` with one worker pinned to CPU 0; wrk (-t1) and
# `flashsale-loadtest http-bench` take turns on CPU 1, same connections, same duration.
#
#   loadtest/driver-vs-wrk.sh                      # 64 and 1000 connections, 2 rounds, 10 s each
#   CONNS="1000" REPS=3 DURATION=15 loadtest/driver-vs-wrk.sh
# Needs nginx (nginx-light), wrk and taskset (scripts/setup.sh with FLASHSALE_SETUP_LOADTEST=1).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-"64 1000"}
REPS=${REPS:-2}
DURATION=${DURATION:-10}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
BIN=${BIN:-}

FLASHSALE_SETUP_LOADTEST=1 scripts/setup.sh
if [ -z "$BIN" ]; then
  swift build -c release --product flashsale-loadtest 2>&1 | tail -n 1
  BIN="$(swift build -c release --show-bin-path)/flashsale-loadtest"
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

RUN=$(mktemp -d /tmp/driver-vs-wrk.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$RUN/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
master_process on;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 8192; use epoll; multi_accept on; }
http {
    access_log off;
    client_body_temp_path $RUN/cb; proxy_temp_path $RUN/px; fastcgi_temp_path $RUN/fc;
    uwsgi_temp_path $RUN/uw; scgi_temp_path $RUN/sc;
    keepalive_requests 100000000;
    keepalive_timeout 65s;
    tcp_nodelay on;
    server {
        listen 127.0.0.1:$PORT backlog=4096;
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
}
NGINX
taskset -c "$SERVER_CPU" nginx -c "$RUN/nginx.conf" -p "$RUN" > "$RUN/nginx.out" 2>&1 &
NGINX_PID=$!
trap 'kill -TERM $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null; rm -rf "$RUN"' EXIT
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/"

printf '%-8s %-6s %-4s %12s %10s %10s\n' tool conns rep 'req/s' 'p50 ms' 'p99 ms' | tee "$RUN/table.txt"
ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); printf "%.3f", v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); printf "%.3f", v} else if (v ~ /s$/) {sub(/s$/,"",v); printf "%.3f", v*1000} else printf "NA" }'; }
declare -A SUM
for c in $CONNS; do
  # Warm both up once (connections, page cache, CPU frequency).
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$c" -d2s "$URL" > /dev/null 2>&1 || true
  for r in $(seq 1 "$REPS"); do
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$c" -d"${DURATION}s" --latency "$URL")
    rps=$(awk '/^Requests\/sec:/{print $2}' <<< "$out")
    p50=$(ms "$(awk '$1=="50%"{print $2}' <<< "$out")"); p99=$(ms "$(awk '$1=="99%"{print $2}' <<< "$out")")
    printf '%-8s %-6s %-4s %12.0f %10s %10s\n' wrk "$c" "$r" "$rps" "$p50" "$p99" | tee -a "$RUN/table.txt"
    SUM[wrk-$c]=$(awk -v a="${SUM[wrk-$c]:-0}" -v b="$rps" 'BEGIN{print a+b}')
    out=$(taskset -c "$CLIENT_CPU" "$BIN" http-bench "$URL" -c "$c" -d "$DURATION")
    rps=$(awk '/Requests\/sec:/{print $2}' <<< "$out")
    p50=$(awk '/latency/{print $3}' <<< "$out"); p99=$(awk '/latency/{print $6}' <<< "$out")
    printf '%-8s %-6s %-4s %12.0f %10s %10s\n' driver "$c" "$r" "$rps" "$p50" "$p99" | tee -a "$RUN/table.txt"
    SUM[driver-$c]=$(awk -v a="${SUM[driver-$c]:-0}" -v b="$rps" 'BEGIN{print a+b}')
  done
done
echo
for c in $CONNS; do
  awk -v w="${SUM[wrk-$c]}" -v d="${SUM[driver-$c]}" -v n="$REPS" -v c="$c" \
    'BEGIN{printf "%5s conns: wrk %.0f req/s, driver %.0f req/s (mean of %d), driver/wrk = %.2f\n", c, w/n, d/n, n, d/w}'
done

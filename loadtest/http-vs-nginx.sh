#!/usr/bin/env bash
# The HTTP layer against its ceilings, one run: wrk against `flashsale serve --workers 1`
# (GET /healthz), nginx (one worker, `return 200`, loadtest/peers/nginx.conf.in) and
# uvhttp (loadtest/peers/uvhttp: the smallest libuv server, fixed 200), each pinned to
# CPU $SERVER_CPU, wrk to CPU $CLIENT_CPU, at 64 and 1000 connections and with 16-deep
# pipelining (loadtest/wrk/pipeline16.lua). Prints req/s, p99, server CPU time per request
# (utime + stime from /proc, nginx master + worker) and the flashsale/peer ratios.
#
#   loadtest/http-vs-nginx.sh
#   DURATION=5s CONNS=64 PIPE_CONNS=64 loadtest/http-vs-nginx.sh
#   PEER_SERVERS=nginx loadtest/http-vs-nginx.sh          # leave uvhttp out
#
# Knobs: CONNS ("64 1000"), PIPE_CONNS ("64 1000"), PEER_SERVERS ("nginx uvhttp"), and those
# of loadtest/lib.sh (DURATION, WARMUP, SERVER_CPU, CLIENT_CPU, FLASHSALE_BIN_DIR, OUT, ...).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
CONNS=${CONNS:-"64 1000"}
PIPE_CONNS=${PIPE_CONNS:-"64 1000"}
PEER_SERVERS=${PEER_SERVERS:-"nginx uvhttp"}
PIPE_LUA=$LOADTEST/wrk/pipeline16.lua

lt_init http-vs-nginx
BIN=$(release_bin flashsale) || exit 1
build_peers
RESULTS=$RUN_DIR/results.tsv
printf "$RESULTS_HEADER" > "$RESULTS"

# The engine needs its secrets and a Redis (start_engine waits for /readyz): a private, idle
# redis-server shares the server's CPU. Rate limits are off: every wrk connection comes
# from 127.0.0.1.
start_redis
start_engine "$BIN" --rate-limit-address off --rate-limit-user off || die "engine did not start"
declare -A PID_OF=([flashsale]=$ENGINE_PID) PORT_OF=([flashsale]=$ENGINE_PORT)
for s in $PEER_SERVERS; do
  case $s in
    nginx) start_nginx; PID_OF[nginx]=$NGINX_PID; PORT_OF[nginx]=$NGINX_PORT ;;
    uvhttp) start_uvhttp; PID_OF[uvhttp]=$UVHTTP_PID; PORT_OF[uvhttp]=$UVHTTP_PORT ;;
    *) die "unknown peer server $s (nginx, uvhttp)" ;;
  esac
done
sleep 0.5
SERVERS="$PEER_SERVERS flashsale"
log "servers on CPU $SERVER_CPU: $(for s in $SERVERS; do printf '%s pid %s port %s; ' "$s" "${PID_OF[$s]}" "${PORT_OF[$s]}"; done)wrk on CPU $CLIENT_CPU; $DURATION per run; raw output in $RUN_DIR"

measure() { # CONNS [LUA]
  local s
  for s in $SERVERS; do
    SERVER_PID=${PID_OF[$s]} run_wrk "$s" "$1" "http://127.0.0.1:${PORT_OF[$s]}/healthz" "${2:-}"
  done
}
for c in $CONNS; do measure "$c"; done
for c in $PIPE_CONNS; do measure "$c" "$PIPE_LUA"; done

echo
printf '%-10s %6s %11s %12s %10s %12s %10s\n' server conns mode req/s p99_ms cpu_us/req others_s
awk -F'\t' 'NR > 1 { printf "%-10s %6s %11s %12s %10s %12s %10s\n", $1, $2, $3, $4, $6, $9, $10 }' "$RESULTS"
echo
echo "others_s: CPU-seconds other processes used during the run (a run above FOREIGN_MAX_S=${FOREIGN_MAX_S:-0.5} is retried)"
echo "ratios flashsale/peer (targets against nginx: req/s >= 1.0 and cpu/req <= 1.0 plain; req/s >= 5.0 pipelined)"
for p in $PEER_SERVERS; do
  for c in $CONNS; do
    printf '  vs %-7s c=%-5s plain       req/s x%s   cpu/req x%s\n' "$p" "$c" \
      "$(ratio "$(result flashsale "$c" plain rps)" "$(result "$p" "$c" plain rps)")" \
      "$(ratio "$(result flashsale "$c" plain cpu_us_per_req)" "$(result "$p" "$c" plain cpu_us_per_req)")"
  done
  for c in $PIPE_CONNS; do
    printf '  vs %-7s c=%-5s pipeline16  req/s x%s   cpu/req x%s\n' "$p" "$c" \
      "$(ratio "$(result flashsale "$c" pipeline16 rps)" "$(result "$p" "$c" pipeline16 rps)")" \
      "$(ratio "$(result flashsale "$c" pipeline16 cpu_us_per_req)" "$(result "$p" "$c" pipeline16 cpu_us_per_req)")"
  done
done

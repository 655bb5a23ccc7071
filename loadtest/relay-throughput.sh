#!/usr/bin/env bash
# Relay throughput: `flashsale relay` (release build) pinned to CPU $SERVER_CPU delivers
# EVENTS pre-written `paid` events of one sale, each signed (HMAC-SHA256, one secret),
# to nginx answering at once (loadtest/peers/nginx.conf.in: one worker, `return 200`,
# keep-alive) on CPU $CLIENT_CPU, with redis-server there too. Prints deliveries/s between
# the first and the last delivery (from the relay's own counter, sampled every 0.2 s),
# the relay's CPU time per delivery, and checks every event was acknowledged.
#
#   loadtest/relay-throughput.sh
#   EVENTS=500000 CONCURRENCY=64 loadtest/relay-throughput.sh
#
# Knobs: EVENTS (300000), CONCURRENCY (64 connections), READ_COUNT (100), MAX_PENDING
# (20000), ENDPOINTS (1; each gets every event), and those of loadtest/lib.sh
# (SERVER_CPU, CLIENT_CPU, FLASHSALE_BIN_DIR, OUT).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
EVENTS=${EVENTS:-300000}
CONCURRENCY=${CONCURRENCY:-64}
READ_COUNT=${READ_COUNT:-100}
MAX_PENDING=${MAX_PENDING:-20000}
ENDPOINTS=${ENDPOINTS:-1}

lt_init relay-throughput
BIN=$(release_bin flashsale) || exit 1
start_redis "$CLIENT_CPU"
SERVER_CPU_SAVED=$SERVER_CPU; SERVER_CPU=$CLIENT_CPU start_nginx; SERVER_CPU=$SERVER_CPU_SAVED

# The events, written by one script run per 50 000 (the v1 layout of a `paid` entry).
rcli SADD fs:sales bench > /dev/null
written=0
while [ "$written" -lt "$EVENTS" ]; do
  n=$((EVENTS - written)); [ "$n" -gt 50000 ] && n=50000
  rcli EVAL "for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', 'type', 'paid', 'order', 'O' .. (ARGV[2] + i), 'sku', 'tee', 'user', 'u' .. i, 'qty', '1', 'at', '1764590400000') end return 1" \
    1 'fs:{bench}:events' "$n" "$written" > /dev/null || die "writing events failed"
  written=$((written + n))
done
log "$EVENTS events in fs:{bench}:events"

SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
METRICS_PORT=$(pick_port 19464)
endpoints=""
for i in $(seq 1 "$ENDPOINTS"); do
  [ -n "$endpoints" ] && endpoints+=","
  endpoints+="{\"name\":\"sink$i\",\"url\":\"http://127.0.0.1:$NGINX_PORT/hook\",\"secrets\":[\"$SECRET\"],\"concurrency\":$CONCURRENCY}"
done
cat > "$RUN_DIR/relay.json" <<JSON
{"endpoints":[$endpoints],"read_count":$READ_COUNT,"max_pending_events":$MAX_PENDING,"poll_ms":10,
 "metrics_port":$METRICS_PORT,"retry_schedule_ms":[1000]}
JSON

delivered() { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '/^flashsale_relay_deliveries_total\{.*outcome="delivered"\}/ {s += $2} END {printf "%d", s}'; }
taskset -c "$SERVER_CPU" "$BIN" relay --redis "redis://127.0.0.1:$REDIS_PORT" --config "$RUN_DIR/relay.json" \
  --consumer bench --log-level warning > "$RUN_DIR/relay.log" 2>&1 &
RELAY_PID=$!; track "$RELAY_PID"
wait_port "$METRICS_PORT" || die "relay did not start: $(cat "$RUN_DIR/relay.log")"

want=$((EVENTS * ENDPOINTS))
first_t=""; first_n=0; last_t=""; n=0
cpu_before=""
deadline=$(( $(date +%s) + 600 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  n=$(delivered); t=$(date +%s.%N)
  if [ -z "$first_t" ] && [ "$n" -gt 0 ]; then first_t=$t; first_n=$n; cpu_before=$(cpu_ticks "$RELAY_PID"); fi
  [ "$n" -ge "$want" ] && { last_t=$t; break; }
  sleep 0.2
done
cpu_after=$(cpu_ticks "$RELAY_PID")
[ -n "$last_t" ] || die "only $n of $want delivered in time (log: $RUN_DIR/relay.log)"
sleep 0.5
pending=$(rcli XPENDING 'fs:{bench}:events' fs-relay | head -1)
rate=$(awk -v n="$((n - first_n))" -v a="$first_t" -v b="$last_t" 'BEGIN { printf "%.0f", n / (b - a) }')
cpu_us=$(awk -v c="$((cpu_after - cpu_before))" -v t="$TICKS" -v n="$((n - first_n))" 'BEGIN { printf "%.1f", c / t * 1e6 / n }')
echo
echo "relay on CPU $SERVER_CPU, nginx + redis on CPU $CLIENT_CPU; $ENDPOINTS endpoint(s), $CONCURRENCY connections each"
printf '%-12s %12s %14s %10s\n' deliveries deliveries/s relay_cpu_us/d pending
printf '%-12s %12s %14s %10s\n' "$((n - first_n))" "$rate" "$cpu_us" "$pending"
echo "target: >= 20000 deliveries/s on one core, every entry acknowledged (pending 0)"

#!/usr/bin/env bash
# Scale-out burst, side by side in one run (docs/scaling.md):
#   single  one engine node on one standalone redis-server, wrk straight at it
#           (the sellout-burst.sh engine setup, unpinned here like the others);
#   hot     3 engine nodes on a Redis Cluster of 3 masters + 3 replicas behind HAProxy
#           (deploy/haproxy/haproxy.cfg, send-proxy-v2), one sale: every order lands on
#           the one master that owns the sale's slot;
#   spread  the same deployment, three sales whose slots live on the three masters,
#           one wrk per sale at the same time.
# All of it on one machine: engines, Redis nodes, HAProxy and wrk share its cores (nproc
# is in the summary); the figures say what the pieces do together on that machine, not
# what N machines would. Each sale is checked afterwards by the oracle
# (flashsale-loadtest verify, which finds each sale's master itself).
#
#   loadtest/scaleout-burst.sh                     # DURATION=10s
#   FLASHSALE_BIN_DIR=.build/release loadtest/scaleout-burst.sh
#
# Knobs: BURST_STOCK (10000 per sale), CONNS (600 in total), WORKERS (1 per node),
# ACK (persisted), APPENDFSYNC (everysec; the tests use always), and loadtest/lib.sh's.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
BURST_STOCK=${BURST_STOCK:-10000}
CONNS=${CONNS:-600}
WORKERS=${WORKERS:-1}
ACK=${ACK:-persisted}
APPENDFSYNC=${APPENDFSYNC:-everysec}
BURST_LUA=$LOADTEST/wrk/burst.lua

lt_init flashsale-scaleout
BIN=$(release_bin flashsale) || exit 1
DRIVER=$(release_bin flashsale-loadtest) || exit 1
command -v haproxy > /dev/null || die "haproxy missing (scripts/setup.sh installs it)"
RESULTS="$RUN_DIR/results.tsv"
printf "setup\tsale\trps\tp99_ms\tok\tconflict\tother\tverdict\n" > "$RESULTS"
{
  echo "date_utc: $(date -u +%FT%TZ)  nproc: $(nproc)  kernel: $(uname -sr)"
  echo "engine: $BIN ($("$BIN" --version 2>/dev/null || echo dev))"
  echo "settings: DURATION=$DURATION conns=$CONNS stock=$BURST_STOCK workers/node=$WORKERS ack=$ACK appendfsync=$APPENDFSYNC"
  echo "load before start: $(cat /proc/loadavg)"
} > "$RUN_DIR/env.txt"

# ---------- pieces ----------
start_cluster() { # -> CLUSTER_PORTS (6: masters first), CLUSTER_SEEDS
  local p i ports=() base=${CLUSTER_BASE:-17100}
  for i in 0 1 2 3 4 5; do
    p=$(pick_port "$base"); base=$((p + 1))
    # The cluster bus listens on port + 10000: it must be free too.
    while ! port_free $((p + 10000)); do p=$(pick_port $((p + 1))); done
    base=$((p + 1))
    mkdir -p "$RUN_DIR/cluster/$p"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 3000 --appendonly yes --appendfsync "$APPENDFSYNC" --save '' \
      --dir "$RUN_DIR/cluster/$p" --logfile "$RUN_DIR/cluster/$p/redis.log" --maxclients 20000 &
    track $!; ports+=("$p")
  done
  for p in "${ports[@]}"; do wait_port "$p" || die "cluster node $p did not start"; done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes \
    > "$RUN_DIR/cluster/create.log" 2>&1 || die "cluster create failed (see $RUN_DIR/cluster/create.log)"
  for i in $(seq 1 100); do
    local ok=0
    for p in "${ports[@]}"; do redis-cli -p "$p" CLUSTER INFO | grep -q 'cluster_state:ok' && ok=$((ok + 1)); done
    [ "$ok" = 6 ] && break
    sleep 0.1
  done
  CLUSTER_PORTS=("${ports[@]}")
  CLUSTER_SEEDS=$(printf 'redis://127.0.0.1:%s,' "${ports[@]:0:3}"); CLUSTER_SEEDS=${CLUSTER_SEEDS%,}
}
# master_of SALE: the port of the master that owns the sale's slot.
master_of() {
  local slot p
  slot=$(redis-cli -p "${CLUSTER_PORTS[0]}" CLUSTER KEYSLOT "fs:{$1}:sale")
  redis-cli -p "${CLUSTER_PORTS[0]}" CLUSTER SLOTS | tr -d '\r' | awk -v s="$slot" '
    NR % 1 == 0 { a[n++] = $0 }
    END { for (i = 0; i + 3 < n; i++) if (a[i] ~ /^[0-9]+$/ && a[i+1] ~ /^[0-9]+$/ && a[i] + 0 <= s && s <= a[i+1] + 0 && a[i+2] == "127.0.0.1") { print a[i+3]; exit } }'
}
# sale_on PORT PREFIX: a sale id whose slot the master on PORT owns.
sale_on() {
  local i
  for i in $(seq 1 500); do [ "$(master_of "$2$i")" = "$1" ] && { echo "$2$i"; return 0; }; done
  die "no sale id found for master $1"
}
start_nodes() { # -> NODE_PORTS, NODE_PIDS (3 nodes on the cluster, PROXY protocol from HAProxy)
  local i port
  NODE_PORTS=(); NODE_PIDS=()
  for i in 1 2 3; do
    port=$(pick_port $((18300 + i * 7)))
    env "${ENGINE_ENV[@]}" "$BIN" serve --host 127.0.0.1 --port "$port" --redis "$CLUSTER_SEEDS" \
      --workers "$WORKERS" --node-id "scale-$i" --trust-user-header --ack "$ACK" \
      --proxy-protocol --trusted-proxy 127.0.0.1/32 --log-level warning > "$RUN_DIR/node-$i.log" 2>&1 &
    track $!; NODE_PIDS+=($!); NODE_PORTS+=("$port")
  done
  for port in "${NODE_PORTS[@]}"; do wait_port "$port" || die "node $port did not start"; done
}
start_haproxy() { # -> HAPROXY_PORT (the shipped config, rendered)
  HAPROXY_PORT=$(pick_port 18380)
  sed -e "s#@LISTEN@#127.0.0.1:$HAPROXY_PORT#" -e "s#@NODE1@#127.0.0.1:${NODE_PORTS[0]}#" \
    -e "s#@NODE2@#127.0.0.1:${NODE_PORTS[1]}#" -e "s#@NODE3@#127.0.0.1:${NODE_PORTS[2]}#" \
    "$REPO/deploy/haproxy/haproxy.cfg" > "$RUN_DIR/haproxy.cfg"
  haproxy -db -f "$RUN_DIR/haproxy.cfg" > "$RUN_DIR/haproxy.log" 2>&1 &
  track $!
  wait_port "$HAPROXY_PORT" || die "haproxy did not start"
  local i
  for i in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HAPROXY_PORT/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  die "no node ready behind haproxy"
}
# burst NAME SALE CONNS URL: one wrk run on SALE (after a short warm-up on another sale).
burst() {
  SALE=$2 wrk -t1 -c"$3" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency -s "$BURST_LUA" "$4" \
    > "$RUN_DIR/wrk-$1-$2.txt" 2>&1
}
record() { # SETUP SALE REDIS_URL
  local f="$RUN_DIR/wrk-$1-$2.txt" rps p99 ok cf ot verdict
  rps=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$f")
  p99=$(ms "$(awk '$1 == "99%" {print $2}' "$f")")
  read -r ok cf ot < <(burst_counts "$f")
  "$DRIVER" verify --sale "$2" --redis "$3" > "$RUN_DIR/verify-$1-$2.txt" 2>&1
  verdict=$(awk '/VERDICT/{print $2}' "$RUN_DIR/verify-$1-$2.txt"); verdict=${verdict:-FAIL}
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$1" "$2" "${rps:-NA}" "${p99:-NA}" "${ok:-NA}" "${cf:-NA}" "${ot:-NA}" "$verdict" >> "$RESULTS"
}

# ---------- single node, standalone Redis ----------
log "== single: one node (--workers $WORKERS) on one standalone redis-server"
start_redis 0-$(($(nproc) - 1))
ENGINE_PORT=$(pick_port 18290)
env "${ENGINE_ENV[@]}" "$BIN" serve --host 127.0.0.1 --port "$ENGINE_PORT" --redis "redis://127.0.0.1:$REDIS_PORT" \
  --workers "$WORKERS" --node-id single --trust-user-header --ack "$ACK" --log-level warning > "$RUN_DIR/single.log" 2>&1 &
track $!
wait_port "$ENGINE_PORT" || die "single node did not start"
sleep 0.5
put_sale single "$BURST_STOCK" > /dev/null
burst single single "$CONNS" "http://127.0.0.1:$ENGINE_PORT/"
record single single "redis://127.0.0.1:$REDIS_PORT"
stop_started

# ---------- 3 nodes, 3 masters, HAProxy ----------
log "== cluster: 3 masters + 3 replicas, 3 nodes, HAProxy"
start_cluster
start_nodes
start_haproxy
ENGINE_PORT=$HAPROXY_PORT   # put_sale goes through the balancer
SPREAD=()
for i in 0 1 2; do SPREAD+=("$(sale_on "${CLUSTER_PORTS[$i]}" "m$i-")"); done
HOT=${SPREAD[0]}hot
for sale in "$HOT" "${SPREAD[@]}"; do
  [ "$(put_sale "$sale" "$BURST_STOCK")" = 201 ] || die "PUT $sale through haproxy failed"
done
sleep 2.5   # every node learns of the sales (sale sync every 2 s)
log "== hot: one sale ($HOT, master $(master_of "$HOT")), $CONNS connections"
burst hot "$HOT" "$CONNS" "http://127.0.0.1:$HAPROXY_PORT/"
record hot "$HOT" "$CLUSTER_SEEDS"
log "== spread: ${SPREAD[*]} on three masters, $((CONNS / 3)) connections each"
for sale in "${SPREAD[@]}"; do burst spread "$sale" $((CONNS / 3)) "http://127.0.0.1:$HAPROXY_PORT/" & done
wait $(jobs -p | tail -n 3) 2>/dev/null
for sale in "${SPREAD[@]}"; do record spread "$sale" "$CLUSTER_SEEDS"; done
stop_started

# ---------- summary ----------
{
  echo "## Scale-out burst on one $(nproc)-core machine: $BURST_STOCK units per sale, $CONNS connections, $DURATION, --ack $ACK"
  echo
  echo "| setup | sale | req/s | p99 ms | 201 / 409 / other | oracle |"
  echo "|---|---|---:|---:|---|---|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s / %s / %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$RESULTS"
  awk -F'\t' 'NR > 1 && $1 == "spread" { s += $3 } NR > 1 && $1 == "single" { b = $3 } NR > 1 && $1 == "hot" { h = $3 }
    END { if (b > 0) printf "\n- hot / single req/s: **%.2fx**; spread (sum of three) / single: **%.2fx**\n", h / b, s / b }' "$RESULTS"
  echo
  echo "Everything (6 Redis nodes, 3 engines, HAProxy, wrk) shares this machine's cores: on one"
  echo "2-core machine more processes cannot add CPU; the run shows the deployment works under load"
  echo "and what the balancer and the cluster cost, not how it scales across machines."
} | tee "$RUN_DIR/summary.md"
echo "raw logs: $RUN_DIR"

#!/usr/bin/env bash
# Redis CPU and memory per persisted order under real HTTP load, next to the canonical
# one-script-per-purchase design on the same redis-server in the same run (issue 12's
# measure, to be taken before and after any change of the flush):
#   - the engine (--workers 1 --trust-user-header --ack persisted, rate limits off) and its
#     redis-server on CPU 0; wrk on CPU 1 with loadtest/wrk/distinct-keyed.lua (a new buyer
#     and an Idempotency-Key per request: every request persists one whole order), at each
#     of CONNS connections. Redis CPU per order = Redis used_cpu_user+sys (INFO cpu) over
#     the run / orders recorded (the SKU's `reserved` count); memory per order =
#     used_memory after - before (INFO memory) / orders: order record, buyer units,
#     idempotency entry, expiry entry and its share of the event stream included.
#   - then redis-benchmark -c 50 -P 16 EVALSHA of loadtest/peers/purchase.lua (SISMEMBER,
#     DECRBY, SADD, XADD) on the same server: Redis CPU per call.
#
#   - ACKS="persisted replicated": the engine runs once per ack mode, each on a fresh
#     redis-server; with `replicated` a replica (redis-server --replicaof, on CPU 0 too)
#     follows it and the engine runs --ack replicated --ack-replicas 1 (one WAIT per flush
#     batch). Redis CPU is the master's; the replica's is its own column. The summary
#     gives replicated / persisted per connection count (issue 11's target: <= 1.1x).
#
#   loadtest/redis-cost.sh                         # CONNS="1 64 1000", DURATION=10s
#   CONNS="64" DURATION=5s loadtest/redis-cost.sh
#   ACKS="persisted replicated" CONNS=64 loadtest/redis-cost.sh
#
#   REPLICA=1 attaches the replica in every ack mode (persisted too), which separates what
#   replication itself costs the master from what WAIT adds.
#
#   BASELINE_BIN=/path/to/an/older/flashsale runs every phase a second time with that
#   binary, on its own fresh redis-server, in the same run (before/after figures side by
#   side with the same canonical measurement).
#
# Knobs: CONNS ("1 64 1000"), ACKS ("persisted"), REPLICA (0), BASELINE_BIN (none), RB_N (redis-benchmark calls, 1000000),
# and those of loadtest/lib.sh (DURATION, SERVER_CPU, CLIENT_CPU, FLASHSALE_BIN_DIR, OUT, ...).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
CONNS=${CONNS:-1 64 1000}
ACKS=${ACKS:-persisted}
REPLICA=${REPLICA:-0}
RB_N=${RB_N:-1000000}
SALE=cost

lt_init fs-redis-cost
BIN=$(release_bin flashsale) || exit 1
ENGINES=("this:$BIN")
if [ -n "${BASELINE_BIN:-}" ]; then
  [ -x "$BASELINE_BIN" ] || die "BASELINE_BIN $BASELINE_BIN is not an executable"
  ENGINES+=("baseline:$BASELINE_BIN")
fi

# start_replica: a replica of the running redis-server (-> REPLICA_PORT), linked up.
start_replica() {
  REPLICA_PORT=$(pick_port $((REDIS_PORT + 1)))
  mkdir -p "$RUN_DIR/replica"
  taskset -c "$SERVER_CPU" redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$RUN_DIR/replica" --logfile "$RUN_DIR/replica/redis.log" --replicaof 127.0.0.1 "$REDIS_PORT" &
  track $!
  wait_port "$REPLICA_PORT"
  for _ in $(seq 1 100); do
    redis-cli -p "$REPLICA_PORT" INFO replication | grep -q 'master_link_status:up' && return 0
    sleep 0.1
  done
  die "replica did not link up"
}
replica_cpu_s() {
  [ -n "${REPLICA_PORT:-}" ] || { echo 0; return; }
  redis-cli -p "$REPLICA_PORT" INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/{s+=$2} END{printf "%.6f", s}'
}
flushes() { curl -s "http://127.0.0.1:$ENGINE_PORT/metrics" | awk '/^flashsale_flushes_total/{s+=$2} END{printf "%d", s}'; }
wait_calls() { rcli INFO commandstats | tr -d '\r' | awk -F'[=,]' '/^cmdstat_wait:/{print $2; f=1} END{if (!f) print 0}'; }

mem() { rcli INFO memory | tr -d '\r' | awk -F: '/^used_memory:/{print $2}'; }
reserved() { rcli HGET "fs:{$SALE}:counts:s1" reserved | tr -d '\r'; }
# settle: waits until the engine's queue is flushed (the count stops moving).
settle() {
  local a b
  for _ in $(seq 1 40); do a=$(reserved); sleep 0.25; b=$(reserved); [ "$a" = "$b" ] && return 0; done
}

TABLE="$RUN_DIR/table.tsv"
printf 'engine\tack\tconns\torders\tredis_us_per_order\tbytes_per_order\treq_per_s\treplica_us_per_order\twaits\tflushes\tengine_us_per_order\n' > "$TABLE"
for engine in "${ENGINES[@]}"; do
name=${engine%%:*}; bin=${engine#*:}
for ack in $ACKS; do
REPLICA_PORT=
start_redis
extra=()
if [ "$ack" = replicated ] || [ "$REPLICA" = 1 ]; then start_replica; fi
[ "$ack" = replicated ] && extra=(--ack-replicas 1)
start_engine "$bin" --trust-user-header --ack "$ack" "${extra[@]}" --rate-limit-user off --rate-limit-address off \
  || die "engine did not start"
[ "$(put_sale "$SALE" 1000000000)" = 201 ] || die "sale creation failed"
for conns in $CONNS; do
  settle
  rcli CONFIG RESETSTAT > /dev/null
  o0=$(reserved); c0=$(redis_cpu_s); m0=$(mem); r0=$(replica_cpu_s); w0=$(wait_calls); f0=$(flushes); e0=$(cpu_ticks "$ENGINE_PID")
  out="$RUN_DIR/wrk-c$conns.txt"
  wait_quiet
  SALE=$SALE on_client_cpu wrk -t1 -c"$conns" -d"$DURATION" --timeout 10s -s "$LOADTEST/wrk/distinct-keyed.lua" \
    "http://127.0.0.1:$ENGINE_PORT" > "$out" 2>&1
  settle
  o1=$(reserved); c1=$(redis_cpu_s); m1=$(mem); r1=$(replica_cpu_s); w1=$(wait_calls); e1=$(cpu_ticks "$ENGINE_PID"); sleep 0.3; f1=$(flushes)
  rcli INFO commandstats | tr -d '\r' > "$RUN_DIR/commandstats-$ack-c$conns.txt"
  rps=$(awk '/^Requests\/sec:/{print $2}' "$out")
  awk -v en="$name" -v a="$ack" -v c="$conns" -v o0="$o0" -v o1="$o1" -v c0="$c0" -v c1="$c1" -v m0="$m0" -v m1="$m1" -v r="${rps:-NA}" \
    -v r0="$r0" -v r1="$r1" -v w="$((w1 - w0))" -v f="$((f1 - f0))" -v e="$((e1 - e0))" -v t="$TICKS" \
    'BEGIN{ n = o1 - o0; if (n <= 0) { printf "%s\t%s\t%s\t0\tNA\tNA\t%s\tNA\t%s\t%s\tNA\n", en, a, c, r, w, f; exit }
            printf "%s\t%s\t%s\t%d\t%.2f\t%.0f\t%s\t%.2f\t%s\t%s\t%.2f\n", en, a, c, n, (c1 - c0) / n * 1e6, (m1 - m0) / n, r, (r1 - r0) / n * 1e6, w, f, e / t / n * 1e6 }' >> "$TABLE"
  log "$name $ack c=$conns: $(tail -n 1 "$TABLE" | tr '\t' ' ')"
done
stop_started
done
done

start_redis
evalsha_bench 16 "$RB_N" "$RUN_DIR/redis-benchmark.csv"

{
  echo "## Redis cost per order: engine group commit vs one EVALSHA per purchase (same redis-server build)"
  echo
  echo "| engine | ack | connections | orders | Redis CPU µs/order | vs EVALSHA | Redis memory B/order | HTTP req/s | replica CPU µs/order | WAIT calls | flushes | engine CPU µs/order |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  tail -n +2 "$TABLE" | while IFS=$'\t' read -r en a c n us bytes r rus w f eus; do
    echo "| $en | $a | $c | $n | $us | $(ratio "$us" "$RB_REDIS_US")x | $bytes | $r | $rus | $w | $f | $eus |"
  done
  echo
  for conns in $CONNS; do
    p=$(awk -F'\t' -v c="$conns" '$1 == "this" && $2 == "persisted" && $3 == c {print $5}' "$TABLE")
    q=$(awk -F'\t' -v c="$conns" '$1 == "this" && $2 == "replicated" && $3 == c {print $5}' "$TABLE")
    [ -n "$p" ] && [ -n "$q" ] && echo "- c=$conns: Redis (master) CPU per order, replicated / persisted = **$(ratio "$q" "$p")x** (target ≤ 1.1x)"
    for ack in $ACKS; do
      b=$(awk -F'\t' -v c="$conns" -v a="$ack" '$1 == "baseline" && $2 == a && $3 == c {print $5 "\t" $6}' "$TABLE")
      t=$(awk -F'\t' -v c="$conns" -v a="$ack" '$1 == "this" && $2 == a && $3 == c {print $5 "\t" $6}' "$TABLE")
      [ -n "$b" ] && [ -n "$t" ] && echo "- c=$conns $ack: this / baseline = **$(ratio "${t%%$'\t'*}" "${b%%$'\t'*}")x** Redis CPU per order, **$(ratio "${t#*$'\t'}" "${b#*$'\t'}")x** Redis memory per order"
    done
  done
  echo
  echo "- canonical script (redis-benchmark -c 50 -P 16 EVALSHA purchase.lua, $RB_N calls): **$RB_REDIS_US µs** of Redis CPU per call ($RB_RPS calls/s)"
  echo "- targets (issue 12): ≤ 0.5x the script's CPU per call; ≤ 300 B per order"
  echo
  echo "raw: $RUN_DIR"
} | tee "$RUN_DIR/summary.md"

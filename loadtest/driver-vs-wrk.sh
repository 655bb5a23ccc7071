#!/usr/bin/env bash
# The load driver's own speed against wrk's, in one run, on the same machine:
# nginx `return 200` with one worker (loadtest/peers/nginx.conf.in) pinned to CPU 0;
# wrk (-t1) and `flashsale-loadtest http-bench` take turns on CPU 1, same connections,
# same duration, REPS rounds each.
#
#   loadtest/driver-vs-wrk.sh                      # 64 and 1000 connections, 2 rounds, 10 s each
#   CONNS="1000" REPS=3 DURATION=15s loadtest/driver-vs-wrk.sh
#
# Knobs: CONNS ("64 1000"), REPS (2), and those of loadtest/lib.sh.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
CONNS=${CONNS:-"64 1000"}
REPS=${REPS:-2}

lt_init driver-vs-wrk
DRIVER=$(release_bin flashsale-loadtest) || exit 1
RESULTS=$RUN_DIR/results.tsv
printf "$RESULTS_HEADER" > "$RESULTS"
start_nginx
URL="http://127.0.0.1:$NGINX_PORT/"
SECONDS_RUN=${DURATION%s}

# driver_run CONNS REP: one http-bench round, a row in $RESULTS like run_wrk's.
driver_run() {
  local out="$RUN_DIR/driver-c$1-r$2.txt" rps p50 p99
  wait_quiet
  measured on_client_cpu "$DRIVER" http-bench "$URL" -c "$1" -d "$SECONDS_RUN" > "$out" 2>&1
  rps=$(awk '/Requests\/sec:/{print $2}' "$out")
  p50=$(awk '/latency/{print $3}' "$out"); p99=$(awk '/latency/{print $6}' "$out")
  printf '%s\t%s\tr%s\t%s\t%s\t%s\t0\t0\tNA\t%s\t1\t%s\n' driver "$1" "$2" "${rps:-NA}" "${p50:-NA}" "${p99:-NA}" \
    "$(sed -n 's/.*foreign_s=\([0-9.]*\).*/\1/p' <<< "$CPU_LINE")" "$CPU_LINE" >> "$RESULTS"
  log "driver c=$1 round $2: ${rps:-NA} req/s p50=${p50:-NA}ms p99=${p99:-NA}ms"
}

for c in $CONNS; do
  for r in $(seq 1 "$REPS"); do
    # one warm-up per connection count (connections, page cache, CPU frequency)
    NO_WARMUP=$([ "$r" = 1 ] && echo 0 || echo 1) WRK_MODE=r$r SERVER_PID=$NGINX_PID run_wrk wrk "$c" "$URL"
    driver_run "$c" "$r"
  done
done

echo
printf '%-8s %-6s %-5s %12s %10s %10s %10s\n' tool conns round 'req/s' 'p50 ms' 'p99 ms' others_s
awk -F'\t' 'NR > 1 { printf "%-8s %-6s %-5s %12.0f %10s %10s %10s\n", $1, $2, $3, $4, $5, $6, $10 }' "$RESULTS"
echo
awk -F'\t' 'NR > 1 { s[$1, $2] += $4; n[$1, $2]++; c[$2] = 1 }
  END { for (k in c) printf "%5s conns: wrk %.0f req/s, driver %.0f req/s (mean of %d), driver/wrk = %.2f\n",
          k, s["wrk", k] / n["wrk", k], s["driver", k] / n["driver", k], n["wrk", k], s["driver", k] / s["wrk", k] }' "$RESULTS" | sort -n

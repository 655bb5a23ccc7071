#!/usr/bin/env bash
# Builds the libFuzzer harnesses of Fuzz/ (fuzzer + address sanitizers, so
# LeakSanitizer too) and runs each for SECONDS (default 60), two at a time,
# on a scratch copy of its seed corpus (Fuzz/corpus/<name>) with its
# dictionary (Fuzz/dict/<name>.dict). Exits non-zero when a harness finds a
# crash, a leak, a timeout or a broken invariant; the input that did it is
# kept under the output folder it prints (add it to the seed corpus and to
# Tests/ once fixed).
# Usage: scripts/fuzz.sh [SECONDS] [name...]
#        FUZZ_RUNS=1000000 scripts/fuzz.sh      # a number of executions per harness instead
#        FUZZ_CONFIG=release scripts/fuzz.sh    # optimised harnesses (faster runs, longer build)
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
all=(http-request:FuzzHTTPRequest http-split:FuzzHTTPSplit purchase-body:FuzzPurchaseBody
     sale-body:FuzzSaleBody jwt:FuzzJWT rfc3339:FuzzRFC3339 proxy-header:FuzzProxyHeader)
selected=()
if [ $# -gt 0 ]; then
  for want in "$@"; do
    for entry in "${all[@]}"; do [ "${entry%%:*}" = "$want" ] && selected+=("$entry"); done
  done
else
  selected=("${all[@]}")
fi
out="${FUZZ_OUT:-$(mktemp -d /tmp/flashsale-fuzz.XXXXXX)}"
flags=(-c "${FUZZ_CONFIG:-debug}" -Xswiftc -sanitize=fuzzer,address)
echo "fuzz: building the harnesses"
# ld.gold warns about every ASan symbol it cannot export: noise.
# (Product by product: a plain `swift build` would also build the rest of the main package.)
for entry in "${selected[@]}"; do
  if ! log="$(swift build "${flags[@]}" --product "${entry##*:}" 2>&1)"; then
    grep -v "ld.gold: warning: Cannot export local symbol" <<<"$log" | tail -n 60
    echo "fuzz: building ${entry##*:} failed" >&2
    exit 1
  fi
  grep -v "ld.gold: warning: Cannot export local symbol" <<<"$log" | tail -n 1
done
bin="$(swift build "${flags[@]}" --show-bin-path)"

run_one() {
  local name="$1" product="$2" dir="$out/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp corpus/"$name"/* "$dir/corpus/"
  local limit=(-max_total_time="$seconds")
  [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
  local max_len=4096
  case "$name" in http-*) max_len=20000 ;; esac
  local rc=0
  # SWIFT_BACKTRACE: the Swift runtime's crash backtracer trips ASan after a
  # fatalError; libFuzzer's own report and the saved input are what count.
  SWIFT_BACKTRACE=enable=no "$bin/$product" -dict="dict/$name.dict" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${limit[@]}" "$dir/corpus" >"$dir/log" 2>&1 || rc=$?
  local runs
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)"
  if [ "$rc" = 0 ]; then
    echo "fuzz: $name: ${runs:-?} executions, no finding"
  else
    echo "fuzz: $name: FOUND something (exit $rc) after ${runs:-?} executions; log and input in $dir"
    grep -E "ERROR|SUMMARY|Fatal error|fatalError|Test unit written" "$dir/log" | head -n 8 || true
  fi
  return "$rc"
}

failed=0
for ((i = 0; i < ${#selected[@]}; i += 2)); do
  pids=()
  for entry in "${selected[@]:i:2}"; do
    run_one "${entry%%:*}" "${entry##*:}" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
done
if [ "$failed" = 0 ] && [ -z "${FUZZ_OUT:-}" ]; then
  rm -rf "$out"  # nothing to keep; FUZZ_OUT=dir keeps the logs and grown corpora
else
  echo "fuzz: logs in $out"
fi
exit "$failed"

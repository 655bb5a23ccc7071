#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test.
# Tests that need Redis start their own redis-server on free loopback ports
# (Tests/TestSupport); this script only makes sure the binary is there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The end-to-end tests run the built binaries; build them first.
swift build 2>&1 | tail -n 3
# Many concurrent connections in the HTTP tests need descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export FLASHSALE_BIN_DIR="$(swift build --show-bin-path)"
swift test "$@"
# Then every libFuzzer harness (Fuzz/) for a bounded time, two at a time
# (FLASHSALE_FUZZ_SECONDS, default 60 each: what CI runs).
scripts/fuzz.sh "${FLASHSALE_FUZZ_SECONDS:-60}"

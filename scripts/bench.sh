#!/usr/bin/env bash
# Runs the package-benchmark suites (core decisions, HTTP parse+route+respond).
# Usage: scripts/bench.sh [extra `swift package benchmark` arguments]
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
../scripts/setup.sh
swift package --allow-writing-to-package-directory benchmark "$@"

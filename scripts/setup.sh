#!/usr/bin/env bash
# Installs the Debian packages FlashSale needs, only when something is missing.
# Runs as root here (CI, dev machines); prints what it does.
set -euo pipefail
need=()
[ -f /usr/include/uv.h ] || need+=(libuv1-dev)
[ -f /usr/include/hiredis/async.h ] || need+=(libhiredis-dev)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
# docs/redis-schema.md's stream consumer example (examples/events_consumer.py) and its test.
python3 -c 'import redis' >/dev/null 2>&1 || need+=(python3-redis)
# The dashboard and alerting tests: headless Chromium renders the page, promtool
# checks metrics and rules, a real Prometheus scrapes an engine and the dashboard.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || need+=(prometheus)
# The balancer tests run the configs users copy (deploy/haproxy, deploy/nginx) in a real
# HAProxy and a real nginx (nginx-light: no stream module, so nginx speaks X-Forwarded-For).
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
# The relay's end-to-end tests run the example webhook receiver (Python 3 standard library).
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${FLASHSALE_SETUP_LOADTEST:-0}" = 1 ]; then
  # Only the side-by-side benchmarks (loadtest/*.sh) and their peers (loadtest/peers/) need these.
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v taskset >/dev/null 2>&1 || need+=(util-linux)
  command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
  command -v go >/dev/null 2>&1 || need+=(golang-go)
  [ -d /usr/share/gocode/src/github.com/gomodule/redigo ] || need+=(golang-github-gomodule-redigo-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian's redis-server, prometheus, haproxy and nginx packages may enable system services;
  # we never use them: tests start their own on free loopback ports.
else
  echo "setup: all packages present"
fi

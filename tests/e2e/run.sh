#!/bin/sh
# Runs the e2e suite: installs the locked npm packages when node_modules is
# missing or older than package-lock.json, then every test/*.test.js file,
# the cluster tests (cluster/*.test.js: real redis-server, HAProxy and nginx
# around several herald nodes), the event source tests (sources/*.test.js:
# real RabbitMQ and Redis around three nodes) and the browser tests. Each
# file starts its own servers on its own ports, so two run at a time.
# HERALD_BIN names the server binary (default: build/release/herald).
set -eu
cd "$(dirname "$0")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # --omit=optional: stompjs 2.3.3 lists the `websocket` package (native
  # addons, install scripts) as optional; the tests use `ws` instead.
  npm ci --silent --no-audit --no-fund --omit=optional
fi
exec node --test --test-concurrency=2 --test-reporter=spec "$@" test/ cluster/ sources/ browser/

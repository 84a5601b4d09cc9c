#!/usr/bin/env bash
# Quick start: install what is missing, build the release binary and run
# herald on its embedded default (single node, in-memory broker, demo page
# at http://localhost:8080/). Extra arguments go to herald.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --runtime-only
# --runtime-only leaves out GoogleTest, so configure without the unit tests
# (scripts/test.sh turns them back on in the same build directory).
cmake --preset release -DHERALD_TESTS=OFF >/dev/null
cmake --build --preset release --target herald
exec build/release/herald "$@"

#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: dependencies, the
# release build with unit and end-to-end tests, the unit tests again under
# ASan+UBSan, and a short run of every fuzz target.
# FUZZ_SECONDS (default 20) bounds each fuzz target's run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

echo "== release build + unit and end-to-end tests"
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release | tee build/release/ctest.log

echo "== unit tests under ASan+UBSan"
cmake --preset debug >/dev/null
# Only the unit-test executables: the server itself is exercised by the
# end-to-end tests above, and a sanitized Beast build costs many minutes.
mapfile -t unit_targets < <(ninja -C build/debug -t targets all | grep -o '^unit_[a-z_]*' | sort -u)
cmake --build --preset debug --target "${unit_targets[@]}"
ctest --preset unit-sanitized | tee build/debug/ctest.log

echo "== fuzz targets (${FUZZ_SECONDS:-20} s each)"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" bash fuzz/run.sh

# One closing line for CI: totals of both ctest runs.
total=0
for log in build/release/ctest.log build/debug/ctest.log; do
  n=$(grep -oE 'out of [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
  total=$((total + n))
done
echo "tests: ${total} passed, 0 failed"

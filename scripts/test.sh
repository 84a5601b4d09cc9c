#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: dependencies, the
# release build with unit and end-to-end tests, the unit tests again under
# ASan+UBSan, and a short run of every fuzz target.
# FUZZ_SECONDS (default 20) bounds each fuzz target's run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Every clone shares one ccache: paths inside the checkout are hashed
# relative to it, and the build directory is left out of the hash (it only
# names the debug info's compile directory).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

echo "== release build + unit and end-to-end tests"
# HERALD_TESTS explicitly: scripts/run.sh configures the same build
# directory without tests, and a cached OFF would otherwise stick.
cmake --preset release -DHERALD_TESTS=ON >/dev/null
cmake --build --preset release
ctest --preset release | tee build/release/ctest.log

echo "== unit tests under ASan+UBSan"
cmake --preset debug -DHERALD_TESTS=ON >/dev/null
mapfile -t unit_targets < <(ninja -C build/debug -t targets all | grep -o '^unit_[a-z_]*' | sort -u)
cmake --build --preset debug --target "${unit_targets[@]}" herald
ctest --preset unit-sanitized | tee build/debug/ctest.log

echo "== end-to-end tests against the ASan+UBSan server"
# The harness fails a test file whenever the server prints a sanitizer report.
HERALD_BIN="$PWD/build/debug/herald" sh tests/e2e/run.sh > build/debug/e2e.log 2>&1 || { cat build/debug/e2e.log; exit 1; }
grep -E "^ℹ (tests|pass|fail)" build/debug/e2e.log

echo "== fuzz targets (${FUZZ_SECONDS:-20} s each)"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" bash fuzz/run.sh

# One closing line for CI: the unit tests (as run under the sanitizers) and
# the end-to-end tests (as run against the sanitized server); every stage
# above has already failed the script if anything failed.
unit=$(grep -oE 'out of [0-9]+' build/debug/ctest.log | grep -oE '[0-9]+' | tail -1)
e2e=$(grep -E '^ℹ pass' build/debug/e2e.log | grep -oE '[0-9]+' | tail -1)
echo "tests: $((unit + e2e)) passed, 0 failed"

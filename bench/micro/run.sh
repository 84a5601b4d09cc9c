#!/usr/bin/env bash
# Builds the bench preset (only the herald_micro target) and runs the
# microbenchmarks: console table on stdout, JSON in
# bench/results/micro-<date>.json. Extra arguments go to herald_micro, e.g.
#   bench/micro/run.sh --benchmark_filter=HubFanOut
# BENCH_MIN_TIME (seconds, default 0.2) sets --benchmark_min_time
# (Google Benchmark 1.7 syntax: a plain number of seconds).
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD

cmake --preset bench
cmake --build --preset bench --target herald_micro

mkdir -p "$root/bench/results"
out=$root/bench/results/micro-$(date +%Y-%m-%d).json
"$root/build/bench/bench/herald_micro" \
  --benchmark_min_time="${BENCH_MIN_TIME:-0.2}" \
  --benchmark_out="$out" \
  --benchmark_out_format=json \
  "$@"
echo "JSON results: ${out#"$root"/}"

#!/usr/bin/env bash
# Builds the fuzz preset and runs every libFuzzer target for FUZZ_SECONDS
# (default 30) on a scratch copy of its seed corpus (fuzz/corpus/<name>/),
# so inputs the fuzzer generates never land in the source tree. Prints each
# target's execution count and fails if any target crashes, leaks, times
# out or trips a sanitizer; the reproducer is kept under
# build/fuzz/artifacts/<name>/ and its path printed.
#
#   FUZZ_SECONDS=60 fuzz/run.sh            # all targets
#   FUZZ_SECONDS=10 fuzz/run.sh hub origin # only these
#
# Rerun one reproducer: build/fuzz/fuzz/fuzz_<name> <crash-file>
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-30}

cmake --preset fuzz
cmake --build --preset fuzz

bin_dir=$root/build/fuzz/fuzz
if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for exe in "$bin_dir"/fuzz_*; do
    [[ -x $exe ]] && targets+=("${exe##*/fuzz_}")
  done
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz/run.sh: no fuzz targets built in $bin_dir" >&2
  exit 1
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/herald-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

failed=()
summary=()
for name in "${targets[@]}"; do
  exe=$bin_dir/fuzz_$name
  if [[ ! -x $exe ]]; then
    echo "fuzz/run.sh: no such target: $name ($exe)" >&2
    exit 1
  fi
  corpus=$scratch/corpus-$name
  mkdir -p "$corpus"
  if [[ -d $root/fuzz/corpus/$name ]]; then
    cp -R "$root/fuzz/corpus/$name/." "$corpus/"
  fi
  artifacts=$root/build/fuzz/artifacts/$name
  mkdir -p "$artifacts"
  log=$scratch/$name.log

  echo "=== fuzz_$name: ${seconds}s, seeds: $(find "$corpus" -type f | wc -l)"
  status=0
  "$exe" "$corpus" \
    -max_total_time="$seconds" \
    -timeout=20 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" \
    >"$log" 2>&1 || status=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  execs=${execs:-?}
  corpus_size=$(find "$corpus" -type f | wc -l)
  if [[ $status -ne 0 ]]; then
    echo "--- fuzz_$name FAILED (exit $status); end of log:"
    tail -n 60 "$log"
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    [[ -n $reproducer ]] && echo "--- reproducer: $reproducer (rerun: $exe $reproducer)"
    failed+=("$name")
    summary+=("$(printf '%-16s %12s  %6s  FAILED (exit %d)' "$name" "$execs" "$corpus_size" "$status")")
  else
    summary+=("$(printf '%-16s %12s  %6s  ok' "$name" "$execs" "$corpus_size")")
  fi
  echo "stat::number_of_executed_units[$name]: $execs"
done

echo
printf '%-16s %12s  %6s  %s\n' target executions corpus result
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz/run.sh: crashes in: ${failed[*]}" >&2
  exit 1
fi

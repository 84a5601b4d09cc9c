# herald (memory broker) as a plain process on loopback. Sourced by bench/compare.
# Variables here must not start with HERALD_: herald refuses unknown HERALD_* keys.
#   herald_start DIR PORT   sets HERALD_PID
#   herald_stop

herald_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  # Two worker threads, like nginx's two workers on this 2-core machine;
  # max_connections just under the 20k open-files limit.
  "$BENCH_HERALD_BIN" --listen "127.0.0.1:$port" --threads "${BENCH_HERALD_THREADS:-2}" --log-level warn \
    --set limits.max_connections=19500 > "$dir/herald.log" 2>&1 &
  HERALD_PID=$!
  local i
  for i in $(seq 100); do
    ss -Hltn "sport = :$port" | grep -q . && return 0
    sleep 0.1
  done
  echo "herald did not start; see $dir/herald.log" >&2
  return 1
}

herald_stop() {
  [ -n "${HERALD_PID:-}" ] || return 0
  kill -TERM "$HERALD_PID" 2>/dev/null || true
  wait "$HERALD_PID" 2>/dev/null || true
  HERALD_PID=
}

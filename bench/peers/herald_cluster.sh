# Three herald nodes on a Redis backplane (broker.type redis), one worker
# thread each on this 2-core machine, as plain processes on loopback.
# Sourced by bench/compare. Variables must not start with HERALD_.
#   herald_cluster_start DIR FIRST_PORT   sets CLUSTER_PORTS (a,b,c) and CLUSTER_PIDS (redis and nodes)
#   herald_cluster_stop

herald_cluster_start() {
  local dir=$1 first=$2 redis_port=$(($2 - 1)) i
  mkdir -p "$dir"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" > "$dir/redis.log" 2>&1 &
  CLUSTER_REDIS_PID=$!
  CLUSTER_PORTS= CLUSTER_NODE_PIDS=
  for i in 0 1 2; do
    local id port
    id=$(printf "\\x$(printf %x $((97 + i)))")
    port=$((first + i))
    cat > "$dir/$id.yaml" <<Y
node: {id: $id}
threads: ${BENCH_CLUSTER_THREADS:-1}
log: {level: warn}
limits: {max_connections: 19500}
broker: {type: redis, redis: {url: "redis://127.0.0.1:$redis_port/0", reconnect_max_ms: 500}}
Y
    "$BENCH_HERALD_BIN" --config "$dir/$id.yaml" --listen "127.0.0.1:$port" > "$dir/$id.log" 2>&1 &
    CLUSTER_NODE_PIDS="$CLUSTER_NODE_PIDS${CLUSTER_NODE_PIDS:+,}$!"
    CLUSTER_PORTS="$CLUSTER_PORTS${CLUSTER_PORTS:+,}$port"
  done
  CLUSTER_PIDS="$CLUSTER_REDIS_PID,$CLUSTER_NODE_PIDS"
  # Ready: every node's backplane is up and its held publishes may go.
  local p
  for p in ${CLUSTER_PORTS//,/ }; do
    for i in $(seq 150); do
      curl -sf "http://127.0.0.1:$p/readyz" > /dev/null && continue 2
      sleep 0.1
    done
    echo "herald node on $p not ready; see $dir/*.log" >&2
    return 1
  done
}

herald_cluster_stop() {
  local p
  for p in ${CLUSTER_NODE_PIDS//,/ } ${CLUSTER_REDIS_PID:-}; do kill -TERM "$p" 2>/dev/null || true; done
  for p in ${CLUSTER_NODE_PIDS//,/ } ${CLUSTER_REDIS_PID:-}; do wait "$p" 2>/dev/null || true; done
  CLUSTER_NODE_PIDS= CLUSTER_REDIS_PID=
}

# RabbitMQ with Web-STOMP as a plain process on loopback (no systemd), its
# state in a temporary directory. Sourced by bench/compare.
#   rabbitmq_start DIR WS_PORT BASE_PORT   sets RABBITMQ_PID (beam.smp)
#   rabbitmq_stop DIR
# BASE_PORT, +1 and +2 are AMQP, distribution and epmd: a private epmd, so
# nothing else on the machine is touched.

rabbitmq_env() {
  local dir=$1 base=$2
  export HOME=$dir RABBITMQ_NODENAME=herald-bench@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$base RABBITMQ_DIST_PORT=$((base + 1)) ERL_EPMD_PORT=$((base + 2))
  export RABBITMQ_CONFIG_FILE=$dir/rabbitmq RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log
  export RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_FEATURE_FLAGS_FILE=$dir/feature_flags
  export RABBITMQ_PID_FILE=$dir/rabbitmq.pid ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbitmq_start() {
  local dir=$1 ws_port=$2 base=$3
  mkdir -p "$dir/mnesia" "$dir/log"
  # Web-STOMP on loopback; guest may log in from loopback by default.
  # Memory and disk alarms off: the benchmark measures the broker, not its
  # protection against the host filling up.
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$base
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $ws_port
web_stomp.max_connections = infinity
web_stomp.num_acceptors.tcp = 10
vm_memory_high_watermark.relative = 0.8
disk_free_limit.absolute = 1MB
loopback_users = none
log.console = false
log.file.level = warning
CONF
  # Cowboy closes a WebSocket that has not *sent* anything for 60 s; a
  # subscriber that only listens (heart-beat:0,0, as every server gets here)
  # would be dropped mid-run.
  echo "[{rabbitmq_web_stomp, [{ws_opts, #{idle_timeout => 3600000}}]}]." > "$dir/advanced.config"
  echo "[rabbitmq_web_stomp]." > "$dir/enabled_plugins"
  (
    rabbitmq_env "$dir" "$base"
    exec /usr/lib/rabbitmq/bin/rabbitmq-server > "$dir/stdout.log" 2>&1
  ) &
  # await_startup fails at once while the node is not up yet: retry.
  local i
  for i in $(seq 60); do
    (rabbitmq_env "$dir" "$base"; timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl await_startup > /dev/null 2>&1) && break
    [ "$i" = 60 ] && { echo "rabbitmq did not start; see $dir/log" >&2; return 1; }
    sleep 1
  done
  # The node name is not on beam.smp's command line; its listening socket is.
  RABBITMQ_PID=$(ss -Hltnp "sport = :$ws_port" | grep -o "pid=[0-9]*" | head -1 | cut -d= -f2)
}

rabbitmq_stop() {
  local dir=$1 base=$2
  (rabbitmq_env "$dir" "$base"; timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl stop > /dev/null 2>&1) || true
  # The private epmd outlives the node; it is ours by its port.
  local epmd
  epmd=$(ss -Hltnp "sport = :$((base + 2))" | grep -o "pid=[0-9]*" | head -1 | cut -d= -f2)
  [ -z "$epmd" ] || kill "$epmd" 2>/dev/null || true
}

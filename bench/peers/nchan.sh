# nginx + nchan as a non-daemon from a temporary prefix, loopback only.
# Sourced by bench/compare.
#   nchan_start DIR PORT WORKERS   sets NCHAN_PIDS (master and workers, comma-separated)
#   nchan_stop DIR
# Subscribers: ws://127.0.0.1:PORT/sub/<channel>; publishers: POST /pub/<channel>.

nchan_start() {
  local dir=$1 port=$2 workers=${3:-2}
  mkdir -p "$dir/logs" "$dir/tmp"
  # One worker per core like herald's threads; nchan's messages live in
  # shared memory, so every worker reaches every channel. Messages are kept
  # briefly: a subscriber gets what is published after it connects.
  cat > "$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes $workers;
worker_rlimit_nofile 20000;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 19000; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 100000000;
  nchan_shared_memory_size 1024m;
  nchan_message_buffer_length 16;
  nchan_message_timeout 30s;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location ~ ^/sub/(\w+)$ {
      nchan_subscriber websocket;
      nchan_channel_id \$1;
      nchan_subscriber_first_message newest;
    }
    location ~ ^/pub/(\w+)$ {
      nchan_publisher;
      nchan_channel_id \$1;
    }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' > "$dir/logs/stdout.log" 2>&1 &
  local i
  for i in $(seq 100); do
    [ -s "$dir/nginx.pid" ] && ss -Hltn "sport = :$port" | grep -q . && break
    sleep 0.1
  done
  local master
  master=$(cat "$dir/nginx.pid" 2>/dev/null) || { echo "nginx did not start; see $dir/logs" >&2; return 1; }
  sleep 0.3  # workers fork right after the pid file is written
  NCHAN_PIDS=$(echo "$master" $(pgrep -P "$master") | tr ' ' ',')
}

nchan_stop() {
  local dir=$1 master
  master=$(cat "$dir/nginx.pid" 2>/dev/null) || return 0
  kill -QUIT "$master" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$master" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$master" 2>/dev/null || true
}

#!/usr/bin/env bash
# Turns bench/compare's raw JSON into summary.md and PNG plots.
#   bench/report.sh DIR LAT_S "LAT_RATES" "BCAST_S" "SERVERS"
set -euo pipefail
DIR=$1 LAT_S=$2 LAT_RATES=$3 BCAST_S=$4 SERVERS=$5
RAW=$DIR/raw
PLOT=$DIR/plot-data
mkdir -p "$PLOT"

get() {  # get SERVER NAME JQ-EXPR -> value or "-"
  local f=$RAW/$1-$2.json
  [ -s "$f" ] || { echo "-"; return; }
  jq -r "($3) // \"-\"" "$f" 2>/dev/null || echo "-"
}
num() {  # num VALUE DECIMALS
  [ "$1" = "-" ] && { echo "-"; return; }
  printf "%.*f" "$2" "$1"
}
ratio() {  # herald value / peer value, or the inverse when lower is better
  local h=$1 p=$2 lower_better=${3:-no}
  { [ "$h" = "-" ] || [ "$p" = "-" ]; } && { echo "-"; return; }
  if [ "$lower_better" = yes ]; then
    awk -v h="$h" -v p="$p" 'BEGIN { if (h > 0) printf "%.2f", p / h; else print "-" }'
  else
    awk -v h="$h" -v p="$p" 'BEGIN { if (p > 0) printf "%.2f", h / p; else print "-" }'
  fi
}
range() {  # "median (min–max)" of a summary spread
  local server=$1 name=$2 path=$3 dec=$4
  local med min max
  med=$(get "$server" "$name" "$path.median"); min=$(get "$server" "$name" "$path.min"); max=$(get "$server" "$name" "$path.max")
  [ "$med" = "-" ] && { echo "-"; return; }
  echo "$(num "$med" "$dec") ($(num "$min" "$dec")–$(num "$max" "$dec"))"
}

{
  echo "# herald vs RabbitMQ Web-STOMP vs nginx+nchan"
  echo
  echo '```'
  cat "$DIR/machine.txt"
  echo '```'
  echo
  echo "Medians over the measured rounds (warm-up excluded), range in brackets."
  echo "Ratios are herald's advantage: >1 means herald is better (more deliveries/s, fewer bytes, lower latency)."
  echo
  echo "## Idle connections (one SUBSCRIBE each)"
  echo
  echo "| server | connections | server RSS after | bytes / connection | connects / s | herald advantage (memory) |"
  echo "|---|---|---|---|---|---|"
  hb=$(get herald idle '.summary.bytes_per_connection.median')
  for s in $SERVERS; do
    [ -s "$RAW/$s-idle.json" ] || continue  # herald-cluster: no idle run
    b=$(get "$s" idle '.summary.bytes_per_connection.median')
    echo "| $s | $(get "$s" idle '.rounds[0].connect.ready') | $(num "$(get "$s" idle '.summary.rss_after.median / 1048576')" 0) MiB | $(num "$b" 0) | $(num "$(get "$s" idle '.summary.connects_per_s.median')" 0) | $(case $s in herald*) echo "" ;; *) false ;; esac || ratio "$hb" "$b" yes) |"
    jq -r '.rounds[0].rss_steps[] | "\(.[0]) \(.[1] / 1048576)"' "$RAW/$s-idle.json" > "$PLOT/rss-$s.dat" 2>/dev/null || true
  done
  echo
  echo "## Broadcast, flat out (one topic, ${LAT_S:+}publisher as fast as the server answers)"
  echo
  echo "| server | subscribers | deliveries / s | p50 ms | p99 ms | p99.9 ms | max ms | lost | server cores | generator cores | herald advantage |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for n in $BCAST_S; do
    hd=$(get herald "broadcast-$n" '.summary.deliveries_per_s.median')
    for s in $SERVERS; do
      name=broadcast-$n
      d=$(get "$s" "$name" '.summary.deliveries_per_s.median')
      echo "| $s | $n | $(range "$s" "$name" .summary.deliveries_per_s 0) | $(num "$(get "$s" "$name" '.summary.latency_us.p50.median / 1000')" 1) | $(num "$(get "$s" "$name" '.summary.latency_us.p99.median / 1000')" 1) | $(num "$(get "$s" "$name" '.summary.latency_us["p99.9"].median / 1000')" 1) | $(num "$(get "$s" "$name" '.summary.latency_us.max.median / 1000')" 1) | $(get "$s" "$name" '.summary.lost.max') | $(num "$(get "$s" "$name" '.summary.server_cores.median')" 2) | $(num "$(get "$s" "$name" '.summary.bench_cores.median')" 2) | $(case $s in herald*) echo "" ;; *) false ;; esac || ratio "$hd" "$d") |"
    done
  done
  echo
  echo "## Broadcast latency at a fixed rate ($LAT_S subscribers)"
  echo
  echo "| server | msg/s | offered deliveries/s | deliveries / s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | lost | herald advantage (p99) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for rate in $LAT_RATES; do
    name=latency-$LAT_S-$rate
    h99=$(get herald "$name" '.summary.latency_us.p99.median')
    for s in $SERVERS; do
      p99=$(get "$s" "$name" '.summary.latency_us.p99.median')
      echo "| $s | $rate | $((rate * LAT_S)) | $(num "$(get "$s" "$name" '.summary.deliveries_per_s.median')" 0) | $(num "$(get "$s" "$name" '.summary.latency_us.p50.median / 1000')" 2) | $(num "$(get "$s" "$name" '.summary.latency_us.p90.median / 1000')" 2) | $(num "$(get "$s" "$name" '.summary.latency_us.p99.median / 1000')" 2) | $(num "$(get "$s" "$name" '.summary.latency_us["p99.9"].median / 1000')" 2) | $(num "$(get "$s" "$name" '.summary.latency_us.max.median / 1000')" 2) | $(get "$s" "$name" '.summary.lost.max') | $(case $s in herald*) echo "" ;; *) false ;; esac || ratio "$h99" "$p99" yes) |"
      echo "$((rate * LAT_S)) $(get "$s" "$name" '.summary.latency_us.p50.median / 1000') $(get "$s" "$name" '.summary.latency_us.p99.median / 1000')" >> "$PLOT/latency-$s.dat.tmp"
    done
  done
  echo
  echo "## User-targeted (each user on its own destination, messages to random users, flat out)"
  echo
  echo "| server | users | publish path | deliveries / s | p50 ms | p99 ms | max ms | lost | server cores | generator cores | herald advantage |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  hd=$(get herald users '.summary.deliveries_per_s.median')
  for s in $SERVERS; do
    d=$(get "$s" users '.summary.deliveries_per_s.median')
    echo "| $s | $(get "$s" users '.params.connections') | $(get "$s" users '.params.publish_via') | $(range "$s" users .summary.deliveries_per_s 0) | $(num "$(get "$s" users '.summary.latency_us.p50.median / 1000')" 1) | $(num "$(get "$s" users '.summary.latency_us.p99.median / 1000')" 1) | $(num "$(get "$s" users '.summary.latency_us.max.median / 1000')" 1) | $(get "$s" users '.summary.lost.max') | $(num "$(get "$s" users '.summary.server_cores.median')" 2) | $(num "$(get "$s" users '.summary.bench_cores.median')" 2) | $(case $s in herald*) echo "" ;; *) false ;; esac || ratio "$hd" "$d") |"
  done
  echo
  echo "![deliveries per second vs subscribers](deliveries.png) ![latency vs load](latency.png) ![RSS vs connections](rss.png)"
} > "$DIR/summary.md"

for s in $SERVERS; do
  : > "$PLOT/deliveries-$s.dat"
  for n in $BCAST_S; do echo "$n $(get "$s" "broadcast-$n" '.summary.deliveries_per_s.median')" >> "$PLOT/deliveries-$s.dat"; done
  [ -f "$PLOT/latency-$s.dat.tmp" ] && mv "$PLOT/latency-$s.dat.tmp" "$PLOT/latency-$s.dat"
done

lines() {  # lines FILE-PREFIX USING TITLE-SUFFIX (servers without that data left out)
  local first=1 s
  for s in $SERVERS; do
    [ -s "$PLOT/$1-$s.dat" ] || continue
    [ $first = 1 ] || printf ", "
    first=0
    printf "'%s/%s-%s.dat' using %s with linespoints lw 2 title '%s%s'" "$PLOT" "$1" "$s" "$2" "$s" "$3"
  done
}
gnuplot <<GP
set terminal pngcairo size 800,500 noenhanced
set grid
set key top left
set output '$DIR/deliveries.png'
set title 'Broadcast, flat out: deliveries per second'
set xlabel 'subscribers on one topic'
set ylabel 'deliveries / s'
plot $(lines deliveries 1:2 "")
set output '$DIR/latency.png'
set title 'Broadcast latency vs load ($LAT_S subscribers)'
set xlabel 'offered deliveries / s'
set ylabel 'latency, ms (log)'
set logscale y
plot $(lines latency 1:2 " p50"), $(lines latency 1:3 " p99")
unset logscale y
set output '$DIR/rss.png'
set title 'Server RSS vs idle connections'
set xlabel 'connections (one SUBSCRIBE each)'
set ylabel 'RSS, MiB'
plot $(lines rss 1:2 "")
GP

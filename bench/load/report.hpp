// Results as plain values, and their JSON rendering (the only place that
// knows the output format; bench/compare reads it with jq).
#pragma once

#include "histogram.hpp"
#include "options.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace herald::bench {

struct connect_result {
  unsigned requested = 0;
  std::uint64_t ready = 0;
  std::uint64_t failed = 0;
  double seconds = 0;
  std::string first_error;
};

struct delivery_round {
  bool warmup = false;
  std::uint64_t published = 0;
  std::uint64_t publish_errors = 0;
  std::uint64_t expected = 0;
  std::uint64_t delivered = 0;
  std::uint64_t stale = 0;
  std::uint64_t dropped_connections = 0;
  double publish_s = 0;   // first send to last publish answer / write
  double duration_s = 0;  // first send to last delivery
  double deliveries_per_s = 0;
  histogram latency;      // ns
  double bench_cpu_s = 0;
  double server_cpu_s = 0;
  std::string first_error;
};

struct rss_step {
  std::uint64_t connections = 0;
  std::uint64_t rss = 0;
};

struct idle_round {
  connect_result connect;
  std::vector<rss_step> steps;
  std::uint64_t rss_before = 0;
  std::uint64_t rss_after = 0;
  double bench_cpu_s = 0;
  double server_cpu_s = 0;
};

std::string delivery_report(const options& opts, const connect_result& connect,
                            const std::vector<delivery_round>& rounds);
std::string idle_report(const options& opts, const std::vector<idle_round>& rounds);

}  // namespace herald::bench

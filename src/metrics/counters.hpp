// Per-worker metric cells. Each cell has exactly one writer (its worker
// thread), so an increment is a relaxed load + store — no locked
// instruction on the hot path — and the scraper on another thread reads
// with relaxed loads. Sums across workers are taken at scrape time.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/close_reason.hpp"

namespace herald::metrics {

class counter {
 public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class gauge {
 public:
  void add(std::int64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(std::int64_t n = 1) { add(-n); }
  std::int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

// Log-spaced latency buckets (seconds), Prometheus-histogram shaped.
class latency_histogram {
 public:
  static constexpr std::array<double, 15> bounds{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                 0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5};
  void observe(std::chrono::nanoseconds d);
  // Count in bucket i alone (i == bounds.size() is +Inf); the text
  // writer accumulates.
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].value(); }
  std::uint64_t count() const { return count_.value(); }
  double sum_seconds() const { return static_cast<double>(sum_ns_.value()) / 1e9; }

 private:
  std::array<counter, bounds.size() + 1> buckets_{};  // non-cumulative
  counter count_;
  counter sum_ns_;
};

// What carries a STOMP session; SockJS sessions are counted by the
// transport that opened them.
enum class transport_kind : std::uint8_t {
  websocket,
  sockjs_websocket,
  xhr_streaming,
  xhr_polling,
  eventsource,
  htmlfile,
  jsonp_polling,
  count_
};
inline constexpr std::size_t transport_kind_count = static_cast<std::size_t>(transport_kind::count_);

constexpr const char* to_string(transport_kind k) {
  constexpr const char* names[] = {"websocket",   "sockjs_websocket", "xhr_streaming", "xhr_polling",
                                   "eventsource", "htmlfile",         "jsonp_polling"};
  return names[static_cast<std::size_t>(k)];
}

struct worker_metrics {
  gauge connections;
  counter connections_accepted;
  counter connections_refused;  // over max_connections
  std::array<gauge, transport_kind_count> sessions{};
  gauge sockjs_sessions;  // SockJS sessions over HTTP transports, connected or between polls
  gauge subscriptions;
  counter frames_in, frames_out, bytes_in, bytes_out;
  counter deliveries;
  counter dropped;  // slow-consumer drops (topic policy drop_oldest)
  counter auth_failures;
  counter protocol_errors;
  counter http_requests;
  std::array<counter, core::close_reason_count> closes{};
  latency_histogram publish_to_write;

  void closed(core::close_reason r) { closes[static_cast<std::size_t>(r)].add(); }
};

}  // namespace herald::metrics

// Metric cells: counter, gauge and the latency histogram's buckets.
#include "metrics/counters.hpp"

#include <gtest/gtest.h>

namespace herald::metrics {
namespace {

using namespace std::chrono_literals;

TEST(Counter, Adds) {
  counter c;
  EXPECT_EQ(c.value(), 0u);
  c.add();
  c.add(41);
  EXPECT_EQ(c.value(), 42u);
}

TEST(Gauge, AddsAndSubtracts) {
  gauge g;
  g.add(5);
  g.sub();
  g.sub(10);
  EXPECT_EQ(g.value(), -6);
}

TEST(LatencyHistogram, BoundsAscend) {
  for (std::size_t i = 1; i < latency_histogram::bounds.size(); ++i) {
    EXPECT_LT(latency_histogram::bounds[i - 1], latency_histogram::bounds[i]);
  }
}

TEST(LatencyHistogram, BucketIsFirstBoundNotBelowTheValue) {
  latency_histogram h;
  h.observe(10us);    // 0.00001 ≤ 0.00005 → bucket 0
  h.observe(50us);    // exactly on a bound (le) → bucket 0
  h.observe(51us);    // → bucket 1 (0.0001)
  h.observe(1ms);     // exactly 0.001 → bucket 4
  h.observe(2500ms);  // exactly the last bound → bucket 14
  h.observe(3s);      // beyond every bound → +Inf
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(4), 1u);
  EXPECT_EQ(h.bucket(14), 1u);
  EXPECT_EQ(h.bucket(latency_histogram::bounds.size()), 1u);
  EXPECT_EQ(h.count(), 6u);
  EXPECT_NEAR(h.sum_seconds(), 0.00001 + 0.00005 + 0.000051 + 0.001 + 2.5 + 3, 1e-9);
}

TEST(LatencyHistogram, NegativeDurationCountsAsZero) {
  latency_histogram h;
  h.observe(-5ms);
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.sum_seconds(), 0.0);
}

TEST(WorkerMetrics, ClosedCountsPerReason) {
  worker_metrics m;
  m.closed(core::close_reason::kicked);
  m.closed(core::close_reason::kicked);
  m.closed(core::close_reason::slow_consumer);
  EXPECT_EQ(m.closes[static_cast<std::size_t>(core::close_reason::kicked)].value(), 2u);
  EXPECT_EQ(m.closes[static_cast<std::size_t>(core::close_reason::slow_consumer)].value(), 1u);
  EXPECT_EQ(m.closes[0].value(), 0u);
}

TEST(CloseReason, NamesAndCodes) {
  for (std::size_t i = 0; i < core::close_reason_count; ++i) {
    EXPECT_NE(core::to_string(static_cast<core::close_reason>(i)), "unknown") << i;
  }
  EXPECT_EQ(core::websocket_close_code(core::close_reason::client_disconnect), 1000);
  EXPECT_EQ(core::websocket_close_code(core::close_reason::server_shutdown), 1001);
  EXPECT_EQ(core::websocket_close_code(core::close_reason::protocol_error), 1002);
  EXPECT_EQ(core::websocket_close_code(core::close_reason::kicked), 1008);
}

}  // namespace
}  // namespace herald::metrics

// backoff: exponential from backoff_min, capped at backoff_max, each delay
// jittered into [0.5, 1.0] of its base; reset() starts over.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "redis/options.hpp"

namespace herald::redis {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

link_options opts(milliseconds min, milliseconds max) {
  link_options o;
  o.backoff_min = min;
  o.backoff_max = max;
  return o;
}

// The delay must be base times a factor in [0.5, 1.0], truncated to ms.
void expect_jittered(milliseconds got, milliseconds base, unsigned attempt) {
  EXPECT_GE(got.count(), base.count() / 2) << "attempt " << attempt << " base " << base.count();
  EXPECT_LE(got, base) << "attempt " << attempt;
}

TEST(RedisBackoff, DefaultOptions) {
  link_options o;
  EXPECT_EQ(o.backoff_min, 100ms);
  EXPECT_EQ(o.backoff_max, 5000ms);
}

TEST(RedisBackoff, GrowsThenCaps) {
  for (int run = 0; run < 50; ++run) {
    backoff b(opts(100ms, 5000ms));
    const milliseconds bases[] = {100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms, 5000ms, 5000ms, 5000ms, 5000ms};
    for (unsigned i = 0; i < std::size(bases); ++i) {
      EXPECT_EQ(b.attempts(), i);
      expect_jittered(b.next(), bases[i], i);
    }
    EXPECT_EQ(b.attempts(), std::size(bases));
  }
}

TEST(RedisBackoff, NeverAboveMaxAfterManyAttempts) {
  backoff b(opts(100ms, 5000ms));
  for (unsigned i = 0; i < 10000; ++i) {
    auto d = b.next();
    ASSERT_LE(d, 5000ms) << i;
    ASSERT_GE(d, 50ms) << i;
    if (i >= 6) {
      ASSERT_GE(d, 2500ms) << i;
    }
  }
  EXPECT_EQ(b.attempts(), 10000u);
}

TEST(RedisBackoff, LargeMaxStopsDoublingAtTwoToThe16) {
  // The exponent stops at 16 so the multiplication cannot overflow.
  backoff b(opts(1ms, std::chrono::hours(24 * 365)));
  milliseconds last{};
  for (unsigned i = 0; i < 100; ++i) {
    last = b.next();
    expect_jittered(last, milliseconds(1LL << std::min(i, 16u)), i);
  }
  EXPECT_LE(last, milliseconds(1 << 16));
}

TEST(RedisBackoff, MaxBelowMinCapsAtMax) {
  backoff b(opts(1000ms, 300ms));
  for (unsigned i = 0; i < 20; ++i) expect_jittered(b.next(), 300ms, i);
}

TEST(RedisBackoff, EqualMinAndMax) {
  backoff b(opts(200ms, 200ms));
  for (unsigned i = 0; i < 20; ++i) expect_jittered(b.next(), 200ms, i);
}

TEST(RedisBackoff, ResetStartsOver) {
  backoff b(opts(100ms, 5000ms));
  for (int i = 0; i < 8; ++i) b.next();
  EXPECT_EQ(b.attempts(), 8u);
  b.reset();
  EXPECT_EQ(b.attempts(), 0u);
  expect_jittered(b.next(), 100ms, 0);
  expect_jittered(b.next(), 200ms, 1);
  EXPECT_EQ(b.attempts(), 2u);
}

TEST(RedisBackoff, JitterSpreadsDelays) {
  // After a Redis restart the nodes must not retry in lockstep: at the cap,
  // delays cover much of [0.5, 1.0] x max. (Failure odds: below 1e-15.)
  backoff b(opts(100ms, 10000ms));
  for (int i = 0; i < 10; ++i) b.next();
  std::set<long long> seen;
  milliseconds::rep lo = 10000, hi = 0;
  for (int i = 0; i < 400; ++i) {
    auto d = b.next().count();
    seen.insert(d);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GT(seen.size(), 100u);
  EXPECT_LT(lo, 5500);
  EXPECT_GT(hi, 9500);
  EXPECT_GE(lo, 5000);
  EXPECT_LE(hi, 10000);
}

TEST(RedisBackoff, InstancesAreSeededIndependently) {
  // Two nodes (two backoff objects) should not draw the same sequence.
  backoff a(opts(10000ms, 10000ms)), b(opts(10000ms, 10000ms));
  int same = 0;
  for (int i = 0; i < 20; ++i) same += a.next() == b.next();
  EXPECT_LT(same, 20);
}

}  // namespace
}  // namespace herald::redis

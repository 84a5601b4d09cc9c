// registry: per-user session counts and the per-user limit.
#include "core/registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace herald::core {
namespace {

TEST(Registry, CountsSessionsPerUser) {
  registry r;
  EXPECT_TRUE(r.try_add("alice", 0));
  EXPECT_TRUE(r.try_add("alice", 0));
  EXPECT_TRUE(r.try_add("bob", 0));
  EXPECT_EQ(r.sessions_of("alice"), 2u);
  EXPECT_EQ(r.sessions_of("carol"), 0u);
  EXPECT_EQ(r.users(), 2u);
  EXPECT_EQ(r.sessions(), 3u);
  r.remove("alice");
  EXPECT_EQ(r.sessions_of("alice"), 1u);
  r.remove("alice");
  EXPECT_EQ(r.users(), 1u);
  EXPECT_EQ(r.sessions(), 1u);
}

TEST(Registry, PerUserLimit) {
  registry r;
  EXPECT_TRUE(r.try_add("alice", 2));
  EXPECT_TRUE(r.try_add("alice", 2));
  EXPECT_FALSE(r.try_add("alice", 2));
  EXPECT_EQ(r.sessions_of("alice"), 2u);
  EXPECT_EQ(r.sessions(), 2u);
  EXPECT_TRUE(r.try_add("bob", 2));  // per user, not global
  r.remove("alice");
  EXPECT_TRUE(r.try_add("alice", 2));
  EXPECT_EQ(r.sessions(), 3u);
}

TEST(Registry, ZeroIsUnlimited) {
  registry r;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(r.try_add("alice", 0));
  EXPECT_EQ(r.sessions_of("alice"), 1000u);
}

TEST(Registry, RemoveUnknownIsHarmless) {
  registry r;
  r.remove("ghost");
  EXPECT_EQ(r.sessions(), 0u);
  EXPECT_EQ(r.users(), 0u);
}

TEST(Registry, ConcurrentAddsRespectTheLimit) {
  registry r;
  std::vector<std::thread> ts;
  std::atomic<int> admitted{0};
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 100; ++i) admitted += r.try_add("alice", 50) ? 1 : 0;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(admitted.load(), 50);
  EXPECT_EQ(r.sessions_of("alice"), 50u);
}

}  // namespace
}  // namespace herald::core

// ring: FIFO order across wrap-around and growth, remove_while, and giving
// memory back once drained.
#include "core/ring.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace herald::core {
namespace {

using ::testing::ElementsAre;

std::vector<int> drain(ring<int>& r) {
  std::vector<int> out;
  while (!r.empty()) {
    out.push_back(r.front());
    r.pop_front();
  }
  return out;
}

TEST(Ring, StartsEmpty) {
  ring<int> r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.size(), 0u);
}

TEST(Ring, FifoAcrossWrapAndGrowth) {
  ring<int> r;
  int next = 0, expect = 0;
  // Interleave pushes and pops so the head wraps before the ring grows.
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 3; ++i) r.push_back(next++);
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(r.front(), expect++);
      r.pop_front();
    }
  }
  EXPECT_EQ(r.size(), 50u);
  for (std::size_t i = 0; i < r.size(); ++i) ASSERT_EQ(r[i], expect + static_cast<int>(i));
  auto rest = drain(r);
  ASSERT_EQ(rest.size(), 50u);
  EXPECT_EQ(rest.front(), expect);
  EXPECT_EQ(rest.back(), next - 1);
}

TEST(Ring, PopReleasesTheSlot) {
  ring<std::shared_ptr<int>> r;
  auto p = std::make_shared<int>(1);
  r.push_back(p);
  r.push_back(std::make_shared<int>(2));
  EXPECT_EQ(p.use_count(), 2);
  r.pop_front();
  EXPECT_EQ(p.use_count(), 1);
}

TEST(Ring, RemoveWhileKeepsOrderAndHonoursFromAndStop) {
  ring<int> r;
  for (int i = 0; i < 10; ++i) r.push_back(i);
  r.pop_front();  // head not at slot 0
  r.push_back(10);
  int removed = 0;
  // Remove even numbers from index 1 on, until three are gone.
  r.remove_while(
      1, [&](int& v) { return v % 2 == 0 && ++removed; }, [&] { return removed == 3; });
  EXPECT_THAT(drain(r), ElementsAre(1, 3, 5, 7, 8, 9, 10));
}

TEST(Ring, RemoveWhileFromZeroCanEmpty) {
  ring<int> r;
  for (int i = 0; i < 20; ++i) r.push_back(i);
  r.remove_while(0, [](int&) { return true; }, [] { return false; });
  EXPECT_TRUE(r.empty());
  r.push_back(7);
  EXPECT_THAT(drain(r), ElementsAre(7));
}

TEST(Ring, ReusableAfterClearAndDrain) {
  ring<std::string> r;
  for (int i = 0; i < 100; ++i) r.push_back(std::to_string(i));
  r.clear();
  EXPECT_TRUE(r.empty());
  r.push_back("a");
  r.push_back("b");
  EXPECT_EQ(r.front(), "a");
  r.pop_front();
  r.pop_front();
  EXPECT_TRUE(r.empty());
  r.push_back("c");
  EXPECT_EQ(r.front(), "c");
}

}  // namespace
}  // namespace herald::core

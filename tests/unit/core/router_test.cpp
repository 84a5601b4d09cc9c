// router over a broker: worker interest becomes one broker subscription per
// channel, and messages are dispatched only to interested workers. Uses the
// memory broker end to end and a recording broker for subscribe calls.
#include "core/router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <tuple>
#include <vector>

#include "core/hub.hpp"
#include "core/memory_broker.hpp"

namespace herald::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records subscribe calls; publishes like the memory broker.
class recording_broker final : public broker {
 public:
  std::vector<std::string> subscribed, unsubscribed;
  void start(message_handler h) override { handler_ = std::move(h); }
  void stop() override {}
  bool publish(const std::string& ch, const message_ptr& m) override {
    handler_(ch, m);
    return true;
  }
  void subscribe(const std::string& ch) override { subscribed.push_back(ch); }
  void unsubscribe(const std::string& ch) override { unsubscribed.push_back(ch); }
  broker_state state() const override { return broker_state::ready; }
  std::string_view name() const override { return "recording"; }
  const broker_stats& stats() const override { return stats_; }

 private:
  message_handler handler_;
  broker_stats stats_;
};

message_ptr msg(const std::string& dest) {
  message_fields f;
  f.destination = dest;
  return make_message(std::move(f), "id");
}

struct dispatched {
  std::size_t worker;
  std::string channel;
};

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    b.start([this](const std::string& ch, const message_ptr& m) { r.on_message(ch, m); });
  }
  recording_broker b;
  std::vector<dispatched> out;
  router r{b, 4, [this](std::size_t w, const std::string& ch, const message_ptr&) { out.push_back({w, ch}); }};
};

TEST_F(RouterTest, TwoWorkersOneBrokerSubscription) {
  r.interest(0, "/topic/x", true);
  r.interest(1, "/topic/x", true);
  EXPECT_THAT(b.subscribed, ElementsAre("/topic/x"));
  EXPECT_EQ(r.channels(), 1u);
  r.interest(0, "/topic/x", false);
  EXPECT_THAT(b.unsubscribed, IsEmpty());
  r.interest(1, "/topic/x", false);
  EXPECT_THAT(b.unsubscribed, ElementsAre("/topic/x"));
  EXPECT_EQ(r.channels(), 0u);
  r.interest(2, "/topic/x", true);
  EXPECT_THAT(b.subscribed, ElementsAre("/topic/x", "/topic/x"));
}

TEST_F(RouterTest, LossWithoutGainIsHarmless) {
  r.interest(3, "/topic/x", false);
  EXPECT_THAT(b.unsubscribed, IsEmpty());
  EXPECT_EQ(r.channels(), 0u);
}

TEST_F(RouterTest, DispatchOnlyToInterestedWorkers) {
  r.interest(1, "/topic/x", true);
  r.interest(3, "/topic/x", true);
  r.interest(2, "/topic/y", true);
  b.publish("/topic/x", msg("/topic/x"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].worker, 1u);
  EXPECT_EQ(out[1].worker, 3u);
  EXPECT_EQ(out[0].channel, "/topic/x");
  out.clear();
  b.publish("/topic/z", msg("/topic/z"));
  EXPECT_TRUE(out.empty());
  r.interest(1, "/topic/x", false);
  b.publish("/topic/x", msg("/topic/x"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].worker, 3u);
}

TEST(Router, WorkerCountBounds) {
  memory_broker b;
  auto noop = [](std::size_t, const std::string&, const message_ptr&) {};
  EXPECT_THROW(router(b, 0, noop), std::invalid_argument);
  EXPECT_THROW(router(b, 65, noop), std::invalid_argument);
  router r(b, 64, noop);
  r.interest(63, "c", true);
  EXPECT_EQ(r.channels(), 1u);
}

TEST(Router, HighestWorkerBitDispatches) {
  memory_broker b;
  std::vector<std::size_t> workers;
  router r(b, 64, [&](std::size_t w, const std::string&, const message_ptr&) { workers.push_back(w); });
  b.start([&](const std::string& ch, const message_ptr& m) { r.on_message(ch, m); });
  r.interest(0, "c", true);
  r.interest(63, "c", true);
  b.publish("c", msg("/c"));
  EXPECT_THAT(workers, ElementsAre(0u, 63u));
}

// The whole single-node path: hub interest → router → memory broker →
// dispatch → hub delivery.
TEST(Router, HubToMemoryBrokerRoundTrip) {
  memory_broker b;
  std::vector<std::unique_ptr<hub>> hubs;
  router r(b, 2, [&](std::size_t w, const std::string& ch, const message_ptr& m) { hubs[w]->deliver(ch, m); });
  b.start([&](const std::string& ch, const message_ptr& m) { r.on_message(ch, m); });
  for (std::size_t w = 0; w < 2; ++w) {
    hubs.push_back(std::make_unique<hub>([&r, w](const std::string& ch, bool g) { r.interest(w, ch, g); }));
  }
  struct counting final : subscriber {
    int n = 0;
    void deliver_topic(topic_sub&, const message_ptr&) override { ++n; }
    void deliver_user(const message_ptr&) override { ++n; }
    void kick(const std::string&) override {}
  } s0, s1;
  topic_sub a{&s0}, c{&s1};
  hubs[0]->add_topic("/topic/x", a);
  hubs[1]->add_topic("/topic/x", c);
  EXPECT_EQ(r.channels(), 1u);
  EXPECT_TRUE(b.publish("/topic/x", msg("/topic/x")));
  EXPECT_EQ(s0.n, 1);
  EXPECT_EQ(s1.n, 1);
  hubs[0]->remove_topic(a);
  b.publish("/topic/x", msg("/topic/x"));
  EXPECT_EQ(s0.n, 1);
  EXPECT_EQ(s1.n, 2);
  hubs[1]->remove_topic(c);
  EXPECT_EQ(r.channels(), 0u);
}

TEST(MemoryBroker, StateAndStop) {
  memory_broker b;
  int calls = 0;
  b.start([&](const std::string&, const message_ptr&) { ++calls; });
  EXPECT_EQ(b.state(), broker_state::ready);
  EXPECT_EQ(b.name(), "memory");
  EXPECT_TRUE(b.publish("c", msg("/c")));
  EXPECT_EQ(calls, 1);
  b.stop();
  EXPECT_EQ(b.state(), broker_state::stopped);
  EXPECT_FALSE(b.publish("c", msg("/c")));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(to_string(broker_state::degraded), "degraded");
}

}  // namespace
}  // namespace herald::core

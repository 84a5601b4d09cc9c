// hub: topic subscriptions (swap-and-pop removal), user sessions, interest
// callbacks on the first and last local subscriber, and delivery fan-out.
#include "core/hub.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "core/channels.hpp"

namespace herald::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAreArray;

struct fake_subscriber final : subscriber {
  std::vector<std::pair<topic_sub*, message_ptr>> topic;
  std::vector<message_ptr> user;
  std::vector<std::string> kicks;

  void deliver_topic(topic_sub& sub, const message_ptr& m) override { topic.emplace_back(&sub, m); }
  void deliver_user(const message_ptr& m) override { user.push_back(m); }
  void kick(const std::string& reason) override { kicks.push_back(reason); }
};

message_ptr msg(std::string dest, std::string id = "m") {
  message_fields f;
  f.destination = std::move(dest);
  return make_message(std::move(f), std::move(id));
}

class HubTest : public ::testing::Test {
 protected:
  std::vector<std::pair<std::string, bool>> interest;
  hub h{[this](const std::string& ch, bool gained) { interest.emplace_back(ch, gained); }};
};

TEST_F(HubTest, InterestOnFirstAndLastTopicSubscriber) {
  fake_subscriber s;
  topic_sub a{&s}, b{&s};
  h.add_topic("/topic/x", a);
  EXPECT_THAT(interest, ElementsAre(Pair("/topic/x", true)));
  h.add_topic("/topic/x", b);
  EXPECT_EQ(interest.size(), 1u);
  EXPECT_EQ(h.topic_count(), 1u);
  EXPECT_EQ(h.topic_subscriptions(), 2u);
  h.remove_topic(a);
  EXPECT_EQ(interest.size(), 1u);
  h.remove_topic(b);
  EXPECT_THAT(interest, ElementsAre(Pair("/topic/x", true), Pair("/topic/x", false)));
  EXPECT_EQ(h.topic_count(), 0u);
  EXPECT_EQ(h.topic_subscriptions(), 0u);
}

TEST_F(HubTest, RemoveIsIdempotent) {
  fake_subscriber s;
  topic_sub a{&s};
  h.add_topic("/topic/x", a);
  h.remove_topic(a);
  h.remove_topic(a);
  EXPECT_EQ(interest.size(), 2u);
  EXPECT_EQ(h.topic_subscriptions(), 0u);
  topic_sub never{&s};
  h.remove_topic(never);
  EXPECT_EQ(interest.size(), 2u);
}

TEST_F(HubTest, ReAddAfterLastRemovalGainsAgain) {
  fake_subscriber s;
  topic_sub a{&s};
  h.add_topic("/topic/x", a);
  h.remove_topic(a);
  h.add_topic("/topic/x", a);
  EXPECT_THAT(interest, ElementsAre(Pair("/topic/x", true), Pair("/topic/x", false), Pair("/topic/x", true)));
  h.deliver("/topic/x", msg("/topic/x"));
  EXPECT_EQ(s.topic.size(), 1u);
}

TEST_F(HubTest, DeliverReachesExactlyTheTopicSubscribers) {
  fake_subscriber s1, s2, s3;
  topic_sub a{&s1}, b{&s2}, c{&s3}, d{&s1};
  h.add_topic("/topic/x", a);
  h.add_topic("/topic/x", b);
  h.add_topic("/topic/y", c);
  h.add_topic("/topic/x", d);
  auto m = msg("/topic/x");
  h.deliver("/topic/x", m);
  ASSERT_EQ(s1.topic.size(), 2u);
  std::set<topic_sub*> got{s1.topic[0].first, s1.topic[1].first};
  EXPECT_EQ(got, (std::set<topic_sub*>{&a, &d}));
  EXPECT_EQ(s1.topic[0].second, m);
  ASSERT_EQ(s2.topic.size(), 1u);
  EXPECT_EQ(s2.topic[0].first, &b);
  EXPECT_TRUE(s3.topic.empty());
  EXPECT_TRUE(s1.user.empty());

  h.deliver("/topic/none", m);
  EXPECT_EQ(s1.topic.size() + s2.topic.size() + s3.topic.size(), 3u);
}

TEST_F(HubTest, SwapAndPopWithManySubsRemovedInRandomOrder) {
  constexpr int n = 200;
  fake_subscriber s;
  std::vector<std::unique_ptr<topic_sub>> subs;
  for (int i = 0; i < n; ++i) {
    subs.push_back(std::make_unique<topic_sub>(topic_sub{&s}));
    h.add_topic("/topic/hot", *subs.back());
  }
  std::vector<topic_sub*> live;
  for (auto& p : subs) live.push_back(p.get());
  std::mt19937 rng(12345);
  std::shuffle(live.begin(), live.end(), rng);

  while (!live.empty()) {
    // Remove a few, then check that delivery reaches exactly the rest.
    for (int k = 0; k < 7 && !live.empty(); ++k) {
      h.remove_topic(*live.back());
      live.pop_back();
    }
    s.topic.clear();
    h.deliver("/topic/hot", msg("/topic/hot"));
    std::vector<topic_sub*> reached;
    for (auto& [sub, m] : s.topic) reached.push_back(sub);
    ASSERT_THAT(reached, UnorderedElementsAreArray(live));
    ASSERT_EQ(h.topic_subscriptions(), live.size());
  }
  EXPECT_THAT(interest, ElementsAre(Pair("/topic/hot", true), Pair("/topic/hot", false)));
  EXPECT_EQ(h.topic_count(), 0u);
}

TEST_F(HubTest, ManyTopicsSurviveRehash) {
  fake_subscriber s;
  std::vector<std::unique_ptr<topic_sub>> subs;
  for (int i = 0; i < 500; ++i) {
    subs.push_back(std::make_unique<topic_sub>(topic_sub{&s}));
    h.add_topic("/topic/t" + std::to_string(i), *subs.back());
  }
  EXPECT_EQ(h.topic_count(), 500u);
  // Keys recorded before the rehashes are still valid.
  for (int i = 0; i < 500; i += 2) h.remove_topic(*subs[i]);
  EXPECT_EQ(h.topic_count(), 250u);
  int lost = 0;
  for (auto& [ch, gained] : interest) lost += gained ? 0 : 1;
  EXPECT_EQ(lost, 250);
  EXPECT_EQ(interest.back().first, "/topic/t498");
  h.deliver("/topic/t1", msg("/topic/t1"));
  h.deliver("/topic/t2", msg("/topic/t2"));
  ASSERT_EQ(s.topic.size(), 1u);
  EXPECT_EQ(s.topic[0].first, subs[1].get());
}

TEST_F(HubTest, UserInterestAndDelivery) {
  fake_subscriber s1, s2, other;
  h.add_user_session("alice", s1);
  EXPECT_THAT(interest, ElementsAre(Pair(user_channel("alice"), true)));
  h.add_user_session("alice", s2);
  h.add_user_session("bob", other);
  EXPECT_EQ(interest.size(), 2u);
  EXPECT_EQ(h.user_count(), 2u);
  EXPECT_THAT(h.sessions_of("alice"), ::testing::UnorderedElementsAre(&s1, &s2));
  EXPECT_THAT(h.sessions_of("carol"), IsEmpty());

  message_fields f;
  f.kind = target_kind::user;
  f.user = "alice";
  f.destination = "/queue/x";
  auto m = make_message(std::move(f), "u1");
  h.deliver(user_channel("alice"), m);
  EXPECT_EQ(s1.user.size(), 1u);
  EXPECT_EQ(s2.user.size(), 1u);
  EXPECT_TRUE(other.user.empty());
  EXPECT_TRUE(s1.topic.empty());
  h.deliver(user_channel("nobody"), m);

  h.remove_user_session("alice", s1);
  EXPECT_EQ(interest.size(), 2u);
  h.deliver(user_channel("alice"), m);
  EXPECT_EQ(s1.user.size(), 1u);
  EXPECT_EQ(s2.user.size(), 2u);
  h.remove_user_session("alice", s2);
  EXPECT_EQ(interest.back(), std::make_pair(user_channel("alice"), false));
  h.remove_user_session("alice", s2);  // unknown: no second loss
  EXPECT_EQ(interest.size(), 3u);
  EXPECT_EQ(h.user_count(), 1u);
}

TEST_F(HubTest, UserAndTopicNamespacesDoNotCollide) {
  fake_subscriber s;
  topic_sub t{&s};
  h.add_topic("/topic/x", t);
  h.add_user_session("/topic/x", s);
  h.deliver("/topic/x", msg("/topic/x"));
  EXPECT_EQ(s.topic.size(), 1u);
  EXPECT_TRUE(s.user.empty());
  h.deliver(user_channel("/topic/x"), msg("/q"));
  EXPECT_EQ(s.topic.size(), 1u);
  EXPECT_EQ(s.user.size(), 1u);
}

TEST(Channels, Names) {
  EXPECT_EQ(topic_channel("/topic/a"), "/topic/a");
  EXPECT_EQ(user_channel("bob"), "u:bob");
  EXPECT_TRUE(is_user_channel("u:bob"));
  EXPECT_FALSE(is_user_channel("/topic/u:bob"));
  EXPECT_EQ(channel_user("u:bob"), "bob");
}

}  // namespace
}  // namespace herald::core

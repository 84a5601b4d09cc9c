// publisher: validation against the destination rules and header rules,
// channel choice, unique message ids, stats, and broker outages.
#include "core/publisher.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "core/channels.hpp"
#include "core/memory_broker.hpp"

namespace herald::core {
namespace {

class PublisherTest : public ::testing::Test {
 protected:
  PublisherTest() {
    b.start([this](const std::string& ch, const message_ptr& m) { seen.emplace_back(ch, m); });
  }
  static message_fields topic(std::string dest, std::string body = "b") {
    message_fields f;
    f.destination = std::move(dest);
    f.body = std::move(body);
    return f;
  }
  static message_fields to_user(std::string user, std::string dest) {
    message_fields f;
    f.kind = target_kind::user;
    f.user = std::move(user);
    f.destination = std::move(dest);
    return f;
  }
  publish_outcome rejected(message_fields f) {
    auto before = seen.size();
    auto out = p.publish(std::move(f));
    EXPECT_EQ(out.status, publish_status::bad_request);
    EXPECT_FALSE(out.error.empty());
    EXPECT_EQ(seen.size(), before) << "a rejected message reached the broker";
    return out;
  }

  config::destinations cfg;
  destination_rules rules{cfg};
  memory_broker b;
  publisher p{b, rules, "node1"};
  std::vector<std::pair<std::string, message_ptr>> seen;
};

TEST_F(PublisherTest, TopicPublishReachesBroker) {
  auto f = topic("/topic/x", "hello");
  f.headers = {{"content-type", "text/plain"}, {"x-a", "1"}};
  auto out = p.publish(std::move(f));
  ASSERT_EQ(out.status, publish_status::ok) << out.error;
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "/topic/x");
  const auto& m = *seen[0].second;
  EXPECT_EQ(m.id, out.message_id);
  EXPECT_EQ(m.kind, target_kind::topic);
  EXPECT_EQ(m.destination, "/topic/x");
  EXPECT_EQ(m.body, "hello");
  EXPECT_EQ(m.headers.size(), 2u);
  EXPECT_EQ(p.stats().published.load(), 1u);
}

TEST_F(PublisherTest, MessageIdsAreUniqueAndCarryTheNode) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    auto out = p.publish(topic("/topic/x"));
    ASSERT_EQ(out.status, publish_status::ok);
    EXPECT_EQ(out.message_id.rfind("node1-", 0), 0u) << out.message_id;
    ids.insert(out.message_id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST_F(PublisherTest, TopicOutsideBrokerPrefixes) {
  rejected(topic("/app/x"));
  rejected(topic("/other/x"));
  rejected(topic("/topic"));
  rejected(topic("/topics/x"));
  rejected(topic("/user/bob/queue/x"));
  EXPECT_EQ(p.stats().rejected.load(), 5u);
  EXPECT_EQ(p.stats().published.load(), 0u);
}

TEST_F(PublisherTest, MalformedDestination) {
  rejected(topic(""));
  rejected(topic("topic/x"));
  rejected(topic("/topic/x/"));
  rejected(topic("/topic/../app/x"));
  rejected(topic("/topic/a\nb"));
  rejected(to_user("bob", "queue/x"));
  rejected(to_user("bob", "/queue//x"));
}

TEST_F(PublisherTest, UserPublishRelativeDestination) {
  auto out = p.publish(to_user("bob", "/queue/reply"));
  ASSERT_EQ(out.status, publish_status::ok) << out.error;
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, user_channel("bob"));
  EXPECT_EQ(seen[0].second->user, "bob");
  EXPECT_EQ(seen[0].second->destination, "/queue/reply");
  EXPECT_EQ(seen[0].second->kind, target_kind::user);
  // Relative to the user: any well-formed path, not only broker prefixes.
  EXPECT_EQ(p.publish(to_user("bob", "/notifications")).status, publish_status::ok);
}

TEST_F(PublisherTest, UserPublishNeedsUser) { rejected(to_user("", "/queue/x")); }

TEST_F(PublisherTest, ReservedHeadersRefused) {
  for (const char* name :
       {"destination", "subscription", "message-id", "content-length", "ack", "receipt", "transaction"}) {
    auto f = topic("/topic/x");
    f.headers = {{"ok", "1"}, {name, "v"}};
    auto out = rejected(std::move(f));
    EXPECT_NE(out.error.find(name), std::string::npos) << out.error;
  }
}

TEST_F(PublisherTest, InvalidHeadersRefused) {
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"x", "a\nb"},
           {"x", "a\rb"},
           {"x", std::string("a\0b", 3)},
           {"a:b", "v"},
           {"a\nb", "v"},
           {"", "v"},
           {std::string(257, 'n'), "v"},
           {"x", std::string(4097, 'v')},
       }) {
    auto f = topic("/topic/x");
    f.headers = {{name, value}};
    rejected(std::move(f));
  }
}

TEST(ValidHeader, Bounds) {
  EXPECT_TRUE(valid_header("content-type", "application/json; charset=utf-8"));
  EXPECT_TRUE(valid_header("x", "a:b\\c"));  // escaped on the wire, not refused
  EXPECT_TRUE(valid_header("x", ""));
  EXPECT_TRUE(valid_header(std::string(256, 'n'), std::string(4096, 'v')));
  EXPECT_FALSE(valid_header(std::string(257, 'n'), "v"));
  EXPECT_FALSE(valid_header("n", std::string(4097, 'v')));
}

TEST_F(PublisherTest, BrokerOutageIsUnavailable) {
  b.stop();
  auto out = p.publish(topic("/topic/x"));
  EXPECT_EQ(out.status, publish_status::unavailable);
  EXPECT_FALSE(out.error.empty());
  EXPECT_EQ(p.stats().unavailable.load(), 1u);
  EXPECT_EQ(p.stats().published.load(), 0u);
}

}  // namespace
}  // namespace herald::core

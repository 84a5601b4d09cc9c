// SUBSCRIBE/UNSUBSCRIBE: receipts, topic and user deliveries with the right
// headers, refusals, limits, STOMP 1.0 forms, and cleanup when the transport
// goes away.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;
using ::testing::Contains;
using ::testing::Pair;

TEST(SessionSubscribe, ReceiptAndTopicDelivery) {
  world w;
  client c(w);
  c.connect("alice");
  c.send("SUBSCRIBE", {{"id", "sub-0"}, {"destination", "/topic/news"}, {"receipt", "77"}});
  auto r = c.one();
  ASSERT_EQ(r.cmd, command::receipt);
  EXPECT_EQ(header(r, "receipt-id"), "77");
  EXPECT_EQ(w.hub.topic_subscriptions(), 1u);
  EXPECT_EQ(w.metrics.subscriptions.value(), 1);

  auto out = w.publish_topic("/topic/news", "{\"a\":1}", {{"content-type", "application/json"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::message);
  EXPECT_EQ(header(f, "destination"), "/topic/news");
  EXPECT_EQ(header(f, "subscription"), "sub-0");
  EXPECT_EQ(header(f, "message-id"), out.message_id);
  EXPECT_EQ(header(f, "content-type"), "application/json");
  EXPECT_EQ(header(f, "content-length"), "7");
  EXPECT_EQ(header(f, "ack"), "<absent>");
  EXPECT_EQ(f.body, "{\"a\":1}");
}

TEST(SessionSubscribe, NoDeliveryForOtherTopics) {
  world w;
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  w.publish_topic("/topic/b");
  w.publish_topic("/topic/a/b");
  EXPECT_TRUE(c.frames().empty());
}

TEST(SessionSubscribe, TwoSubscriptionsOneTopicGetTwoFrames) {
  world w;
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  c.subscribe("2", "/topic/a");
  w.publish_topic("/topic/a");
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 2u);
  std::set<std::string> subs{header(fs[0], "subscription"), header(fs[1], "subscription")};
  EXPECT_EQ(subs, (std::set<std::string>{"1", "2"}));
}

TEST(SessionSubscribe, Unsubscribe) {
  world w;
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  c.send("UNSUBSCRIBE", {{"id", "1"}, {"receipt", "u"}});
  auto r = c.one();
  ASSERT_EQ(r.cmd, command::receipt);
  EXPECT_EQ(header(r, "receipt-id"), "u");
  EXPECT_EQ(w.hub.topic_subscriptions(), 0u);
  EXPECT_EQ(w.metrics.subscriptions.value(), 0);
  EXPECT_THAT(w.interest, Contains(Pair("/topic/a", false)));
  w.publish_topic("/topic/a");
  EXPECT_TRUE(c.frames().empty());
  // Unknown ids are not an error, and the id can be reused.
  c.send("UNSUBSCRIBE", {{"id", "nope"}, {"receipt", "u2"}});
  EXPECT_EQ(c.one().cmd, command::receipt);
  c.subscribe("1", "/topic/b");
}

TEST(SessionSubscribe, UnsubscribeNeedsId) {
  world w;
  client c(w);
  c.connect("alice");
  c.send("UNSUBSCRIBE", {{"destination", "/topic/a"}});
  EXPECT_EQ(c.one().cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
}

TEST(SessionSubscribe, UserDeliveryPrincipalForm) {
  world w;
  client alice(w), bob(w);
  alice.connect("alice");
  bob.connect("bob");
  alice.subscribe("q", "/user/queue/inbox");
  bob.subscribe("q", "/user/queue/inbox");
  w.publish_user("alice", "/queue/inbox", "for alice");
  auto f = alice.one();
  ASSERT_EQ(f.cmd, command::message);
  EXPECT_EQ(header(f, "destination"), "/user/queue/inbox");
  EXPECT_EQ(header(f, "subscription"), "q");
  EXPECT_EQ(f.body, "for alice");
  EXPECT_TRUE(bob.frames().empty());
  // Another relative destination of the same user is not delivered.
  w.publish_user("alice", "/queue/other");
  EXPECT_TRUE(alice.frames().empty());
}

TEST(SessionSubscribe, UserDeliveryExplicitForm) {
  world w;
  client alice(w);
  alice.connect("alice");
  alice.subscribe("q", "/user/alice/notes");
  w.publish_user("alice", "/notes", "n");
  auto f = alice.one();
  ASSERT_EQ(f.cmd, command::message);
  EXPECT_EQ(header(f, "destination"), "/user/alice/notes");
  EXPECT_EQ(f.body, "n");
}

// "/user/userOnlineStatus": one segment after the user prefix is the
// principal form of "/userOnlineStatus", though no broker prefix covers it.
TEST(SessionSubscribe, UserDeliveryPrincipalFormSingleSegment) {
  world w;
  client u(w), other(w);
  u.connect("13800000000");
  other.connect("13900000000");
  u.subscribe("s", "/user/userOnlineStatus");
  other.subscribe("s", "/user/userOnlineStatus");
  w.publish_user("13800000000", "/userOnlineStatus", "online");
  auto f = u.one();
  ASSERT_EQ(f.cmd, command::message);
  EXPECT_EQ(header(f, "destination"), "/user/userOnlineStatus");
  EXPECT_EQ(header(f, "subscription"), "s");
  EXPECT_EQ(f.body, "online");
  EXPECT_TRUE(other.frames().empty());
}

TEST(SessionSubscribe, UserDeliveryReachesEverySessionOfTheUser) {
  world w;
  client a1(w), a2(w);
  a1.connect("alice");
  a2.connect("alice");
  a1.subscribe("q", "/user/queue/x");
  a2.subscribe("q", "/user/queue/x");
  w.publish_user("alice", "/queue/x");
  EXPECT_EQ(a1.frames().size(), 1u);
  EXPECT_EQ(a2.frames().size(), 1u);
}

TEST(SessionSubscribe, CrossUserSubscribeRefused) {
  world w;
  client alice(w);
  alice.connect("alice");
  alice.send("SUBSCRIBE", {{"id", "1"}, {"destination", "/user/bob/queue/x"}, {"receipt", "r"}});
  auto f = alice.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("another user"), std::string::npos);
  EXPECT_EQ(header(f, "receipt-id"), "r");
  EXPECT_EQ(alice.tr.reason(), core::close_reason::protocol_error);
}

TEST(SessionSubscribe, InvalidDestinationRefused) {
  for (const char* dest : {"/app/x", "/elsewhere", "/topic/../x", "/user", "/user/"}) {
    world w;
    client c(w);
    c.connect("alice");
    c.send("SUBSCRIBE", {{"id", "1"}, {"destination", dest}});
    EXPECT_EQ(c.one().cmd, command::error) << dest;
    EXPECT_EQ(w.hub.topic_subscriptions(), 0u);
  }
}

TEST(SessionSubscribe, MissingHeaders) {
  {
    world w;
    client c(w);
    c.connect("alice");
    c.send("SUBSCRIBE", {{"id", "1"}});
    EXPECT_EQ(c.one().cmd, command::error);
  }
  {
    world w;
    client c(w);
    c.connect("alice");
    c.send("SUBSCRIBE", {{"destination", "/topic/x"}});
    auto f = c.one();
    EXPECT_EQ(f.cmd, command::error);
    EXPECT_NE(header(f, "message").find("id"), std::string::npos);
  }
}

TEST(SessionSubscribe, DuplicateId) {
  world w;
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  c.send("SUBSCRIBE", {{"id", "1"}, {"destination", "/topic/b"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("already in use"), std::string::npos);
  EXPECT_EQ(w.hub.topic_subscriptions(), 1u);
}

TEST(SessionSubscribe, IdTooLong) {
  world w;
  client c(w);
  c.connect("alice");
  c.send("SUBSCRIBE", {{"id", std::string(257, 'i')}, {"destination", "/topic/b"}});
  EXPECT_EQ(c.one().cmd, command::error);
}

TEST(SessionSubscribe, MaxSubscriptions) {
  config::config cfg;
  cfg.limits.max_subscriptions = 2;
  world w(cfg);
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  c.subscribe("2", "/user/queue/b");
  c.send("SUBSCRIBE", {{"id", "3"}, {"destination", "/topic/c"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("limit 2"), std::string::npos);
  EXPECT_EQ(c.tr.reason(), core::close_reason::limit_exceeded);
}

TEST(SessionSubscribe, UnknownAckMode) {
  world w;
  client c(w);
  c.connect("alice");
  c.send("SUBSCRIBE", {{"id", "1"}, {"destination", "/topic/a"}, {"ack", "sometimes"}});
  EXPECT_EQ(c.one().cmd, command::error);
}

TEST(SessionSubscribe, Stomp10SubscribeWithoutId) {
  world w;
  client c(w);
  c.connect("alice", "1.0");
  c.send("SUBSCRIBE", {{"destination", "/topic/a"}, {"receipt", "r"}});
  ASSERT_EQ(c.one().cmd, command::receipt);
  w.publish_topic("/topic/a");
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::message);
  EXPECT_EQ(header(f, "subscription"), "/topic/a");
  c.send("UNSUBSCRIBE", {{"destination", "/topic/a"}, {"receipt", "u"}});
  ASSERT_EQ(c.one().cmd, command::receipt);
  EXPECT_EQ(w.hub.topic_subscriptions(), 0u);
}

TEST(SessionSubscribe, HeadersEscapedPerVersion) {
  world w;
  client v12(w), v10(w);
  v12.connect("a", "1.2");
  v10.connect("b", "1.0");
  v12.subscribe("s", "/topic/a");
  v10.subscribe("s", "/topic/a");
  w.publish_topic("/topic/a", "x", {{"k", "a:b\\c"}});
  std::string raw12 = v12.raw(), raw10 = v10.raw();
  EXPECT_NE(raw12.find("\nk:a\\cb\\\\c\n"), std::string::npos) << raw12;
  EXPECT_NE(raw10.find("\nk:a:b\\c\n"), std::string::npos) << raw10;
}

TEST(SessionSubscribe, TransportClosedCleansUp) {
  world w;
  {
    client c(w);
    c.connect("alice");
    c.subscribe("1", "/topic/a");
    c.subscribe("2", "/topic/b");
    c.subscribe("3", "/user/queue/x");
    EXPECT_EQ(w.hub.topic_subscriptions(), 2u);
    EXPECT_EQ(w.router.channels(), 3u);
    w.interest.clear();
    c.closed_by_transport();
    EXPECT_TRUE(c.s.closing());
    EXPECT_EQ(w.hub.topic_subscriptions(), 0u);
    EXPECT_EQ(w.hub.topic_count(), 0u);
    EXPECT_EQ(w.hub.user_count(), 0u);
    EXPECT_EQ(w.registry.sessions(), 0u);
    EXPECT_EQ(w.router.channels(), 0u);
    EXPECT_EQ(w.metrics.subscriptions.value(), 0);
    EXPECT_EQ(w.metrics.sessions[0].value(), 0);
    EXPECT_THAT(w.interest, ::testing::UnorderedElementsAre(Pair("/topic/a", false), Pair("/topic/b", false),
                                                            Pair(core::user_channel("alice"), false)));
  }
  // Publishing afterwards reaches nobody (and touches no dead session).
  w.publish_topic("/topic/a");
  w.publish_user("alice", "/queue/x");
}

TEST(SessionSubscribe, OtherSessionsKeepTheirInterest) {
  world w;
  client a(w), b(w);
  a.connect("alice");
  b.connect("alice");
  a.subscribe("1", "/topic/a");
  b.subscribe("1", "/topic/a");
  a.closed_by_transport();
  EXPECT_EQ(w.hub.topic_subscriptions(), 1u);
  EXPECT_EQ(w.registry.sessions_of("alice"), 1u);
  w.publish_topic("/topic/a");
  EXPECT_EQ(b.frames().size(), 1u);
}

TEST(SessionSubscribe, Kick) {
  world w;
  client c(w);
  c.connect("alice");
  auto sessions = w.hub.sessions_of("alice");
  ASSERT_EQ(sessions.size(), 1u);
  sessions[0]->kick("banned for spam");
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "banned for spam");
  EXPECT_EQ(f.body, "banned for spam");
  EXPECT_EQ(c.tr.reason(), core::close_reason::kicked);
}

TEST(SessionSubscribe, KickWithoutReason) {
  world w;
  client c(w);
  c.connect("alice");
  c.s.kick("");
  EXPECT_EQ(header(c.one(), "message"), "session closed by the server");
}

TEST(SessionSubscribe, NoDeliveryAfterClose) {
  world w;
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  c.s.kick("bye");
  (void)c.frames();
  w.publish_topic("/topic/a");
  EXPECT_TRUE(c.frames().empty());
}

}  // namespace
}  // namespace herald::session::test

// ACK/NACK: client (cumulative) and client-individual modes, the unacked
// bound under both slow-consumer policies, STOMP 1.1 acks by message-id,
// and acks inside transactions.
#include <gtest/gtest.h>

#include <vector>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;

config::config bounded(std::uint32_t max_unacked, config::slow_policy topic = config::slow_policy::drop_oldest) {
  config::config cfg;
  cfg.limits.max_unacked = max_unacked;
  cfg.slow_consumer.topic = topic;
  return cfg;
}

// Publishes n messages to /topic/a and returns the ack ids of the frames
// that arrived.
std::vector<std::string> deliver(world& w, client& c, int n) {
  std::vector<std::string> acks;
  for (int i = 0; i < n; ++i) w.publish_topic("/topic/a", "m");
  for (auto& f : c.frames()) {
    EXPECT_EQ(f.cmd, command::message);
    acks.push_back(header(f, "ack"));
  }
  return acks;
}

void ack(client& c, const std::string& id, const char* cmd = "ACK") {
  c.send(cmd, {{"id", id}, {"receipt", "a-" + id}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::receipt) << header(f, "message");
}

TEST(SessionAck, AckHeaderIsTheMessageId) {
  world w;
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client");
  auto out = w.publish_topic("/topic/a");
  auto f = c.one();
  EXPECT_EQ(header(f, "ack"), out.message_id);
  EXPECT_EQ(header(f, "message-id"), out.message_id);
}

TEST(SessionAck, ClientAckIsCumulative) {
  world w(bounded(3));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client");
  auto ids = deliver(w, c, 4);
  ASSERT_EQ(ids.size(), 3u);  // the fourth exceeds the unacked bound
  EXPECT_EQ(w.metrics.dropped.value(), 1u);
  ack(c, ids[1]);  // settles ids[0] and ids[1]
  EXPECT_EQ(deliver(w, c, 3).size(), 2u);
}

TEST(SessionAck, ClientIndividualSettlesOne) {
  world w(bounded(3));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client-individual");
  auto ids = deliver(w, c, 3);
  ASSERT_EQ(ids.size(), 3u);
  ack(c, ids[1]);
  EXPECT_EQ(deliver(w, c, 2).size(), 1u);
  ack(c, ids[0]);
  EXPECT_EQ(deliver(w, c, 1).size(), 1u);
}

TEST(SessionAck, NackSettlesToo) {
  world w(bounded(1));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client-individual");
  auto ids = deliver(w, c, 1);
  ASSERT_EQ(ids.size(), 1u);
  ack(c, ids[0], "NACK");
  EXPECT_EQ(deliver(w, c, 1).size(), 1u);
}

TEST(SessionAck, UnknownIdIsHarmless) {
  world w;
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client");
  ack(c, "never-sent");
  EXPECT_FALSE(c.tr.closed());
}

TEST(SessionAck, AckNeedsId) {
  world w;
  client c(w);
  c.connect("alice");
  c.send("ACK", {{"message-id", "x"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("id header"), std::string::npos);
}

TEST(SessionAck, AutoModeHasNoBound) {
  world w(bounded(2));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  EXPECT_EQ(deliver(w, c, 10).size(), 10u);
}

TEST(SessionAck, UnackedBoundClosesUnderClosePolicy) {
  world w(bounded(2, config::slow_policy::close));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client");
  w.publish_topic("/topic/a");
  w.publish_topic("/topic/a");
  w.publish_topic("/topic/a");
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[2].cmd, command::error);
  EXPECT_EQ(header(fs[2], "message"), "too many unacknowledged messages (limit 2)");
  EXPECT_EQ(c.tr.reason(), core::close_reason::slow_consumer);
}

// Under drop_oldest a delivery past max_unacked is dropped; the session is
// told like of any slow-consumer drop: x-herald-dropped on the next MESSAGE.
TEST(SessionAck, UnackedBoundDropIsReportedInTheNotice) {
  world w(bounded(2));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client-individual");
  c.subscribe("m", "/topic/marker");
  auto first = deliver(w, c, 2);
  ASSERT_EQ(first.size(), 2u);
  w.publish_topic("/topic/a", "over");
  w.publish_topic("/topic/a", "over again");
  EXPECT_TRUE(c.frames().empty());
  EXPECT_EQ(w.metrics.dropped.value(), 2u);
  EXPECT_FALSE(c.tr.closed());
  // The next MESSAGE, whichever subscription it is for, carries the count.
  w.publish_topic("/topic/marker", "marker");
  auto f = c.one();
  EXPECT_EQ(header(f, "subscription"), "m");
  EXPECT_EQ(header(f, "x-herald-dropped"), "2");
  // Reported once.
  ack(c, first[0]);
  w.publish_topic("/topic/a", "fits again");
  auto g = c.one();
  EXPECT_EQ(g.body, "fits again");
  EXPECT_EQ(header(g, "x-herald-dropped"), "<absent>");
  EXPECT_EQ(w.metrics.dropped.value(), 2u);
}

TEST(SessionAck, UserSubscriptionUnackedBoundCloses) {
  world w(bounded(1));  // user policy defaults to close
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/user/queue/a", "client-individual");
  w.publish_user("alice", "/queue/a");
  w.publish_user("alice", "/queue/a");
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[1].cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::slow_consumer);
}

TEST(SessionAck, Stomp11AcksByMessageId) {
  world w(bounded(1));
  client c(w);
  c.connect("alice", "1.1");
  c.subscribe("1", "/topic/a", "client-individual");
  auto out = w.publish_topic("/topic/a");
  auto f = c.one();
  EXPECT_EQ(header(f, "ack"), "<absent>");
  EXPECT_EQ(header(f, "message-id"), out.message_id);
  c.send("ACK", {{"message-id", out.message_id}, {"subscription", "1"}, {"receipt", "r"}});
  EXPECT_EQ(c.one().cmd, command::receipt);
  w.publish_topic("/topic/a");
  EXPECT_EQ(c.frames().size(), 1u);

  c.send("ACK", {{"id", "x"}});
  EXPECT_EQ(c.one().cmd, command::error);
}

TEST(SessionAck, AckInTransactionAppliesAtCommit) {
  world w(bounded(1));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client-individual");
  auto ids = deliver(w, c, 1);
  ASSERT_EQ(ids.size(), 1u);
  c.send("BEGIN", {{"transaction", "t"}});
  c.send("ACK", {{"id", ids[0]}, {"transaction", "t"}});
  EXPECT_TRUE(deliver(w, c, 1).empty());  // not settled yet
  c.send("COMMIT", {{"transaction", "t"}, {"receipt", "c"}});
  EXPECT_EQ(c.one().cmd, command::receipt);
  EXPECT_EQ(deliver(w, c, 1).size(), 1u);
}

TEST(SessionAck, AckInAbortedTransactionIsDiscarded) {
  world w(bounded(1));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client-individual");
  auto ids = deliver(w, c, 1);
  ASSERT_EQ(ids.size(), 1u);
  c.send("BEGIN", {{"transaction", "t"}});
  c.send("ACK", {{"id", ids[0]}, {"transaction", "t"}});
  c.send("ABORT", {{"transaction", "t"}});
  EXPECT_TRUE(deliver(w, c, 1).empty());
}

// A message queued for a client-ack subscription is in `unacked` until the
// client acks it. If the outbox could evict it (drop_oldest), the client
// would never see it nor ack it, and its slot would leak: after enough
// evictions the subscription would silently drop everything. Either such
// deliveries are never evicted (the session closes instead), or the full
// window is available again once everything received is acked.
TEST(SessionAck, DroppedMessagesDoNotLeakUnackedSlots) {
  config::config cfg = bounded(3);
  cfg.limits.max_pending_bytes = 2500;  // two 1000-byte messages fit, three do not
  world w(cfg);
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client-individual");
  const std::string body(1000, 'x');
  for (int i = 0; i < 3; ++i) w.publish_topic("/topic/a", body);
  auto fs = c.frames();
  if (c.tr.closed()) {
    EXPECT_EQ(c.tr.reason(), core::close_reason::slow_consumer);
    EXPECT_EQ(w.metrics.dropped.value(), 0u);
    return;
  }
  for (auto& f : fs) ack(c, header(f, "ack"));
  int received = 0;
  for (int i = 0; i < 3; ++i) {
    w.publish_topic("/topic/a", body);
    received += static_cast<int>(c.frames().size());
  }
  EXPECT_EQ(received, 3);
}

}  // namespace
}  // namespace herald::session::test

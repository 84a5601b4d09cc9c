// Slow consumers: the outbox bound under the close policy (user default) and
// drop_oldest (topic default), the x-herald-dropped notice, receipts floods,
// and the ERROR frame written when the outbox is full.
#include <gtest/gtest.h>

#include <string>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;

config::config small_outbox(std::uint32_t bytes) {
  config::config cfg;
  cfg.limits.max_pending_bytes = bytes;
  return cfg;
}

const std::string kilobyte(1000, 'x');

TEST(SessionSlowConsumer, UserPolicyCloseOnOverflow) {
  world w(small_outbox(2500));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/user/queue/a");
  for (int i = 0; i < 3; ++i) w.publish_user("alice", "/queue/a", kilobyte);
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[0].cmd, command::message);
  EXPECT_EQ(fs[1].cmd, command::message);
  ASSERT_EQ(fs[2].cmd, command::error);
  EXPECT_EQ(header(fs[2], "message"), "slow consumer: more than 2500 bytes pending");
  EXPECT_EQ(c.tr.reason(), core::close_reason::slow_consumer);
  // Nothing more is queued once closing.
  w.publish_user("alice", "/queue/a", kilobyte);
  EXPECT_TRUE(c.frames().empty());
}

TEST(SessionSlowConsumer, TopicPolicyCloseOnOverflow) {
  config::config cfg = small_outbox(2500);
  cfg.slow_consumer.topic = config::slow_policy::close;
  world w(cfg);
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  for (int i = 0; i < 3; ++i) w.publish_topic("/topic/a", kilobyte);
  EXPECT_EQ(c.tr.reason(), core::close_reason::slow_consumer);
}

TEST(SessionSlowConsumer, TopicDropOldestAndNotice) {
  world w(small_outbox(2500));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  for (int i = 0; i < 3; ++i) w.publish_topic("/topic/a", std::to_string(i) + kilobyte);
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].body[0], '1');  // the oldest was dropped
  EXPECT_EQ(fs[1].body[0], '2');
  // The first message written after the gap says how many went missing.
  EXPECT_EQ(header(fs[0], "x-herald-dropped"), "1");
  EXPECT_EQ(header(fs[1], "x-herald-dropped"), "<absent>");
  EXPECT_EQ(w.metrics.dropped.value(), 1u);
  EXPECT_FALSE(c.tr.closed());

  w.publish_topic("/topic/a", "next");
  EXPECT_EQ(header(c.one(), "x-herald-dropped"), "<absent>");
}

TEST(SessionSlowConsumer, NoticeRidesOnAnAckedMessageToo) {
  world w(small_outbox(2500));
  client c(w);
  c.connect("alice");
  c.subscribe("auto", "/topic/a");
  c.subscribe("acked", "/topic/b", "client");
  for (int i = 0; i < 2; ++i) w.publish_topic("/topic/a", kilobyte);
  // Room for the acked delivery is made by evicting both topic messages.
  w.publish_topic("/topic/b", std::string(2000, 'b'));
  auto f = c.one();
  EXPECT_EQ(header(f, "subscription"), "acked");
  EXPECT_EQ(header(f, "x-herald-dropped"), "2");
  EXPECT_NE(header(f, "ack"), "<absent>");
}

// A client-ack delivery is tracked until the client acks it: the outbox must
// not evict it silently, even under drop_oldest; overflowing the byte bound
// closes the session instead.
TEST(SessionSlowConsumer, ClientAckDeliveriesAreNeverEvicted) {
  world w(small_outbox(2500));  // topic policy drop_oldest
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a", "client-individual");
  for (int i = 0; i < 3; ++i) w.publish_topic("/topic/a", std::to_string(i) + kilobyte);
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[0].body[0], '0');
  EXPECT_EQ(fs[1].body[0], '1');
  EXPECT_EQ(fs[2].cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::slow_consumer);
  EXPECT_EQ(w.metrics.dropped.value(), 0u);
}

// Every message the outbox dropped must be reported by some later delivery's
// x-herald-dropped, including drops made to make room for that delivery.
TEST(SessionSlowConsumer, NoticeCountsEveryDrop) {
  world w(small_outbox(2500));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  for (int i = 0; i < 4; ++i) w.publish_topic("/topic/a", std::to_string(i) + kilobyte);
  auto fs = c.frames();  // 0 and 1 were dropped; 3 carries the notice
  ASSERT_EQ(fs.size(), 2u);
  w.publish_topic("/topic/a", "next");
  for (auto& f : c.frames()) fs.push_back(f);
  std::uint64_t reported = 0;
  for (auto& f : fs) {
    if (auto* n = f.find("x-herald-dropped")) reported += std::stoull(*n);
  }
  EXPECT_EQ(w.metrics.dropped.value(), 2u);
  EXPECT_EQ(reported, 2u);
}

TEST(SessionSlowConsumer, ReceiptFloodClosesWithoutError) {
  world w(small_outbox(1024));
  client c(w);
  c.connect("alice");
  const std::string rid(1000, 'r');
  for (int i = 0; i < 40 && !c.tr.closed(); ++i) c.send("ACK", {{"id", "x"}, {"receipt", rid}});
  ASSERT_TRUE(c.tr.closed());
  EXPECT_EQ(c.tr.reason(), core::close_reason::slow_consumer);
  EXPECT_LE(c.s.outbox().pending_bytes(), 1024 + core::outbox::control_slack);
}

TEST(SessionSlowConsumer, ErrorFitsEvenWhenOutboxIsFull) {
  world w(small_outbox(1024));
  client c(w);
  c.connect("alice");
  const std::string rid(1000, 'r');
  auto& ob = c.s.outbox();
  while (ob.pending_bytes() + 1100 <= 1024 + core::outbox::control_slack) {
    c.send("ACK", {{"id", "x"}, {"receipt", rid}});
  }
  ASSERT_FALSE(c.tr.closed());
  c.send("SUBSCRIBE", {{"id", "1"}, {"receipt", rid}});  // no destination: ERROR with a long receipt-id
  ASSERT_EQ(c.tr.reason(), core::close_reason::protocol_error);
  auto fs = c.frames();
  ASSERT_FALSE(fs.empty());
  EXPECT_EQ(fs.back().cmd, command::error);
  EXPECT_EQ(header(fs.back(), "receipt-id"), rid);
}

// The front entry is being written by the transport: its buffers are in use
// and the transport pops it when the write completes. Making room for the
// ERROR must not discard it.
TEST(SessionSlowConsumer, ErrorOnFullOutboxKeepsInFlightFront) {
  world w(small_outbox(1024));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  w.publish_topic("/topic/a", std::string(500, 'm'));
  auto& ob = c.s.outbox();
  ASSERT_EQ(ob.size(), 1u);
  ob.begin_write();  // the transport started writing the MESSAGE
  const std::string rid(1000, 'r');
  while (ob.pending_bytes() + 1100 <= 1024 + core::outbox::control_slack) {
    c.send("ACK", {{"id", "x"}, {"receipt", rid}});
  }
  ASSERT_FALSE(c.tr.closed());
  c.send("SUBSCRIBE", {{"id", "2"}, {"receipt", rid}});
  ASSERT_TRUE(c.tr.closed());
  EXPECT_TRUE(ob.writing());
  ASSERT_GE(ob.size(), 2u);
  EXPECT_NE(ob.front().msg, nullptr) << "the in-flight MESSAGE was discarded";
  // Completing the write pops the MESSAGE; the ERROR is still queued.
  ob.pop_front();
  auto fs = c.frames();
  ASSERT_FALSE(fs.empty());
  EXPECT_EQ(fs.back().cmd, command::error);
}

TEST(SessionSlowConsumer, InFlightMessageIsNotDropped) {
  world w(small_outbox(2500));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  w.publish_topic("/topic/a", "0" + kilobyte);
  auto& ob = c.s.outbox();
  ob.begin_write();
  w.publish_topic("/topic/a", "1" + kilobyte);
  w.publish_topic("/topic/a", "2" + kilobyte);
  ASSERT_EQ(ob.size(), 2u);
  EXPECT_EQ(ob.front().msg->body[0], '0');
  c.s.on_written(ob.front());
  ob.pop_front();
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].body[0], '2');
  EXPECT_EQ(w.metrics.deliveries.value(), 1u);
  EXPECT_EQ(w.metrics.publish_to_write.count(), 1u);
}

}  // namespace
}  // namespace herald::session::test

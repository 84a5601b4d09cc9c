// Deadlines: the CONNECT timeout, heart-beats in both directions, token
// expiry, and the deadlines the session arms on its transport.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;

config::config heartbeats(std::uint32_t send_ms, std::uint32_t receive_ms) {
  config::config cfg;
  cfg.heartbeat.send_ms = send_ms;
  cfg.heartbeat.receive_ms = receive_ms;
  cfg.heartbeat.grace = 1.5;
  return cfg;
}

TEST(SessionTimers, ConnectTimeout) {
  config::config cfg;
  cfg.limits.connect_timeout_ms = 3000;
  world w(cfg);
  const auto t0 = w.now;
  client c(w);
  ASSERT_EQ(c.tr.armed.size(), 1u);
  EXPECT_EQ(c.tr.armed[0], t0 + 3s);
  // An early firing re-arms the same deadline.
  c.s.on_timer(t0 + 1s);
  EXPECT_FALSE(c.tr.closed());
  EXPECT_EQ(c.tr.armed.back(), t0 + 3s);
  c.s.on_timer(t0 + 3s);
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "no CONNECT frame received in time");
  EXPECT_EQ(c.tr.reason(), core::close_reason::connect_timeout);
}

TEST(SessionTimers, NoTimeoutOnceConnected) {
  world w;
  client c(w);
  c.connect("a");
  c.s.on_timer(w.now + 1h);
  EXPECT_FALSE(c.tr.closed());
  EXPECT_TRUE(c.frames().empty());
}

TEST(SessionTimers, SendsHeartBeatWhenIdle) {
  world w(heartbeats(1000, 0));
  client c(w);
  c.connect("a", "1.2", "0,500");  // server sends every max(1000, 500)
  const auto t0 = w.now;
  w.now = t0 + 999ms;
  c.s.on_timer(w.now);
  EXPECT_EQ(c.raw(), "");
  w.now = t0 + 1000ms;
  c.s.on_timer(w.now);
  EXPECT_EQ(c.raw(), "\n");
  EXPECT_EQ(c.tr.armed.back(), t0 + 2000ms);
  EXPECT_FALSE(c.tr.closed());
  // Other writes count as activity.
  w.now = t0 + 1500ms;
  c.send("SUBSCRIBE", {{"id", "1"}, {"destination", "/topic/x"}, {"receipt", "r"}});
  (void)c.frames();
  w.now = t0 + 2000ms;
  c.s.on_timer(w.now);
  EXPECT_EQ(c.raw(), "");
  EXPECT_EQ(c.tr.armed.back(), t0 + 2500ms);
}

TEST(SessionTimers, NoHeartBeatsWhenClientDoesNotWantThem) {
  world w(heartbeats(1000, 1000));
  client c(w);
  c.connect("a", "1.2", "0,0");
  c.s.on_timer(w.now + 1h);
  EXPECT_EQ(c.raw(), "");
  EXPECT_FALSE(c.tr.closed());
}

TEST(SessionTimers, NoHeartBeatsWithoutHeader) {
  world w(heartbeats(1000, 1000));
  client c(w);
  c.connect("a");
  c.s.on_timer(w.now + 1h);
  EXPECT_EQ(c.raw(), "");
  EXPECT_FALSE(c.tr.closed());
}

TEST(SessionTimers, ClosesWhenClientIsSilent) {
  world w(heartbeats(0, 1000));
  client c(w);
  c.connect("a", "1.2", "1000,0");  // client sends every 1000: silence limit 1500
  const auto t0 = w.now;
  c.s.on_timer(t0 + 1499ms);
  EXPECT_FALSE(c.tr.closed());
  EXPECT_EQ(c.tr.armed.back(), t0 + 1500ms);
  // A heart-beat from the client pushes the deadline out.
  w.now = t0 + 1000ms;
  c.send("\n");
  c.s.on_timer(t0 + 2499ms);
  EXPECT_FALSE(c.tr.closed());
  EXPECT_EQ(c.tr.armed.back(), t0 + 2500ms);
  c.s.on_timer(t0 + 2500ms);
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::heartbeat_timeout);
}

TEST(SessionTimers, SilenceLimitUsesTheLargerInterval) {
  world w(heartbeats(0, 4000));
  client c(w);
  c.connect("a", "1.2", "1000,0");  // max(1000, 4000) × 1.5 = 6000
  const auto t0 = w.now;
  c.s.on_timer(t0 + 5999ms);
  EXPECT_FALSE(c.tr.closed());
  c.s.on_timer(t0 + 6000ms);
  EXPECT_EQ(c.tr.reason(), core::close_reason::heartbeat_timeout);
}

TEST(SessionTimers, ArmsTheEarliestDeadline) {
  config::config cfg = heartbeats(1000, 3000);
  cfg.limits.connect_timeout_ms = 500;
  world w(cfg);
  const auto t0 = w.now;
  client c(w);
  c.connect("a", "1.2", "3000,1000");  // send every 1000, silence 4500
  c.s.on_timer(t0 + 500ms);            // the connect deadline's timer fires
  EXPECT_EQ(c.tr.armed.back(), t0 + 1000ms);
  w.now = t0 + 1000ms;
  c.s.on_timer(w.now);
  EXPECT_EQ(c.raw(), "\n");
  EXPECT_EQ(c.tr.armed.back(), t0 + 2000ms);
}

TEST(SessionTimers, TokenExpiry) {
  auto a = std::make_unique<fake_authenticator>();
  a->expires_in = std::chrono::seconds(30);
  world w({}, std::move(a));
  const auto t0 = w.now;
  client c(w);
  c.connect("alice");
  c.s.on_timer(t0 + 10s);  // connect deadline: re-arms for the token
  ASSERT_FALSE(c.tr.closed());
  EXPECT_LE(c.tr.armed.back(), t0 + 30s);
  EXPECT_GT(c.tr.armed.back(), t0 + 29s);
  c.s.on_timer(t0 + 29s);
  EXPECT_FALSE(c.tr.closed());
  c.s.on_timer(t0 + 30s);
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "token expired");
  EXPECT_EQ(c.tr.reason(), core::close_reason::token_expired);
}

TEST(SessionTimers, TokenExpiringBeforeConnectDeadlineIsArmedAtConnect) {
  auto a = std::make_unique<fake_authenticator>();
  a->expires_in = std::chrono::seconds(2);
  world w({}, std::move(a));  // connect timeout 10 s
  const auto t0 = w.now;
  client c(w);
  c.connect("alice");
  ASSERT_EQ(c.tr.armed.size(), 2u);
  EXPECT_LE(c.tr.armed.back(), t0 + 2s);
  EXPECT_GT(c.tr.armed.back(), t0 + 1s);
}

TEST(SessionTimers, TimerAfterCloseIsIgnored) {
  world w;
  client c(w);
  c.connect("a");
  c.s.kick("x");
  (void)c.frames();
  const auto armed = c.tr.armed.size();
  c.s.on_timer(w.now + 1h);
  EXPECT_TRUE(c.frames().empty());
  EXPECT_EQ(c.tr.closes.size(), 1u);
  EXPECT_EQ(c.tr.armed.size(), armed);
}

}  // namespace
}  // namespace herald::session::test

// CONNECT decided asynchronously (session::connect_services): a Redis token
// lookup, a cluster-wide per-user count, periodic token re-validation.
// The fake services hold each callback until the test answers it, the way
// the real ones answer later on the worker's loop.
#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;

class held_services final : public connect_services {
 public:
  bool async_auth = true;
  bool cluster_limit = false;
  std::chrono::milliseconds recheck{0};
  std::deque<std::function<void(auth::auth_result, std::string)>> auths;
  std::deque<std::function<void(bool)>> checks;
  std::deque<std::function<void(std::optional<std::uint32_t>)>> counts;
  std::vector<std::string> checked_tokens;

  bool authenticates() const override { return async_auth; }
  void authenticate(const auth::credentials&, std::function<void(auth::auth_result, std::string)> done) override {
    auths.push_back(std::move(done));
  }
  std::chrono::milliseconds recheck_every() const override { return recheck; }
  void still_valid(const std::string& token, std::function<void(bool)> done) override {
    checked_tokens.push_back(token);
    checks.push_back(std::move(done));
  }
  bool limits_cluster_wide() const override { return cluster_limit; }
  void sessions_elsewhere(const std::string&, std::function<void(std::optional<std::uint32_t>)> done) override {
    counts.push_back(std::move(done));
  }

  void admit(const std::string& user, const std::string& token = "tok") {
    auth::auth_result r;
    r.ok = true;
    r.who.user = user;
    take(auths)(std::move(r), token);
  }
  void refuse(const std::string& why) {
    auth::auth_result r;
    r.error = why;
    take(auths)(std::move(r), {});
  }
  template <class Q>
  static typename Q::value_type take(Q& q) {
    EXPECT_FALSE(q.empty());
    auto f = std::move(q.front());
    q.pop_front();
    return f;
  }
};

struct AdmissionTest : ::testing::Test {
  AdmissionTest() { w.env.services = &services; }
  world w;
  held_services services;
};

const std::string connect_frame = wire("CONNECT", {{"accept-version", "1.2"}, {"host", "h"}, {"passcode", "tok"}});

TEST_F(AdmissionTest, NothingIsSentUntilTheLookupAnswers) {
  client c(w);
  c.send(connect_frame);
  EXPECT_TRUE(c.frames().empty());
  ASSERT_EQ(services.auths.size(), 1u);
  services.admit("alice");
  auto f = c.one();
  EXPECT_EQ(f.cmd, command::connected);
  EXPECT_EQ(header(f, "user-name"), "alice");
  EXPECT_EQ(w.registry.sessions_of("alice"), 1u);
}

TEST_F(AdmissionTest, FramesPipelinedBehindConnectRunInOrderAfterIt) {
  client c(w);
  c.send(connect_frame + wire("SUBSCRIBE", {{"id", "1"}, {"destination", "/topic/a"}, {"receipt", "r1"}}) +
         wire("SEND", {{"destination", "/topic/a"}, {"receipt", "r2"}}, "hi"));
  EXPECT_TRUE(c.frames().empty());
  services.admit("alice");
  auto fs = c.frames();
  std::vector<command> cmds;
  for (auto& f : fs) cmds.push_back(f.cmd);
  // The client's SEND is not in client_send here: it is refused, after
  // CONNECTED and the SUBSCRIBE's RECEIPT.
  ASSERT_GE(cmds.size(), 3u);
  EXPECT_EQ(cmds[0], command::connected);
  EXPECT_EQ(cmds[1], command::receipt);
  EXPECT_EQ(header(fs[1], "receipt-id"), "r1");
}

TEST_F(AdmissionTest, TooManyFramesBeforeConnectedIsAnError) {
  client c(w);
  std::string burst = connect_frame;
  for (int i = 0; i < 65; ++i) burst += wire("SEND", {{"destination", "/topic/a"}}, "x");
  c.send(burst);
  auto f = c.one();
  EXPECT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("before CONNECTED"), std::string::npos);
  EXPECT_TRUE(c.tr.closed());
}

TEST_F(AdmissionTest, RefusalIsAnErrorWithTheReason) {
  client c(w);
  c.send(connect_frame);
  services.refuse("invalid or expired token");
  auto f = c.one();
  EXPECT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "invalid or expired token");
  EXPECT_EQ(c.tr.reason(), core::close_reason::auth_failed);
  EXPECT_EQ(w.registry.sessions_of("alice"), 0u);
}

TEST_F(AdmissionTest, AnAnswerAfterTheSessionEndedIsIgnored) {
  {
    client c(w);
    c.send(connect_frame);
    c.closed_by_transport();
  }
  services.admit("alice");  // must not touch the destroyed session
  EXPECT_EQ(w.registry.sessions_of("alice"), 0u);
}

TEST_F(AdmissionTest, ConnectTimeoutCoversAnUnansweredLookup) {
  client c(w);
  c.send(connect_frame);
  w.now += std::chrono::milliseconds(w.cfg.limits.connect_timeout_ms + 1);
  c.s.on_timer(w.now);
  auto f = c.one();
  EXPECT_EQ(f.cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::connect_timeout);
}

TEST_F(AdmissionTest, ClusterLimitCountsOtherNodes) {
  services.async_auth = false;
  services.cluster_limit = true;
  w.cfg.limits.max_connections_per_user = 2;
  client first(w);
  first.send("CONNECT", {{"accept-version", "1.2"}, {"host", "h"}, {"login", "u"}});
  held_services::take(services.counts)(1u);  // one session on another node
  EXPECT_EQ(first.one().cmd, command::connected);

  client second(w);
  second.send("CONNECT", {{"accept-version", "1.2"}, {"host", "h"}, {"login", "u"}});
  held_services::take(services.counts)(1u);  // 1 elsewhere + 1 here = the limit
  auto f = second.one();
  EXPECT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "too many sessions for this user");
  EXPECT_EQ(second.tr.reason(), core::close_reason::limit_exceeded);

  client third(w);
  third.send("CONNECT", {{"accept-version", "1.2"}, {"host", "h"}, {"login", "u"}});
  held_services::take(services.counts)(2u);  // the others alone fill it
  EXPECT_EQ(third.one().cmd, command::error);
}

TEST_F(AdmissionTest, UnknownClusterCountFallsBackToTheLocalLimit) {
  services.async_auth = false;
  services.cluster_limit = true;
  w.cfg.limits.max_connections_per_user = 1;
  client c(w);
  c.send("CONNECT", {{"accept-version", "1.2"}, {"host", "h"}, {"login", "u"}});
  held_services::take(services.counts)(std::nullopt);
  EXPECT_EQ(c.one().cmd, command::connected);
}

TEST_F(AdmissionTest, RecheckClosesASessionWhoseTokenIsGone) {
  services.recheck = std::chrono::milliseconds(1000);
  client c(w);
  c.send(connect_frame);
  services.admit("alice", "tok-1");
  EXPECT_EQ(c.one().cmd, command::connected);
  w.now += std::chrono::milliseconds(1000);
  c.s.on_timer(w.now);
  ASSERT_EQ(services.checks.size(), 1u);
  EXPECT_EQ(services.checked_tokens.at(0), "tok-1");
  held_services::take(services.checks)(true);  // still there: checked again later
  EXPECT_FALSE(c.tr.closed());
  w.now += std::chrono::milliseconds(1000);
  c.s.on_timer(w.now);
  held_services::take(services.checks)(false);
  auto f = c.one();
  EXPECT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "session token is no longer valid");
  EXPECT_EQ(c.tr.reason(), core::close_reason::token_expired);
}

}  // namespace
}  // namespace herald::session::test

// CONNECT/STOMP handling: CONNECTED headers, version negotiation, heart-beat
// header, registration, and the errors that end a connection before or at
// CONNECT (wrong first frame, bad versions, limits, parse errors).
#include <gtest/gtest.h>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;

TEST(SessionConnect, ConnectedHeaders) {
  world w;
  client c(w);
  c.send("CONNECT", {{"accept-version", "1.1,1.2"}, {"host", "test"}, {"login", "alice"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::connected);
  EXPECT_EQ(header(f, "version"), "1.2");
  EXPECT_EQ(header(f, "heart-beat"), "10000,10000");
  EXPECT_EQ(header(f, "user-name"), "alice");
  EXPECT_EQ(header(f, "session"), "s1");
  EXPECT_EQ(header(f, "server").rfind("herald/", 0), 0u);
  EXPECT_EQ(c.s.user(), "alice");
  EXPECT_EQ(c.s.id(), "s1");
  EXPECT_FALSE(c.s.closing());
  EXPECT_FALSE(c.tr.closed());
  EXPECT_GT(c.tr.flushes, 0);
}

TEST(SessionConnect, StompCommandWorksLikeConnect) {
  world w;
  client c(w);
  c.send("STOMP", {{"accept-version", "1.2"}, {"host", "test"}, {"login", "bob"}});
  auto f = c.one();
  EXPECT_EQ(f.cmd, command::connected);
  EXPECT_EQ(header(f, "user-name"), "bob");
}

TEST(SessionConnect, HeartBeatHeaderFollowsConfig) {
  config::config cfg;
  cfg.heartbeat.send_ms = 2500;
  cfg.heartbeat.receive_ms = 7000;
  world w(cfg);
  client c(w);
  c.send("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}, {"heart-beat", "1000,1000"}});
  EXPECT_EQ(header(c.one(), "heart-beat"), "2500,7000");
}

struct version_case {
  const char* accept;  // nullptr: header absent
  const char* expect;
};

class SessionVersion : public ::testing::TestWithParam<version_case> {};

TEST_P(SessionVersion, Negotiates) {
  world w;
  client c(w);
  if (GetParam().accept) {
    c.send("CONNECT", {{"accept-version", GetParam().accept}, {"login", "a"}});
  } else {
    c.send("CONNECT", {{"login", "a"}});
  }
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::connected);
  EXPECT_EQ(header(f, "version"), GetParam().expect);
}

INSTANTIATE_TEST_SUITE_P(All, SessionVersion,
                         ::testing::Values(version_case{"1.2", "1.2"}, version_case{"1.0,1.1,1.2", "1.2"},
                                           version_case{"1.1", "1.1"}, version_case{"1.0,1.1", "1.1"},
                                           version_case{"1.0", "1.0"}, version_case{nullptr, "1.0"},
                                           version_case{"1.1,2.0", "1.1"}));

TEST(SessionConnect, UnsupportedVersion) {
  world w;
  client c(w);
  c.send("CONNECT", {{"accept-version", "2.0,3.1"}, {"login", "a"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "version"), "1.0,1.1,1.2");
  EXPECT_NE(f.body.find("1.2"), std::string::npos);
  ASSERT_TRUE(c.tr.closed());
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
  EXPECT_TRUE(c.s.closing());
  EXPECT_EQ(w.registry.sessions(), 0u);
}

TEST(SessionConnect, SubprotocolFixesTheVersion) {
  world w;
  connection_info info;
  info.subprotocol = stomp::version::v1_1;
  client c(w, info);
  c.send("CONNECT", {{"accept-version", "1.1,1.2"}, {"login", "a"}});
  EXPECT_EQ(header(c.one(), "version"), "1.1");

  client d(w, info);
  d.send("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}});
  EXPECT_EQ(d.one().cmd, command::error);
  EXPECT_EQ(d.tr.reason(), core::close_reason::protocol_error);
}

TEST(SessionConnect, SubprotocolVersionWhenAcceptVersionIsAbsent) {
  for (auto v : {stomp::version::v1_0, stomp::version::v1_1, stomp::version::v1_2}) {
    world w;
    connection_info info;
    info.subprotocol = v;
    client c(w, info);
    c.send("CONNECT", {{"login", "a"}});
    auto f = c.one();
    ASSERT_EQ(f.cmd, command::connected) << header(f, "message");
    EXPECT_EQ(header(f, "version"), stomp::to_string(v));
    EXPECT_FALSE(c.tr.closed());
  }
  // Without a subprotocol, no accept-version is STOMP 1.0 (the spec's rule).
  world w;
  client c(w);
  c.send("CONNECT", {{"login", "a"}});
  EXPECT_EQ(header(c.one(), "version"), "1.0");
}

TEST(SessionConnect, FrameBeforeConnect) {
  world w;
  client c(w);
  c.send("SUBSCRIBE", {{"id", "1"}, {"destination", "/topic/x"}, {"receipt", "r1"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("CONNECT"), std::string::npos);
  EXPECT_EQ(header(f, "receipt-id"), "r1");
  EXPECT_EQ(header(f, "content-length"), std::to_string(f.body.size()));
  ASSERT_EQ(c.tr.closes.size(), 1u);
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
  EXPECT_EQ(w.metrics.protocol_errors.value(), 1u);
  // Nothing after the ERROR is processed.
  c.send("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}});
  EXPECT_TRUE(c.frames().empty());
  EXPECT_EQ(c.tr.closes.size(), 1u);
}

TEST(SessionConnect, SecondConnectIsAnError) {
  world w;
  client c(w);
  c.connect("a");
  c.send("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "already connected");
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
}

TEST(SessionConnect, ServerFrameFromClientIsAnError) {
  world w;
  client c(w);
  c.connect("a");
  c.send("MESSAGE", {{"destination", "/topic/x"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("MESSAGE"), std::string::npos);
}

TEST(SessionConnect, ParseErrorSendsErrorWithMessage) {
  world w;
  client c(w);
  c.connect("a");
  c.send(std::string_view("BOGUS\n\n\0", 8));
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), std::error_code(stomp::parse_error::bad_command).message());
  EXPECT_EQ(f.body, header(f, "message"));
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
  EXPECT_EQ(w.metrics.protocol_errors.value(), 1u);
}

TEST(SessionConnect, OversizedFrameIsAParseError) {
  config::config cfg;
  cfg.limits.max_frame_bytes = 256;
  world w(cfg);
  client c(w);
  c.connect("a");
  c.send("SEND", {{"destination", "/topic/x"}}, std::string(1000, 'x'));
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), std::error_code(stomp::parse_error::frame_too_large).message());
}

TEST(SessionConnect, FramesSplitAcrossReads) {
  world w;
  client c(w);
  std::string bytes = wire("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}}) +
                      wire("SUBSCRIBE", {{"id", "1"}, {"destination", "/topic/x"}, {"receipt", "r"}});
  for (char ch : bytes) c.send(std::string_view(&ch, 1));
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].cmd, command::connected);
  EXPECT_EQ(fs[1].cmd, command::receipt);
}

TEST(SessionConnect, AuthFailure) {
  auto a = std::make_unique<fake_authenticator>();
  a->refuse = true;
  world w({}, std::move(a));
  client c(w);
  c.send("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}, {"receipt", "r"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "bad credentials");
  EXPECT_EQ(c.tr.reason(), core::close_reason::auth_failed);
  EXPECT_EQ(w.metrics.auth_failures.value(), 1u);
  EXPECT_EQ(w.registry.sessions(), 0u);
}

TEST(SessionConnect, InvalidPrincipalRefused) {
  for (std::string login : {std::string("a:b"), std::string(257, 'u'), std::string("tab\there")}) {
    world w;
    client c(w);
    c.send("CONNECT", {{"accept-version", "1.2"}, {"login", login}, {"receipt", "r"}});
    auto f = c.one();
    ASSERT_EQ(f.cmd, command::error) << login;
    EXPECT_EQ(header(f, "message"), "invalid user name");
    EXPECT_EQ(c.tr.reason(), core::close_reason::auth_failed);
    EXPECT_EQ(w.registry.sessions(), 0u);
    EXPECT_EQ(w.hub.user_count(), 0u);
    EXPECT_EQ(w.metrics.auth_failures.value(), 1u);
  }
  world w;
  client c(w);
  c.connect(std::string(256, 'u'));
}

TEST(SessionConnect, EmptyPrincipalFromAuthenticatorRefused) {
  world w({}, std::make_unique<fake_authenticator>());  // returns the login as is
  client c(w);
  c.send("CONNECT", {{"accept-version", "1.2"}});
  EXPECT_EQ(header(c.one(), "message"), "invalid user name");
  EXPECT_EQ(c.tr.reason(), core::close_reason::auth_failed);
}

TEST(SessionConnect, RegistersUserAndInterest) {
  world w;
  client c(w);
  c.connect("alice");
  EXPECT_EQ(w.registry.sessions_of("alice"), 1u);
  EXPECT_EQ(w.hub.sessions_of("alice").size(), 1u);
  ASSERT_EQ(w.interest.size(), 1u);
  EXPECT_EQ(w.interest[0], std::make_pair(core::user_channel("alice"), true));
  EXPECT_EQ(w.metrics.sessions[0].value(), 1);
}

TEST(SessionConnect, PerUserLimit) {
  config::config cfg;
  cfg.limits.max_connections_per_user = 1;
  world w(cfg);
  client a(w);
  a.connect("alice");
  client b(w);
  b.send("CONNECT", {{"accept-version", "1.2"}, {"login", "alice"}});
  auto f = b.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(b.tr.reason(), core::close_reason::limit_exceeded);
  EXPECT_EQ(w.registry.sessions_of("alice"), 1u);
  client other(w);
  other.connect("bob");
  // b never registered, so its teardown must not release alice's slot.
  b.closed_by_transport();
  EXPECT_EQ(w.registry.sessions_of("alice"), 1u);
}

TEST(SessionConnect, BadHeartBeatHeader) {
  world w;
  client c(w);
  c.send("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}, {"heart-beat", "soon"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
  c.closed_by_transport();
  EXPECT_EQ(w.registry.sessions(), 0u);
  EXPECT_EQ(w.hub.user_count(), 0u);
}

TEST(SessionConnect, DisconnectWithReceipt) {
  world w;
  client c(w);
  c.connect("a");
  c.send("DISCONNECT", {{"receipt", "bye"}});
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::receipt);
  EXPECT_EQ(header(f, "receipt-id"), "bye");
  EXPECT_EQ(c.tr.reason(), core::close_reason::client_disconnect);
  EXPECT_TRUE(c.s.closing());
}

TEST(SessionConnect, AnonymousLoginGetsRandomPrincipal) {
  world w;
  client a(w), b(w);
  a.send("CONNECT", {{"accept-version", "1.2"}});
  b.send("CONNECT", {{"accept-version", "1.2"}});
  auto fa = a.one(), fb = b.one();
  EXPECT_EQ(header(fa, "user-name").rfind("anonymous-", 0), 0u);
  EXPECT_NE(header(fa, "user-name"), header(fb, "user-name"));
  EXPECT_NE(header(fa, "session"), header(fb, "session"));
}

}  // namespace
}  // namespace herald::session::test

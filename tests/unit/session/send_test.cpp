// SEND: client_send rules for broker and user destinations, application
// destinations through the app gateway, and transactions.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <vector>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;

config::config with_send_rules(std::vector<std::string> rules) {
  config::config cfg;
  cfg.destinations.client_send = std::move(rules);
  return cfg;
}

TEST(SessionSend, TopicDeniedWithoutRule) {
  world w;
  client c(w), listener(w);
  c.connect("alice");
  listener.connect("bob");
  listener.subscribe("1", "/topic/chat");
  c.send("SEND", {{"destination", "/topic/chat"}, {"receipt", "s1"}}, "hi");
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("not allowed"), std::string::npos);
  EXPECT_EQ(header(f, "receipt-id"), "s1");
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
  EXPECT_TRUE(listener.frames().empty());
  EXPECT_EQ(w.publisher.stats().published.load(), 0u);
}

TEST(SessionSend, TopicAllowedWithRule) {
  world w(with_send_rules({"/topic/chat.*"}));
  client c(w), listener(w);
  c.connect("alice");
  listener.connect("bob");
  listener.subscribe("1", "/topic/chat.room");
  c.send("SEND",
         {{"destination", "/topic/chat.room"},
          {"receipt", "s1"},
          {"content-type", "text/plain"},
          {"x-app", "1"},
          {"x-app", "2"},
          {"message-id", "forged"},
          {"subscription", "forged"}},
         "hello");
  auto r = c.one();
  ASSERT_EQ(r.cmd, command::receipt);
  EXPECT_EQ(header(r, "receipt-id"), "s1");
  auto m = listener.one();
  ASSERT_EQ(m.cmd, command::message);
  EXPECT_EQ(m.body, "hello");
  EXPECT_EQ(header(m, "content-type"), "text/plain");
  EXPECT_EQ(header(m, "x-app"), "1");
  EXPECT_EQ(header(m, "subscription"), "1");
  EXPECT_NE(header(m, "message-id"), "forged");
  EXPECT_EQ(header(m, "receipt"), "<absent>");
  int x_app = 0;
  for (const auto& h : m.headers) x_app += h.name == "x-app";
  EXPECT_EQ(x_app, 1);

  // The rule does not cover another segment.
  c.send("SEND", {{"destination", "/topic/chat.room/deep"}}, "x");
  EXPECT_EQ(c.one().cmd, command::error);
}

TEST(SessionSend, SenderReceivesItsOwnTopicMessage) {
  world w(with_send_rules({"/topic/**"}));
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/echo");
  c.send("SEND", {{"destination", "/topic/echo"}}, "me");
  auto f = c.one();
  EXPECT_EQ(f.cmd, command::message);
  EXPECT_EQ(f.body, "me");
}

TEST(SessionSend, MissingDestination) {
  world w;
  client c(w);
  c.connect("alice");
  c.send("SEND", {}, "x");
  EXPECT_EQ(c.one().cmd, command::error);
  EXPECT_EQ(w.metrics.protocol_errors.value(), 1u);
}

TEST(SessionSend, MalformedDestination) {
  world w(with_send_rules({"/topic/**"}));
  client c(w);
  c.connect("alice");
  c.send("SEND", {{"destination", "/topic/../app/x"}}, "x");
  EXPECT_EQ(c.one().cmd, command::error);
}

TEST(SessionSend, UserDestinationPrincipalAndExplicit) {
  world w(with_send_rules({"/user/**"}));
  client alice(w), bob(w);
  alice.connect("alice");
  bob.connect("bob");
  bob.subscribe("q", "/user/queue/inbox");
  alice.subscribe("q", "/user/queue/inbox");
  // Explicit form: to bob.
  alice.send("SEND", {{"destination", "/user/bob/queue/inbox"}}, "to bob");
  auto f = bob.one();
  ASSERT_EQ(f.cmd, command::message);
  EXPECT_EQ(f.body, "to bob");
  EXPECT_EQ(header(f, "destination"), "/user/queue/inbox");
  EXPECT_TRUE(alice.frames().empty());
  // Principal form: to the sender itself.
  alice.send("SEND", {{"destination", "/user/queue/inbox"}}, "to me");
  auto g = alice.one();
  EXPECT_EQ(g.body, "to me");
  EXPECT_TRUE(bob.frames().empty());
}

TEST(SessionSend, UserDestinationNeedsRule) {
  world w;
  client alice(w);
  alice.connect("alice");
  alice.send("SEND", {{"destination", "/user/bob/queue/inbox"}}, "x");
  EXPECT_EQ(alice.one().cmd, command::error);
}

TEST(SessionSend, AppWithoutGateway) {
  world w;
  client c(w);
  c.connect("alice");
  c.send("SEND", {{"destination", "/app/chat.send"}, {"receipt", "r"}}, "x");
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("app.webhook"), std::string::npos);
  EXPECT_EQ(header(f, "receipt-id"), "r");
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
}

class fake_gateway final : public app_gateway {
 public:
  struct call {
    app_request req;
    std::function<void(std::string)> done;
  };
  std::deque<call> calls;  // stable references: answering one may start (append) another
  void forward(app_request req, std::function<void(std::string)> done) override {
    calls.push_back({std::move(req), std::move(done)});
  }
};

TEST(SessionSend, AppForwardedAndReceiptAfterDone) {
  world w;
  fake_gateway gw;
  w.env.app = &gw;
  client c(w);
  c.connect("alice");
  c.send("SEND",
         {{"destination", "/app/chat.send"},
          {"receipt", "r1"},
          {"content-type", "application/json"},
          {"x-trace", "t"},
          {"content-length", "7"}},
         "{\"a\":1}");
  ASSERT_EQ(gw.calls.size(), 1u);
  const auto& req = gw.calls[0].req;
  EXPECT_EQ(req.user, "alice");
  EXPECT_EQ(req.session_id, c.s.id());
  EXPECT_EQ(req.destination, "/app/chat.send");
  EXPECT_EQ(req.body, "{\"a\":1}");
  EXPECT_EQ(req.headers,
            (core::header_list{{"content-type", "application/json"}, {"x-trace", "t"}}));
  // No receipt until the webhook answered.
  EXPECT_TRUE(c.frames().empty());
  gw.calls[0].done("");
  auto r = c.one();
  ASSERT_EQ(r.cmd, command::receipt);
  EXPECT_EQ(header(r, "receipt-id"), "r1");
  EXPECT_FALSE(c.tr.closed());
}

TEST(SessionSend, AppFailureBecomesError) {
  world w;
  fake_gateway gw;
  w.env.app = &gw;
  client c(w);
  c.connect("alice");
  c.send("SEND", {{"destination", "/app/x"}, {"receipt", "r1"}}, "b");
  ASSERT_EQ(gw.calls.size(), 1u);
  gw.calls[0].done("webhook timed out");
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "webhook timed out");
  EXPECT_EQ(header(f, "receipt-id"), "r1");
  EXPECT_EQ(c.tr.reason(), core::close_reason::protocol_error);
}

TEST(SessionSend, AppDoneAfterSessionEndedIsIgnored) {
  world w;
  fake_gateway gw;
  w.env.app = &gw;
  {
    client c(w);
    c.connect("alice");
    c.send("SEND", {{"destination", "/app/x"}, {"receipt", "r1"}}, "b");
  }
  ASSERT_EQ(gw.calls.size(), 1u);
  gw.calls[0].done("");  // the session is gone: must not touch it
  gw.calls[0].done("late failure");
}

TEST(SessionSend, AppDoneAfterCloseIsIgnored) {
  world w;
  fake_gateway gw;
  w.env.app = &gw;
  client c(w);
  c.connect("alice");
  c.send("SEND", {{"destination", "/app/x"}, {"receipt", "r1"}}, "b");
  c.s.kick("bye");
  (void)c.frames();
  gw.calls.at(0).done("");
  EXPECT_TRUE(c.frames().empty());
  EXPECT_EQ(c.tr.closes.size(), 1u);
}

config::config with_app_bounds(std::uint32_t per_session, std::uint32_t connections, std::uint32_t queued) {
  config::config cfg;
  cfg.app.max_in_flight_per_session = per_session;
  cfg.app.max_connections_per_thread = connections;
  cfg.app.max_queued_per_thread = queued;
  return cfg;
}

// A client pipelining /app SENDs to a webhook that does not answer holds at
// most max_in_flight_per_session calls; one more is an ERROR that closes it.
TEST(SessionSend, AppInFlightPerSessionBound) {
  world w(with_app_bounds(3, 100, 100));
  fake_gateway gw;
  w.env.app = &gw;
  client c(w);
  c.connect("alice");
  for (int i = 0; i < 3; ++i) c.send("SEND", {{"destination", "/app/x"}}, std::to_string(i));
  EXPECT_EQ(gw.calls.size(), 3u);
  EXPECT_TRUE(c.frames().empty());
  EXPECT_FALSE(c.tr.closed());
  // Pipelined far past the bound: one ERROR, nothing more forwarded.
  for (int i = 0; i < 100; ++i) c.send("SEND", {{"destination", "/app/x"}, {"receipt", "r" + std::to_string(i)}}, "x");
  EXPECT_EQ(gw.calls.size(), 3u);
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(header(f, "message"), "too many SENDs to '/app' awaiting the application webhook (limit 3)");
  EXPECT_EQ(header(f, "receipt-id"), "r0");
  EXPECT_EQ(c.tr.reason(), core::close_reason::limit_exceeded);
  EXPECT_EQ(c.tr.closes.size(), 1u);
  // The calls still out may answer later: harmless.
  for (auto& call : gw.calls) call.done("");
  EXPECT_TRUE(c.frames().empty());
}

TEST(SessionSend, AppInFlightSlotsFreeWhenTheWebhookAnswers) {
  world w(with_app_bounds(2, 100, 100));
  fake_gateway gw;
  w.env.app = &gw;
  client c(w);
  c.connect("alice");
  for (int round = 0; round < 5; ++round) {
    c.send("SEND", {{"destination", "/app/x"}, {"receipt", "a"}}, "x");
    c.send("SEND", {{"destination", "/app/x"}, {"receipt", "b"}}, "x");
    ASSERT_EQ(gw.calls.size(), 2u * (round + 1));
    gw.calls[2 * round].done("");
    gw.calls[2 * round + 1].done("");
    auto fs = c.frames();
    ASSERT_EQ(fs.size(), 2u);
    EXPECT_EQ(fs[0].cmd, command::receipt);
    EXPECT_EQ(fs[1].cmd, command::receipt);
  }
  EXPECT_FALSE(c.tr.closed());
}

// A transaction's /app SENDs count against the same bound at COMMIT.
TEST(SessionSend, AppInFlightBoundAppliesAtCommit) {
  world w(with_app_bounds(2, 100, 100));
  fake_gateway gw;
  w.env.app = &gw;
  client c(w);
  c.connect("alice");
  c.send("BEGIN", {{"transaction", "t"}});
  for (int i = 0; i < 3; ++i) c.send("SEND", {{"destination", "/app/x"}, {"transaction", "t"}}, "x");
  c.send("COMMIT", {{"transaction", "t"}, {"receipt", "c"}});
  EXPECT_EQ(gw.calls.size(), 2u);
  auto f = c.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::limit_exceeded);
}

// Every session of a worker shares max_connections_per_thread calls at the
// gateway; the others wait in arrival order, up to max_queued_per_thread;
// one more gets an ERROR.
TEST(SessionSend, AppWorkerConnectionCapAndQueue) {
  world w(with_app_bounds(16, 2, 2));
  fake_gateway gw;
  w.env.app = &gw;
  client a(w), b(w), c(w), d(w);
  a.connect("a");
  b.connect("b");
  c.connect("c");
  d.connect("d");
  a.send("SEND", {{"destination", "/app/x"}, {"receipt", "a1"}}, "a1");
  a.send("SEND", {{"destination", "/app/x"}, {"receipt", "a2"}}, "a2");
  b.send("SEND", {{"destination", "/app/x"}, {"receipt", "b1"}}, "b1");
  c.send("SEND", {{"destination", "/app/x"}, {"receipt", "c1"}}, "c1");
  EXPECT_EQ(gw.calls.size(), 2u);  // a1, a2 run; b1, c1 wait
  EXPECT_EQ(w.env.app_calls.active(), 2u);
  EXPECT_EQ(w.env.app_calls.waiting(), 2u);
  EXPECT_FALSE(b.tr.closed());
  EXPECT_FALSE(c.tr.closed());

  d.send("SEND", {{"destination", "/app/x"}, {"receipt", "d1"}}, "d1");
  auto f = d.one();
  ASSERT_EQ(f.cmd, command::error);
  EXPECT_NE(header(f, "message").find("busy"), std::string::npos) << header(f, "message");
  EXPECT_EQ(header(f, "receipt-id"), "d1");
  EXPECT_EQ(d.tr.reason(), core::close_reason::limit_exceeded);
  EXPECT_EQ(gw.calls.size(), 2u);

  // A slot frees: the oldest waiting call starts.
  gw.calls[1].done("");
  EXPECT_EQ(header(a.one(), "receipt-id"), "a2");
  ASSERT_EQ(gw.calls.size(), 3u);
  EXPECT_EQ(gw.calls[2].req.body, "b1");
  EXPECT_EQ(gw.calls[2].req.session_id, b.s.id());
  EXPECT_TRUE(b.frames().empty());  // no receipt before the webhook answered
  gw.calls[0].done("");
  ASSERT_EQ(gw.calls.size(), 4u);
  EXPECT_EQ(gw.calls[3].req.body, "c1");
  gw.calls[2].done("");
  gw.calls[3].done("");
  EXPECT_EQ(header(b.one(), "receipt-id"), "b1");
  EXPECT_EQ(header(c.one(), "receipt-id"), "c1");
  EXPECT_EQ(w.env.app_calls.active(), 0u);
  EXPECT_EQ(w.env.app_calls.waiting(), 0u);
}

// A waiting call whose session ended meanwhile is still made (the SEND was
// accepted), and its answer touches nothing of the gone session.
TEST(SessionSend, AppWaitingCallOutlivesItsSession) {
  world w(with_app_bounds(16, 1, 10));
  fake_gateway gw;
  w.env.app = &gw;
  client a(w);
  a.connect("a");
  a.send("SEND", {{"destination", "/app/x"}}, "first");
  {
    client b(w);
    b.connect("b");
    b.send("SEND", {{"destination", "/app/x"}, {"receipt", "r"}}, "from b");
    EXPECT_EQ(gw.calls.size(), 1u);
  }
  gw.calls[0].done("");
  ASSERT_EQ(gw.calls.size(), 2u);
  EXPECT_EQ(gw.calls[1].req.body, "from b");
  gw.calls[1].done("");
  gw.calls[1].done("late");
  EXPECT_EQ(w.env.app_calls.active(), 0u);
}

TEST(SessionSend, TransactionCommit) {
  world w(with_send_rules({"/topic/**"}));
  client c(w), listener(w);
  c.connect("alice");
  listener.connect("bob");
  listener.subscribe("1", "/topic/t");
  c.send("BEGIN", {{"transaction", "tx"}, {"receipt", "b"}});
  EXPECT_EQ(header(c.one(), "receipt-id"), "b");
  c.send("SEND", {{"destination", "/topic/t"}, {"transaction", "tx"}, {"receipt", "m1"}}, "one");
  c.send("SEND", {{"destination", "/topic/t"}, {"transaction", "tx"}}, "two");
  auto rs = c.frames();
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(header(rs[0], "receipt-id"), "m1");
  EXPECT_TRUE(listener.frames().empty());
  c.send("COMMIT", {{"transaction", "tx"}, {"receipt", "c"}});
  auto r = c.one();
  ASSERT_EQ(r.cmd, command::receipt);
  EXPECT_EQ(header(r, "receipt-id"), "c");
  auto ms = listener.frames();
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].body, "one");
  EXPECT_EQ(ms[1].body, "two");
  EXPECT_EQ(header(ms[0], "transaction"), "<absent>");
  // The transaction is gone.
  c.send("COMMIT", {{"transaction", "tx"}});
  EXPECT_EQ(c.one().cmd, command::error);
}

TEST(SessionSend, TransactionAbort) {
  world w(with_send_rules({"/topic/**"}));
  client c(w), listener(w);
  c.connect("alice");
  listener.connect("bob");
  listener.subscribe("1", "/topic/t");
  c.send("BEGIN", {{"transaction", "tx"}});
  c.send("SEND", {{"destination", "/topic/t"}, {"transaction", "tx"}}, "one");
  c.send("ABORT", {{"transaction", "tx"}, {"receipt", "a"}});
  EXPECT_EQ(header(c.one(), "receipt-id"), "a");
  EXPECT_TRUE(listener.frames().empty());
  // The name can be reused.
  c.send("BEGIN", {{"transaction", "tx"}, {"receipt", "b"}});
  EXPECT_EQ(c.one().cmd, command::receipt);
}

TEST(SessionSend, TransactionErrors) {
  auto expect_error = [](std::initializer_list<std::string> frames_before, std::string bad) {
    world w(with_send_rules({"/topic/**"}));
    client c(w);
    c.connect("alice");
    for (const auto& f : frames_before) c.send(f);
    (void)c.frames();
    c.send(bad);
    auto f = c.one();
    EXPECT_EQ(f.cmd, command::error) << bad;
  };
  expect_error({}, wire("SEND", {{"destination", "/topic/t"}, {"transaction", "nope"}}));
  expect_error({}, wire("COMMIT", {{"transaction", "nope"}}));
  expect_error({}, wire("ABORT", {{"transaction", "nope"}}));
  expect_error({}, wire("COMMIT", {}));
  expect_error({}, wire("BEGIN", {}));
  expect_error({}, wire("BEGIN", {{"transaction", std::string(257, 't')}}));
  expect_error({wire("BEGIN", {{"transaction", "t"}})}, wire("BEGIN", {{"transaction", "t"}}));
}

TEST(SessionSend, TooManyTransactions) {
  world w;
  client c(w);
  c.connect("alice");
  for (int i = 0; i < 16; ++i) c.send("BEGIN", {{"transaction", "t" + std::to_string(i)}});
  EXPECT_TRUE(c.frames().empty());
  c.send("BEGIN", {{"transaction", "t16"}});
  EXPECT_EQ(c.one().cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::limit_exceeded);
}

TEST(SessionSend, CommitStopsAtFirstRejectedSend) {
  world w(with_send_rules({"/topic/ok"}));
  client c(w), listener(w);
  c.connect("alice");
  listener.connect("bob");
  listener.subscribe("1", "/topic/ok");
  c.send("BEGIN", {{"transaction", "tx"}});
  c.send("SEND", {{"destination", "/topic/ok"}, {"transaction", "tx"}}, "1");
  c.send("SEND", {{"destination", "/topic/denied"}, {"transaction", "tx"}}, "2");
  c.send("SEND", {{"destination", "/topic/ok"}, {"transaction", "tx"}}, "3");
  c.send("COMMIT", {{"transaction", "tx"}, {"receipt", "c"}});
  auto fs = c.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cmd, command::error);
  auto ms = listener.frames();
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].body, "1");
}

}  // namespace
}  // namespace herald::session::test

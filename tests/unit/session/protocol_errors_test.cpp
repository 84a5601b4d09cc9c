// herald_protocol_errors_total: every ERROR that ends a session for a
// protocol violation counts exactly once, whichever check found it; ERRORs
// for other reasons (limits, auth) do not count.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace herald::session::test {
namespace {

using stomp::command;

struct bad_frame {
  const char* why;
  std::vector<std::string> before;  // frames sent first, answered normally
  std::string frame;
};

config::config with_send_rule() {
  config::config cfg;
  cfg.destinations.client_send = {"/topic/chat.**"};
  return cfg;
}

TEST(SessionProtocolErrors, EveryProtocolErrorCountsOnce) {
  const std::vector<bad_frame> cases = {
      {"SEND without destination", {}, wire("SEND", {}, "x")},
      {"SEND to a destination client_send does not allow", {}, wire("SEND", {{"destination", "/topic/other"}})},
      {"SEND to an invalid destination", {}, wire("SEND", {{"destination", "/topic/../x"}})},
      {"SEND to /app without a webhook", {}, wire("SEND", {{"destination", "/app/x"}})},
      {"SEND in an unknown transaction", {}, wire("SEND", {{"destination", "/topic/chat.x"}, {"transaction", "t"}})},
      {"SUBSCRIBE without destination", {}, wire("SUBSCRIBE", {{"id", "1"}})},
      {"SUBSCRIBE without id", {}, wire("SUBSCRIBE", {{"destination", "/topic/x"}})},
      {"SUBSCRIBE with a too long id", {}, wire("SUBSCRIBE", {{"destination", "/topic/x"}, {"id", std::string(257, 'i')}})},
      {"SUBSCRIBE with an id in use",
       {wire("SUBSCRIBE", {{"destination", "/topic/x"}, {"id", "1"}})},
       wire("SUBSCRIBE", {{"destination", "/topic/y"}, {"id", "1"}})},
      {"SUBSCRIBE with an unknown ack mode", {}, wire("SUBSCRIBE", {{"destination", "/topic/x"}, {"id", "1"}, {"ack", "x"}})},
      {"SUBSCRIBE to another user's destination", {}, wire("SUBSCRIBE", {{"destination", "/user/bob/queue/x"}, {"id", "1"}})},
      {"SUBSCRIBE to a non-broker destination", {}, wire("SUBSCRIBE", {{"destination", "/nowhere/x"}, {"id", "1"}})},
      {"UNSUBSCRIBE without id", {}, wire("UNSUBSCRIBE", {})},
      {"ACK without id", {}, wire("ACK", {})},
      {"NACK without id", {}, wire("NACK", {})},
      {"BEGIN without transaction", {}, wire("BEGIN", {})},
      {"BEGIN with a too long name", {}, wire("BEGIN", {{"transaction", std::string(257, 't')}})},
      {"BEGIN of an open transaction",
       {wire("BEGIN", {{"transaction", "t"}})},
       wire("BEGIN", {{"transaction", "t"}})},
      {"COMMIT without transaction", {}, wire("COMMIT", {})},
      {"COMMIT of an unknown transaction", {}, wire("COMMIT", {{"transaction", "t"}})},
      {"ABORT without transaction", {}, wire("ABORT", {})},
      {"ABORT of an unknown transaction", {}, wire("ABORT", {{"transaction", "t"}})},
      {"a rejected SEND at COMMIT",
       {wire("BEGIN", {{"transaction", "t"}}), wire("SEND", {{"destination", "/topic/other"}, {"transaction", "t"}})},
       wire("COMMIT", {{"transaction", "t"}})},
      {"a second CONNECT", {}, wire("CONNECT", {{"accept-version", "1.2"}})},
      {"a server frame", {}, wire("MESSAGE", {{"destination", "/topic/x"}})},
      {"an unknown command", {}, "HELLO\n\n" + std::string(1, '\0')},
      {"an undefined escape (1.2)", {}, wire("SUBSCRIBE", {{"destination", "/topic/a\\tb"}, {"id", "1"}})},
  };
  for (const auto& c : cases) {
    world w(with_send_rule());
    client cl(w);
    cl.connect("alice");
    for (const auto& f : c.before) cl.send(f);
    (void)cl.frames();
    ASSERT_EQ(w.metrics.protocol_errors.value(), 0u) << c.why;
    cl.send(c.frame);
    auto fs = cl.frames();
    ASSERT_FALSE(fs.empty()) << c.why;
    EXPECT_EQ(fs.back().cmd, command::error) << c.why;
    EXPECT_EQ(cl.tr.reason(), core::close_reason::protocol_error) << c.why;
    EXPECT_EQ(w.metrics.protocol_errors.value(), 1u) << c.why;
    // Nothing after the ERROR counts again.
    cl.send(c.frame);
    EXPECT_EQ(w.metrics.protocol_errors.value(), 1u) << c.why;
  }
}

TEST(SessionProtocolErrors, ConnectPhaseErrorsCountOnce) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"first frame not CONNECT", wire("SUBSCRIBE", {{"destination", "/topic/x"}, {"id", "1"}})},
      {"unsupported version", wire("CONNECT", {{"accept-version", "2.0"}, {"login", "a"}})},
      {"malformed heart-beat", wire("CONNECT", {{"accept-version", "1.2"}, {"login", "a"}, {"heart-beat", "x"}})},
      {"malformed frame", std::string("CONNECT\nno colon here\n\n") + '\0'},
  };
  for (const auto& [why, frame] : cases) {
    world w;
    client c(w);
    c.send(frame);
    auto fs = c.frames();
    ASSERT_FALSE(fs.empty()) << why;
    EXPECT_EQ(fs.back().cmd, command::error) << why;
    EXPECT_EQ(w.metrics.protocol_errors.value(), 1u) << why;
  }
}

TEST(SessionProtocolErrors, WebhookFailureCountsOnce) {
  struct failing_gateway final : app_gateway {
    void forward(app_request, std::function<void(std::string)> done) override { done("webhook answered HTTP 500"); }
  } gw;
  world w;
  w.env.app = &gw;
  client c(w);
  c.connect("alice");
  c.send("SEND", {{"destination", "/app/x"}});
  EXPECT_EQ(c.one().cmd, command::error);
  EXPECT_EQ(w.metrics.protocol_errors.value(), 1u);
}

TEST(SessionProtocolErrors, OtherErrorsDoNotCount) {
  config::config cfg;
  cfg.limits.max_subscriptions = 1;
  world w(cfg);
  client c(w);
  c.connect("alice");
  c.subscribe("1", "/topic/a");
  c.send("SUBSCRIBE", {{"id", "2"}, {"destination", "/topic/b"}});
  EXPECT_EQ(c.one().cmd, command::error);
  EXPECT_EQ(c.tr.reason(), core::close_reason::limit_exceeded);
  EXPECT_EQ(w.metrics.protocol_errors.value(), 0u);

  client k(w);
  k.connect("bob");
  k.s.kick("bye");
  EXPECT_EQ(k.one().cmd, command::error);
  EXPECT_EQ(w.metrics.protocol_errors.value(), 0u);
}

}  // namespace
}  // namespace herald::session::test

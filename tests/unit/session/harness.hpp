// A session under test: a fake transport that records what the session asks
// of it, and a real single-worker environment (hub, memory broker, router,
// publisher, registry, metrics) with a clock the test moves by hand. Frames
// the session produced are read back from its outbox and parsed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "core/channels.hpp"
#include "core/destinations.hpp"
#include "core/hub.hpp"
#include "core/memory_broker.hpp"
#include "core/publisher.hpp"
#include "core/registry.hpp"
#include "core/router.hpp"
#include "metrics/counters.hpp"
#include "session/session.hpp"
#include "stomp/parser.hpp"

namespace herald::session::test {

using namespace std::chrono_literals;
using time_point = clock::time_point;

class fake_transport final : public transport {
 public:
  int flushes = 0;
  std::vector<core::close_reason> closes;
  std::vector<time_point> armed;

  void flush() override { ++flushes; }
  void close(core::close_reason r) override { closes.push_back(r); }
  void arm_timer(time_point at) override { armed.push_back(at); }

  bool closed() const { return !closes.empty(); }
  core::close_reason reason() const { return closes.at(0); }
};

// Lets tests pick the principal and the token's expiry.
class fake_authenticator final : public auth::authenticator {
 public:
  std::optional<std::chrono::system_clock::duration> expires_in;
  bool refuse = false;

  auth::auth_result authenticate(const auth::credentials& c) const override {
    auth::auth_result r;
    if (refuse) {
      r.error = "bad credentials";
      return r;
    }
    r.ok = true;
    r.who.user = c.login;
    if (expires_in) r.who.expires = std::chrono::system_clock::now() + *expires_in;
    return r;
  }
  std::string_view name() const override { return "fake"; }
};

struct world {
  explicit world(config::config c = {}, std::unique_ptr<auth::authenticator> a = nullptr)
      : cfg(std::move(c)),
        rules(cfg.destinations),
        authn(a ? std::move(a) : auth::make_authenticator(cfg.auth)),
        router(broker, 1, [this](std::size_t, const std::string& ch, const core::message_ptr& m) {
          hub.deliver(ch, m);
        }),
        hub([this](const std::string& ch, bool gained) {
          interest.emplace_back(ch, gained);
          router.interest(0, ch, gained);
        }),
        publisher(broker, rules, "n1"),
        env{cfg, rules, *authn, hub, publisher, registry, metrics, nullptr,
            [this] { return "s" + std::to_string(++sessions); }, [this] { return now; }} {
    broker.start([this](const std::string& ch, const core::message_ptr& m) { router.on_message(ch, m); });
  }

  core::publish_outcome publish_topic(const std::string& dest, const std::string& body = "hi",
                                      core::header_list headers = {}) {
    core::message_fields f;
    f.destination = dest;
    f.body = body;
    f.headers = std::move(headers);
    auto out = publisher.publish(std::move(f));
    EXPECT_EQ(out.status, core::publish_status::ok) << out.error;
    return out;
  }
  core::publish_outcome publish_user(const std::string& user, const std::string& dest,
                                     const std::string& body = "hi") {
    core::message_fields f;
    f.kind = core::target_kind::user;
    f.user = user;
    f.destination = dest;
    f.body = body;
    auto out = publisher.publish(std::move(f));
    EXPECT_EQ(out.status, core::publish_status::ok) << out.error;
    return out;
  }

  config::config cfg;
  core::destination_rules rules;
  std::unique_ptr<auth::authenticator> authn;
  std::vector<std::pair<std::string, bool>> interest;
  core::memory_broker broker;
  core::router router;
  core::hub hub;
  core::publisher publisher;
  core::registry registry;
  metrics::worker_metrics metrics;
  time_point now{std::chrono::seconds(1000)};
  int sessions = 0;
  environment env;
};

// One wire frame, headers raw (tests use values that need no escaping).
inline std::string wire(std::string_view cmd, std::initializer_list<std::pair<std::string, std::string>> headers,
                        std::string_view body = {}) {
  std::string out(cmd);
  out += '\n';
  for (const auto& [k, v] : headers) out += k + ":" + v + "\n";
  out += '\n';
  out.append(body);
  out.push_back('\0');
  return out;
}

struct client {
  explicit client(world& w, connection_info info = {}) : w(w), s(w.env, tr, std::move(info)) {
    stomp::parser_limits big;
    big.max_frame_bytes = 64 << 20;
    big.max_headers = 1000;
    big.max_header_bytes = 64 << 10;
    p = stomp::parser(big);
  }
  ~client() {
    if (!gone) s.on_transport_closed();
  }

  void send(std::string_view bytes) { s.on_bytes(bytes); }
  void send(std::string_view cmd, std::initializer_list<std::pair<std::string, std::string>> headers,
            std::string_view body = {}) {
    s.on_bytes(wire(cmd, headers, body));
  }
  void closed_by_transport() {
    gone = true;
    s.on_transport_closed();
  }

  // Everything queued, as wire bytes; the outbox is emptied.
  std::string raw() {
    std::string out;
    auto& ob = s.outbox();
    while (!ob.empty()) {
      // As a transport does: take the entry in flight, then write it.
      if (!ob.writing()) ob.begin_write();
      const auto& o = ob.front();
      if (o.prefix) out += *o.prefix;
      out += o.extra;
      if (o.msg) {
        out += o.msg->head(o.version);
        out += o.msg->body;
        out.push_back('\0');
      }
      ob.pop_front();
    }
    return out;
  }

  // Everything queued, parsed. Switches the parser to the version a
  // CONNECTED frame announces.
  std::vector<stomp::frame> frames() {
    p.feed(raw());
    std::vector<stomp::frame> out;
    for (;;) {
      stomp::frame f;
      std::error_code ec;
      auto st = p.next(f, ec);
      if (st == stomp::parse_status::need_more) break;
      if (st == stomp::parse_status::error) {
        ADD_FAILURE() << "server sent an unparsable frame: " << ec.message();
        break;
      }
      if (f.cmd == stomp::command::connected) {
        if (auto* v = f.find("version")) {
          if (*v == "1.0") p.set_version(stomp::version::v1_0);
          if (*v == "1.1") p.set_version(stomp::version::v1_1);
        }
      }
      out.push_back(std::move(f));
    }
    return out;
  }

  // The single frame queued; a failure when there is not exactly one.
  stomp::frame one() {
    auto fs = frames();
    if (fs.size() != 1) {
      ADD_FAILURE() << "expected one frame, got " << fs.size();
      return fs.empty() ? stomp::frame{} : fs.front();
    }
    return fs.front();
  }

  // CONNECT as `login` with 1.2 and checks CONNECTED.
  void connect(const std::string& login, std::string accept = "1.2", std::string heart_beat = "") {
    std::string c = "CONNECT\naccept-version:" + accept + "\nhost:test\nlogin:" + login + "\n";
    if (!heart_beat.empty()) c += "heart-beat:" + heart_beat + "\n";
    c += "\n";
    c.push_back('\0');
    send(c);
    auto f = one();
    ASSERT_EQ(f.cmd, stomp::command::connected) << (f.find("message") ? *f.find("message") : "");
  }

  void subscribe(const std::string& id, const std::string& dest, const std::string& ack = "") {
    if (ack.empty()) {
      send("SUBSCRIBE", {{"id", id}, {"destination", dest}, {"receipt", "r-" + id}});
    } else {
      send("SUBSCRIBE", {{"id", id}, {"destination", dest}, {"ack", ack}, {"receipt", "r-" + id}});
    }
    auto f = one();
    ASSERT_EQ(f.cmd, stomp::command::receipt) << (f.find("message") ? *f.find("message") : "");
  }

  world& w;
  fake_transport tr;
  session s;
  stomp::parser p;
  bool gone = false;
};

inline std::string header(const stomp::frame& f, std::string_view name) {
  auto* v = f.find(name);
  return v ? *v : std::string("<absent>");
}

}  // namespace herald::session::test

// The STOMP protocol engine for one connection: framing, CONNECT and
// authentication, heart-beats, subscriptions, acks, transactions, receipts,
// delivery into a bounded outbox. Pure logic over a transport interface —
// no sockets — so every transport shares it and unit tests drive it
// directly. Owned by one worker thread; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "core/close_reason.hpp"
#include "core/destinations.hpp"
#include "core/hub.hpp"
#include "core/outbox.hpp"
#include "core/publisher.hpp"
#include "core/registry.hpp"
#include "metrics/counters.hpp"
#include "session/app_dispatch.hpp"
#include "session/app_gateway.hpp"
#include "session/connect_services.hpp"
#include "session/transport.hpp"
#include "stomp/frame.hpp"
#include "stomp/parser.hpp"

namespace herald::session {

using clock = std::chrono::steady_clock;

// Shared by every session of one worker.
struct environment {
  const config::config& cfg;
  const core::destination_rules& rules;
  const auth::authenticator& auth;
  core::hub& hub;
  core::publisher& publisher;
  core::registry& registry;
  metrics::worker_metrics& metrics;
  app_gateway* app = nullptr;  // null: /app SENDs get an ERROR
  std::function<std::string()> next_session_id;
  std::function<clock::time_point()> now = [] { return clock::now(); };
  connect_services* services = nullptr;  // null: CONNECT is decided locally and at once
  // Bounds the worker's calls to `app` (app.max_connections_per_thread,
  // app.max_queued_per_thread).
  app_dispatch app_calls{};
};

struct connection_info {
  std::string remote;
  std::optional<stomp::version> subprotocol;  // from the WebSocket handshake
  std::string query_token;
  std::string cookie_token;
  metrics::transport_kind kind = metrics::transport_kind::websocket;
};

enum class ack_mode { auto_, client, client_individual };

class session final : public core::subscriber {
 public:
  session(environment& env, transport& t, connection_info info);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Bytes from the client, in order, any split.
  void on_bytes(std::string_view data);
  // The armed deadline passed.
  void on_timer(clock::time_point now);
  // The transport is gone: leave the hub and the registry. Call once.
  void on_transport_closed();
  // A frame left the outbox and reached the socket.
  void on_written(const core::outbound& o);

  core::outbox& outbox() { return out_; }
  bool closing() const { return state_ == state::closing; }
  const std::string& user() const { return user_; }
  const std::string& id() const { return id_; }

  void deliver_topic(core::topic_sub& sub, const core::message_ptr& m) override;
  void deliver_user(const core::message_ptr& m) override;
  void kick(const std::string& reason) override;

 private:
  // admitting: CONNECT is being decided asynchronously (connect_services);
  // frames that arrive meanwhile wait in early_.
  enum class state { awaiting_connect, admitting, connected, closing };

  struct subscription : core::topic_sub {
    std::string id;
    std::string destination;  // as the client wrote it
    std::string user_key;     // user subscriptions: the relative destination
    bool is_user = false;
    ack_mode ack = ack_mode::auto_;
    std::shared_ptr<const std::string> prefix;  // MESSAGE, destination, subscription
    std::vector<std::string> unacked;           // message ids, oldest first
  };

  void handle(stomp::frame& f);
  void on_connect(stomp::frame& f);
  // The CONNECT's steps after authentication, each possibly asynchronous.
  void admit(auth::auth_result r);
  void check_cluster_limit(auth::identity who);
  void complete_connect(auth::identity who, std::uint32_t local_limit);
  void recheck_token();
  // Runs f when the session still exists (async callbacks).
  template <class F>
  auto guarded(F f) {
    return [alive = std::weak_ptr<bool>(alive_), f = std::move(f)](auto&&... args) mutable {
      if (!alive.expired()) f(std::forward<decltype(args)>(args)...);
    };
  }
  void on_send(stomp::frame& f);
  void on_subscribe(stomp::frame& f);
  void on_unsubscribe(stomp::frame& f);
  void on_ack(stomp::frame& f, bool positive);
  void on_begin(stomp::frame& f);
  void on_end_transaction(stomp::frame& f, bool commit);
  void on_disconnect(stomp::frame& f);

  void publish_send(stomp::frame& f);
  // true when f carried a transaction header and was buffered (or failed).
  bool buffer_in_transaction(stomp::frame& f);
  void deliver(subscription& s, const core::message_ptr& m);
  void receipt(const stomp::frame& f);
  void send_control(std::string frame);
  // Sends ERROR (with receipt-id when the offending frame had a receipt)
  // and closes: every STOMP ERROR ends the connection (§"ERROR").
  void fail(core::close_reason r, std::string_view message, const stomp::frame* cause = nullptr);
  void rearm();
  void remove_subscription(subscription& s);
  subscription* find_subscription(std::string_view id);
  std::optional<clock::time_point> next_deadline() const;

  environment& env_;
  transport& transport_;
  connection_info info_;
  stomp::parser parser_;
  core::outbox out_;
  state state_ = state::awaiting_connect;
  stomp::version version_ = stomp::version::v1_2;
  std::string id_;
  std::string user_;
  bool registered_ = false;

  // In SUBSCRIBE order, which is also the order a user message reaches a
  // session's matching user subscriptions.
  std::vector<std::unique_ptr<subscription>> subs_;
  std::unordered_map<std::string, std::vector<stomp::frame>> transactions_;
  std::size_t tx_bytes_ = 0;  // buffered in transactions, bounded by max_pending_bytes
  std::uint32_t app_pending_ = 0;  // /app SENDs awaiting the webhook, bounded by app.max_in_flight_per_session

  std::optional<stomp::frame> connect_frame_;  // while admitting
  std::vector<stomp::frame> early_;            // frames after CONNECT, before CONNECTED
  std::string token_;                          // re-validated with connect_services
  std::optional<clock::time_point> recheck_at_;
  bool recheck_in_flight_ = false;

  clock::time_point connect_deadline_;
  clock::time_point last_read_;
  clock::time_point last_write_;
  std::chrono::milliseconds send_every_{0};
  std::chrono::milliseconds silence_limit_{0};
  std::optional<clock::time_point> token_deadline_;
  std::optional<clock::time_point> armed_;

  // Outlives nothing: async callbacks hold a weak_ptr to know we are gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace herald::session

// worker internals shared by the net translation units. Worker thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/hub.hpp"
#include "net/posting_services.hpp"
#include "net/webhook_client.hpp"
#include "net/worker.hpp"
#include "session/session.hpp"

namespace herald::net {

class ws_session;
class http_session;
class sockjs_session;
class remote_session;
class relay_receiver;

// A connection with bytes to write once the current burst of handlers has
// run: many deliveries then leave in one system call.
class flushable {
 public:
  virtual void write_now() = 0;

 protected:
  ~flushable() = default;
};

// Lets the SockJS table be searched with the string_view of a request path.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct worker::impl {
  impl(std::size_t index, node_shared& shared);
  // Ends the SockJS sessions still in the table while the hub and the
  // io_context they use are alive.
  ~impl();

  void accept();

  std::size_t index;
  node_shared& shared;
  // Declared before ioc so they outlive it: destroying the io_context
  // destroys pending handlers, and with them connections whose destructors
  // update these.
  metrics::worker_metrics metrics;
  std::unordered_set<ws_session*> sessions;         // for shutdown
  std::unordered_set<http_session*> http_sessions;  // idle keep-alives close at shutdown
  // Every SockJS session alive on this worker, WebSocket-carried ones too:
  // shutdown closes them all, and ~impl ends them while the hub exists.
  std::unordered_set<sockjs_session*> sockjs_live;
  // No concurrency hint of 1: with it, Asio queues a thread's posts to
  // itself privately and merges them after the running handler, behind
  // posts other workers made meanwhile — which reorders deliveries of
  // messages published one after another through different workers.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor{ioc};
  core::hub hub;
  std::optional<webhook_client> webhook;
  std::optional<posting_services> services;
  session::environment env;
  std::uint64_t session_seq = 0;
  bool shutting_down = false;
  // SockJS sessions carried by HTTP requests, by SockJS session id. Only the
  // owning worker (sockjs_owner) holds a given id.
  std::unordered_map<std::string, std::shared_ptr<sockjs_session>, string_hash, std::equal_to<>> sockjs_sessions;
  // Requests relayed between nodes (sockjs_relay.hpp), by rid: ours waiting
  // on another node, and other nodes' attached to our sessions.
  std::unordered_map<std::string, std::shared_ptr<remote_session>> relays_out;
  std::unordered_map<std::string, std::shared_ptr<relay_receiver>> relays_in;
  std::unordered_map<std::string, std::function<void(int status, std::string body)>> pending_sends;
  std::uint64_t relay_seq = 0;

  // Queues f for the flush pass, posting the pass when none is pending.
  void schedule_flush(std::shared_ptr<flushable> f);
  std::vector<std::shared_ptr<flushable>> flush_list;
  // Where WebSocket sessions read into: one buffer per worker instead of
  // one per connection. Nothing keeps pointers into it across reads.
  static constexpr std::size_t scratch_size = 64 * 1024;
  std::unique_ptr<char[]> scratch = std::make_unique<char[]>(scratch_size);
};

// Index of the worker that owns SockJS session `id`.
std::size_t sockjs_owner(std::string_view id, std::size_t workers);

// Holds one unit of node_shared::connections for as long as it lives.
// The caller has already incremented both counts.
class connection_slot {
 public:
  connection_slot(node_shared& s, metrics::gauge& g) : s_(&s), g_(&g) {}
  connection_slot(connection_slot&& o) noexcept : s_(o.s_), g_(o.g_) { o.s_ = nullptr; }
  connection_slot& operator=(connection_slot&&) = delete;
  ~connection_slot() {
    if (!s_) return;
    s_->connections.fetch_sub(1, std::memory_order_relaxed);
    if (g_) g_->sub();
  }
  // Moving a connection to another worker: leave this worker's gauge on
  // its thread, join the other's on that one (each gauge has one writer).
  void leave_gauge() {
    g_->sub();
    g_ = nullptr;
  }
  void join_gauge(metrics::gauge& g) {
    g_ = &g;
    g.add();
  }

 private:
  node_shared* s_;
  metrics::gauge* g_;
};

}  // namespace herald::net

// One event loop on one thread: its own SO_REUSEPORT listener, its
// connections, its hub shard. Everything a connection touches lives here,
// so the per-connection path takes no locks. Other threads talk to a
// worker only through the posting methods below.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/message.hpp"
#include "metrics/counters.hpp"
#include "net/shared.hpp"

namespace herald::net {

class worker {
 public:
  worker(std::size_t index, node_shared& shared);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Startup thread. Binds with SO_REUSEPORT and returns the bound port
  // (useful with port 0). Throws std::system_error.
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  // The worker's own thread; returns after stop().
  void run();

  // Any thread: these post to the worker's loop.
  void deliver(const std::string& channel, const core::message_ptr& m);
  void kick_user(const std::string& user, const std::string& reason);
  // A SockJS relay message from another node (sockjs_relay.hpp).
  void relay(const core::message_ptr& m);
  void begin_shutdown();
  void stop();

  // Any thread (atomics).
  const metrics::worker_metrics& metrics() const;
  std::size_t index() const;

  // Defined in worker_impl.hpp, for the net translation units only.
  struct impl;
  impl& internals() { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace herald::net

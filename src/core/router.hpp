// Node-wide interest: which workers have local subscribers for a channel.
// Workers report gains and losses (hub interest events, rare); the broker's
// message handler looks a channel up and dispatches the one shared message
// to each interested worker (frequent). A shared_mutex guards the table:
// lookups take it shared, never per subscriber and never on a
// per-connection path. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/broker.hpp"

namespace herald::core {

class router {
 public:
  // Hands a message to a worker's thread (the app posts to its loop).
  using dispatch_fn = std::function<void(std::size_t worker, const std::string& channel, const message_ptr& m)>;

  router(broker& b, std::size_t workers, dispatch_fn dispatch);

  // Any worker thread. Subscribes the node on the first worker's interest
  // and unsubscribes when the last worker loses it.
  void interest(std::size_t worker, const std::string& channel, bool gained);

  // Broker handler thread.
  void on_message(const std::string& channel, const message_ptr& m);

  std::size_t channels() const;

 private:
  broker& broker_;
  dispatch_fn dispatch_;
  mutable std::shared_mutex mu_;
  // One bit per worker; workers ≤ 64 (checked at construction).
  std::unordered_map<std::string, std::uint64_t> interest_;
};

}  // namespace herald::core

// The backplane interface. A broker carries published messages between the
// nodes of a cluster (the memory broker: within one process). The node
// subscribes to a channel when its first local subscriber appears and
// unsubscribes when the last one leaves (see router.hpp), so a message
// reaches only nodes that hold an interested session.
//
// Contract:
// - publish/subscribe/unsubscribe are safe to call from any thread and must
//   not block on I/O: a networked broker queues and returns.
// - The message handler may be called on any thread (the memory broker
//   calls it synchronously inside publish; a networked one on its own I/O
//   thread). It must be cheap: the router only looks up interest and posts
//   to workers.
// - Ordering: messages published on one channel by one thread reach the
//   handler in publish order.
// - Delivery is at most once; a broker that loses its connection reports
//   it through state() and resubscribes every channel on reconnect.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/message.hpp"

namespace herald::core {

enum class broker_state { connecting, ready, degraded, stopped };

// Written by the broker (any thread), read by the metrics scrape.
struct broker_stats {
  std::atomic<std::uint64_t> published{0};         // accepted by publish()
  std::atomic<std::uint64_t> rejected{0};          // refused: outage buffer full
  std::atomic<std::uint64_t> received_topic{0};    // arrived on a topic channel
  std::atomic<std::uint64_t> received_user{0};     // arrived on a user channel
  std::atomic<std::uint64_t> received_control{0};  // arrived on the control channel
  std::atomic<std::uint64_t> malformed{0};         // undecodable payloads, dropped
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::int64_t> channels{0};  // subscribed on the backplane
  std::atomic<std::int64_t> pending{0};   // accepted, not yet confirmed by the backplane
};

std::string_view to_string(broker_state s);

class broker {
 public:
  using message_handler = std::function<void(const std::string& channel, const message_ptr& m)>;

  virtual ~broker() = default;

  // Called once before any other call; the handler outlives the broker.
  virtual void start(message_handler on_message) = 0;
  virtual void stop() = 0;

  // false: the message could not be accepted (outage buffer full); the
  // caller tells its client (the HTTP API answers 503).
  virtual bool publish(const std::string& channel, const message_ptr& m) = 0;
  virtual void subscribe(const std::string& channel) = 0;
  virtual void unsubscribe(const std::string& channel) = 0;

  virtual broker_state state() const = 0;
  virtual std::string_view name() const = 0;
  virtual const broker_stats& stats() const = 0;
};

}  // namespace herald::core

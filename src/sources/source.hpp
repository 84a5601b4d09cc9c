// An event source: a system services already use (a RabbitMQ exchange,
// Redis key expiries), consumed in the background and turned into
// publishes through the sink. Each source owns its connections and its
// thread or loop; start() and stop() are called on the main thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/message.hpp"
#include "core/publisher.hpp"

namespace herald::sources {

// What a source may ask of the node. Thread-safe.
class sink {
 public:
  // cluster: through the backplane, to every node with an interested
  // session; local: to this node's sessions only (each node consumes its
  // own copy of the event, as AMQP fanout queues do).
  enum class scope { cluster, local };

  virtual ~sink() = default;
  virtual core::publish_outcome publish(core::message_fields f, scope s) = 0;
  // The backplane carries publishes now. While it does not, publish()
  // may still accept (held in the outage buffer, lost if the node stops):
  // a source that can leave an event where it was (a shared queue) should.
  virtual bool backplane_ready() const = 0;
  // Closes the user's sessions on every node, each with an ERROR frame.
  virtual void close_sessions(const std::string& user, const std::string& reason) = 0;
  virtual const std::string& node_id() const = 0;
  // A source cannot work as configured (e.g. Redis refuses keyspace
  // events): the node logs why and exits with status 2.
  virtual void fatal(const std::string& why) = 0;
};

// Written by the source's thread, read by the metrics scrape and /readyz.
struct source_stats {
  std::atomic<std::uint64_t> received{0};       // events taken from the source
  std::atomic<std::uint64_t> published{0};      // events that became publishes
  std::atomic<std::uint64_t> unmapped{0};       // events that failed the mapping
  std::atomic<std::uint64_t> unavailable{0};    // publishes refused (backplane outage); retried or requeued
  std::atomic<std::uint64_t> dead_lettered{0};  // unmappable events rejected to a dead-letter exchange
  std::atomic<std::uint64_t> locks_won{0};      // expiries this node acted on
  std::atomic<std::uint64_t> locks_lost{0};     // expiries another node acted on
  std::atomic<std::uint64_t> swept{0};          // expiries found by the sweeper, not by an event
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<bool> up{false};                  // connected and consuming
};

class source {
 public:
  virtual ~source() = default;
  // Connects in the background and keeps reconnecting; never blocks.
  virtual void start() = 0;
  // Stops consuming (unacknowledged messages go back to their queue) and
  // joins its thread.
  virtual void stop() = 0;
  virtual const std::string& name() const = 0;
  virtual const char* type() const = 0;
  virtual const source_stats& stats() const = 0;
};

}  // namespace herald::sources

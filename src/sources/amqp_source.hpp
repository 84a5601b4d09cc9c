// `type: amqp`: consumes a RabbitMQ topic exchange laid out as Spring Cloud
// Stream's rabbit binder does, maps each JSON message and publishes it.
//
// fanout: each node binds its own exclusive auto-delete queue, so every node
// gets every message and delivers it to its own sessions (scope::local).
// group: the nodes share one durable queue; each message goes to one node,
// which publishes it through the backplane (scope::cluster), and messages
// wait in the queue while no node runs.
//
// One thread per source runs a blocking consume loop (short waits, so stop()
// is prompt) and never touches a worker. A message is acknowledged after its
// publishes were accepted; refused by a backplane outage, it is requeued;
// unmappable, it is rejected (to the dead-letter exchange when configured).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "sources/source.hpp"

namespace herald::sources {

class amqp_connection;
struct amqp_delivery;

class amqp_source final : public source {
 public:
  // max_body: bigger messages are rejected as unmapped without being kept.
  amqp_source(config::source cfg, std::uint64_t max_body, sink& out);
  ~amqp_source() override;

  void start() override;
  void stop() override;
  const std::string& name() const override { return cfg_.name; }
  const char* type() const override { return "amqp"; }
  const source_stats& stats() const override { return stats_; }

 private:
  void run();
  // One connection's life: connect, declare, consume until a failure or
  // stop. Throws amqp_error.
  void consume_once();
  // Handles one delivery; returns how long to pause before the next one
  // (non-zero after a backplane outage refused it).
  std::chrono::milliseconds handle(amqp_connection& c, amqp_delivery& d);
  void unmapped(amqp_connection& c, std::uint64_t tag, const std::string& why);
  void connection_failed(const std::string& why);
  // Sleeps up to d; false when stop() was called.
  bool pause(std::chrono::milliseconds d);
  bool stopping() const;

  const config::source cfg_;
  const std::uint64_t max_body_;
  sink& out_;
  source_stats stats_;

  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;

  // The loop's own state (its thread only).
  std::mt19937 rng_{std::random_device{}()};
  bool ever_up_ = false;
  bool lost_logged_ = false;   // the current outage has been logged
  std::string last_failure_;   // logged once per distinct reason while down
  std::chrono::milliseconds unavailable_pause_{0};
  std::chrono::steady_clock::time_point next_unmapped_log_{};
  std::uint64_t unmapped_quiet_ = 0;  // unmapped messages not logged since the last line
};

}  // namespace herald::sources

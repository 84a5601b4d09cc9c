// The AMQP backplane (RabbitMQ): herald's channels on one durable direct
// exchange, routing key = channel (amqp_keys.hpp). Each node has a private
// queue (server-named, exclusive, auto-delete: it dies with the node's
// connection) bound with one binding per channel the node has local
// interest in, so a message reaches only nodes holding an interested
// session — the Redis backplane's interest-based routing. Every published
// message goes through RabbitMQ, so every interested node, the publishing
// one included, receives it once, with the same message-id.
//
// rabbitmq-c is blocking and a connection is not thread-safe, so there are
// two threads with a connection each:
// - the consumer declares the queue, binds and unbinds it (an exclusive
//   queue can only be bound by its own connection), applying interest
//   changes in batches between waits for deliveries, which an eventfd cuts
//   short; it decodes deliveries and calls the handler;
// - the publisher sends queued publishes in batches (no publisher
//   confirms: delivery is at most once, as the broker contract says).
// Workers only take a mutex and queue; they never wait for RabbitMQ.
//
// Outages mirror redis_broker: state() is degraded until both connections
// are back; publishes are held meanwhile, up to buffer_messages (then
// publish() refuses), and go out reconnect_max after both are back, once
// every node has had time to rebuild its bindings.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/broker.hpp"

namespace herald::sources {
class amqp_connection;
struct amqp_delivery;
}  // namespace herald::sources

namespace herald::backplane {

struct amqp_broker_options {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";
  std::string exchange = "herald";
  std::string node_id;
  std::size_t buffer_messages = 10000;
  std::chrono::milliseconds reconnect_max{5000};
};

class amqp_broker final : public core::broker {
 public:
  explicit amqp_broker(amqp_broker_options o);
  ~amqp_broker() override;

  void start(message_handler on_message) override;
  void stop() override;
  bool publish(const std::string& channel, const core::message_ptr& m) override;
  void subscribe(const std::string& channel) override;
  void unsubscribe(const std::string& channel) override;
  core::broker_state state() const override { return state_.load(); }
  std::string_view name() const override { return "amqp"; }
  const core::broker_stats& stats() const override { return stats_; }

 private:
  struct outgoing {
    std::string key;
    std::string body;
  };
  enum class link { consumer, publisher };

  // Both threads: connect, run, and on failure retry with jittered backoff.
  void run(link which);
  void consume(sources::amqp_connection& c);
  void publish_queued(sources::amqp_connection& c);
  void apply_interest(sources::amqp_connection& c, bool rebuild);
  void on_delivery(const sources::amqp_delivery& d);
  void link_changed(link which, bool up);
  bool pause(std::chrono::milliseconds d);
  void wake_consumer();
  bool stopping() const;

  amqp_broker_options o_;
  message_handler on_message_;
  core::broker_stats stats_;
  std::atomic<core::broker_state> state_{core::broker_state::connecting};
  int wake_fd_ = -1;  // eventfd: interest changed, or stopping
  std::thread consumer_, publisher_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // the publisher's queue, settling, stop, backoff pauses
  bool stop_ = false;
  int publisher_fd_ = -1;          // the publisher's socket while it runs
  bool publisher_exited_ = false;  // its thread is done
  std::deque<outgoing> queue_;  // accepted, not yet sent; bounded through stats_.pending
  // Channels the node wants, and the changes the consumer has not applied
  // yet (channel → wanted): a reconnect rebinds the former, a running
  // consumer applies only the latter.
  std::unordered_set<std::string> wanted_;
  std::unordered_map<std::string, bool> changes_;
  bool consumer_up_ = false, publisher_up_ = false;
  // Publishes flow once both links are up and, when some were held, the
  // settle time has passed.
  bool flowing_ = false, settling_ = false;
  std::chrono::steady_clock::time_point settle_until_{};

  // Consumer thread only: routing key → channel of every binding.
  std::string queue_name_;
  std::unordered_map<std::string, std::string> bound_;
};

}  // namespace herald::backplane

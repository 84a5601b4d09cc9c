// One AMQP 0-9-1 connection (rabbitmq-c) with one channel. Blocking calls,
// each bounded by a timeout, meant for one thread: the amqp source's, or
// one of the AMQP backplane's two (a connection is not thread-safe). Any
// failure throws amqp_error; the object is then only good for destruction
// (the owner makes a new one to reconnect).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace herald::sources {

class amqp_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct amqp_topology {
  std::string exchange;              // topic exchange, declared durable
  std::string routing_key;           // binding key
  std::string queue;                 // empty: server-named, exclusive, auto-delete (one per node)
  std::string dead_letter_exchange;  // x-dead-letter-exchange of the queue; empty = none
  std::uint16_t prefetch = 64;
};

struct amqp_delivery {
  std::uint64_t tag = 0;
  std::string routing_key;     // the key it was published with
  std::string body;            // empty when oversize
  std::uint64_t body_size = 0;  // as announced by the broker
  bool oversize = false;        // body_size above the cap: the bytes were read and dropped
};

struct amqp_idle {};  // nothing arrived within the wait

class amqp_connection {
 public:
  // Parses `url` (amqp://user:pass@host:port/vhost; an empty vhost means
  // "/"), connects, logs in with a heartbeat, opens channel 1. Throws
  // amqp_error, whose message never contains the password.
  amqp_connection(const std::string& url, std::chrono::milliseconds timeout);
  ~amqp_connection();
  amqp_connection(const amqp_connection&) = delete;
  amqp_connection& operator=(const amqp_connection&) = delete;

  // Declares the exchange and the queue, binds them, sets the prefetch and
  // starts consuming with manual acks. Returns the queue's name.
  std::string consume(const amqp_topology& t);

  // The steps of consume(), for owners with a topology of their own.
  void declare_exchange(const std::string& name, const char* type);  // durable
  std::string declare_private_queue();  // server-named, exclusive, auto-delete
  // wait = false sends queue.bind with no-wait: a batch of binds costs one
  // round trip when its last one waits (the broker answers in order).
  void bind(const std::string& queue, const std::string& exchange, const std::string& key, bool wait);
  void unbind(const std::string& queue, const std::string& exchange, const std::string& key);
  void start_consuming(const std::string& queue, bool auto_ack);

  // The socket, so that another thread can shutdown() it to cut a send
  // that blocks (rabbitmq-c writes without a timeout; a broker under a
  // memory or disk alarm stops reading). -1 before connecting.
  int socket_fd() const;

  // A transient message, fire-and-forget (no publisher confirms).
  void publish(const std::string& exchange, const std::string& key, std::string_view body);

  // Waits up to `wait` for the next delivery. Bodies above `max_body` are
  // drained frame by frame without being kept, so a huge message costs no
  // more memory than one frame. A readable `wake_fd` (an eventfd the
  // owner writes to) ends the wait early; the owner drains it. Heartbeats
  // are sent and checked only in here: call it at least every few seconds.
  std::variant<amqp_idle, amqp_delivery> next(std::chrono::milliseconds wait, std::uint64_t max_body,
                                              int wake_fd = -1);

  void ack(std::uint64_t tag);
  void reject(std::uint64_t tag);   // not requeued: dead-lettered when the queue has a DLX
  void requeue(std::uint64_t tag);  // nack with requeue

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace herald::sources

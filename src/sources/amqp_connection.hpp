// One AMQP 0-9-1 connection (rabbitmq-c) with one channel consuming one
// queue. Blocking calls, each bounded by a timeout, meant for the source's
// own thread. Any failure throws amqp_error; the object is then only good
// for destruction (the source makes a new one to reconnect).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
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

  // Waits up to `wait` for the next delivery. Bodies above `max_body` are
  // drained frame by frame without being kept, so a huge message costs no
  // more memory than one frame.
  std::variant<amqp_idle, amqp_delivery> next(std::chrono::milliseconds wait, std::uint64_t max_body);

  void ack(std::uint64_t tag);
  void reject(std::uint64_t tag);   // not requeued: dead-lettered when the queue has a DLX
  void requeue(std::uint64_t tag);  // nack with requeue

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace herald::sources

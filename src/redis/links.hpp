// The two kinds of Redis link the backplane uses, as interfaces, so the
// broker and the directory run unchanged over one Redis server or a Redis
// Cluster (where commands are routed by key slot and pub/sub is sharded).
// All methods are called on the backplane loop's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reply.hpp"

namespace herald::redis {

class command_link {
 public:
  using reply_fn = std::function<void(reply)>;
  virtual ~command_link() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  // args[1] is the key (or channel) that routes the command in a cluster —
  // for EVAL/EVALSHA/FCALL the first key after numkeys (routing_key());
  // multi-key commands must keep their keys in one slot (hash tags).
  // false: refused (queue or send buffer full); done is not called then.
  virtual bool command(std::vector<std::string> args, reply_fn done = {}) = 0;
  virtual bool up() const = 0;
  virtual std::uint64_t reconnects() const = 0;
};

class pubsub_link {
 public:
  using message_fn = std::function<void(std::string_view channel, std::string_view payload)>;
  virtual ~pubsub_link() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual void subscribe(const std::string& channel) = 0;
  virtual void unsubscribe(const std::string& channel) = 0;
  virtual bool up() const = 0;
  virtual std::size_t channels() const = 0;
  virtual std::uint64_t reconnects() const = 0;
  // Told the wanted-set size whenever it changes (for a gauge).
  virtual void on_channels(std::function<void(std::size_t)> f) = 0;
};

}  // namespace herald::redis

// How the self-healing Redis links (client, subscriber) connect and retry.
#pragma once

#include <chrono>
#include <cstddef>
#include <random>
#include <string>

#include "redis/address.hpp"

namespace herald::redis {

struct link_options {
  address where;
  std::string client_name;  // CLIENT SETNAME, for operators reading CLIENT LIST
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
  std::size_t max_queued = 10000;               // commands held while disconnected
  std::size_t max_unsent_bytes = 64 << 20;      // written but not yet on the socket
};

// Exponential backoff with jitter: after a Redis restart every node of the
// cluster retries, and spreading them keeps Redis from a reconnect storm.
class backoff {
 public:
  explicit backoff(const link_options& o) : min_(o.backoff_min), max_(o.backoff_max), rng_(std::random_device{}()) {}
  std::chrono::milliseconds next() {
    auto base = min_ * (1LL << std::min(attempt_, 16u));
    if (base > max_) base = max_;
    ++attempt_;
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(base.count()) * jitter(rng_)));
  }
  void reset() { attempt_ = 0; }
  unsigned attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds min_, max_;
  unsigned attempt_ = 0;
  std::minstd_rand rng_;
};

}  // namespace herald::redis

#include "backplane/amqp_broker.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "backplane/admission.hpp"
#include "backplane/amqp_keys.hpp"
#include "backplane/wire.hpp"
#include "core/channels.hpp"
#include "sources/amqp_connection.hpp"

namespace herald::backplane {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

// Each step of connecting (TCP, handshake, every declare) gives up after this.
constexpr milliseconds connect_timeout{2000};
constexpr milliseconds first_backoff{100};
// The consumer's longest sleep: the eventfd wakes it for interest changes
// and stop, so this only paces rabbitmq-c's heartbeat bookkeeping.
constexpr milliseconds consume_wait{1000};
// The publisher looks at its connection (heartbeats, a close sent by the
// broker) at least this often, so an outage shows in state() promptly.
constexpr milliseconds publisher_tick{200};
constexpr std::size_t publish_batch = 256;
// How long stop() lets the publisher send what is flowing.
constexpr std::chrono::milliseconds stop_grace{2000};
// Bodies come from other herald nodes, whose publishes are bounded by
// their own limits; this only stops a foreign producer's huge message
// from being held in memory.
constexpr std::uint64_t max_message_bytes = 64ull << 20;

}  // namespace

amqp_broker::amqp_broker(amqp_broker_options o) : o_(std::move(o)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

amqp_broker::~amqp_broker() {
  stop();
  ::close(wake_fd_);
}

void amqp_broker::start(message_handler on_message) {
  on_message_ = std::move(on_message);
  consumer_ = std::thread([this] { run(link::consumer); });
  publisher_ = std::thread([this] { run(link::publisher); });
}

void amqp_broker::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  wake_consumer();
  // The publisher sends what is already flowing before it ends — unless
  // RabbitMQ stopped reading (a memory or disk alarm blocks publishers):
  // then its send is cut after a grace period, or stopping would hang.
  if (consumer_.joinable()) consumer_.join();
  if (publisher_.joinable()) {
    std::unique_lock lk(mu_);
    if (!cv_.wait_for(lk, stop_grace, [this] { return publisher_exited_; }) && publisher_fd_ >= 0) {
      spdlog::warn("backplane: RabbitMQ does not take publishes; dropping what is left to stop");
      ::shutdown(publisher_fd_, SHUT_RDWR);
    }
    lk.unlock();
    publisher_.join();
  }
  state_ = core::broker_state::stopped;
}

bool amqp_broker::stopping() const {
  std::lock_guard lk(mu_);
  return stop_;
}

bool amqp_broker::pause(milliseconds d) {
  std::unique_lock lk(mu_);
  return !cv_.wait_for(lk, d, [this] { return stop_; });
}

void amqp_broker::wake_consumer() {
  const std::uint64_t one = 1;
  // Fails only when the counter is saturated: it is awake then anyway.
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

bool amqp_broker::publish(const std::string& channel, const core::message_ptr& m) {
  // While RabbitMQ is away publishes wait in the queue, up to the buffer.
  if (!admit_publish(stats_, o_.buffer_messages)) return false;
  outgoing out{amqp_routing_key(channel), encode(*m, o_.node_id)};
  {
    std::lock_guard lk(mu_);
    if (stop_) {
      stats_.pending.fetch_sub(1, std::memory_order_relaxed);
      return true;
    }
    queue_.push_back(std::move(out));
    if (!flowing_) return true;  // held; the publisher wakes for the flush
  }
  cv_.notify_one();
  return true;
}

void amqp_broker::subscribe(const std::string& channel) {
  {
    std::lock_guard lk(mu_);
    if (stop_) return;
    wanted_.insert(channel);
    changes_[channel] = true;
  }
  wake_consumer();
}

void amqp_broker::unsubscribe(const std::string& channel) {
  {
    std::lock_guard lk(mu_);
    if (stop_) return;
    wanted_.erase(channel);
    changes_[channel] = false;
  }
  wake_consumer();
}

void amqp_broker::link_changed(link which, bool up) {
  {
    std::lock_guard lk(mu_);
    (which == link::consumer ? consumer_up_ : publisher_up_) = up;
    if (stop_) return;
    if (consumer_up_ && publisher_up_) {
      state_ = core::broker_state::ready;
      if (!flowing_ && !settling_) {
        // Held messages wait until every node is back: each retries within
        // reconnect_max of RabbitMQ returning, so flushing earlier would
        // publish to bindings nobody has rebuilt yet.
        if (queue_.empty()) {
          flowing_ = true;
        } else {
          settling_ = true;
          settle_until_ = steady::now() + o_.reconnect_max;
        }
      }
    } else {
      if (state_.load() != core::broker_state::connecting) state_ = core::broker_state::degraded;
      flowing_ = settling_ = false;
    }
  }
  cv_.notify_all();
}

void amqp_broker::run(link which) {
  const char* what = which == link::consumer ? "consumer" : "publisher";
  std::minstd_rand rng(std::random_device{}());
  unsigned failures = 0;
  bool ever_up = false, lost_logged = false;
  while (!stopping()) {
    bool was_up = false;
    try {
      sources::amqp_connection c(o_.url, connect_timeout);
      if (which == link::publisher) {
        std::lock_guard lk(mu_);
        publisher_fd_ = c.socket_fd();
      }
      // Whatever ends this connection, stop() must not shut a reused fd.
      struct forget_fd {
        amqp_broker& b;
        bool mine;
        ~forget_fd() {
          if (!mine) return;
          std::lock_guard lk(b.mu_);
          b.publisher_fd_ = -1;
        }
      } forget{*this, which == link::publisher};
      c.declare_exchange(o_.exchange, "direct");
      if (which == link::consumer) {
        queue_name_ = c.declare_private_queue();
        // Deliveries are not acknowledged: at most once, as the broker
        // contract says, and no round trip per message.
        c.start_consuming(queue_name_, /*auto_ack*/ true);
        apply_interest(c, /*rebuild*/ true);
      }
      if (ever_up) {
        stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("backplane: RabbitMQ {} connection is back", what);
      }
      ever_up = was_up = true;
      lost_logged = false;
      link_changed(which, true);
      if (which == link::consumer) {
        consume(c);
      } else {
        publish_queued(c);
      }
    } catch (const std::exception& e) {
      link_changed(which, false);
      // One line per outage; the retries behind it stay at debug level.
      if (lost_logged) {
        spdlog::debug("backplane: RabbitMQ {} still down: {}", what, e.what());
      } else {
        lost_logged = true;
        spdlog::warn("backplane: RabbitMQ {} {}: {}; retrying with backoff up to {} ms", what,
                     was_up ? "connection lost" : "cannot connect", e.what(), o_.reconnect_max.count());
      }
    }
    // A connection that worked starts the backoff afresh.
    if (was_up) failures = 0;
    if (stopping()) break;
    // Jittered exponential backoff, so that nodes restarted together do
    // not reconnect in lockstep.
    const milliseconds delay = std::min(o_.reconnect_max, milliseconds(first_backoff.count() << std::min(failures, 16u)));
    std::uniform_int_distribution<milliseconds::rep> jitter(delay.count() / 2, delay.count());
    ++failures;
    if (!pause(milliseconds(jitter(rng)))) break;
  }
  link_changed(which, false);
  if (which == link::publisher) {
    std::lock_guard lk(mu_);
    publisher_exited_ = true;
    cv_.notify_all();
  }
}

void amqp_broker::consume(sources::amqp_connection& c) {
  while (!stopping()) {
    // Drained before the interest is read: a change made after that read
    // writes the eventfd again and cuts the wait short.
    std::uint64_t n;
    [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
    apply_interest(c, /*rebuild*/ false);
    auto got = c.next(consume_wait, max_message_bytes, wake_fd_);
    if (auto* d = std::get_if<sources::amqp_delivery>(&got)) on_delivery(*d);
  }
}

void amqp_broker::apply_interest(sources::amqp_connection& c, bool rebuild) {
  std::vector<std::pair<std::string, bool>> todo;
  {
    std::lock_guard lk(mu_);
    if (rebuild) {
      // A new queue has no bindings: everything wanted now, and the
      // changes since are part of that.
      todo.reserve(wanted_.size());
      for (const auto& ch : wanted_) todo.emplace_back(ch, true);
      changes_.clear();
    } else {
      if (changes_.empty()) return;
      todo.assign(changes_.begin(), changes_.end());
      changes_.clear();
    }
  }
  if (rebuild) bound_.clear();
  std::vector<std::pair<std::string, std::string>> binds;  // key, channel
  for (auto& [channel, want] : todo) {
    auto key = amqp_routing_key(channel);
    auto it = bound_.find(key);
    if (want && it == bound_.end()) {
      binds.emplace_back(std::move(key), std::move(channel));
    } else if (!want && it != bound_.end()) {
      c.unbind(queue_name_, o_.exchange, key);
      bound_.erase(it);
    }
  }
  // No-wait binds, the last one waited for: RabbitMQ answers in order, so
  // its bind-ok means the whole batch is in place.
  for (std::size_t i = 0; i < binds.size(); ++i) {
    c.bind(queue_name_, o_.exchange, binds[i].first, /*wait*/ i + 1 == binds.size());
    bound_.emplace(std::move(binds[i].first), std::move(binds[i].second));
  }
  stats_.channels.store(static_cast<std::int64_t>(bound_.size()), std::memory_order_relaxed);
}

void amqp_broker::on_delivery(const sources::amqp_delivery& d) {
  // Routed before an unbind took effect: nobody here wants it any more.
  auto it = bound_.find(d.routing_key);
  if (it == bound_.end()) return;
  const std::string& channel = it->second;
  if (d.oversize) {
    stats_.malformed.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("backplane: dropped a {}-byte message on '{}': larger than any herald node sends", d.body_size,
                 channel);
    return;
  }
  std::string error;
  auto m = decode(d.body, &error);
  if (!m) {
    stats_.malformed.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("backplane: dropped an undecodable message on '{}': {}", channel, error);
    return;
  }
  auto& received = channel == core::control_channel  ? stats_.received_control
                   : core::is_user_channel(channel) ? stats_.received_user
                                                     : stats_.received_topic;
  received.fetch_add(1, std::memory_order_relaxed);
  on_message_(channel, m->message);
}

void amqp_broker::publish_queued(sources::amqp_connection& c) {
  std::vector<outgoing> batch;
  batch.reserve(publish_batch);
  for (;;) {
    {
      std::unique_lock lk(mu_);
      auto until = steady::now() + publisher_tick;
      if (settling_) until = std::min(until, settle_until_);
      cv_.wait_until(lk, until, [this] { return stop_ || (flowing_ && !queue_.empty()); });
      if (settling_ && steady::now() >= settle_until_) {
        settling_ = false;
        flowing_ = true;
      }
      while (flowing_ && !queue_.empty() && batch.size() < publish_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // Stopping: what flows is sent first; what is held is dropped.
      if (stop_ && batch.empty()) return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        c.publish(o_.exchange, batch[i].key, batch[i].body);
      } catch (...) {
        // The failed one may be half written: lost (at most once). The
        // rest were never sent: held for the next connection, in order.
        std::lock_guard lk(mu_);
        queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                      std::make_move_iterator(batch.end()));
        stats_.pending.fetch_sub(1, std::memory_order_relaxed);
        throw;
      }
      stats_.pending.fetch_sub(1, std::memory_order_relaxed);
    }
    batch.clear();
    // Heartbeats, and a close the broker sent (it is shutting down).
    c.next(milliseconds(0), 0);
  }
}

}  // namespace herald::backplane

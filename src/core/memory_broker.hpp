// The single-node backplane: publish hands the message straight to the
// handler, exactly where a networked broker's received messages arrive, so
// a single node runs the same code path as a cluster. Thread-safe.
#pragma once

#include <atomic>

#include "core/broker.hpp"
#include "core/channels.hpp"

namespace herald::core {

class memory_broker final : public broker {
 public:
  void start(message_handler on_message) override { on_message_ = std::move(on_message); }
  void stop() override { stopped_ = true; }
  bool publish(const std::string& channel, const message_ptr& m) override {
    if (stopped_) return false;
    stats_.published.fetch_add(1, std::memory_order_relaxed);
    auto& received = channel == control_channel ? stats_.received_control
                     : is_user_channel(channel) ? stats_.received_user
                                                : stats_.received_topic;
    received.fetch_add(1, std::memory_order_relaxed);
    on_message_(channel, m);
    return true;
  }
  void subscribe(const std::string&) override {}
  void unsubscribe(const std::string&) override {}
  broker_state state() const override { return stopped_ ? broker_state::stopped : broker_state::ready; }
  std::string_view name() const override { return "memory"; }
  const broker_stats& stats() const override { return stats_; }

 private:
  message_handler on_message_;
  std::atomic<bool> stopped_{false};
  broker_stats stats_;
};

}  // namespace herald::core

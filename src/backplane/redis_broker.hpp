// The Redis backplane: PUBLISH on one link, SUBSCRIBE on another (SPUBLISH
// and SSUBSCRIBE, routed by slot, on a Redis Cluster), both on
// the backplane loop's thread. Workers call publish/subscribe/unsubscribe;
// those post to the loop and return at once. Every published message goes
// through Redis, even when only local sessions want it, so every node —
// the publishing one included — receives it exactly once, from one place,
// with the same message-id.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "backplane/loop.hpp"
#include "core/broker.hpp"
#include "redis/links.hpp"
#include "redis/make_links.hpp"

namespace herald::backplane {

struct redis_broker_options {
  redis::topology where;
  redis::link_options link;
  std::string prefix = "herald:";
  std::string node_id;
  std::size_t buffer_messages = 10000;
  std::chrono::milliseconds unsubscribe_delay{1000};
};

class redis_broker final : public core::broker {
 public:
  redis_broker(loop& l, redis_broker_options o);
  ~redis_broker() override;

  void start(message_handler on_message) override;
  void stop() override;
  bool publish(const std::string& channel, const core::message_ptr& m) override;
  void subscribe(const std::string& channel) override;
  void unsubscribe(const std::string& channel) override;
  core::broker_state state() const override { return state_.load(); }
  std::string_view name() const override { return "redis"; }
  const core::broker_stats& stats() const override { return stats_; }

 private:
  void on_payload(std::string_view channel, std::string_view payload);
  void update_state();
  void settle();
  void send(std::vector<std::string> args);

  loop& loop_;
  redis_broker_options o_;
  message_handler on_message_;
  core::broker_stats stats_;
  std::atomic<core::broker_state> state_{core::broker_state::connecting};
  std::unique_ptr<redis::command_link> pub_;
  std::unique_ptr<redis::pubsub_link> sub_;
  // Loop thread only. Publishes flow to Redis once both links are up and
  // the other nodes had time to resubscribe; until then they are held.
  boost::asio::steady_timer settle_timer_;
  std::deque<std::vector<std::string>> held_;
  bool flowing_ = false, settling_ = false;
  bool stopped_ = false;
};

}  // namespace herald::backplane

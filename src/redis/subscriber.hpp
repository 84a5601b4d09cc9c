// A pub/sub link to Redis that heals itself and remembers what it wants:
// subscribe/unsubscribe change the wanted set; changes are batched into
// one command per loop turn; unsubscribes linger (debounce) so a channel
// that loses its last subscriber and regains one at once — a page reload —
// costs Redis nothing. On reconnect every wanted channel is subscribed
// again. Used only on its loop's thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/connection.hpp"
#include "redis/links.hpp"
#include "redis/options.hpp"

namespace herald::redis {

class subscriber final : public pubsub_link {
 public:

  // sharded: SSUBSCRIBE/SUNSUBSCRIBE and "smessage" (Redis 7 sharded pub/sub).
  subscriber(boost::asio::io_context& ioc, link_options o, std::chrono::milliseconds linger, bool sharded,
             message_fn on_message, std::function<void(bool up)> on_state = {});
  ~subscriber() override;

  void start() override;
  void stop() override;

  void subscribe(const std::string& channel) override;
  void unsubscribe(const std::string& channel) override;

  void on_channels(std::function<void(std::size_t)> f) override { on_channels_ = std::move(f); }
  bool up() const override { return conn_ && conn_->is_ready(); }
  // Channels subscribed on Redis (or to be, on reconnect).
  std::size_t channels() const override { return wanted_.size(); }
  std::uint64_t reconnects() const override { return reconnects_; }

 private:
  void connect();
  void on_down(const std::string& why);
  void on_push(reply r);
  void schedule_flush();
  void flush();
  void send(const char* verb, std::vector<std::string>& channels);
  void arm_linger();

  boost::asio::io_context& ioc_;
  link_options o_;
  std::chrono::milliseconds linger_;
  bool sharded_;
  message_fn on_message_;
  std::function<void(bool)> on_state_;
  std::function<void(std::size_t)> on_channels_;
  backoff backoff_;
  boost::asio::steady_timer retry_, linger_timer_;
  std::shared_ptr<connection> conn_;

  std::unordered_set<std::string> wanted_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> leaving_;
  std::vector<std::string> to_add_, to_remove_;
  bool flush_posted_ = false, linger_armed_ = false;
  bool stopped_ = false, up_ = false, ever_up_ = false;
  std::uint64_t reconnects_ = 0;
};

}  // namespace herald::redis

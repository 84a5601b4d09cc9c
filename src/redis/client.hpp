// A command link to Redis that heals itself: reconnects with backoff and
// jitter, holds a bounded queue of commands while down and sends them on
// reconnect. Commands in flight when a connection dies get an error reply
// (at-most-once). Used only on its loop's thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/connection.hpp"
#include "redis/links.hpp"
#include "redis/options.hpp"

namespace herald::redis {

class client final : public command_link {
 public:
  // up: true on every (re)connect, false on every loss.
  client(boost::asio::io_context& ioc, link_options o, std::function<void(bool up)> on_state = {});
  ~client() override;

  void start() override;
  void stop() override;

  // false: the command was refused (queue or send buffer full); done is
  // not called then.
  bool command(std::vector<std::string> args, reply_fn done = {}) override;
  bool up() const override { return conn_ && conn_->is_ready(); }
  std::size_t queued() const { return queue_.size(); }
  std::uint64_t reconnects() const override { return reconnects_; }

 private:
  void connect();
  void on_down(const std::string& why);

  boost::asio::io_context& ioc_;
  link_options o_;
  std::function<void(bool)> on_state_;
  backoff backoff_;
  boost::asio::steady_timer retry_;
  std::shared_ptr<connection> conn_;
  std::deque<std::pair<std::vector<std::string>, reply_fn>> queue_;
  std::uint64_t reconnects_ = 0;
  bool stopped_ = false, up_ = false, ever_up_ = false;
};

}  // namespace herald::redis

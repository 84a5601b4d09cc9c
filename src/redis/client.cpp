#include "redis/client.hpp"

#include <spdlog/spdlog.h>

namespace herald::redis {

client::client(boost::asio::io_context& ioc, link_options o, std::function<void(bool)> on_state)
    : ioc_(ioc), o_(std::move(o)), on_state_(std::move(on_state)), backoff_(o_), retry_(ioc) {}

client::~client() { stop(); }

void client::start() { connect(); }

void client::stop() {
  stopped_ = true;
  retry_.cancel();
  if (conn_) conn_->close("stopping");
  conn_.reset();
}

void client::connect() {
  if (stopped_) return;
  connection::callbacks cb;
  cb.ready = [this] {
    spdlog::info("redis {}:{} ({}): connected", o_.where.host, o_.where.port, o_.client_name);
    if (ever_up_) ++reconnects_;
    backoff_.reset();
    ever_up_ = up_ = true;
    auto queued = std::move(queue_);
    for (auto& [args, done] : queued) conn_->command(args, std::move(done));
    if (on_state_) on_state_(true);
  };
  cb.down = [this](const std::string& why) { on_down(why); };
  conn_ = connection::create(ioc_, o_.where, std::move(cb), o_.connect_timeout, o_.client_name);
  conn_->start();
}

void client::on_down(const std::string& why) {
  if (stopped_) return;
  const bool was_up = up_;
  up_ = false;
  auto delay = backoff_.next();
  if (backoff_.attempts() == 1 || backoff_.attempts() % 20 == 0) {
    spdlog::warn("redis {}:{} ({}): {}; retrying in {} ms", o_.where.host, o_.where.port, o_.client_name, why,
                 delay.count());
  }
  // The connection object reports from inside its own handlers; let it
  // unwind before it is dropped.
  boost::asio::post(ioc_, [c = std::move(conn_)] {});
  if (was_up && on_state_) on_state_(false);
  retry_.expires_after(delay);
  retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
}

bool client::command(std::vector<std::string> args, reply_fn done) {
  if (conn_ && conn_->is_ready()) {
    if (conn_->unsent_bytes() > o_.max_unsent_bytes) return false;
    conn_->command(args, std::move(done));
    return true;
  }
  if (queue_.size() >= o_.max_queued) return false;
  queue_.emplace_back(std::move(args), std::move(done));
  return true;
}

}  // namespace herald::redis

#include "redis/cluster_node.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "redis/cluster_map.hpp"

namespace herald::redis {

cluster_node::cluster_node(boost::asio::io_context& ioc, address where, const link_options& o, bool subscriber,
                           events ev)
    : ioc_(ioc),
      where_(std::move(where)),
      name_(endpoint(where_)),
      o_(o),
      subscriber_(subscriber),
      ev_(std::move(ev)),
      backoff_(o_),
      retry_(ioc) {}

cluster_node::~cluster_node() { stop(); }

void cluster_node::start() { connect(); }

void cluster_node::stop() {
  if (stopped_) return;
  stopped_ = true;
  retry_.cancel();
  if (conn_) conn_->close("stopping");
  // Commands in flight were answered (with errors) by close(); the
  // connection's own handlers may still hold it.
  boost::asio::post(ioc_, [c = std::move(conn_)] {});
}

void cluster_node::connect() {
  if (stopped_) return;
  connection::callbacks cb;
  cb.ready = [this] {
    if (stopped_) return;
    spdlog::info("redis cluster node {} ({}): connected", name_, o_.client_name);
    if (ever_up_) ++reconnects_;
    ever_up_ = true;
    backoff_.reset();
    if (subscriber_) conn_->enter_subscriber_mode();
    if (ev_.ready) ev_.ready();
  };
  cb.down = [this](const std::string& why) { on_down(why); };
  if (subscriber_) {
    cb.push = [this](reply r) {
      if (!stopped_ && ev_.push) ev_.push(std::move(r));
    };
  }
  conn_ = connection::create(ioc_, where_, std::move(cb), o_.connect_timeout, o_.client_name);
  conn_->start();
}

void cluster_node::on_down(const std::string& why) {
  if (stopped_) return;
  auto delay = backoff_.next();
  if (backoff_.attempts() == 1 || backoff_.attempts() % 20 == 0) {
    spdlog::warn("redis cluster node {} ({}): {}; retrying in {} ms", name_, o_.client_name, why, delay.count());
  }
  // The connection reports from inside its own handlers; let it unwind
  // before it is dropped.
  boost::asio::post(ioc_, [c = std::move(conn_)] {});
  retry_.expires_after(delay);
  retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
  if (ev_.down) ev_.down(why);
}

}  // namespace herald::redis

// One self-healing connection to one node of a Redis Cluster: reconnects
// with backoff and jitter until stopped, reporting every (re)connect and
// every loss to its owner (cluster_client, cluster_subscriber), which
// decides what to send and when to give the node up (it left the slot
// map). Optionally in subscriber mode, where every reply is a push. Used
// only on its loop's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/connection.hpp"
#include "redis/options.hpp"

namespace herald::redis {

class cluster_node {
 public:
  struct events {
    std::function<void()> ready;                      // (re)connected and logged in
    std::function<void(const std::string& why)> down;  // lost; retrying
    std::function<void(reply)> push;                  // subscriber mode: every reply
  };

  cluster_node(boost::asio::io_context& ioc, address where, const link_options& o, bool subscriber, events ev);
  ~cluster_node();
  cluster_node(const cluster_node&) = delete;
  cluster_node& operator=(const cluster_node&) = delete;

  void start();
  // Final: commands in flight get an error reply, no event follows.
  void stop();

  bool ready() const { return conn_ && conn_->is_ready(); }
  // The live connection; only while ready().
  connection& conn() { return *conn_; }
  const address& where() const { return where_; }
  const std::string& name() const { return name_; }
  std::uint64_t reconnects() const { return reconnects_; }

 private:
  void connect();
  void on_down(const std::string& why);

  boost::asio::io_context& ioc_;
  address where_;
  std::string name_;
  link_options o_;
  bool subscriber_;
  events ev_;
  backoff backoff_;
  boost::asio::steady_timer retry_;
  std::shared_ptr<connection> conn_;
  std::uint64_t reconnects_ = 0;
  bool stopped_ = false, ever_up_ = false;
};

}  // namespace herald::redis

// The backplane's own thread and event loop: Redis I/O never runs on a
// worker thread, so a slow or dead Redis cannot stall a connection.
#pragma once

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace herald::backplane {

class loop {
 public:
  loop() : work_(ioc_.get_executor()) {}
  ~loop() { join(); }
  loop(const loop&) = delete;
  loop& operator=(const loop&) = delete;

  boost::asio::io_context& context() { return ioc_; }
  void start() {
    thread_ = std::thread([this] { ioc_.run(); });
  }
  // Runs what is already queued (the brokers' stop calls), then ends the
  // thread even if reconnect timers are still armed.
  void join() {
    if (!thread_.joinable()) return;
    work_.reset();
    boost::asio::post(ioc_, [this] { ioc_.stop(); });
    thread_.join();
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace herald::backplane

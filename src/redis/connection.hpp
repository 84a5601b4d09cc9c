// One Redis connection on an Asio event loop: connect, AUTH/SELECT, then
// pipelined commands whose replies come back in order to per-command
// callbacks — or, in subscriber mode, every reply to the push handler.
// It never reconnects: on any failure it reports down once and is done;
// owners (client, subscriber) make a fresh one with backoff. Used only on
// its loop's thread.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/address.hpp"
#include "redis/reader.hpp"
#include "redis/reply.hpp"

namespace herald::redis {

class connection : public std::enable_shared_from_this<connection> {
 public:
  using reply_fn = std::function<void(reply)>;
  struct callbacks {
    std::function<void()> ready;                      // logged in; commands may flow
    std::function<void(const std::string& why)> down;  // called once, then the object is inert
    std::function<void(reply)> push;                  // subscriber mode replies
  };

  static std::shared_ptr<connection> create(boost::asio::io_context& ioc, address where, callbacks cb,
                                            std::chrono::milliseconds connect_timeout, std::string client_name);

  void start();
  // Pipelined; done (may be empty) gets the reply, or an error reply if the
  // connection is lost first.
  void command(const std::vector<std::string>& args, reply_fn done = {});
  void command(std::initializer_list<std::string_view> args, reply_fn done = {});
  // From the next reply on, every reply goes to callbacks.push.
  void enter_subscriber_mode() { subscriber_ = true; }
  void close(const std::string& why = "closed");

  bool is_ready() const { return ready_ && !dead_; }
  // Bytes accepted but not yet written to the socket.
  std::size_t unsent_bytes() const { return out_.size() + writing_.size(); }
  std::chrono::steady_clock::time_point last_read() const { return last_read_; }

  connection(boost::asio::io_context& ioc, address where, callbacks cb, std::chrono::milliseconds connect_timeout,
             std::string client_name);

 private:
  void on_connected();
  void read();
  void on_reply(reply r);
  void flush();
  void fail(const std::string& why);

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer connect_timer_;
  address where_;
  callbacks cb_;
  std::chrono::milliseconds connect_timeout_;
  std::string client_name_;
  reader reader_;
  std::deque<reply_fn> waiting_;
  std::string out_, writing_;
  std::vector<char> in_;
  std::chrono::steady_clock::time_point last_read_ = std::chrono::steady_clock::now();
  bool ready_ = false, dead_ = false, subscriber_ = false;
};

}  // namespace herald::redis

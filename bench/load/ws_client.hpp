// One client WebSocket connection on one io_context (not thread-safe: every
// call happens on that context's thread). Connects from a chosen loopback
// source address, upgrades, then hands whole data messages to the derived
// class; answers pings, and queues writes so at most one is in flight.
#pragma once

#include "ws_frame.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace herald::bench {

struct ws_address {
  boost::asio::ip::tcp::endpoint server;
  boost::asio::ip::address source;
  std::string host_header;
  std::string path;
  std::string subprotocols;
};

class ws_client : public std::enable_shared_from_this<ws_client> {
 public:
  ws_client(boost::asio::io_context& ctx, ws_address address);
  virtual ~ws_client() = default;

  void start();
  void send_text(std::string_view payload);
  // Appends a frame to the pending batch without starting a write: callers
  // that produce many frames at once call flush() after the last.
  void queue_text(std::string_view payload);
  void flush();
  void close();
  bool write_idle() const { return !writing_ && pending_.empty(); }

 protected:
  virtual void on_open() = 0;
  virtual void on_message(std::string_view payload) = 0;
  virtual void on_failed(std::string_view what) = 0;
  virtual void on_written() {}

 private:
  void fail(std::string_view what);
  void read_upgrade();
  void read_frames();
  bool consume_frames();
  void make_room();

  boost::asio::ip::tcp::socket socket_;
  ws_address address_;
  std::vector<char> in_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::string fragments_;
  std::string pending_;
  std::string writing_buf_;
  bool writing_ = false;
  bool open_ = false;
  bool failed_ = false;
  std::uint32_t mask_;
};

}  // namespace herald::bench

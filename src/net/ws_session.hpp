// A STOMP session over a WebSocket (Boost.Beast). Owns the socket and the
// protocol engine; implements session::transport for it. Lives on one
// worker thread; kept alive by its pending operations (shared_from_this).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <optional>

#include "net/worker_impl.hpp"

namespace herald::net {

class ws_session final : public std::enable_shared_from_this<ws_session>, public session::transport {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  ws_session(worker::impl& w, boost::asio::ip::tcp::socket socket, connection_slot slot);
  ~ws_session();

  // Completes the handshake for an upgrade request already read and
  // checked by http_session, then runs the session.
  // protocol_name: a static string (stomp::subprotocol_name) or null.
  void start(request req, std::optional<stomp::version> subprotocol, const char* protocol_name,
             session::connection_info info);

  // session::transport
  void flush() override;
  void close(core::close_reason reason) override;
  void arm_timer(std::chrono::steady_clock::time_point at) override;

 private:
  void read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  void write();
  void finish_close();
  void teardown(core::close_reason reason);

  worker::impl& w_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  connection_slot slot_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer rbuf_;
  std::optional<session::session> stomp_;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool torn_down_ = false;
  bool binary_ = false;
  std::size_t read_chunk_ = 256;
  core::close_reason reason_ = core::close_reason::transport_closed;
};

}  // namespace herald::net

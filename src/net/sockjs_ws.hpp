// A WebSocket that carries a SockJS session (<base>/<server>/<session>/websocket:
// "o", a[...], "h", c[...] frames, client messages as JSON arrays), or —
// raw — the echo/close handlers on a plain WebSocket. STOMP over a plain
// WebSocket is ws_session's job. Worker thread only; kept alive by its
// pending operations.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <string>

#include "net/sockjs_session.hpp"

namespace herald::net {

class sockjs_ws final : public std::enable_shared_from_this<sockjs_ws>, public sockjs_receiver {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  sockjs_ws(worker::impl& w, boost::asio::ip::tcp::socket socket, connection_slot slot, bool framed);
  ~sockjs_ws();

  void start(request req, const config::endpoint& ep, session::connection_info info);

  // sockjs_receiver
  void send_frame(std::string frame) override;
  void finish() override;
  void abort() override;

 private:
  void read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  void write(std::string text, bool frame);
  void close_socket();

  worker::impl& w_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  connection_slot slot_;
  bool framed_;
  std::shared_ptr<sockjs_session> session_;
  boost::beast::flat_buffer rbuf_;
  std::string message_;  // the client message read so far (read_message_max bounds it)
  std::size_t read_chunk_ = 256;
  std::string out_;  // the message being written
  bool writing_ = false;
  bool finishing_ = false;
  bool closed_ = false;
};

}  // namespace herald::net

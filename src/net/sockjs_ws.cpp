#include "net/sockjs_ws.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "sockjs/incoming.hpp"

namespace herald::net {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
// Bytes per read_some: small while idle (the buffer stays allocated as long
// as the read is pending), doubling while a large message streams in.
constexpr std::size_t min_read_chunk = 256;
constexpr std::size_t max_read_chunk = 16 * 1024;
}  // namespace

sockjs_ws::sockjs_ws(worker::impl& w, boost::asio::ip::tcp::socket socket, connection_slot slot, bool framed)
    : w_(w), ws_(std::move(socket)), slot_(std::move(slot)), framed_(framed) {}

sockjs_ws::~sockjs_ws() {
  if (session_) session_->detach(*this);
}

void sockjs_ws::start(request req, const config::endpoint& ep, session::connection_info info) {
  // A client message is at most a frame's worth of STOMP, JSON-escaped
  // (up to 6 bytes per byte) and wrapped.
  ws_.read_message_max(static_cast<std::size_t>(w_.shared.cfg.limits.max_frame_bytes) * 6 + 64);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "herald/" HERALD_VERSION); }));
  ws_.set_option(websocket::stream_base::timeout{
      std::chrono::milliseconds(w_.shared.cfg.limits.handshake_timeout_ms), websocket::stream_base::none(), false});
  info.kind = metrics::transport_kind::sockjs_websocket;
  ws_.async_accept(req, [self = shared_from_this(), &ep, info = std::move(info)](beast::error_code ec) mutable {
    if (ec) return;
    if (!self->framed_) {
      // Raw: the close handler closes at once, the echo handler needs no session.
      if (ep.handler == config::endpoint_handler::close) return self->close_socket();
      return self->read();
    }
    self->session_ = std::make_shared<sockjs_session>(self->w_, std::string(), ep, std::move(info), false);
    self->session_->attach(*self);
    self->read();
  });
}

void sockjs_ws::read() {
  // read_some into a small buffer, as ws_session does: its pending operation
  // is a few hundred bytes smaller than a whole-message read, on every idle
  // session.
  ws_.async_read_some(rbuf_.prepare(read_chunk_),
                      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void sockjs_ws::on_read(beast::error_code ec, std::size_t n) {
  if (ec) {
    if (session_) {
      auto s = std::move(session_);
      s->detach(*this);
    }
    return;
  }
  rbuf_.commit(n);
  auto data = rbuf_.data();
  message_.append(static_cast<const char*>(data.data()), data.size());
  rbuf_.consume(rbuf_.size());
  if (!ws_.is_message_done()) {
    if (n == read_chunk_ && read_chunk_ < max_read_chunk) read_chunk_ *= 2;
    return read();
  }
  std::string text = std::move(message_);
  message_ = std::string();
  // Push clients send little after CONNECT: an idle session keeps little.
  read_chunk_ = min_read_chunk;
  rbuf_.shrink_to_fit();
  if (closed_) return read();  // closing: what the client still sends is dropped
  if (!framed_) {
    // Raw echo: the message goes back as it came, and the next is read once
    // it has, so a client that only sends is held back by TCP.
    return write(std::move(text), false);
  }
  if (text.empty()) return read();  // SockJS clients may send empty keep-alives
  auto in = sockjs::parse_messages(text, true);
  if (!in.error.empty()) {
    // Broken framing from the client: the session cannot continue.
    return close_socket();
  }
  // The session may close (and release itself) while handling them.
  auto s = session_;
  s->on_messages(in.messages);
  read();
}

void sockjs_ws::send_frame(std::string frame) { write(std::move(frame), true); }

void sockjs_ws::write(std::string text, bool frame) {
  // One write at a time: the session hands over a frame only after the
  // previous one was reported written, and raw echo reads only after writing.
  if (closed_) return;
  out_ = std::move(text);
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(out_), [self = shared_from_this(), frame](beast::error_code ec, std::size_t) {
    self->writing_ = false;
    std::string().swap(self->out_);  // nothing held between messages
    if (ec) return;
    if (self->finishing_) return self->close_socket();
    if (!frame) return self->read();
    if (self->session_) self->session_->on_frame_sent();
  });
}

void sockjs_ws::finish() {
  finishing_ = true;
  if (!writing_) close_socket();
}

void sockjs_ws::abort() {
  closed_ = true;
  if (session_) {
    auto s = std::move(session_);
    s->detach(*this);
  }
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
}

void sockjs_ws::close_socket() {
  if (closed_) return;
  closed_ = true;
  if (session_) {
    auto s = std::move(session_);
    s->detach(*this);
  }
  ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    self->ws_.next_layer().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  });
}

}  // namespace herald::net

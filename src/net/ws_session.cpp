#include "net/ws_session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <array>

namespace herald::net {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

namespace {
// Bytes read per read_some. The STOMP parser enforces frame limits, so a
// large WebSocket message streams through in pieces and an oversize frame
// gets an ERROR instead of a silent close. The chunk adapts: small while a
// connection idles (its buffer is held for as long as the read is pending),
// doubling while reads fill it.
constexpr std::size_t min_read_chunk = 256;
constexpr std::size_t max_read_chunk = 16 * 1024;
// After a close is requested, a peer that does not read gets this long.
constexpr auto close_grace = std::chrono::seconds(3);
}  // namespace

ws_session::ws_session(worker::impl& w, asio::ip::tcp::socket socket, connection_slot slot)
    : w_(w), ws_(std::move(socket)), slot_(std::move(slot)), timer_(w.ioc) {}

ws_session::~ws_session() = default;

void ws_session::start(request req, std::optional<stomp::version> subprotocol, const char* protocol_name,
                       session::connection_info info) {
  ws_.auto_fragment(false);
  ws_.read_message_max(0);  // unlimited at this layer: see read_chunk
  // Captures one pointer to a static name, so the stored decorator fits
  // Beast's small-object buffer instead of costing every session a heap block.
  ws_.set_option(websocket::stream_base::decorator([protocol_name](websocket::response_type& res) {
    res.set(beast::http::field::server, "herald/" HERALD_VERSION);
    if (protocol_name) res.set(beast::http::field::sec_websocket_protocol, protocol_name);
  }));
  timer_.expires_after(std::chrono::milliseconds(w_.shared.cfg.limits.handshake_timeout_ms));
  timer_.async_wait([self = weak_from_this()](beast::error_code ec) {
    if (auto s = self.lock(); s && !ec && !s->stomp_) s->ws_.next_layer().close();
  });
  info.subprotocol = subprotocol;
  ws_.async_accept(req, [self = shared_from_this(), info = std::move(info)](beast::error_code ec) mutable {
    self->timer_.cancel();
    if (ec) return;  // the slot's destructor releases the connection
    self->w_.sessions.insert(self.get());
    self->stomp_.emplace(self->w_.env, *self, std::move(info));
    self->read();
  });
}

void ws_session::read() {
  // The plain-buffer overload: its operation state is a few hundred bytes
  // smaller than the dynamic-buffer one, and it stays pending on every idle
  // connection.
  ws_.async_read_some(rbuf_.prepare(read_chunk_),
                      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void ws_session::on_read(beast::error_code ec, std::size_t n) {
  if (ec) return teardown(closing_ ? reason_ : core::close_reason::transport_closed);
  rbuf_.commit(n);
  if (!ws_.got_text()) binary_ = true;
  auto data = rbuf_.data();
  stomp_->on_bytes(std::string_view(static_cast<const char*>(data.data()), data.size()));
  rbuf_.consume(rbuf_.size());
  if (n == read_chunk_ && read_chunk_ < max_read_chunk) {
    read_chunk_ *= 2;
  } else if (n < read_chunk_ / 2 && read_chunk_ > min_read_chunk) {
    read_chunk_ = min_read_chunk;
    rbuf_.shrink_to_fit();
  }
  read();
}

void ws_session::flush() {
  if (!writing_ && !torn_down_) write();
}

void ws_session::write() {
  auto& out = stomp_->outbox();
  if (out.empty()) {
    if (closing_) finish_close();
    return;
  }
  out.begin_write();
  auto& o = out.front();
  writing_ = true;
  std::array<asio::const_buffer, 5> bufs{};
  std::size_t k = 0;
  for (auto piece : o.pieces()) bufs[k++] = asio::buffer(piece.data(), piece.size());
  ws_.text(!binary_);
  // The message, prefix and extra stay alive in the outbox's front entry
  // until the write completes: one body shared by every subscriber.
  ws_.async_write(bufs,
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->writing_ = false;
                    if (self->torn_down_) return;
                    auto& q = self->stomp_->outbox();
                    self->stomp_->on_written(q.front());
                    q.pop_front();
                    if (ec) return;  // the pending read sees the failure and tears down
                    self->write();
                  });
}

void ws_session::close(core::close_reason reason) {
  if (closing_ || torn_down_) return;
  closing_ = true;
  reason_ = reason;
  timer_.expires_after(close_grace);
  timer_.async_wait([self = weak_from_this()](beast::error_code ec) {
    if (auto s = self.lock(); s && !ec && !s->torn_down_) {
      beast::error_code ignored;
      s->ws_.next_layer().close(ignored);
    }
  });
  if (!writing_) write();
}

void ws_session::finish_close() {
  if (close_sent_) return;
  close_sent_ = true;
  websocket::close_reason cr(static_cast<websocket::close_code>(core::websocket_close_code(reason_)), std::string(core::to_string(reason_)));
  ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {
    // The pending read completes with `closed` and tears down; make sure
    // the socket goes even if the peer never answers the close.
    beast::error_code ignored;
    self->ws_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  });
}

void ws_session::arm_timer(std::chrono::steady_clock::time_point at) {
  if (closing_) return;
  timer_.expires_at(at);
  timer_.async_wait([self = weak_from_this()](beast::error_code ec) {
    auto s = self.lock();
    if (!s || ec || s->closing_ || s->torn_down_) return;
    s->stomp_->on_timer(std::chrono::steady_clock::now());
  });
}

void ws_session::teardown(core::close_reason reason) {
  if (torn_down_) return;
  torn_down_ = true;
  timer_.cancel();
  w_.sessions.erase(this);
  w_.metrics.closed(reason);
  if (reason != core::close_reason::transport_closed && reason != core::close_reason::client_disconnect) {
    spdlog::debug("session {} of '{}' closed: {}", stomp_->id(), stomp_->user(), core::to_string(reason));
  }
  stomp_->on_transport_closed();
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
}

}  // namespace herald::net

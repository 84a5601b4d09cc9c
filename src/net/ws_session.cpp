#include "net/ws_session.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "net/exact_allocator.hpp"
#include "ws/frame_writer.hpp"

namespace herald::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// After a close is requested, a peer that does not read or answer gets this long.
constexpr auto close_grace = std::chrono::seconds(3);
// One sendmsg carries at most this many outbox entries (each a header and
// up to five pieces) or about this many bytes.
constexpr std::size_t max_entries = 64;
constexpr std::size_t max_iov = 1 + 1 + max_entries * 6;
constexpr std::size_t max_batch_bytes = 256 * 1024;
// A client that pings faster than it reads gets no more pongs queued.
constexpr std::size_t max_control_bytes = 1024;
}  // namespace

namespace {
// The accepted socket, re-homed on the worker's concrete executor type.
template <class Socket>
Socket rehome(tcp::socket s, asio::io_context& ioc) {
  Socket out(ioc.get_executor());
  boost::system::error_code ec;
  const auto protocol = s.local_endpoint(ec).protocol();
  if (ec) return out;  // closed already: start() finds it unusable
  const auto fd = s.release(ec);
  if (ec) return out;
  out.assign(protocol, fd, ec);
  if (ec) ::close(fd);
  return out;
}
}  // namespace

ws_session::ws_session(worker::impl& w, tcp::socket socket, connection_slot slot)
    : w_(w), socket_(rehome<socket_type>(std::move(socket), w.ioc)), slot_(std::move(slot)), timer_(w.ioc.get_executor()) {}

ws_session::~ws_session() = default;

void ws_session::start(std::string switching_response, session::connection_info info) {
  boost::system::error_code ec;
  if (!socket_.is_open()) return;
  socket_.non_blocking(true, ec);
  if (ec) return;  // the slot's destructor releases the connection
  w_.sessions.insert(this);
  control_ = std::move(switching_response);
  stomp_.emplace(w_.env, *this, std::move(info));
  pump();
  if (!torn_down_) wait_readable();
}

void ws_session::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read, exact_size([self = shared_from_this()](boost::system::error_code ec) {
    if (self->torn_down_) return;
    if (ec) return self->teardown(core::close_reason::transport_closed);
    self->on_readable();
  }));
}

void ws_session::on_readable() {
  char* buf = w_.scratch.get();
  // One read per wake-up, fair to the other connections: the readiness
  // wait is re-armed level-checked, so bytes left behind wake us again.
  ssize_t n;
  do {
    n = ::recv(socket_.native_handle(), buf, worker::impl::scratch_size, 0);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return teardown(peer_closed_ ? reason_ : core::close_reason::transport_closed);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) return teardown(core::close_reason::transport_closed);
  } else if (!reader_.closed()) {
    // After a violation or the client's close frame, bytes are discarded.
    if (auto v = reader_.feed(buf, static_cast<std::size_t>(n), *this)) fail_protocol(v->code, v->reason);
    if (torn_down_) return;
  }
  wait_readable();
}

void ws_session::on_data(std::string_view payload, bool text) {
  if (close_queued_ || torn_down_) return;
  if (!text) binary_ = true;
  stomp_->on_bytes(payload);
}

void ws_session::on_ping(std::string_view payload) {
  if (close_queued_ || control_.size() - control_sent_ > max_control_bytes) return;
  control_ += ws::control_frame(ws::opcode::pong, payload);
  flush();
}

void ws_session::on_close(std::uint16_t code, std::string_view) {
  peer_closed_ = true;
  if (close_queued_) {
    // Our close frame is queued or out: the handshake is complete once it is written.
    flush();
    return;
  }
  if (!closing_) reason_ = code == ws::close_code::normal ? core::close_reason::client_disconnect
                                                          : core::close_reason::transport_closed;
  closing_ = true;
  // No more data after a close frame: what is queued is dropped, except a
  // frame already half written.
  stomp_->outbox().drop_queued();
  queue_close_frame(code == ws::close_code::no_status ? ws::close_code::normal : code, {});
  flush();
}

void ws_session::fail_protocol(std::uint16_t code, std::string_view reason) {
  spdlog::debug("session {}: WebSocket protocol error: {}", stomp_->id(), reason);
  w_.metrics.protocol_errors.add();
  if (close_queued_) return;
  closing_ = true;
  reason_ = core::close_reason::protocol_error;
  stomp_->outbox().drop_queued();
  queue_close_frame(code, reason);
  flush();
}

void ws_session::queue_close_frame(std::uint16_t code, std::string_view reason) {
  control_ += ws::close_frame(code, reason);
  close_queued_ = true;
  start_close_grace();
}

void ws_session::start_close_grace() {
  if (grace_armed_) return;
  grace_armed_ = true;
  timer_.expires_after(close_grace);
  timer_.async_wait(exact_size([self = weak_from_this()](boost::system::error_code ec) {
    if (auto s = self.lock(); s && !ec && !s->torn_down_) s->teardown(s->reason_);
  }));
}

void ws_session::flush() {
  if (torn_down_ || flush_queued_ || write_waiting_) return;
  flush_queued_ = true;
  w_.schedule_flush(shared_from_this());
}

void ws_session::write_now() {
  flush_queued_ = false;
  pump();
}

void ws_session::close(core::close_reason reason) {
  if (closing_ || torn_down_) return;
  closing_ = true;
  reason_ = reason;
  start_close_grace();
  // The close frame follows once the outbox is out (pump); the teardown
  // waits for a later turn of the loop, as transport::close requires.
  flush();
}

void ws_session::pump() {
  if (torn_down_ || write_waiting_ || !stomp_) return;
  auto& out = stomp_->outbox();
  // Text frames, as the client writes them, unless it writes binary or a
  // message's bytes are not UTF-8 (which a text frame may not carry).
  auto op_of = [this](const core::outbound& o) {
    return binary_ || (o.msg && !o.msg->text) ? ws::opcode::binary : ws::opcode::text;
  };
  for (;;) {
    if (closing_ && !close_queued_ && out.empty()) {
      queue_close_frame(core::websocket_close_code(reason_), core::to_string(reason_));
    }
    iovec iov[max_iov];
    std::uint8_t headers[max_entries][ws::max_header_size];
    std::size_t niov = 0;
    std::size_t total = 0;
    std::size_t entries = 0;
    auto add = [&](const void* p, std::size_t n, std::size_t& skip) {
      if (skip >= n) {
        skip -= n;
        return;
      }
      iov[niov++] = {const_cast<char*>(static_cast<const char*>(p)) + skip, n - skip};
      total += n - skip;
      skip = 0;
    };
    auto add_entry = [&](const core::outbound& o, std::size_t skip) {
      const std::size_t h = ws::write_header(headers[entries], op_of(o), o.wire_size());
      add(headers[entries], h, skip);
      for (auto piece : o.pieces()) add(piece.data(), piece.size(), skip);
      ++entries;
    };

    // A half-written frame finishes first; then control frames; then the
    // outbox. Nothing follows a close frame.
    const bool front_partial = front_sent_ > 0;
    if (front_partial) add_entry(out.front(), front_sent_);
    const std::size_t control_len = control_.size() - control_sent_;
    if (control_len > 0) {
      std::size_t skip = control_sent_;
      add(control_.data(), control_.size(), skip);
    }
    if (!close_queued_ && !out.empty()) {
      if (!out.writing()) out.begin_write();
      for (std::size_t i = front_partial ? 1 : 0;
           i < out.size() && entries < max_entries && niov + 6 <= max_iov && total < max_batch_bytes; ++i) {
        auto& o = out.at(i);
        // A drop notice rides on the front entry only (begin_write): stop
        // before a MESSAGE that would need it, it leads the next batch.
        if (i > 0 && o.msg && out.pending_dropped_notice() != 0) break;
        add_entry(o, 0);
      }
    }
    if (niov == 0) return;

    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = niov;
    ssize_t n;
    do {
      n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return wait_writable();
      return teardown(core::close_reason::transport_closed);
    }
    consumed(static_cast<std::size_t>(n), front_partial, entries - (front_partial ? 1 : 0));
    if (static_cast<std::size_t>(n) < total) return wait_writable();
    if (close_queued_ && control_.empty()) {
      // Our close frame is out. The client's answer ends the handshake
      // (or the grace timer does).
      if (peer_closed_) return teardown(reason_);
      return;
    }
  }
}

void ws_session::consumed(std::size_t n, bool front_partial, std::size_t entries) {
  auto& out = stomp_->outbox();
  auto entry_size = [](const core::outbound& o) {
    const auto w = o.wire_size();
    return ws::header_size(w) + w;
  };
  if (front_partial) {
    const std::size_t rest = entry_size(out.front()) - front_sent_;
    if (n < rest) {
      front_sent_ += n;
      return;
    }
    n -= rest;
    front_sent_ = 0;
    stomp_->on_written(out.front());
    out.pop_front();
  }
  const std::size_t control_len = control_.size() - control_sent_;
  if (control_len > 0) {
    if (n < control_len) {
      control_sent_ += n;
      return;
    }
    n -= control_len;
    // Release it: an idle connection keeps no string of its handshake.
    std::string().swap(control_);
    control_sent_ = 0;
  }
  for (std::size_t i = 0; i < entries; ++i) {
    if (!out.writing()) out.begin_write();
    const std::size_t size = entry_size(out.front());
    if (n < size) {
      front_sent_ = n;
      return;
    }
    n -= size;
    stomp_->on_written(out.front());
    out.pop_front();
  }
}

void ws_session::wait_writable() {
  write_waiting_ = true;
  socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
    self->write_waiting_ = false;
    if (self->torn_down_) return;
    if (ec) return self->teardown(core::close_reason::transport_closed);
    self->pump();
  });
}

void ws_session::arm_timer(std::chrono::steady_clock::time_point at) {
  if (closing_) return;
  timer_.expires_at(at);
  timer_.async_wait(exact_size([self = weak_from_this()](boost::system::error_code ec) {
    auto s = self.lock();
    if (!s || ec || s->closing_ || s->torn_down_) return;
    s->stomp_->on_timer(std::chrono::steady_clock::now());
  }));
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
  boost::system::error_code ignored;
  socket_.close(ignored);  // cancels the pending waits, which hold the last references
}

}  // namespace herald::net

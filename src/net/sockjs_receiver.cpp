#include "net/sockjs_receiver.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "net/http_session.hpp"

namespace herald::net {

namespace asio = boost::asio;

namespace {
// Bytes of a following request a client may send while its poll is pending.
constexpr std::size_t max_leftover = 16 * 1024;

void append_chunk(std::string& out, std::string_view data) {
  fmt::format_to(std::back_inserter(out), "{:x}\r\n", data.size());
  out.append(data);
  out += "\r\n";
}
}  // namespace

http_receiver::http_receiver(worker::impl& w, asio::ip::tcp::socket socket, connection_slot slot,
                             std::string leftover, params p)
    : w_(w), socket_(std::move(socket)), slot_(std::move(slot)), leftover_(std::move(leftover)), p_(std::move(p)) {}

http_receiver::~http_receiver() {
  if (session_ && attached_) session_->detach(*this);
}

void http_receiver::start(std::shared_ptr<frame_source> session) {
  session_ = std::move(session);
  using result = sockjs::session_state::attach_result;
  switch (session_->attach(*this)) {
    case result::busy:
      return respond_once(sockjs::close_frame(sockjs::another_connection_code, "Another connection still open"));
    case result::closed:
      return respond_once(session_->close_frame());
    case result::open:
    case result::attached:
      break;
  }
  attached_ = true;
  if (streaming()) {
    std::string head = p_.head;
    if (p_.chunked) {
      head += p_.keep_alive ? "Transfer-Encoding: chunked\r\n\r\n" : "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    } else {
      head += "Connection: close\r\n\r\n";
    }
    auto prelude = sockjs::prelude(p_.transport, p_.callback);
    if (p_.chunked) {
      append_chunk(head, prelude);
    } else {
      head += prelude;
    }
    write(std::move(head));
  }
  watch();
}

void http_receiver::respond_once(std::string_view frame) {
  std::string body = streaming() ? sockjs::prelude(p_.transport, p_.callback) : std::string();
  sockjs::wrap(body, p_.transport, frame, p_.callback);
  answered_ = true;
  ending_ = true;
  write(whole_response(body));
}

std::string http_receiver::whole_response(std::string_view body) const {
  std::string res = p_.head;
  fmt::format_to(std::back_inserter(res), "Content-Length: {}\r\n", body.size());
  if (!p_.keep_alive) res += "Connection: close\r\n";
  res += "\r\n";
  res += body;
  return res;
}

void http_receiver::send_frame(std::string frame) {
  if (gone_ || ending_) return;
  frame_in_flight_ = true;
  if (!streaming()) {
    std::string body;
    sockjs::wrap(body, p_.transport, frame, p_.callback);
    answered_ = true;
    write(whole_response(body));
    // Free the session now, not when the write completes: the client starts
    // its next poll as soon as it has these bytes, and that poll may be
    // handled before this write's completion is.
    return finish();
  }
  std::string wrapped;
  sockjs::wrap(wrapped, p_.transport, frame, p_.callback);
  streamed_ += wrapped.size();
  if (!p_.chunked) return write(std::move(wrapped));
  std::string chunk;
  append_chunk(chunk, wrapped);
  write(std::move(chunk));
}

void http_receiver::write(std::string bytes) {
  // One write at a time: the session hands over one frame per completion,
  // and the stream's head is written before any frame.
  out_ += bytes;
  if (writing_) return;
  writing_ = true;
  auto buf = std::make_shared<std::string>(std::move(out_));
  out_.clear();
  asio::async_write(socket_, asio::buffer(*buf),
                    [self = shared_from_this(), buf](boost::system::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->on_write(ec);
                    });
}

void http_receiver::on_write(boost::system::error_code ec) {
  if (ec) return drop();
  if (!out_.empty()) return write(std::string());
  if (frame_in_flight_) {
    frame_in_flight_ = false;
    // A stream is recycled past its byte budget so neither browsers nor
    // proxies hold an ever-growing response (a poll finished when it answered).
    if (attached_ && streamed_ >= w_.shared.cfg.sockjs.streaming_bytes) return finish();
    if (attached_) return session_->on_frame_sent();
  }
  if (ending_ && !writing_) end();
}

void http_receiver::finish() {
  if (ending_ && !attached_) return;
  bool was_attached = attached_;
  attached_ = false;
  ending_ = true;
  if (was_attached && session_) session_->detach(*this);
  if (!answered_ && !streaming()) {
    // A poll pending when the session went away still gets an answer.
    return respond_once(session_ ? session_->close_frame() : sockjs::close_frame(sockjs::go_away_code, sockjs::go_away_reason));
  }
  if (streaming() && p_.chunked && !gone_) {
    out_ += "0\r\n\r\n";
    if (!writing_) write(std::string());
    return;
  }
  if (!writing_) end();
}

void http_receiver::watch() {
  // Reading while the response is pending is how a client that goes away
  // (a closed tab, a killed process) is noticed.
  reading_ = true;
  socket_.async_read_some(asio::buffer(rbuf_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
    self->reading_ = false;
    if (self->gone_) return;
    if (ec) {
      if (ec == asio::error::operation_aborted && self->ending_) return self->hand_back();
      return self->drop();
    }
    self->leftover_.append(self->rbuf_.data(), n);
    if (self->leftover_.size() > max_leftover) return self->drop();
    // Completed just before end() cancelled it: the hand-back is ours.
    if (self->ending_) {
      if (!self->writing_) self->hand_back();
      return;
    }
    self->watch();
  });
}

void http_receiver::end() {
  if (gone_) return;
  if (!p_.keep_alive || (streaming() && !p_.chunked)) {
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    return drop();
  }
  if (reading_) {
    boost::system::error_code ignored;
    socket_.cancel(ignored);  // the read's handler hands the connection back
    return;
  }
  hand_back();
}

void http_receiver::hand_back() {
  if (gone_) return;
  gone_ = true;
  if (session_ && attached_) session_->detach(*this);
  attached_ = false;
  std::make_shared<http_session>(w_, std::move(socket_), std::move(*slot_), std::move(leftover_))->run();
  slot_.reset();
}

void http_receiver::abort() { drop(); }

void http_receiver::drop() {
  if (gone_) return;
  gone_ = true;
  if (session_ && attached_) session_->detach(*this);
  attached_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace herald::net

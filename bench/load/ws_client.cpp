#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <netinet/in.h>
#include <random>

namespace herald::bench {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {
// Small: 20k idle connections must not cost the generator gigabytes. Grows
// for larger messages.
constexpr std::size_t initial_read_buffer = 8 * 1024;
constexpr std::size_t min_read_room = 2 * 1024;

std::uint32_t next_mask() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return static_cast<std::uint32_t>(rng());
}
}  // namespace

ws_client::ws_client(asio::io_context& ctx, ws_address address)
    : socket_(ctx), address_(std::move(address)), in_(initial_read_buffer), mask_(next_mask()) {}

void ws_client::start() {
  error_code ec;
  socket_.open(address_.server.protocol(), ec);
  if (ec) return fail("socket: " + ec.message());
  // Pick the source port at connect time (by the full 4-tuple), not at bind
  // time, or every source address would be limited to one ephemeral range.
#ifdef IP_BIND_ADDRESS_NO_PORT
  const int one = 1;
  ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
  socket_.bind(asio::ip::tcp::endpoint(address_.source, 0), ec);
  if (ec) return fail("bind " + address_.source.to_string() + ": " + ec.message());
  socket_.async_connect(address_.server, [self = shared_from_this()](const error_code& ec) {
    if (ec) return self->fail("connect: " + ec.message());
    self->socket_.set_option(asio::ip::tcp::no_delay(true));
    self->pending_ = upgrade_request(self->address_.host_header, self->address_.path, self->address_.subprotocols);
    self->flush();
    self->read_upgrade();
  });
}

void ws_client::make_room() {
  if (begin_ == end_) begin_ = end_ = 0;
  if (in_.size() - end_ >= min_read_room) return;
  if (begin_ > 0) {
    std::memmove(in_.data(), in_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (in_.size() - end_ < min_read_room) in_.resize(in_.size() * 2);
}

void ws_client::read_upgrade() {
  make_room();
  socket_.async_read_some(asio::buffer(in_.data() + end_, in_.size() - end_),
                          [self = shared_from_this()](const error_code& ec, std::size_t n) {
                            if (ec) return self->fail("upgrade read: " + ec.message());
                            self->end_ += n;
                            const std::string_view data(self->in_.data() + self->begin_, self->end_ - self->begin_);
                            const auto head_end = data.find("\r\n\r\n");
                            if (head_end == std::string_view::npos) return self->read_upgrade();
                            if (data.substr(0, 12).find(" 101") == std::string_view::npos)
                              return self->fail("upgrade refused: " + std::string(data.substr(0, data.find('\r'))));
                            self->begin_ += head_end + 4;
                            self->open_ = true;
                            self->on_open();
                            if (!self->consume_frames()) return;
                            self->read_frames();
                          });
}

void ws_client::read_frames() {
  make_room();
  socket_.async_read_some(asio::buffer(in_.data() + end_, in_.size() - end_),
                          [self = shared_from_this()](const error_code& ec, std::size_t n) {
                            if (ec) return self->fail("read: " + ec.message());
                            self->end_ += n;
                            if (self->consume_frames()) self->read_frames();
                          });
}

bool ws_client::consume_frames() {
  while (begin_ < end_ && !failed_) {
    ws_frame frame;
    std::size_t used = 0;
    const auto status = decode_server_frame({in_.data() + begin_, end_ - begin_}, frame, used);
    if (status == decode_status::need_more) {
      return true;
    }
    if (status == decode_status::bad_frame) {
      fail("bad WebSocket frame");
      return false;
    }
    begin_ += used;
    switch (frame.opcode) {
      case ws_opcode::ping: {
        append_client_frame(pending_, ws_opcode::pong, frame.payload, mask_);
        flush();
        break;
      }
      case ws_opcode::pong:
        break;
      case ws_opcode::close:
        fail("server closed the WebSocket");
        return false;
      default:
        if (!frame.fin || !fragments_.empty()) {
          fragments_.append(frame.payload);
          if (!frame.fin) break;
          std::string whole;
          whole.swap(fragments_);
          on_message(whole);
        } else {
          on_message(frame.payload);
        }
    }
  }
  return !failed_;
}

void ws_client::queue_text(std::string_view payload) { append_client_frame(pending_, ws_opcode::text, payload, mask_); }

void ws_client::send_text(std::string_view payload) {
  queue_text(payload);
  flush();
}

void ws_client::flush() {
  if (writing_ || pending_.empty() || failed_) return;
  writing_ = true;
  writing_buf_.clear();
  writing_buf_.swap(pending_);
  asio::async_write(socket_, asio::buffer(writing_buf_), [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->writing_ = false;
    if (ec) return self->fail("write: " + ec.message());
    self->on_written();
    self->flush();
  });
}

void ws_client::fail(std::string_view what) {
  if (failed_) return;
  failed_ = true;
  error_code ignored;
  socket_.close(ignored);
  on_failed(what);
}

void ws_client::close() {
  failed_ = true;  // a deliberate close is not reported as a failure
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace herald::bench

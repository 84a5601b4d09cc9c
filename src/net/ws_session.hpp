// A STOMP session over a WebSocket. Owns the socket and the protocol
// engine; implements session::transport for it. Lives on one worker
// thread; kept alive by its pending waits (shared_from_this).
//
// The WebSocket layer is herald's own (ws/): an idle connection holds no
// read buffer and no pending read operation's buffers, only a readiness
// wait, and the bytes read land in the worker's scratch buffer. Writes go
// out with one sendmsg per batch: whatever the outbox holds when the
// worker's flush pass runs, many MESSAGE frames in one system call.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>

#include "net/worker_impl.hpp"
#include "ws/frame_reader.hpp"

namespace herald::net {

class ws_session final : public std::enable_shared_from_this<ws_session>,
                         public session::transport,
                         public flushable,
                         private ws::frame_reader::handler {
 public:
  ws_session(worker::impl& w, boost::asio::ip::tcp::socket socket, connection_slot slot);
  ~ws_session();

  // Sends the 101 answer (already built and checked by http_session) and
  // runs the session.
  void start(std::string switching_response, session::connection_info info);

  // session::transport
  void flush() override;
  void close(core::close_reason reason) override;
  void arm_timer(std::chrono::steady_clock::time_point at) override;

  // flushable: the worker's flush pass.
  void write_now() override;

 private:
  // ws::frame_reader::handler
  void on_data(std::string_view payload, bool text) override;
  void on_ping(std::string_view payload) override;
  void on_close(std::uint16_t code, std::string_view reason) override;

  void wait_readable();
  void on_readable();
  void wait_writable();
  // Writes until everything is out or the socket would block.
  void pump();
  // After a write: pops what went out completely, remembers a partial one.
  void consumed(std::size_t n, bool front_partial_first, std::size_t entries);
  void fail_protocol(std::uint16_t code, std::string_view reason);
  void queue_close_frame(std::uint16_t code, std::string_view reason);
  // A peer that neither reads what is left nor answers our close frame
  // is cut off after a grace period.
  void start_close_grace();
  void teardown(core::close_reason reason);

  // Bound to the worker's io_context executor rather than the type-erased
  // any_io_executor: the objects and every pending wait are smaller, and
  // tens of thousands of idle connections each hold one of both.
  using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
  using timer_type = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                       boost::asio::wait_traits<std::chrono::steady_clock>,
                                                       boost::asio::io_context::executor_type>;

  worker::impl& w_;
  socket_type socket_;
  connection_slot slot_;
  timer_type timer_;
  std::optional<session::session> stomp_;
  ws::frame_reader reader_;
  // Handshake answer, pongs and the close frame: written between frames
  // of the outbox, never inside one.
  std::string control_;
  std::size_t control_sent_ = 0;
  std::size_t front_sent_ = 0;  // bytes of the outbox front (header included) already written
  core::close_reason reason_ = core::close_reason::transport_closed;
  bool flush_queued_ = false;    // in the worker's flush list
  bool write_waiting_ = false;   // socket full: waiting to become writable
  bool closing_ = false;         // close requested: outbox, then close frame
  bool close_queued_ = false;    // the close frame is in control_
  bool peer_closed_ = false;     // the client sent its close frame
  bool torn_down_ = false;
  bool grace_armed_ = false;
  bool binary_ = false;          // answer in binary frames, as the client writes
};

}  // namespace herald::net

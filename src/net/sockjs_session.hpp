// One SockJS session on one worker: the application behind it (the STOMP
// engine, or the echo/close handlers used to check SockJS servers), its
// lifecycle (sockjs::session_state) and the receiver currently carrying its
// frames — a SockJS WebSocket for its whole life, or a succession of HTTP
// requests (polls, streams). The STOMP session sees only session::transport,
// so it cannot tell which.
//
// Sessions carried by HTTP live in the worker's table under their id; every
// request for that id is handled on this worker (net/http_sockjs.cpp moves
// a connection that lands elsewhere). Worker thread only.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/worker_impl.hpp"
#include "sockjs/session_state.hpp"

namespace herald::net {

class sockjs_session;

// Carries frames of one session to the client. The session calls
// send_frame only after the previous frame was reported written
// (sockjs_session::on_frame_sent), and finish() once no frame will follow;
// abort() when a close could not get through in time (a client that stopped
// reading): drop the connection now.
class sockjs_receiver {
 public:
  virtual void send_frame(std::string frame) = 0;
  virtual void finish() = 0;
  virtual void abort() = 0;

 protected:
  ~sockjs_receiver() = default;
};

// Where an HTTP receiver gets its frames: a session on this worker, or a
// session on another node reached through the backplane (sockjs_relay.hpp).
class frame_source {
 public:
  // On open/attached the receiver is attached until it calls detach(); on
  // busy/closed it should answer with the matching close frame and end.
  virtual sockjs::session_state::attach_result attach(sockjs_receiver& r) = 0;
  virtual void detach(sockjs_receiver& r) = 0;
  virtual void on_frame_sent() = 0;
  virtual std::string close_frame() const = 0;

 protected:
  ~frame_source() = default;
};

class sockjs_session final : public std::enable_shared_from_this<sockjs_session>,
                             public session::transport,
                             public frame_source {
 public:
  // registered: lives in the worker's table (HTTP transports) and outlives
  // its receivers by the disconnect delay; otherwise it ends with its receiver.
  sockjs_session(worker::impl& w, std::string id, const config::endpoint& ep, session::connection_info info,
                 bool registered);
  ~sockjs_session();
  sockjs_session(const sockjs_session&) = delete;
  sockjs_session& operator=(const sockjs_session&) = delete;

  const std::string& id() const { return id_; }

  // frame_source: a receiver offers to carry frames.
  sockjs::session_state::attach_result attach(sockjs_receiver& r) override;
  void detach(sockjs_receiver& r) override;
  void on_frame_sent() override;
  std::string close_frame() const override;

  // Messages the client sent (xhr_send, jsonp_send, a WebSocket message).
  void on_messages(std::vector<std::string>& messages);

  // Server shutdown: tell the client, then go without the disconnect delay.
  void shut_down();
  // Leave the hub and the worker's table now. Idempotent.
  void teardown();

  // session::transport
  void flush() override;
  void close(core::close_reason reason) override;
  void arm_timer(std::chrono::steady_clock::time_point at) override;

 private:
  void pump();
  bool fill_messages(std::string& frame);
  void end_application();
  void rearm();
  void on_timer();

  worker::impl& w_;
  std::string id_;
  config::endpoint_handler handler_;
  bool registered_;
  sockjs::session_state state_;
  sockjs_receiver* receiver_ = nullptr;
  bool sending_ = false;
  bool open_pending_ = false;
  bool shutting_down_ = false;
  bool torn_down_ = false;
  bool app_ended_ = false;
  core::close_reason reason_ = core::close_reason::transport_closed;

  std::optional<session::session> stomp_;
  // Echo handler: messages not yet sent back. A vector, not a deque: an
  // empty deque allocates, and every STOMP session would carry one.
  std::vector<std::string> echo_;
  std::size_t echo_bytes_ = 0;

  boost::asio::steady_timer timer_;
  std::optional<std::chrono::steady_clock::time_point> armed_;
  std::optional<std::chrono::steady_clock::time_point> stomp_deadline_;
  std::optional<std::chrono::steady_clock::time_point> close_deadline_;  // close grace
};

// Worker-local lookup of HTTP-carried sessions.
std::shared_ptr<sockjs_session> find_sockjs_session(worker::impl& w, std::string_view id);

}  // namespace herald::net

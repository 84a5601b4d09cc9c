// SockJS without sticky sessions: a request for a session that lives on
// another node is relayed to that node through the backplane, on the
// per-node channel, and the answer comes back the same way — so a load
// balancer may send every request of a session anywhere.
//
// The requesting node runs the client's HTTP request as usual (an
// http_receiver for polls and streams) over a remote_session, which
// stands in for the session; the owning node attaches a relay_receiver to
// the real session, which sends its frames back. xhr_send/jsonp_send
// travel as one request and one answer. Messages, by op:
//   to the owner:     attach (rid, session, from, poll), detach (rid), send (rid, session, from; body)
//   to the requester: frame (rid; body), end (rid), abort (rid), sent (rid, status; body)
// A rid names the requesting node and worker ("<node>/<worker>/<n>"), so
// answers reach the worker holding the client's connection. Worker thread
// only, except route_relay.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <string>

#include "core/message.hpp"
#include "net/sockjs_session.hpp"

namespace herald::net {

// Which worker of this node a relay message is for; any thread.
std::size_t relay_worker(const core::message& m, std::size_t workers);
// A relay message for this worker (posted here by the node).
void on_relay_message(worker::impl& w, const core::message& m);

class remote_session final : public frame_source, public std::enable_shared_from_this<remote_session> {
 public:
  remote_session(worker::impl& w, std::string owner, std::string session, bool poll);
  ~remote_session();
  const std::string& rid() const { return rid_; }

  // frame_source
  sockjs::session_state::attach_result attach(sockjs_receiver& r) override;
  void detach(sockjs_receiver& r) override;
  void on_frame_sent() override;
  std::string close_frame() const override;

  // From the owner.
  void on_frame(std::string frame);
  void on_end();
  void on_abort();

 private:
  void deliver();
  void arm();
  void forget();

  worker::impl& w_;
  std::string owner_, session_, rid_;
  bool poll_;
  sockjs_receiver* receiver_ = nullptr;
  std::deque<std::string> frames_;
  boost::asio::steady_timer silence_;
  bool in_flight_ = false, ended_ = false;
};

class relay_receiver final : public sockjs_receiver, public std::enable_shared_from_this<relay_receiver> {
 public:
  relay_receiver(worker::impl& w, std::string requester, std::string rid, bool poll);
  ~relay_receiver();
  void start(std::shared_ptr<sockjs_session> session);
  // The requester's client went away.
  void on_detach();

  // sockjs_receiver
  void send_frame(std::string frame) override;
  void finish() override;
  void abort() override;

 private:
  void reply(const char* op, std::string body = {});
  void end(const char* op);

  worker::impl& w_;
  std::string requester_, rid_;
  bool poll_;
  std::shared_ptr<sockjs_session> session_;
  boost::asio::steady_timer lifetime_;
  std::size_t sent_bytes_ = 0;
  bool attached_ = false, ended_ = false;
};

// Sends a relay message to a node: op and fields as headers.
void send_relay(worker::impl& w, const std::string& node, core::header_list headers, std::string body = {});
// "<node>/<worker>/<n>": unique on this node.
std::string next_rid(worker::impl& w);

}  // namespace herald::net

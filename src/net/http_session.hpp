// One HTTP/1.1 connection: reads requests, answers the API, or hands the
// socket to a ws_session on an upgrade to a STOMP endpoint. Worker thread
// only; kept alive by its pending operations.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <optional>

#include "net/worker_impl.hpp"
#include "sockjs/route.hpp"

namespace herald::net {

class http_session final : public std::enable_shared_from_this<http_session> {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  using header_list = std::vector<std::pair<std::string, std::string>>;

  // leftover: bytes of the next request already read (a connection handed
  // back by a SockJS receiver, or moved here from another worker).
  http_session(worker::impl& w, boost::asio::ip::tcp::socket socket, connection_slot slot,
               std::string leftover = {});
  ~http_session();
  void run();
  // A request read on another worker, whose connection now lives here.
  void run_request(request req);
  // Shutdown: a connection waiting for its next request is closed now; one
  // in the middle of a request finishes it without keep-alive.
  void close_if_idle();

 private:
  void read();
  void on_read(boost::beast::error_code ec);
  void dispatch(request req);
  // SockJS (http_sockjs.cpp): everything under a `sockjs: true` endpoint.
  void sockjs(request req, const config::endpoint& ep, std::string_view rest);
  // claimed: this node took the session's key; no need to ask the cluster.
  void sockjs_session_request(request req, const config::endpoint& ep, std::string session_id,
                              sockjs::session_transport t, header_list headers, bool claimed = false);
  void start_receiver(const request& req, sockjs::session_transport t, std::string callback, header_list h,
                      std::shared_ptr<class frame_source> source);
  // In a cluster: a session not on this node is
  // claimed for it, or relayed to the node that holds it.
  void sockjs_claim(request req, const config::endpoint& ep, std::string session_id, sockjs::session_transport t,
                    header_list h);
  void sockjs_relay_send(request req, std::string session_id, sockjs::session_transport t, std::string payload,
                         header_list h);
  void migrate(request req, std::size_t owner);
  void serve_static(const request& req, std::string_view name);
  void drain();
  void drain_more();
  // framed: SockJS framing over the WebSocket; otherwise plain (STOMP, or
  // the echo/close handlers).
  void upgrade(request req, const config::endpoint& ep, bool framed = false);
  void respond(int status, std::string content_type, std::string body, header_list headers, bool keep_alive,
               unsigned version, bool head_only = false);

  worker::impl& w_;
  boost::beast::tcp_stream stream_;
  std::optional<connection_slot> slot_;
  boost::beast::flat_buffer buf_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  bool idle_ = false;  // waiting for the first byte of a request
};

}  // namespace herald::net

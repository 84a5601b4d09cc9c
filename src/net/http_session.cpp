#include "net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <cstring>

#include "api/routes.hpp"
#include "core/origin.hpp"
#include "net/sockjs_ws.hpp"
#include "net/ws_session.hpp"
#include "stomp/version.hpp"
#include "util/http_text.hpp"
#include "ws/handshake.hpp"

namespace herald::net {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Request line and headers: generous for cookies and tokens, bounded.
constexpr std::uint32_t header_limit = 16 * 1024;
// Idle keep-alive connections between requests.
constexpr auto keep_alive_timeout = std::chrono::seconds(60);

// Highest STOMP version among the offered subprotocols ("v12.stomp, v11.stomp").
std::optional<stomp::version> pick_subprotocol(std::string_view offered) {
  std::optional<stomp::version> best;
  while (!offered.empty()) {
    auto comma = offered.find(',');
    auto item = offered.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (auto v = stomp::version_from_subprotocol(item); v && (!best || *v > *best)) best = v;
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return best;
}

}  // namespace

http_session::http_session(worker::impl& w, boost::asio::ip::tcp::socket socket, connection_slot slot,
                           std::string leftover)
    : w_(w), stream_(std::move(socket)), slot_(std::move(slot)) {
  if (!leftover.empty()) {
    auto b = buf_.prepare(leftover.size());
    std::memcpy(b.data(), leftover.data(), leftover.size());
    buf_.commit(leftover.size());
  }
}

http_session::~http_session() { w_.http_sessions.erase(this); }

void http_session::run() {
  w_.http_sessions.insert(this);
  read();
}

void http_session::run_request(request req) {
  w_.http_sessions.insert(this);
  dispatch(std::move(req));
}

void http_session::close_if_idle() {
  if (!idle_ || buf_.size() != 0) return;
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.cancel();
}

void http_session::read() {
  parser_.emplace();
  parser_->header_limit(header_limit);
  parser_->body_limit(w_.shared.cfg.api.max_body_bytes);
  stream_.expires_after(std::chrono::milliseconds(w_.shared.cfg.limits.handshake_timeout_ms));
  if (w_.shutting_down && buf_.size() == 0) return;  // no new requests while draining
  idle_ = true;
  http::async_read(stream_, buf_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void http_session::on_read(beast::error_code ec) {
  idle_ = false;
  if (ec == http::error::end_of_stream || ec == beast::error::timeout) {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  if (ec == http::error::body_limit) {
    return respond(413, "application/json",
                   R"({"ok":false,"error":"request body exceeds api.max_body_bytes"})", {}, false, 11);
  }
  if (ec == http::error::header_limit) {
    return respond(431, "application/json", R"({"ok":false,"error":"request headers too large"})", {}, false,
                   11);
  }
  if (ec) {
    if (ec != boost::asio::error::operation_aborted && ec != boost::asio::error::connection_reset) {
      respond(400, "application/json", R"({"ok":false,"error":"malformed HTTP request"})", {}, false, 11);
    }
    return;
  }
  w_.metrics.http_requests.add();
  dispatch(parser_->release());
}

void http_session::dispatch(request req) {
  std::string_view target(req.target().data(), req.target().size());
  std::string_view path = target.substr(0, target.find('?'));

  // SockJS endpoints own everything under their path; the longest match wins.
  const config::endpoint* sockjs_ep = nullptr;
  for (const auto& ep : w_.shared.cfg.endpoints) {
    if (ep.sockjs && path.starts_with(ep.path) && (path.size() == ep.path.size() || path[ep.path.size()] == '/') &&
        (!sockjs_ep || ep.path.size() > sockjs_ep->path.size())) {
      sockjs_ep = &ep;
    }
  }
  if (sockjs_ep) return sockjs(std::move(req), *sockjs_ep, path.substr(sockjs_ep->path.size()));

  if (beast::websocket::is_upgrade(req)) {
    for (const auto& ep : w_.shared.cfg.endpoints) {
      if (ep.path == path) return upgrade(std::move(req), ep);
    }
    return respond(404, "application/json", R"({"ok":false,"error":"no STOMP endpoint at this path"})", {}, false,
                   req.version());
  }

  if (!w_.shared.cfg.static_dir.empty() && path.starts_with("/static/")) {
    return serve_static(req, path.substr(8));
  }

  api::request areq;
  areq.method = std::string(req.method_string());
  areq.target = std::string(target);
  areq.authorization = std::string(req[http::field::authorization]);
  areq.body = std::move(req.body());
  api::context ctx{w_.shared.cfg, w_.shared.publisher, w_.shared.node};
  const bool keep_alive = req.keep_alive() && !w_.shutting_down;
  const unsigned version = req.version();
  const bool head = req.method() == http::verb::head;
  // Cluster queries answer on the backplane's thread: come home first.
  api::handle(areq, ctx, [self = shared_from_this(), keep_alive, version, head](api::response res) {
    boost::asio::dispatch(self->stream_.get_executor(), [self, res = std::move(res), keep_alive, version, head]() mutable {
      self->respond(res.status, std::move(res.content_type), std::move(res.body), std::move(res.headers),
                    keep_alive && !self->w_.shutting_down, version, head);
    });
  });
}

void http_session::upgrade(request req, const config::endpoint& ep, bool framed) {
  const auto& patterns = ep.allowed_origins ? *ep.allowed_origins : w_.shared.cfg.allowed_origins;
  auto origin = req[http::field::origin];
  auto host = req[http::field::host];
  if (!core::origin_allowed(std::string_view(origin.data(), origin.size()), std::string_view(host.data(), host.size()),
                            patterns)) {
    return respond(403, "application/json", R"j({"ok":false,"error":"origin not allowed (see allowed_origins)"})j",
                   {}, false, req.version());
  }
  auto offered = req[http::field::sec_websocket_protocol];
  auto version = pick_subprotocol(std::string_view(offered.data(), offered.size()));
  // subprotocol_name returns views of string literals, so data() is a
  // NUL-terminated static string.
  const char* name = version ? stomp::subprotocol_name(*version).data() : nullptr;

  // RFC 6455 §4.2.1-2: the one version spoken, and a well-formed key.
  auto ws_version = req[http::field::sec_websocket_version];
  auto key = req[http::field::sec_websocket_key];
  const std::string_view key_view(key.data(), key.size());
  if (!framed && ep.handler == config::endpoint_handler::stomp) {
    if (ws_version != "13") {
      return respond(426, "application/json", R"j({"ok":false,"error":"unsupported WebSocket version (13 is spoken)"})j",
                     {{"Sec-WebSocket-Version", "13"}}, false, req.version());
    }
    if (!ws::valid_client_key(key_view)) {
      return respond(400, "application/json", R"({"ok":false,"error":"missing or malformed Sec-WebSocket-Key"})", {},
                     false, req.version());
    }
  }

  session::connection_info info;
  beast::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) info.remote = remote.address().to_string() + ":" + std::to_string(remote.port());
  std::string_view target(req.target().data(), req.target().size());
  info.query_token = util::query_value(target, w_.shared.cfg.auth.query_param);
  if (!w_.shared.cfg.auth.cookie.empty()) {
    auto cookie = req[http::field::cookie];
    info.cookie_token = util::cookie_value(std::string_view(cookie.data(), cookie.size()), w_.shared.cfg.auth.cookie);
  }
  stream_.expires_never();
  if (framed || ep.handler != config::endpoint_handler::stomp) {
    auto ws = std::make_shared<sockjs_ws>(w_, stream_.release_socket(), std::move(*slot_), framed);
    slot_.reset();
    return ws->start(std::move(req), ep, std::move(info));
  }
  info.subprotocol = version;
  auto ws = std::make_shared<ws_session>(w_, stream_.release_socket(), std::move(*slot_));
  slot_.reset();
  ws->start(ws::switching_response(key_view, "herald/" HERALD_VERSION, name ? std::string_view(name) : std::string_view()),
            std::move(info));
}

void http_session::respond(int status, std::string content_type, std::string body, header_list headers,
                           bool keep_alive, unsigned version, bool head_only) {
  auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), version);
  res->set(http::field::server, "herald/" HERALD_VERSION);
  if (!content_type.empty()) res->set(http::field::content_type, content_type);
  res->set(http::field::cache_control, "no-store");
  // insert, not set: Set-Cookie and Vary may legitimately repeat.
  for (auto& [k, v] : headers) {
    if (beast::iequals(k, "Cache-Control")) {
      res->set(http::field::cache_control, v);
    } else {
      res->insert(k, v);
    }
  }
  res->body() = std::move(body);
  res->keep_alive(keep_alive);
  res->prepare_payload();
  // HEAD: the headers of the GET answer, Content-Length included, no body.
  if (head_only) res->body().clear();
  stream_.expires_after(keep_alive_timeout);
  http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) return self->drain();
    self->read();
  });
}

void http_session::drain() {
  // Half-close, then read and discard until the peer closes: closing with
  // unread request bytes would reset the connection and could destroy the
  // response (a 413) before the client reads it.
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));
  buf_.consume(buf_.size());
  stream_.async_read_some(buf_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (!ec) self->drain_more();
  });
}

void http_session::drain_more() {
  buf_.consume(buf_.size());
  stream_.async_read_some(buf_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (!ec) self->drain_more();
  });
}

}  // namespace herald::net

// The SockJS side of http_session: routes every request under a
// `sockjs: true` endpoint — greeting, /info, the iframe page, WebSocket
// upgrades, and the session transports, which run on the worker owning the
// session (a connection that lands elsewhere moves there first).
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <random>
#include <utility>

#include "core/origin.hpp"
#include "net/http_session.hpp"
#include "net/sockjs_receiver.hpp"
#include "net/sockjs_relay.hpp"
#include "sockjs/incoming.hpp"
#include "sockjs/pages.hpp"
#include "sockjs/route.hpp"
#include "util/http_text.hpp"

namespace herald::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using sockjs::session_transport;

namespace {

// A socket descriptor in transit between workers: closed unless adopted,
// so a move that never runs (the target stopped) does not leak it.
class fd_in_transit {
 public:
  explicit fd_in_transit(int fd) : fd_(fd) {}
  fd_in_transit(fd_in_transit&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  fd_in_transit& operator=(fd_in_transit&&) = delete;
  ~fd_in_transit() {
    if (fd_ >= 0) ::close(fd_);
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

constexpr const char* text_plain = "text/plain; charset=UTF-8";

// How long a relayed xhr_send waits for the session's node to answer.
constexpr std::chrono::seconds relay_send_timeout{10};

bool receiving(session_transport t) {
  return t != session_transport::xhr_send && t != session_transport::jsonp_send && t != session_transport::websocket;
}

sockjs::http_transport http_kind(session_transport t) {
  switch (t) {
    case session_transport::xhr_streaming: return sockjs::http_transport::xhr_streaming;
    case session_transport::eventsource: return sockjs::http_transport::eventsource;
    case session_transport::htmlfile: return sockjs::http_transport::htmlfile;
    case session_transport::jsonp: return sockjs::http_transport::jsonp;
    default: return sockjs::http_transport::xhr;
  }
}

metrics::transport_kind metrics_kind(session_transport t) {
  switch (t) {
    case session_transport::xhr_streaming: return metrics::transport_kind::xhr_streaming;
    case session_transport::eventsource: return metrics::transport_kind::eventsource;
    case session_transport::htmlfile: return metrics::transport_kind::htmlfile;
    case session_transport::jsonp: return metrics::transport_kind::jsonp_polling;
    default: return metrics::transport_kind::xhr_polling;
  }
}

// The method each resource answers (besides OPTIONS where noted).
http::verb method_of(session_transport t) {
  switch (t) {
    case session_transport::eventsource:
    case session_transport::htmlfile:
    case session_transport::jsonp:
    case session_transport::websocket: return http::verb::get;
    default: return http::verb::post;
  }
}

bool has_preflight(session_transport t) {
  return t == session_transport::xhr || t == session_transport::xhr_send || t == session_transport::xhr_streaming;
}

void add_preflight(http_session::header_list& h, std::string_view methods) {
  h.emplace_back("Access-Control-Allow-Methods", std::string(methods));
  sockjs::add_cache_forever(h);
}

}  // namespace

void http_session::sockjs(request req, const config::endpoint& ep, std::string_view rest) {
  const bool keep_alive = req.keep_alive() && !w_.shutting_down;
  const unsigned version = req.version();
  const auto verb = req.method();
  auto origin = view(req[http::field::origin]);
  const auto& patterns = ep.allowed_origins ? *ep.allowed_origins : w_.shared.cfg.allowed_origins;
  if (!core::origin_allowed(origin, view(req[http::field::host]), patterns)) {
    return respond(403, text_plain, "origin not allowed (see allowed_origins)\n", {}, keep_alive, version);
  }
  header_list h;
  sockjs::add_cors(h, origin, view(req[http::field::access_control_request_headers]));
  auto reply = [&](int status, std::string body, std::string content_type = text_plain) {
    respond(status, std::move(content_type), std::move(body), std::move(h), keep_alive, version,
            verb == http::verb::head);
  };
  auto r = sockjs::parse_route(rest);
  // Every 405 names the methods the resource does answer.
  auto method_not_allowed = [&](std::string body) {
    h.emplace_back("Allow", std::string(sockjs::allowed_methods(r)));
    reply(405, std::move(body));
  };
  const bool upgrade_request = beast::websocket::is_upgrade(req);
  auto websocket = [&](bool framed) {
    if (!ep.websocket) return reply(404, "WebSocket is disabled on this endpoint (websocket: false)\n");
    // An upgrade is a GET (RFC 6455): another method is the wrong method,
    // not a malformed upgrade.
    if (verb != http::verb::get) return method_not_allowed("Use GET\n");
    if (!upgrade_request) return reply(400, "Can \"Upgrade\" only to \"WebSocket\".\n");
    upgrade(std::move(req), ep, framed);
  };

  switch (r.kind) {
    case sockjs::resource::not_found:
      return reply(404, "Not found\n");
    case sockjs::resource::greeting:
      // Plain WebSocket clients may connect to the base path itself.
      if (upgrade_request) return websocket(false);
      if (verb != http::verb::get && verb != http::verb::head) return method_not_allowed("Use GET\n");
      return reply(200, std::string(sockjs::greeting));
    case sockjs::resource::info: {
      if (verb == http::verb::options) {
        add_preflight(h, "OPTIONS, GET");
        return reply(204, {}, {});
      }
      if (verb != http::verb::get && verb != http::verb::head) return method_not_allowed("Use GET\n");
      sockjs::info_settings s{ep.websocket, w_.shared.cfg.sockjs.cookie_needed, patterns};
      sockjs::add_no_cache(h);
      // Clients seed cookies and ids from it; it must differ per call.
      static thread_local std::mt19937 entropy{std::random_device{}()};
      return reply(200, sockjs::info_body(s, static_cast<std::uint32_t>(entropy())), "application/json; charset=UTF-8");
    }
    case sockjs::resource::iframe: {
      if (verb != http::verb::get && verb != http::verb::head) return method_not_allowed("Use GET\n");
      auto page = sockjs::iframe_page(w_.shared.cfg.sockjs.client_url);
      auto etag = sockjs::etag_of(page);
      sockjs::add_cache_forever(h);
      h.emplace_back("ETag", etag);
      if (view(req[http::field::if_none_match]) == etag) return reply(304, {}, {});
      return reply(200, std::move(page), "text/html; charset=UTF-8");
    }
    case sockjs::resource::raw_websocket:
      return websocket(false);
    case sockjs::resource::session:
      break;
  }
  if (r.transport == session_transport::websocket) return websocket(true);
  if (verb == http::verb::options && has_preflight(r.transport)) {
    add_preflight(h, "OPTIONS, POST");
    return reply(204, {}, {});
  }
  if (verb != method_of(r.transport)) {
    return method_not_allowed(method_of(r.transport) == http::verb::get ? "Use GET\n" : "Use POST\n");
  }
  auto owner = sockjs_owner(r.session, w_.shared.workers.size());
  if (owner != w_.index) return migrate(std::move(req), owner);
  if (w_.shared.cfg.sockjs.cookie_needed) sockjs::add_session_cookie(h, view(req[http::field::cookie]));
  // Copied: the views point into the request, which moves on.
  sockjs_session_request(std::move(req), ep, std::string(r.session), r.transport, std::move(h));
}

void http_session::sockjs_session_request(request req, const config::endpoint& ep, std::string session_id,
                                          session_transport t, header_list h, bool claimed) {
  const bool keep_alive = req.keep_alive() && !w_.shutting_down;
  const unsigned version = req.version();
  auto reply = [&](int status, std::string body) {
    respond(status, text_plain, std::move(body), std::move(h), keep_alive, version);
  };
  auto session = find_sockjs_session(w_, session_id);
  // Not here: in a cluster it may live on another node.
  const bool ask_cluster = !session && !claimed && w_.shared.sockjs_directory;

  if (!receiving(t)) {
    if (!session && !ask_cluster) return reply(404, "Session not found\n");
    std::string payload = t == session_transport::xhr_send
                              ? std::move(req.body())
                              : sockjs::jsonp_payload(req.body(), view(req[http::field::content_type]));
    if (ask_cluster) return sockjs_relay_send(std::move(req), std::move(session_id), t, std::move(payload), std::move(h));
    auto in = sockjs::parse_messages(payload, false);
    if (!in.error.empty()) return reply(400, in.error + "\n");
    session->on_messages(in.messages);
    if (t == session_transport::xhr_send) return reply(204, {});
    return reply(200, "ok");
  }

  std::string_view target(req.target().data(), req.target().size());
  std::string callback;
  if (t == session_transport::jsonp || t == session_transport::htmlfile) {
    callback = util::query_value(target, "c");
    if (callback.empty()) return reply(400, "\"callback\" parameter required\n");
    if (!sockjs::valid_callback(callback)) return reply(400, "invalid \"callback\" parameter\n");
  }
  if (ask_cluster) return sockjs_claim(std::move(req), ep, std::move(session_id), t, std::move(h));
  if (!session) {
    if (w_.shutting_down) return reply(503, "shutting down\n");
    // Taken here, released by the session's teardown.
    if (w_.shared.sockjs_sessions.fetch_add(1, std::memory_order_relaxed) >= w_.shared.cfg.sockjs.max_sessions) {
      w_.shared.sockjs_sessions.fetch_sub(1, std::memory_order_relaxed);
      return reply(503, "too many SockJS sessions (sockjs.max_sessions)\n");
    }
    session::connection_info info;
    beast::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) info.remote = remote.address().to_string() + ":" + std::to_string(remote.port());
    info.query_token = util::query_value(target, w_.shared.cfg.auth.query_param);
    if (!w_.shared.cfg.auth.cookie.empty()) {
      info.cookie_token = util::cookie_value(view(req[http::field::cookie]), w_.shared.cfg.auth.cookie);
    }
    info.kind = metrics_kind(t);
    session = std::make_shared<sockjs_session>(w_, session_id, ep, std::move(info), true);
    w_.sockjs_sessions.emplace(std::move(session_id), session);
  }
  start_receiver(req, t, std::move(callback), std::move(h), std::move(session));
}

void http_session::start_receiver(const request& req, session_transport t, std::string callback, header_list h,
                                  std::shared_ptr<frame_source> source) {
  const unsigned version = req.version();
  http_receiver::params p;
  p.transport = http_kind(t);
  p.callback = std::move(callback);
  p.keep_alive = req.keep_alive() && !w_.shutting_down;
  p.chunked = version >= 11;
  p.head = fmt::format("HTTP/1.{} 200 OK\r\nServer: herald/{}\r\nContent-Type: {}\r\n", version >= 11 ? 1 : 0,
                       HERALD_VERSION, sockjs::content_type(p.transport));
  sockjs::add_no_cache(h);
  for (const auto& [k, v] : h) fmt::format_to(std::back_inserter(p.head), "{}: {}\r\n", k, v);
  std::string leftover = beast::buffers_to_string(buf_.data());
  buf_.consume(buf_.size());
  stream_.expires_never();
  auto receiver = std::make_shared<http_receiver>(w_, stream_.release_socket(), std::move(*slot_),
                                                  std::move(leftover), std::move(p));
  slot_.reset();
  w_.http_sessions.erase(this);
  receiver->start(std::move(source));
}

void http_session::sockjs_claim(request req, const config::endpoint& ep, std::string session_id, session_transport t,
                                header_list h) {
  struct held {
    request req;
    std::string id;
    header_list h;
  };
  auto p = std::make_shared<held>(held{std::move(req), session_id, std::move(h)});
  w_.shared.sockjs_directory->claim_sockjs(
      session_id, [self = shared_from_this(), p, ep = &ep, t](std::optional<std::string> owner) {
        asio::post(self->w_.ioc, [self, p, ep, t, owner = std::move(owner)] {
          // Ours — or the directory is unreachable, and serving the session
          // here beats refusing it.
          if (!owner || *owner == self->w_.shared.cfg.node.id) {
            return self->sockjs_session_request(std::move(p->req), *ep, std::move(p->id), t, std::move(p->h), true);
          }
          std::string_view target(p->req.target().data(), p->req.target().size());
          std::string callback =
              t == session_transport::jsonp || t == session_transport::htmlfile ? util::query_value(target, "c") : "";
          const bool poll = !sockjs::is_streaming(http_kind(t));
          auto remote = std::make_shared<remote_session>(self->w_, *owner, std::move(p->id), poll);
          self->start_receiver(p->req, t, std::move(callback), std::move(p->h), std::move(remote));
        });
      });
}

void http_session::sockjs_relay_send(request req, std::string session_id, session_transport t, std::string payload,
                                     header_list h) {
  const bool keep_alive = req.keep_alive() && !w_.shutting_down;
  const unsigned version = req.version();
  w_.shared.sockjs_directory->locate_sockjs(session_id, [self = shared_from_this(), session_id, t, payload, h,
                                                         keep_alive, version](std::optional<std::string> owner) {
    asio::post(self->w_.ioc, [self, session_id, t, payload, h, keep_alive, version, owner = std::move(owner)] {
      auto& w = self->w_;
      auto answer = [self, h, keep_alive, version](int status, std::string body) {
        self->respond(status, text_plain, std::move(body), h, keep_alive, version);
      };
      if (!owner) return answer(503, "cluster directory unavailable\n");
      if (owner->empty() || *owner == w.shared.cfg.node.id) return answer(404, "Session not found\n");
      const auto rid = next_rid(w);
      // An owner that died does not answer; the client is told the session
      // is gone and starts a new one.
      auto timer = std::make_shared<asio::steady_timer>(w.ioc, relay_send_timeout);
      w.pending_sends.emplace(rid, [answer, timer, t](int status, std::string body) {
        timer->cancel();
        if (status == 204 && t == session_transport::jsonp_send) return answer(200, "ok");
        answer(status, std::move(body));
      });
      timer->async_wait([&w, rid](boost::system::error_code ec) {
        if (ec) return;
        auto it = w.pending_sends.find(rid);
        if (it == w.pending_sends.end()) return;
        auto done = std::move(it->second);
        w.pending_sends.erase(it);
        done(404, "Session not found\n");
      });
      send_relay(w, *owner, {{"op", "send"}, {"rid", rid}, {"session", session_id}, {"from", w.shared.cfg.node.id}},
                 payload);
    });
  });
}

void http_session::migrate(request req, std::size_t owner) {
  // The connection moves to the owner's event loop with the request just
  // read; it stays there for the requests that follow (a client polling
  // one session keeps landing on its owner).
  stream_.expires_never();
  beast::error_code ec;
  auto& socket = stream_.socket();
  auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return;
  int fd = socket.release(ec);
  if (ec) return;
  std::string leftover = beast::buffers_to_string(buf_.data());
  buf_.consume(buf_.size());
  auto slot = std::move(*slot_);
  slot_.reset();
  slot.leave_gauge();
  w_.http_sessions.erase(this);
  auto& target = w_.shared.workers[owner]->internals();
  asio::post(target.ioc, [&target, fd = fd_in_transit(fd), protocol, leftover = std::move(leftover),
                          req = std::move(req), slot = std::move(slot)]() mutable {
    slot.join_gauge(target.metrics.connections);
    asio::ip::tcp::socket s(target.ioc);
    beast::error_code ec;
    int raw = fd.release();
    s.assign(protocol, raw, ec);
    if (ec) {
      ::close(raw);
      return;
    }
    std::make_shared<http_session>(target, std::move(s), std::move(slot), std::move(leftover))
        ->run_request(std::move(req));
  });
}

}  // namespace herald::net

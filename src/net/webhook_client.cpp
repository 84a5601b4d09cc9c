#include "net/webhook_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "api/webhook_reply.hpp"

namespace herald::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

bool parse_http_url(std::string_view url, http_url& out) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme) return false;
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
  }
  return !out.host.empty() && !out.port.empty();
}

namespace {

struct call : std::enable_shared_from_this<call> {
  call(boost::asio::io_context& ioc, const http_url& url, std::chrono::milliseconds timeout,
       core::publisher& pub, session::app_request req, std::function<void(std::string)> done)
      : resolver(ioc), stream(ioc), url(url), timeout(timeout), publisher(pub), sender(req.user),
        done(std::move(done)) {
    json::object headers;
    for (auto& [k, v] : req.headers) headers[k] = v;
    json::object body{{"user", req.user},         {"session", req.session_id}, {"destination", req.destination},
                      {"headers", std::move(headers)}, {"body", req.body}};
    out.method(http::verb::post);
    out.target(url.target);
    out.version(11);
    out.set(http::field::host, url.host + ":" + url.port);
    out.set(http::field::content_type, "application/json");
    out.set(http::field::user_agent, "herald/" HERALD_VERSION);
    out.body() = json::serialize(body);
    out.prepare_payload();
  }

  void start() {
    stream.expires_after(timeout);
    resolver.async_resolve(url.host, url.port, [self = shared_from_this()](beast::error_code ec, auto results) {
      if (ec) return self->finish("application webhook unreachable: " + ec.message());
      self->stream.async_connect(results, [self](beast::error_code ec, auto) {
        if (ec) return self->finish("application webhook unreachable: " + ec.message());
        http::async_write(self->stream, self->out, [self](beast::error_code ec, std::size_t) {
          if (ec) return self->finish("application webhook failed: " + ec.message());
          self->parser.body_limit(1 << 20);
          http::async_read(self->stream, self->buf, self->parser, [self](beast::error_code ec, std::size_t) {
            if (ec) return self->finish("application webhook failed: " + ec.message());
            self->on_response();
          });
        });
      });
    });
  }

  void on_response() {
    auto& res = parser.get();
    auto status = res.result_int();
    if (status < 200 || status >= 300) {
      return finish("application webhook answered HTTP " + std::to_string(status));
    }
    auto reply = api::parse_webhook_reply(res.body(), sender);
    if (auto* err = std::get_if<std::string>(&reply)) return finish("application webhook reply: " + *err);
    for (auto& m : std::get<std::vector<core::message_fields>>(reply)) {
      auto outcome = publisher.publish(std::move(m));
      if (outcome.status != core::publish_status::ok) return finish("application webhook reply: " + outcome.error);
    }
    finish("");
  }

  void finish(std::string error) {
    if (!error.empty()) spdlog::warn("{}", error);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (done) std::exchange(done, nullptr)(std::move(error));
  }

  tcp::resolver resolver;
  beast::tcp_stream stream;
  http_url url;
  std::chrono::milliseconds timeout;
  core::publisher& publisher;
  std::string sender;
  std::function<void(std::string)> done;
  http::request<http::string_body> out;
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
};

}  // namespace

webhook_client::webhook_client(boost::asio::io_context& ioc, const std::string& url, std::uint32_t timeout_ms,
                               core::publisher& publisher)
    : ioc_(ioc), timeout_(timeout_ms), publisher_(publisher) {
  if (!parse_http_url(url, url_)) throw std::invalid_argument("app.webhook: expected http://host[:port]/path");
}

void webhook_client::forward(session::app_request req, std::function<void(std::string)> done) {
  std::make_shared<call>(ioc_, url_, timeout_, publisher_, std::move(req), std::move(done))->start();
}

}  // namespace herald::net

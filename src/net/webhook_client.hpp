// The application webhook: client SENDs to /app/... are POSTed as JSON to
// app.webhook, and the messages in its JSON reply are published. One
// instance per worker, on the worker's loop; each call uses its own
// short-lived connection (bounded by the timeout). How many calls run at
// once is bounded before they get here, by the worker's
// session::app_dispatch (app.max_connections_per_thread).
#pragma once

#include <boost/asio/io_context.hpp>

#include <string>

#include "core/publisher.hpp"
#include "session/app_gateway.hpp"

namespace herald::net {

struct http_url {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};

// "http://host[:port][/path]"; false when malformed.
bool parse_http_url(std::string_view url, http_url& out);

class webhook_client final : public session::app_gateway {
 public:
  webhook_client(boost::asio::io_context& ioc, const std::string& url, std::uint32_t timeout_ms,
                 core::publisher& publisher);
  void forward(session::app_request req, std::function<void(std::string error)> done) override;

 private:
  boost::asio::io_context& ioc_;
  http_url url_;
  std::chrono::milliseconds timeout_;
  core::publisher& publisher_;
};

}  // namespace herald::net

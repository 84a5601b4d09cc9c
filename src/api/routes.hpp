// The HTTP API on the STOMP port: publish, info, health, metrics, session
// kicks and the demo page. Stateless: every call gets what it needs.
// Called on worker threads, concurrently.
#pragma once

#include <functional>

#include "api/http_types.hpp"
#include "api/node_view.hpp"
#include "config/config.hpp"
#include "core/publisher.hpp"

namespace herald::api {

struct context {
  const config::config& cfg;
  core::publisher& publisher;
  node_view& node;
};

// done gets the response, at once or later and possibly on another thread
// (cluster queries answer on the backplane's); the caller brings it home.
using respond_fn = std::function<void(response)>;
void handle(const request& req, context& ctx, respond_fn done);

// For callers whose node answers synchronously (tests, fuzzing): a route
// that did not complete at once is a 500.
response handle(const request& req, context& ctx);

// "%41b" → "Ab"; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out);

}  // namespace herald::api

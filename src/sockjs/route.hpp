// Which SockJS resource a request path names, given the part after the
// endpoint's base path. Pure parsing of network bytes; fuzzed.
#pragma once

#include <string_view>

namespace herald::sockjs {

enum class resource {
  not_found,
  greeting,       // <base> or <base>/
  info,           // <base>/info
  iframe,         // <base>/iframe.html, <base>/iframe-<version>.html
  raw_websocket,  // <base>/websocket: plain WebSocket, no SockJS framing
  session,        // <base>/<server>/<session>/<transport>
};

enum class session_transport { websocket, xhr, xhr_send, xhr_streaming, eventsource, htmlfile, jsonp, jsonp_send };

// Longest session id accepted: ids are client-chosen and become map keys.
inline constexpr std::size_t max_session_id = 128;

struct route {
  resource kind = resource::not_found;
  session_transport transport = session_transport::xhr;
  std::string_view server;   // views into the path given to parse_route
  std::string_view session;
};

// `rest`: the request path (no query) after the base path; "" for the base.
route parse_route(std::string_view rest);

// The methods a resource answers, as an `Allow` header value for its 405
// answers ("" for not_found). Session WebSockets and the raw WebSocket are
// GET only; xhr, xhr_send and xhr_streaming also answer CORS preflights.
std::string_view allowed_methods(const route& r);

}  // namespace herald::sockjs

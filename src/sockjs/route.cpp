#include "sockjs/route.hpp"

#include <array>
#include <utility>

namespace herald::sockjs {
namespace {

// Server and session ids: non-empty, and neither '.' nor '/' (a dot would
// make "<base>/info.js"-style names ambiguous).
bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= max_session_id && id.find('.') == std::string_view::npos;
}

bool iframe_name(std::string_view name) {
  // "iframe.html" or "iframe" + [A-Za-z0-9._-]* + ".html" (clients put the
  // library version in the name for caching).
  if (!name.starts_with("iframe") || !name.ends_with(".html")) return false;
  for (char c : name.substr(6, name.size() - 11)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

constexpr std::array<std::pair<std::string_view, session_transport>, 8> transports{{
    {"websocket", session_transport::websocket},
    {"xhr", session_transport::xhr},
    {"xhr_send", session_transport::xhr_send},
    {"xhr_streaming", session_transport::xhr_streaming},
    {"eventsource", session_transport::eventsource},
    {"htmlfile", session_transport::htmlfile},
    {"jsonp", session_transport::jsonp},
    {"jsonp_send", session_transport::jsonp_send},
}};

}  // namespace

route parse_route(std::string_view rest) {
  route r;
  if (rest.empty() || rest == "/") {
    r.kind = resource::greeting;
    return r;
  }
  if (!rest.starts_with('/')) return r;
  rest.remove_prefix(1);
  if (rest == "info") {
    r.kind = resource::info;
    return r;
  }
  if (rest == "websocket") {
    r.kind = resource::raw_websocket;
    return r;
  }
  if (iframe_name(rest)) {
    r.kind = resource::iframe;
    return r;
  }
  auto first = rest.find('/');
  if (first == std::string_view::npos) return r;
  auto second = rest.find('/', first + 1);
  if (second == std::string_view::npos) return r;
  auto server = rest.substr(0, first);
  auto session = rest.substr(first + 1, second - first - 1);
  auto name = rest.substr(second + 1);
  if (!valid_id(server) || !valid_id(session)) return r;
  for (const auto& [word, t] : transports) {
    if (name == word) {
      r.kind = resource::session;
      r.transport = t;
      r.server = server;
      r.session = session;
      return r;
    }
  }
  return r;
}

std::string_view allowed_methods(const route& r) {
  switch (r.kind) {
    case resource::not_found: return "";
    case resource::greeting:
    case resource::iframe: return "GET, HEAD";
    case resource::info: return "GET, HEAD, OPTIONS";
    case resource::raw_websocket: return "GET";
    case resource::session: break;
  }
  switch (r.transport) {
    case session_transport::xhr:
    case session_transport::xhr_send:
    case session_transport::xhr_streaming: return "POST, OPTIONS";
    case session_transport::jsonp_send: return "POST";
    case session_transport::websocket:
    case session_transport::eventsource:
    case session_transport::htmlfile:
    case session_transport::jsonp: return "GET";
  }
  return "";
}

}  // namespace herald::sockjs

// The fixed resources of a SockJS endpoint — greeting, /info, the iframe
// page — and the HTTP headers the protocol asks for (CORS, caching, the
// JSESSIONID cookie). Pure text; net/http_sockjs.cpp sends them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::sockjs {

using header_list = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view greeting = "Welcome to SockJS!\n";

struct info_settings {
  bool websocket = true;
  bool cookie_needed = false;
  std::vector<std::string> origins;  // the endpoint's allowed_origins patterns
};

// {"websocket":..,"cookie_needed":..,"origins":[..],"entropy":N}; `*` in the
// allow-list is reported the way SockJS clients know it, "*:*".
std::string info_body(const info_settings& s, std::uint32_t entropy);

// The page iframe-based transports load; it pulls in the SockJS client from
// client_url. Static per endpoint, so it carries an ETag.
std::string iframe_page(std::string_view client_url);
std::string etag_of(std::string_view body);

// Cross-origin answers: the request's Origin echoed (with credentials, as
// SockJS clients send cookies), or "*" when the request had none.
void add_cors(header_list& h, std::string_view origin, std::string_view request_headers);
// Responses that must never be cached (/info, every transport).
void add_no_cache(header_list& h);
// How long cacheable answers may be kept: one year, in seconds.
inline constexpr std::int64_t cache_seconds = 31536000;
// Long-lived caching (OPTIONS preflights, the iframe page): Cache-Control
// max-age and, for HTTP/1.0 caches, an Expires date `cache_seconds` after
// `now`.
void add_cache_forever(header_list& h,
                       std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
// An RFC 9110 HTTP-date (IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT",
// always in English whatever the locale.
std::string http_date(std::chrono::system_clock::time_point t);
// JSESSIONID: the client's own value kept, else a fresh marker, so sticky
// load balancers can pin the session.
void add_session_cookie(header_list& h, std::string_view cookie_header);

}  // namespace herald::sockjs

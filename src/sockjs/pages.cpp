#include "sockjs/pages.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "util/http_text.hpp"

namespace herald::sockjs {

std::string info_body(const info_settings& s, std::uint32_t entropy) {
  boost::json::array origins;
  for (const auto& o : s.origins) origins.emplace_back(o == "*" ? "*:*" : o);
  boost::json::object body;
  body["websocket"] = s.websocket;
  body["cookie_needed"] = s.cookie_needed;
  body["origins"] = std::move(origins);
  body["entropy"] = entropy;
  return boost::json::serialize(body);
}

std::string iframe_page(std::string_view client_url) {
  std::string page =
      "<!DOCTYPE html>\n<html>\n<head>\n"
      "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
      "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
      "  <script>\n"
      "    document.domain = document.domain;\n"
      "    _sockjs_onload = function(){SockJS.bootstrap_iframe();};\n"
      "  </script>\n"
      "  <script src=\"";
  page.append(client_url);
  page +=
      "\"></script>\n"
      "</head>\n<body>\n"
      "  <h2>herald</h2>\n"
      "  <p>A hidden SockJS iframe for cross-domain transports.</p>\n"
      "</body>\n</html>";
  return page;
}

std::string etag_of(std::string_view body) {
  // FNV-1a: stable across runs and builds, which is all an ETag needs.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  constexpr char hex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag += hex[(h >> shift) & 0xf];
  tag += '"';
  return tag;
}

void add_cors(header_list& h, std::string_view origin, std::string_view request_headers) {
  if (origin.empty() || origin == "null") {
    h.emplace_back("Access-Control-Allow-Origin", origin.empty() ? "*" : "null");
  } else {
    h.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    h.emplace_back("Vary", "Origin");
  }
  if (!origin.empty()) h.emplace_back("Access-Control-Allow-Credentials", "true");
  if (!request_headers.empty()) h.emplace_back("Access-Control-Allow-Headers", std::string(request_headers));
}

void add_no_cache(header_list& h) {
  h.emplace_back("Cache-Control", "no-store, no-cache, no-transform, must-revalidate, max-age=0");
}

void add_cache_forever(header_list& h, std::chrono::system_clock::time_point now) {
  h.emplace_back("Cache-Control", fmt::format("public, max-age={}", cache_seconds));
  h.emplace_back("Expires", http_date(now + std::chrono::seconds(cache_seconds)));
  h.emplace_back("Access-Control-Max-Age", std::to_string(cache_seconds));
}

std::string http_date(std::chrono::system_clock::time_point t) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void add_session_cookie(header_list& h, std::string_view cookie_header) {
  std::string value = util::cookie_value(cookie_header, "JSESSIONID");
  // Echoed only when made of what RFC 6265 allows in a cookie value
  // (printable ASCII but space, '"', ',', ';' and '\\'), so a client cannot
  // inject bytes into Set-Cookie.
  auto cookie_octet = [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
  };
  if (value.empty() || value.size() > 256 || !std::all_of(value.begin(), value.end(), cookie_octet)) value = "dummy";
  h.emplace_back("Set-Cookie", "JSESSIONID=" + value + "; path=/");
}

}  // namespace herald::sockjs

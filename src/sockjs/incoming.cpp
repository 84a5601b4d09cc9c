#include "sockjs/incoming.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace herald::sockjs {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

incoming parse_messages(std::string_view payload, bool allow_single) {
  incoming r;
  if (payload.empty()) {
    r.error = "Payload expected.";
    return r;
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(payload, ec);
  if (ec) {
    r.error = "Broken JSON encoding.";
    return r;
  }
  if (allow_single && v.is_string()) {
    r.messages.emplace_back(v.get_string());
    return r;
  }
  if (!v.is_array()) {
    r.error = "Payload must be a JSON array of strings.";
    return r;
  }
  for (const auto& item : v.get_array()) {
    if (!item.is_string()) {
      r.messages.clear();
      r.error = "Payload must be a JSON array of strings.";
      return r;
    }
    r.messages.emplace_back(item.get_string());
  }
  return r;
}

std::string form_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return url_decode(item.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

std::string jsonp_payload(std::string_view body, std::string_view content_type) {
  if (content_type.starts_with("application/x-www-form-urlencoded")) return form_value(body, "d");
  return std::string(body);
}

bool valid_callback(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace herald::sockjs

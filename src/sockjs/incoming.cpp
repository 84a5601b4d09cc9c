#include "sockjs/incoming.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "util/http_text.hpp"

namespace herald::sockjs {
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

std::string jsonp_payload(std::string_view body, std::string_view content_type) {
  if (content_type.starts_with("application/x-www-form-urlencoded")) return util::form_field(body, "d");
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

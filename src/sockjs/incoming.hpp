// What SockJS clients send: xhr_send and jsonp_send bodies and WebSocket
// messages, each a JSON array of strings (a WebSocket message may also be a
// single string). Pure parsing of network bytes; fuzzed by fuzz/sockjs.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace herald::sockjs {

struct incoming {
  std::vector<std::string> messages;
  std::string error;  // empty when the payload was good
};

// `["m1","m2"]`, or `"m"` when allow_single (WebSocket). Anything else —
// empty, broken JSON, a non-string element — sets error.
incoming parse_messages(std::string_view payload, bool allow_single);

// jsonp_send: a form body `d=<url-encoded JSON>` when the content type is
// application/x-www-form-urlencoded, the raw body otherwise. Returns the
// JSON text, or an empty string when the form has no non-empty `d` field.
std::string jsonp_payload(std::string_view body, std::string_view content_type);

// JSONP callback names: letters, digits, '_', '-' and '.', at most 256 bytes,
// so a callback can never inject script.
bool valid_callback(std::string_view name);

}  // namespace herald::sockjs

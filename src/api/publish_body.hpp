// Parsing of the publish API's JSON bodies. Pure functions over untrusted
// bytes (fuzzed by fuzz/api_publish.cpp); never throw on bad input.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/message.hpp"

namespace herald::api {

struct publish_body {
  std::string destination;
  std::string body;  // a JSON string as is; any other JSON value serialised
  core::header_list headers;
};

// {"destination": "/topic/x", "body": <string or JSON>, "headers": {"k": "v"}}
// Returns the parsed body or a client-facing reason.
std::variant<publish_body, std::string> parse_publish_body(std::string_view json);

}  // namespace herald::api

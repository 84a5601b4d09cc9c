// Parsing of the application webhook's reply. Pure; never throws on bad
// input (fuzzed together with publish_body by fuzz/api_publish.cpp).
//
// Reply: {"messages": [{"destination": "/topic/x", "body": ..., "headers": {...}},
//                      {"user": "bob", "destination": "/queue/x", "body": ...},
//                      {"reply": true, "destination": "/queue/x", "body": ...}]}
// "user" targets that user; "reply": true targets the sender; neither is a
// broadcast whose destination must lie under a broker prefix. An empty body
// means no messages.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/message.hpp"

namespace herald::api {

std::variant<std::vector<core::message_fields>, std::string> parse_webhook_reply(std::string_view json,
                                                                                 const std::string& sender);

}  // namespace herald::api

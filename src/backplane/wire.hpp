// The message format between nodes (backplane payloads). Versioned so a
// rolling upgrade can mix nodes; carries the message-id and the origin
// node so every node emits the same id for one message, and the wall-clock
// publish time so delivery latency is measured from the first publish.
//
// Version 1, all integers unsigned LEB128 varints, strings length-prefixed:
//   'H' 0x01 kind(0 topic, 1 user) published_unix_us
//   id origin user destination
//   header_count (name value)*   body
// and nothing after the body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/message.hpp"

namespace herald::backplane {

inline constexpr unsigned char wire_version = 1;

std::string encode(const core::message& m, std::string_view origin_node);

struct decoded {
  core::message_ptr message;
  std::string origin;
};

// nullopt with *error naming the defect: payloads come from the network.
std::optional<decoded> decode(std::string_view bytes, std::string* error);

}  // namespace herald::backplane

// STOMP protocol version negotiation (STOMP 1.2 "Protocol Negotiation") and
// the WebSocket subprotocol names that carry a version ("v12.stomp", ...).
// Pure functions over values; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "stomp/frame.hpp"

namespace herald::stomp {

// "1.0" / "1.1" / "1.2" → version; anything else nullopt.
std::optional<version> parse_version(std::string_view text);

// `accept_version` is the CONNECT header. When a subprotocol fixed the
// version during the WebSocket handshake only that version is acceptable,
// and an absent header means that version; without a subprotocol an absent
// header means 1.0 per the spec. Returns the highest common version, or
// nullopt when there is none.
std::optional<version> negotiate_version(const std::string* accept_version,
                                         std::optional<version> subprotocol);

// "v10.stomp" → v1_0, "v11.stomp" → v1_1, "v12.stomp" → v1_2; else nullopt.
std::optional<version> version_from_subprotocol(std::string_view name);

// Inverse of version_from_subprotocol.
std::string_view subprotocol_name(version v);

}  // namespace herald::stomp

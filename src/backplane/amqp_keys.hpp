// Backplane channel → AMQP routing key. The AMQP backplane uses a direct
// exchange (exact keys: a '.', '*' or '#' in a user name or topic means
// nothing there), and a routing key is a short string of at most 255 bytes.
// A longer channel is named by its SHA-256 instead, the same on every node.
// Channels start with '/', "u:" or '!' (core/channels.hpp), so the hashed
// form, which starts with '#', can never be a channel's own name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace herald::backplane {

inline constexpr std::size_t amqp_max_routing_key = 255;
inline constexpr std::string_view amqp_hashed_key_prefix = "#sha256:";

std::string amqp_routing_key(std::string_view channel);

}  // namespace herald::backplane

// Backplane channel names, in one place: one channel per topic destination
// and one per user. Destinations always start with '/', so the two
// namespaces cannot collide.
#pragma once

#include <string>
#include <string_view>

namespace herald::core {

inline std::string topic_channel(std::string_view destination) { return std::string(destination); }

inline std::string user_channel(std::string_view user) {
  std::string c = "u:";
  c.append(user);
  return c;
}

// Node-to-node commands (kicks, ...): every node listens to it. '!' starts
// no destination and no user channel.
inline constexpr std::string_view control_channel = "!control";

// One per node, for messages meant for that node alone (SockJS relays).
inline std::string node_channel(std::string_view node) {
  std::string c = "!node:";
  c.append(node);
  return c;
}

inline bool is_user_channel(std::string_view channel) { return channel.substr(0, 2) == "u:"; }
inline std::string_view channel_user(std::string_view channel) { return channel.substr(2); }

}  // namespace herald::core

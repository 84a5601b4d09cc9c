#include "stomp/heartbeat.hpp"

#include <algorithm>
#include <limits>

namespace herald::stomp {

namespace {

std::optional<std::uint32_t> parse_ms(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
    if (n > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  }
  return static_cast<std::uint32_t>(n);
}

// One direction: the sender's ability against the receiver's wish.
std::uint32_t combine(std::uint32_t can_send, std::uint32_t wants_receive) {
  if (can_send == 0 || wants_receive == 0) return 0;
  return std::max(can_send, wants_receive);
}

}  // namespace

std::optional<heartbeat> parse_heartbeat(std::string_view text) {
  const std::size_t comma = text.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const auto cx = parse_ms(text.substr(0, comma));
  const auto cy = parse_ms(text.substr(comma + 1));  // a second ',' fails here
  if (!cx || !cy) return std::nullopt;
  return heartbeat{*cx, *cy};
}

std::string to_string(heartbeat hb) { return std::to_string(hb.cx) + ',' + std::to_string(hb.cy); }

negotiated_heartbeat negotiate(heartbeat client, std::uint32_t server_can_send_ms,
                               std::uint32_t server_wants_receive_ms) {
  // STOMP 1.2 "Heart-beating": client→server uses the client's cx against
  // the server's cy, server→client the server's cx against the client's cy.
  return negotiated_heartbeat{
      .send_ms = combine(server_can_send_ms, client.cy),
      .receive_ms = combine(client.cx, server_wants_receive_ms),
  };
}

}  // namespace herald::stomp

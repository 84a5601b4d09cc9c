// STOMP heart-beat header parsing and negotiation (STOMP 1.1/1.2
// "Heart-beating"). Pure functions over values; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::stomp {

// The two numbers of a "heart-beat: cx,cy" header, in milliseconds: cx is the
// smallest interval at which the sender can send heart-beats, cy the interval
// at which it wants to receive them. 0 means "cannot" / "does not want".
struct heartbeat {
  std::uint32_t cx = 0;
  std::uint32_t cy = 0;

  friend bool operator==(const heartbeat&, const heartbeat&) = default;
};

// "0,0", "10000,10000". Each number is 1+ decimal digits with no sign or
// whitespace and must fit in 32 bits; anything else is nullopt.
std::optional<heartbeat> parse_heartbeat(std::string_view text);

// "cx,cy", e.g. for the server's CONNECTED heart-beat header.
std::string to_string(heartbeat hb);

// Server→client (send_ms) and client→server (receive_ms) intervals; 0 = off.
struct negotiated_heartbeat {
  std::uint32_t send_ms = 0;
  std::uint32_t receive_ms = 0;

  friend bool operator==(const negotiated_heartbeat&, const negotiated_heartbeat&) = default;
};

// `client` is the CONNECT header; server_can_send_ms / server_wants_receive_ms
// are the server's own preferences (what it puts in CONNECTED). Each direction
// is off when either side says 0, else the larger of the two values.
negotiated_heartbeat negotiate(heartbeat client, std::uint32_t server_can_send_ms,
                               std::uint32_t server_wants_receive_ms);

}  // namespace herald::stomp

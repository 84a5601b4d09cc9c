// Every reason a connection ends, in one place: counted per reason in
// metrics, logged by name, and mapped to a WebSocket close code.
#pragma once

#include <cstdint>
#include <string_view>

namespace herald::core {

enum class close_reason : std::uint8_t {
  client_disconnect,  // DISCONNECT frame
  transport_closed,   // socket closed or reset by the peer
  protocol_error,     // malformed frame or illegal command
  auth_failed,
  token_expired,
  heartbeat_timeout,
  connect_timeout,  // no CONNECT in time
  slow_consumer,
  kicked,           // DELETE /api/users/{id}/sessions
  limit_exceeded,   // per-user or node connection limits
  server_shutdown,
  count_
};

inline constexpr std::size_t close_reason_count = static_cast<std::size_t>(close_reason::count_);

constexpr std::string_view to_string(close_reason r) {
  switch (r) {
    case close_reason::client_disconnect: return "client_disconnect";
    case close_reason::transport_closed: return "transport_closed";
    case close_reason::protocol_error: return "protocol_error";
    case close_reason::auth_failed: return "auth_failed";
    case close_reason::token_expired: return "token_expired";
    case close_reason::heartbeat_timeout: return "heartbeat_timeout";
    case close_reason::connect_timeout: return "connect_timeout";
    case close_reason::slow_consumer: return "slow_consumer";
    case close_reason::kicked: return "kicked";
    case close_reason::limit_exceeded: return "limit_exceeded";
    case close_reason::server_shutdown: return "server_shutdown";
    case close_reason::count_: break;
  }
  return "unknown";
}

// RFC 6455 §7.4.1: 1000 normal, 1001 going away, 1002 protocol error,
// 1008 policy violation, 1009 too big, 1011 server error.
constexpr std::uint16_t websocket_close_code(close_reason r) {
  switch (r) {
    case close_reason::client_disconnect: return 1000;
    case close_reason::server_shutdown: return 1001;
    case close_reason::protocol_error: return 1002;
    case close_reason::auth_failed:
    case close_reason::token_expired:
    case close_reason::kicked:
    case close_reason::limit_exceeded: return 1008;
    case close_reason::slow_consumer: return 1008;
    default: return 1000;
  }
}

}  // namespace herald::core

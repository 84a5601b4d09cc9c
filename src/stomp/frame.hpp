// STOMP frame model shared by the parser and the encoder: protocol versions,
// commands and the frame value type. Plain values with no shared state; safe
// to use from any thread, each object owned by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::stomp {

enum class version { v1_0, v1_1, v1_2 };

// "1.0", "1.1", "1.2" as they appear in accept-version / version headers.
std::string_view to_string(version v);

enum class command {
  connect,
  stomp,
  send,
  subscribe,
  unsubscribe,
  ack,
  nack,
  begin,
  commit,
  abort,
  disconnect,
  connected,
  message,
  receipt,
  error
};

// "CONNECT", "STOMP", ... exactly as on the wire.
std::string_view to_string(command c);

// Commands are case-sensitive on the wire (STOMP 1.2 "STOMP Frames"); any
// other spelling is rejected.
std::optional<command> parse_command(std::string_view text);

// Header escaping (STOMP 1.1/1.2 "Value Encoding") applies to every frame
// except CONNECT/STOMP/CONNECTED, which stay raw for 1.0 compatibility, and
// never under 1.0, which has no escapes at all.
bool uses_escaping(version v, command c);

struct header {
  std::string name;
  std::string value;

  friend bool operator==(const header&, const header&) = default;
};

struct frame {
  command cmd{command::send};
  std::vector<header> headers;  // wire order; repeated names kept
  std::string body;

  // First occurrence wins (STOMP 1.2 "Repeated Header Entries"); nullptr when
  // absent. The pointer is invalidated by any change to `headers`.
  const std::string* find(std::string_view name) const;
  // Appends at the end, so an existing header of the same name keeps winning.
  void add(std::string name, std::string value);

  friend bool operator==(const frame&, const frame&) = default;
};

}  // namespace herald::stomp

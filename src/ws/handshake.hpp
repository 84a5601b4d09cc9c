// The server's half of the opening handshake (RFC 6455 §4.2): checking
// the client's key and version, and the 101 answer.
#pragma once

#include <string>
#include <string_view>

namespace herald::ws {

// A Sec-WebSocket-Key is the base64 of 16 bytes: 22 characters and "==".
bool valid_client_key(std::string_view key);

// Sec-WebSocket-Accept for a client key.
std::string accept_key(std::string_view client_key);

// The whole 101 response. protocol: the chosen subprotocol, or empty.
std::string switching_response(std::string_view client_key, std::string_view server, std::string_view protocol);

}  // namespace herald::ws

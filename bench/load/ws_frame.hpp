// The client side of RFC 6455 framing, without I/O: masked frames out,
// unmasked server frames in. Lean on purpose: the generator must parse a
// million frames a second on one core without allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace herald::bench {

enum class ws_opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

struct ws_frame {
  ws_opcode opcode = ws_opcode::text;
  bool fin = true;
  std::string_view payload;
};

// Appends one final, masked frame (§5.3: every client frame is masked).
void append_client_frame(std::string& out, ws_opcode opcode, std::string_view payload, std::uint32_t mask);

enum class decode_status { complete, need_more, bad_frame };

// Decodes the frame at the front of data; on complete sets `frame` (its
// payload points into data) and `consumed`. Masked server frames are
// refused (§5.1).
decode_status decode_server_frame(std::string_view data, ws_frame& frame, std::size_t& consumed);

// The HTTP/1.1 upgrade request (§4.1). The key is fixed: the generator
// measures servers, it does not check their handshakes.
std::string upgrade_request(std::string_view host, std::string_view path, std::string_view subprotocols);

}  // namespace herald::bench

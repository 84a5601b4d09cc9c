#include "ws_frame.hpp"

#include <cstring>

namespace herald::bench {

void append_client_frame(std::string& out, ws_opcode opcode, std::string_view payload, std::uint32_t mask) {
  const std::size_t n = payload.size();
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  unsigned char key[4];
  std::memcpy(key, &mask, 4);
  out.append(reinterpret_cast<const char*>(key), 4);
  const std::size_t body = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < n; ++i) out[body + i] = static_cast<char>(out[body + i] ^ key[i & 3]);
}

decode_status decode_server_frame(std::string_view data, ws_frame& frame, std::size_t& consumed) {
  if (data.size() < 2) return decode_status::need_more;
  const auto b0 = static_cast<std::uint8_t>(data[0]);
  const auto b1 = static_cast<std::uint8_t>(data[1]);
  if (b1 & 0x80) return decode_status::bad_frame;
  std::size_t header = 2;
  std::uint64_t length = b1 & 0x7F;
  if (length == 126) {
    if (data.size() < 4) return decode_status::need_more;
    length = (std::uint64_t{static_cast<std::uint8_t>(data[2])} << 8) | static_cast<std::uint8_t>(data[3]);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10) return decode_status::need_more;
    length = 0;
    for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<std::uint8_t>(data[i]);
    header = 10;
  }
  if (length > (std::uint64_t{1} << 32)) return decode_status::bad_frame;
  if (data.size() < header + length) return decode_status::need_more;
  frame.fin = (b0 & 0x80) != 0;
  frame.opcode = static_cast<ws_opcode>(b0 & 0x0F);
  frame.payload = data.substr(header, static_cast<std::size_t>(length));
  consumed = header + static_cast<std::size_t>(length);
  return decode_status::complete;
}

std::string upgrade_request(std::string_view host, std::string_view path, std::string_view subprotocols) {
  std::string r;
  r.reserve(256);
  r.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  r.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
  if (!subprotocols.empty()) r.append("Sec-WebSocket-Protocol: ").append(subprotocols).append("\r\n");
  r.append("\r\n");
  return r;
}

}  // namespace herald::bench

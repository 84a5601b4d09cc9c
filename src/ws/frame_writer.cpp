#include "ws/frame_writer.hpp"

namespace herald::ws {

std::size_t write_header(std::uint8_t* out, opcode op, std::uint64_t n) {
  out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
  const std::size_t size = header_size(n);
  if (size == 2) {
    out[1] = static_cast<std::uint8_t>(n);
  } else if (size == 4) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(n >> 8);
    out[3] = static_cast<std::uint8_t>(n);
  } else {
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
  }
  return size;
}

std::string control_frame(opcode op, std::string_view payload) {
  payload = payload.substr(0, 125);
  std::uint8_t hdr[max_header_size];
  const std::size_t h = write_header(hdr, op, payload.size());
  std::string out(reinterpret_cast<const char*>(hdr), h);
  out.append(payload);
  return out;
}

std::string close_frame(std::uint16_t code, std::string_view reason) {
  if (reason.size() > 123) {
    std::size_t cut = 123;
    // Back up over continuation bytes to the start of the cut sequence.
    while (cut > 0 && (static_cast<std::uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload;
  payload.reserve(2 + reason.size());
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return control_frame(opcode::close, payload);
}

}  // namespace herald::ws

// Frames the server sends (RFC 6455 §5.2): never masked, never fragmented.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ws/frame_reader.hpp"

namespace herald::ws {

constexpr std::size_t max_header_size = 10;

// Length of the header of a frame of `payload_size` bytes: 2, 4 or 10.
constexpr std::size_t header_size(std::uint64_t payload_size) {
  return payload_size < 126 ? 2 : payload_size <= 0xFFFF ? 4 : 10;
}

// Writes the header of a final frame of `payload_size` bytes into out;
// returns its length (2, 4 or 10).
std::size_t write_header(std::uint8_t* out, opcode op, std::uint64_t payload_size);

// A whole control frame. close_frame's reason is cut to fit 125 bytes
// without splitting a UTF-8 sequence.
std::string control_frame(opcode op, std::string_view payload);
std::string close_frame(std::uint16_t code, std::string_view reason);

}  // namespace herald::ws

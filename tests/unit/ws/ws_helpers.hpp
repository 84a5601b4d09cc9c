// Builds client frames (masked, as RFC 6455 requires of clients) and
// records what a frame_reader reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ws/frame_reader.hpp"

namespace herald::ws::test {

inline std::string client_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true,
                                std::uint32_t key = 0x37FA213D) {
  std::string f;
  f.push_back(static_cast<char>(first_byte));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  const std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xFF));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF));
  }
  const std::uint8_t k[4] = {static_cast<std::uint8_t>(key >> 24), static_cast<std::uint8_t>(key >> 16),
                             static_cast<std::uint8_t>(key >> 8), static_cast<std::uint8_t>(key)};
  if (masked) f.append(reinterpret_cast<const char*>(k), 4);
  for (std::size_t i = 0; i < n; ++i) {
    f.push_back(masked ? static_cast<char>(payload[i] ^ k[i % 4]) : payload[i]);
  }
  return f;
}

// FIN + opcode.
inline std::string text(std::string_view p) { return client_frame(0x81, p); }
inline std::string binary(std::string_view p) { return client_frame(0x82, p); }

struct recorder : frame_reader::handler {
  std::string data;
  std::vector<bool> kinds;  // text flag of each on_data call
  std::vector<std::string> pings;
  int closes = 0;
  std::uint16_t close_code = 0;
  std::string close_reason;

  void on_data(std::string_view p, bool is_text) override {
    data.append(p);
    kinds.push_back(is_text);
  }
  void on_ping(std::string_view p) override { pings.emplace_back(p); }
  void on_close(std::uint16_t code, std::string_view reason) override {
    ++closes;
    close_code = code;
    close_reason = std::string(reason);
  }
};

// Feeds `wire` in pieces of `step` bytes (0: at once); returns the first violation.
inline std::optional<violation> feed(frame_reader& r, recorder& rec, std::string wire, std::size_t step = 0) {
  if (step == 0) step = wire.size() ? wire.size() : 1;
  for (std::size_t at = 0; at < wire.size(); at += step) {
    const std::size_t n = std::min(step, wire.size() - at);
    if (auto v = r.feed(wire.data() + at, n, rec)) return v;
  }
  return std::nullopt;
}

}  // namespace herald::ws::test

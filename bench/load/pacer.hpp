// How many of a round's messages are due at a given time: all of them when
// flat out, else start + n / rate. Pure; shared by both publishers.
#pragma once

#include <algorithm>
#include <cstdint>

namespace herald::bench {

struct pacer {
  std::uint64_t start_ns = 0;
  std::uint64_t messages = 0;
  double rate = 0;

  std::uint64_t due(std::uint64_t now_ns) const {
    if (rate <= 0) return messages;
    const double elapsed = static_cast<double>(now_ns - start_ns) / 1e9;
    return std::min<std::uint64_t>(messages, static_cast<std::uint64_t>(elapsed * rate) + 1);
  }
  std::uint64_t due_time_ns(std::uint64_t index) const {
    return start_ns + static_cast<std::uint64_t>(static_cast<double>(index) / rate * 1e9);
  }
};

// xorshift64*: cheap, reproducible user picks.
struct user_picker {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  unsigned next(unsigned users) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<unsigned>((state * 0x2545F4914F6CDD1Dull >> 32) % users);
  }
};

}  // namespace herald::bench

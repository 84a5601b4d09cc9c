// The message body every server carries unchanged: round, sequence number
// and the publisher's send time (steady clock, ns), padded to the requested
// size with '.' — plain ASCII, so it travels as-is in a JSON string, a STOMP
// body and an nchan message alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::bench {

struct payload_stamp {
  std::uint32_t round = 0;
  std::uint64_t seq = 0;
  std::uint64_t sent_ns = 0;
};

void write_payload(std::string& out, const payload_stamp& stamp, std::size_t size);
// False when the body is not one of ours (heart-beats, server notices).
bool read_payload(std::string_view body, payload_stamp& stamp);

std::uint64_t now_ns();

}  // namespace herald::bench

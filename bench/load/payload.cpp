#include "payload.hpp"

#include <charconv>
#include <chrono>

namespace herald::bench {

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

void write_payload(std::string& out, const payload_stamp& stamp, std::size_t size) {
  const std::size_t begin = out.size();
  auto field = [&out](char tag, std::uint64_t value) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.push_back(tag);
    out.append(digits, result.ptr);
    out.push_back(' ');
  };
  field('r', stamp.round);
  field('s', stamp.seq);
  field('t', stamp.sent_ns);
  const std::size_t written = out.size() - begin;
  if (size > written) out.append(size - written, '.');
}

bool read_payload(std::string_view body, payload_stamp& stamp) {
  const char* p = body.data();
  const char* end = body.data() + body.size();
  auto field = [&](char tag, auto& value) {
    if (p >= end || *p != tag) return false;
    auto [next, ec] = std::from_chars(p + 1, end, value);
    if (ec != std::errc{} || next >= end || *next != ' ') return false;
    p = next + 1;
    return true;
  };
  return field('r', stamp.round) && field('s', stamp.seq) && field('t', stamp.sent_ns);
}

}  // namespace herald::bench

// Test helpers shared by the STOMP parser tests: run a byte stream through a
// parser in chosen chunk sizes and collect every frame plus the final status.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "stomp/parser.hpp"

namespace herald::stomp::test {

struct parse_result {
  std::vector<frame> frames;
  std::error_code error;  // empty when the stream ended in need_more
  std::size_t buffered = 0;

  friend bool operator==(const parse_result&, const parse_result&) = default;
};

inline void drain(parser& p, parse_result& r) {
  for (;;) {
    frame f;
    std::error_code ec;
    const parse_status s = p.next(f, ec);
    if (s == parse_status::frame) {
      r.frames.push_back(std::move(f));
      continue;
    }
    if (s == parse_status::error) r.error = ec;
    return;
  }
}

// chunk == 0 feeds everything at once.
inline parse_result parse_stream(std::string_view bytes, version v = version::v1_2,
                                 parser_limits limits = {}, std::size_t chunk = 0) {
  parser p(limits);
  p.set_version(v);
  parse_result r;
  if (chunk == 0) chunk = bytes.size() + 1;
  for (std::size_t i = 0; i < bytes.size() && !r.error; i += chunk) {
    p.feed(bytes.substr(i, chunk));
    drain(p, r);
  }
  if (bytes.empty()) drain(p, r);
  r.buffered = p.buffered();
  return r;
}

// Feeds bytes[0, cut) then bytes[cut, end).
inline parse_result parse_split(std::string_view bytes, std::size_t cut, version v = version::v1_2,
                                parser_limits limits = {}) {
  parser p(limits);
  p.set_version(v);
  parse_result r;
  p.feed(bytes.substr(0, cut));
  drain(p, r);
  if (!r.error) {
    p.feed(bytes.substr(cut));
    drain(p, r);
  }
  r.buffered = p.buffered();
  return r;
}

// Single-frame convenience: the one frame, or a default frame on failure.
inline frame parse_one(std::string_view bytes, version v = version::v1_2) {
  auto r = parse_stream(bytes, v);
  return r.frames.size() == 1 ? r.frames.front() : frame{};
}

// Lets tests write frames with embedded NULs: "SEND\n\n" "\0"s is awkward, so
// '^' stands for NUL in test literals passed through this helper.
inline std::string wire(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '^') c = '\0';
  }
  return out;
}

}  // namespace herald::stomp::test

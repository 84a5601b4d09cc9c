// STOMP 1.2 frames the generator sends, and a scanner for those it
// receives. Both servers get byte-identical frames; bodies never hold NUL,
// so a frame ends at the first NUL (§"Body": content-length is optional).
#pragma once

#include <string>
#include <string_view>

namespace herald::bench::stomp {

// heart-beat:0,0 so that neither side's heart-beats enter the figures.
std::string connect_frame(std::string_view host, std::string_view login, std::string_view passcode);
std::string subscribe_frame(std::string_view destination, std::string_view receipt);
void append_send_frame(std::string& out, std::string_view destination, std::string_view body);

struct frame_view {
  std::string_view command;
  std::string_view headers;  // the header lines, without the blank line
  std::string_view body;
};

// Returns the header's value, or an empty view.
std::string_view header(const frame_view& frame, std::string_view name);

// Scans complete frames at the front of data, calling on_frame for each;
// returns how many bytes were consumed (the rest is a partial frame).
// Heart-beat EOLs between frames are skipped.
template <typename OnFrame>
std::size_t scan(std::string_view data, OnFrame&& on_frame);

frame_view split_frame(std::string_view frame);

template <typename OnFrame>
std::size_t scan(std::string_view data, OnFrame&& on_frame) {
  std::size_t pos = 0;
  for (;;) {
    while (pos < data.size() && (data[pos] == '\n' || data[pos] == '\r')) ++pos;
    if (pos >= data.size()) return pos;
    const std::size_t nul = data.find('\0', pos);
    if (nul == std::string_view::npos) return pos;
    on_frame(split_frame(data.substr(pos, nul - pos)));
    pos = nul + 1;
  }
}

}  // namespace herald::bench::stomp

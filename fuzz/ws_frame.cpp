// The WebSocket frame reader on arbitrary client bytes, fed in pieces
// whose sizes come from the input itself: nothing may crash, hang or read
// out of bounds, and a text message reported as complete is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ws/frame_reader.hpp"
#include "ws/handshake.hpp"
#include "util/utf8.hpp"

namespace {

struct sink : herald::ws::frame_reader::handler {
  std::string text;
  void on_data(std::string_view p, bool is_text) override {
    if (is_text) text.append(p);
  }
  void on_ping(std::string_view p) override {
    if (p.size() > 125) std::abort();
  }
  void on_close(std::uint16_t, std::string_view reason) override {
    if (reason.size() > 123) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // First byte: the piece size, so splits inside headers and characters are explored.
  const std::size_t step = 1 + data[0] % 17;
  std::string wire(reinterpret_cast<const char*>(data + 1), size - 1);
  herald::ws::frame_reader r;
  sink s;
  bool failed = false;
  for (std::size_t at = 0; at < wire.size(); at += step) {
    const std::size_t n = std::min(step, wire.size() - at);
    if (r.feed(wire.data() + at, n, s)) {
      failed = true;
      break;
    }
  }
  // Text the reader accepted never holds an invalid sequence.
  if (!failed) {
    herald::util::utf8_checker c;
    if (!c.feed(s.text)) std::abort();
  }
  herald::ws::valid_client_key(std::string_view(wire).substr(0, 24));
  return 0;
}

// libFuzzer target for the STOMP parser (src/stomp). For each version it
// parses the input fed whole, in pseudo-random chunks and (for short inputs)
// byte by byte, requires identical frames/errors from all three, then
// re-encodes every frame and requires the parser to give it back unchanged.
// The first input byte picks the chunking seed and the limits. Single-threaded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "stomp/encoder.hpp"
#include "stomp/heartbeat.hpp"
#include "stomp/parser.hpp"
#include "stomp/version.hpp"

namespace {

using namespace herald::stomp;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

struct outcome {
  std::vector<frame> frames;
  std::error_code error;
  std::size_t buffered = 0;

  bool operator==(const outcome&) const = default;
};

void drain(parser& p, outcome& o) {
  for (;;) {
    frame f;
    std::error_code ec;
    const parse_status s = p.next(f, ec);
    if (s == parse_status::frame) {
      FUZZ_CHECK(!ec);
      o.frames.push_back(std::move(f));
      continue;
    }
    if (s == parse_status::error) {
      FUZZ_CHECK(ec && ec.category() == stomp_category());
      FUZZ_CHECK(p.buffered() == 0);
      o.error = ec;
    } else {
      FUZZ_CHECK(!ec);
    }
    return;
  }
}

// xorshift32: deterministic chunk sizes per input.
struct rng {
  std::uint32_t state;
  std::uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

outcome run(std::string_view in, version v, parser_limits limits, rng* chunks, bool byte_by_byte) {
  parser p(limits);
  p.set_version(v);
  outcome o;
  std::size_t i = 0;
  do {
    std::size_t n = in.size() - i;
    if (byte_by_byte) {
      n = std::min<std::size_t>(n, 1);
    } else if (chunks != nullptr) {
      // Mostly tiny chunks (split inside tokens), sometimes large ones.
      const std::uint32_t r = chunks->next();
      const std::size_t want = (r & 3) == 0 ? (r >> 2) % 512 : (r >> 2) % 8;
      n = std::min(n, want);
    }
    p.feed(in.substr(i, n));
    i += n;
    drain(p, o);
    // A chunk may legitimately hold no progress; the parser must still be
    // consistent about what it holds.
    FUZZ_CHECK(p.buffered() <= in.size());
  } while (i < in.size() && !o.error);
  o.buffered = p.buffered();
  return o;
}

frame expected_after_round_trip(frame f) {
  if (!f.body.empty() && f.find("content-length") == nullptr) {
    f.add("content-length", std::to_string(f.body.size()));
  }
  return f;
}

// The parser takes CR LF as an EOL under every version, but only 1.2 can
// escape CR, so under 1.0/1.1 a value ending in CR (wire "k:v\r\r\n") cannot
// be re-encoded faithfully.
bool representable(const frame& f, version v) {
  if (v == version::v1_2) return true;
  for (const auto& h : f.headers) {
    if (!h.value.empty() && h.value.back() == '\r') return false;
  }
  return true;
}

void check_round_trip(const frame& f, version v) {
  if (!representable(f, v)) return;
  const std::string wire = encode(f, v);
  // Encoding may grow a frame (escapes, content-length), so re-parse it
  // without the original limits.
  parser p(parser_limits{
      .max_frame_bytes = 1u << 26, .max_headers = 1u << 20, .max_header_bytes = 1u << 26});
  p.set_version(v);
  p.feed(wire);
  frame back;
  std::error_code ec;
  FUZZ_CHECK(p.next(back, ec) == parse_status::frame);
  FUZZ_CHECK(back == expected_after_round_trip(f));
  FUZZ_CHECK(p.next(back, ec) == parse_status::need_more);
  FUZZ_CHECK(p.buffered() == 0);
}

// Header helpers must cope with whatever values the parser lets through.
void poke_helpers(const frame& f) {
  if (const auto* hb = f.find("heart-beat")) {
    if (const auto parsed = parse_heartbeat(*hb)) {
      const auto n = negotiate(*parsed, 10000, 10000);
      FUZZ_CHECK(n.send_ms == 0 || n.send_ms >= 10000);
      FUZZ_CHECK(parse_heartbeat(to_string(*parsed)) == parsed);
    }
  }
  (void)negotiate_version(f.find("accept-version"), std::nullopt);
  (void)negotiate_version(f.find("accept-version"), version::v1_1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);

  // Small limits half the time so every limit check is reachable.
  parser_limits limits;
  if (control & 0x80) {
    limits = parser_limits{.max_frame_bytes = 48u + (control & 0x3f) * 4u,
                           .max_headers = 1u + (control & 0x07),
                           .max_header_bytes = 4u + (control & 0x1f)};
  }

  for (version v : {version::v1_0, version::v1_1, version::v1_2}) {
    const outcome whole = run(in, v, limits, nullptr, false);
    rng chunks{0x9e3779b9u ^ (static_cast<std::uint32_t>(control) << 8) ^
               static_cast<std::uint32_t>(in.size())};
    FUZZ_CHECK(run(in, v, limits, &chunks, false) == whole);
    if (in.size() <= 512) FUZZ_CHECK(run(in, v, limits, nullptr, true) == whole);
    for (const frame& f : whole.frames) {
      check_round_trip(f, v);
      poke_helpers(f);
    }
  }
  return 0;
}

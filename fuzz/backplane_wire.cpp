// libFuzzer target for backplane::decode / encode (src/backplane/wire.cpp).
// The input is a backplane payload as it arrives from Redis. decode() must
// never crash and, on failure, give a reason. A message it accepts must be
// complete (id, destination, a user for user messages), published no later
// than now, and survive encode() → decode() with every field equal:
// kind, user, destination, id, headers, body, origin, the STOMP heads, and
// (for sane ages) the age. The re-encoding is canonical: encoding the
// second decode gives the same bytes apart from the publish time. Appending
// a byte to an accepted payload makes it trailing garbage. Links
// herald_wire. Single-threaded.
#include "backplane/wire.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace herald;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

// The encoding without its publish time (bytes 3.. up to the varint's end),
// which differs between two encodings of the same message.
std::string without_time(std::string_view bytes) {
  FUZZ_CHECK(bytes.size() >= 4);
  std::size_t end = 3;
  while (end < bytes.size() && (static_cast<unsigned char>(bytes[end]) & 0x80)) ++end;
  FUZZ_CHECK(end < bytes.size());
  return std::string(bytes.substr(0, 3)) + std::string(bytes.substr(end + 1));
}

void check_same(const core::message& a, const core::message& b) {
  FUZZ_CHECK(a.kind == b.kind);
  FUZZ_CHECK(a.user == b.user);
  FUZZ_CHECK(a.destination == b.destination);
  FUZZ_CHECK(a.id == b.id);
  FUZZ_CHECK(a.headers == b.headers);
  FUZZ_CHECK(a.body == b.body);
  for (auto v : {stomp::version::v1_0, stomp::version::v1_1, stomp::version::v1_2}) {
    FUZZ_CHECK(a.head(v) == b.head(v));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono_literals;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto first = backplane::decode(in, &error);
  if (!first) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  FUZZ_CHECK(first->message);
  const core::message& m = *first->message;
  FUZZ_CHECK(!m.id.empty());
  FUZZ_CHECK(!m.destination.empty());
  FUZZ_CHECK(m.kind != core::target_kind::user || !m.user.empty());
  const auto age1 = std::chrono::steady_clock::now() - m.published_at;
  FUZZ_CHECK(age1 >= 0s);

  // Round trip.
  const std::string bytes = backplane::encode(m, first->origin);
  std::string error2;
  auto second = backplane::decode(bytes, &error2);
  FUZZ_CHECK(second);
  FUZZ_CHECK(error2.empty());
  FUZZ_CHECK(second->origin == first->origin);
  check_same(m, *second->message);
  const auto age2 = std::chrono::steady_clock::now() - second->message->published_at;
  FUZZ_CHECK(age2 >= 0s);
  // The age survives (ages beyond the Unix epoch cannot be encoded).
  if (age1 < 24h * 365 * 10) {
    FUZZ_CHECK(age2 >= age1 - 1s && age2 <= age1 + 1s);
  }

  // Canonical: a second encoding differs at most in the publish time.
  const std::string again = backplane::encode(*second->message, second->origin);
  FUZZ_CHECK(without_time(again) == without_time(bytes));

  // Nothing may follow the body.
  std::string longer(in);
  longer += '\0';
  std::string error3;
  FUZZ_CHECK(!backplane::decode(longer, &error3));
  FUZZ_CHECK(!error3.empty());
  return 0;
}

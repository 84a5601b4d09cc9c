// libFuzzer target for redis::reader (src/redis/reader.cpp, hiredis' RESP
// reader) and redis::append_command (src/redis/reply.cpp). The input is
// four bytes seeding the chunk sizes, then the bytes a Redis server sent.
// Fed in one piece or in random-sized chunks (drained after each), the
// reader must produce the same replies and the same verdict (protocol error
// or not): a reply never depends on how the socket split it. A protocol
// error is sticky: feed() then refuses, next() gives nothing, error() stays.
// Every reply that is an array of strings (what a command looks like) is
// re-encoded with append_command and must read back equal. Links
// herald_resp. Single-threaded.
//
// Known limit, skipped: hiredis (0.14) callocs an array's element pointers
// as soon as it reads "*N\r\n", for any N up to INT_MAX, so 13 bytes
// ("*2147483647\r\n") ask for 16 GiB and trip libFuzzer's malloc limit.
// Inputs announcing an array of 2^20 or more elements are not run.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reader.hpp"
#include "redis/reply.hpp"

namespace {

using herald::redis::append_command;
using herald::redis::reader;
using herald::redis::reply;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

bool same(const reply& a, const reply& b) {
  if (a.type != b.type || a.integer != b.integer || a.str != b.str || a.elements.size() != b.elements.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.elements.size(); ++i) {
    if (!same(a.elements[i], b.elements[i])) return false;
  }
  return true;
}

struct outcome {
  std::vector<reply> replies;
  bool failed = false;
};

void drain(reader& r, outcome& out) {
  while (auto rep = r.next()) out.replies.push_back(std::move(*rep));
  if (!r.error().empty()) out.failed = true;
}

void check_sticky(reader& r) {
  const std::string error = r.error();
  FUZZ_CHECK(!error.empty());
  FUZZ_CHECK(!r.feed("+OK\r\n"));
  FUZZ_CHECK(!r.next());
  FUZZ_CHECK(r.error() == error);
}

void check_command_round_trip(const reply& rep) {
  if (rep.type != reply::kind::array) return;
  std::vector<std::string> args;
  for (const auto& e : rep.elements) {
    if (e.type != reply::kind::string) return;
    args.push_back(e.str);
  }
  std::string bytes;
  append_command(bytes, args);
  reader r;
  FUZZ_CHECK(r.feed(bytes));
  auto back = r.next();
  FUZZ_CHECK(back);
  FUZZ_CHECK(same(*back, rep));
  FUZZ_CHECK(!r.next());
  FUZZ_CHECK(r.error().empty());
}

// True when some '*' is followed by a count of 2^20 or more (anywhere:
// also inside bulk strings, which only costs a few skipped inputs).
bool announces_huge_array(std::string_view in) {
  for (auto star = in.find('*'); star != std::string_view::npos; star = in.find('*', star + 1)) {
    std::size_t i = star + 1;
    if (i < in.size() && (in[i] == '+' || in[i] == '-')) ++i;
    while (i < in.size() && in[i] == '0') ++i;
    std::size_t digits = 0;
    std::uint64_t value = 0;
    for (; i < in.size() && in[i] >= '0' && in[i] <= '9' && digits < 8; ++i, ++digits) value = value * 10 + (in[i] - '0');
    if (value >= (1u << 20)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  std::uint32_t seed = data[0] | (data[1] << 8) | (data[2] << 16) | (static_cast<std::uint32_t>(data[3]) << 24);
  const std::string_view in(reinterpret_cast<const char*>(data + 4), size - 4);
  if (announces_huge_array(in)) return 0;

  // All at once.
  outcome whole;
  reader one;
  FUZZ_CHECK(one.feed(in));
  drain(one, whole);
  if (whole.failed) check_sticky(one);

  // In chunks of 0 to 16 bytes (mostly small), drained after each.
  outcome chunked;
  reader many;
  std::size_t at = 0;
  std::uint32_t x = seed | 1;
  while (at < in.size() && !chunked.failed) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    std::size_t n = x % 17;
    if (x & 0x10000) n = x % 4;  // often tiny, to cut every token
    auto part = in.substr(at, n);
    at += part.size();
    FUZZ_CHECK(many.feed(part));
    drain(many, chunked);
  }
  if (chunked.failed) check_sticky(many);

  FUZZ_CHECK(whole.failed == chunked.failed);
  FUZZ_CHECK(whole.replies.size() == chunked.replies.size());
  for (std::size_t i = 0; i < whole.replies.size(); ++i) {
    FUZZ_CHECK(same(whole.replies[i], chunked.replies[i]));
    check_command_round_trip(whole.replies[i]);
  }
  return 0;
}

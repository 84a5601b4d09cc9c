#include "backplane/wire.hpp"

#include <chrono>
#include <cstdint>

namespace herald::backplane {
namespace {

// More headers than any publisher may set (limits.max_headers caps
// clients); a peer claiming more is corrupt.
constexpr std::uint64_t max_wire_headers = 4096;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

class cursor {
 public:
  explicit cursor(std::string_view in) : in_(in) {}
  bool varint(std::uint64_t& v) {
    v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      auto b = static_cast<unsigned char>(in_[0]);
      in_.remove_prefix(1);
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool string(std::string& s) {
    std::uint64_t n = 0;
    if (!varint(n) || n > in_.size()) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool byte(unsigned char& b) {
    if (in_.empty()) return false;
    b = static_cast<unsigned char>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::uint64_t unix_us(std::chrono::system_clock::time_point t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

}  // namespace

std::string encode(const core::message& m, std::string_view origin_node) {
  std::string out;
  out.reserve(32 + m.id.size() + origin_node.size() + m.user.size() + m.destination.size() + m.body.size());
  out += 'H';
  out += static_cast<char>(wire_version);
  out += static_cast<char>(m.kind == core::target_kind::user ? 1 : 0);
  // The steady clock is per machine; the wall clock crosses nodes.
  const auto age = std::chrono::steady_clock::now() - m.published_at;
  put_varint(out, unix_us(std::chrono::system_clock::now() -
                          std::chrono::duration_cast<std::chrono::system_clock::duration>(age)));
  put_string(out, m.id);
  put_string(out, origin_node);
  put_string(out, m.user);
  put_string(out, m.destination);
  put_varint(out, m.headers.size());
  for (const auto& [k, v] : m.headers) {
    put_string(out, k);
    put_string(out, v);
  }
  put_string(out, m.body);
  return out;
}

std::optional<decoded> decode(std::string_view bytes, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<decoded> {
    *error = why;
    return std::nullopt;
  };
  cursor c(bytes);
  unsigned char magic = 0, version = 0, kind = 0;
  if (!c.byte(magic) || magic != 'H') return fail("not a herald backplane message");
  if (!c.byte(version) || version != wire_version) return fail("unsupported backplane wire version");
  if (!c.byte(kind) || kind > 1) return fail("bad message kind");
  std::uint64_t published_us = 0, header_count = 0;
  core::message_fields f;
  std::string id, origin;
  if (!c.varint(published_us)) return fail("truncated publish time");
  if (!c.string(id) || id.empty()) return fail("missing message id");
  if (!c.string(origin)) return fail("truncated origin");
  if (!c.string(f.user) || !c.string(f.destination)) return fail("truncated destination");
  if (!c.varint(header_count) || header_count > max_wire_headers) return fail("bad header count");
  f.headers.reserve(header_count);
  for (std::uint64_t i = 0; i < header_count; ++i) {
    std::string k, v;
    if (!c.string(k) || !c.string(v)) return fail("truncated header");
    f.headers.emplace_back(std::move(k), std::move(v));
  }
  if (!c.string(f.body)) return fail("truncated body");
  if (!c.done()) return fail("trailing bytes after the body");
  f.kind = kind == 1 ? core::target_kind::user : core::target_kind::topic;
  if (f.kind == core::target_kind::user && f.user.empty()) return fail("user message without a user");
  if (f.destination.empty()) return fail("missing destination");

  // Latency counts from the first publish, on whichever node it was; a
  // clock skewed into the future counts as no age. The age is computed in
  // unsigned microseconds: published_us is any 64-bit value, and turning it
  // into a clock's nanoseconds could overflow.
  auto published_at = std::chrono::steady_clock::now();
  const std::uint64_t now_us = unix_us(std::chrono::system_clock::now());
  if (published_us < now_us) {
    published_at -= std::chrono::microseconds(now_us - published_us);
  }
  auto msg = core::make_message(std::move(f), std::move(id), published_at);
  return decoded{std::move(msg), std::move(origin)};
}

}  // namespace herald::backplane

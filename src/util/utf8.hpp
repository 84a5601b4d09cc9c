// Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF) for text messages that arrive in pieces.
#pragma once

#include <cstdint>
#include <string_view>

namespace herald::util {

class utf8_checker {
 public:
  // False as soon as the bytes so far cannot begin valid UTF-8.
  bool feed(std::string_view bytes);
  // True when no multi-byte sequence is left open.
  bool complete() const { return need_ == 0; }
  void reset() { *this = utf8_checker{}; }

 private:
  std::uint8_t need_ = 0;  // continuation bytes still expected
  std::uint8_t low_ = 0x80;
  std::uint8_t high_ = 0xBF;
};

// Well-formed UTF-8 as a whole.
bool valid_utf8(std::string_view s);

}  // namespace herald::util

#include "util/utf8.hpp"

#include <cstring>

namespace herald::util {

bool utf8_checker::feed(std::string_view bytes) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p != end) {
    if (need_ == 0) {
      // STOMP text is mostly ASCII: skip it eight bytes at a time.
      while (end - p >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        if (w & 0x8080808080808080ULL) break;
        p += 8;
      }
      if (p == end) break;
      const std::uint8_t b = *p++;
      if (b < 0x80) continue;
      low_ = 0x80;
      high_ = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
      } else if (b == 0xE0) {
        need_ = 2;
        low_ = 0xA0;  // overlong below U+0800
      } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
        need_ = 2;
      } else if (b == 0xED) {
        need_ = 2;
        high_ = 0x9F;  // surrogates U+D800..U+DFFF
      } else if (b == 0xF0) {
        need_ = 3;
        low_ = 0x90;  // overlong below U+10000
      } else if (b >= 0xF1 && b <= 0xF3) {
        need_ = 3;
      } else if (b == 0xF4) {
        need_ = 3;
        high_ = 0x8F;  // above U+10FFFF
      } else {
        return false;
      }
    } else {
      const std::uint8_t b = *p++;
      if (b < low_ || b > high_) return false;
      low_ = 0x80;
      high_ = 0xBF;
      --need_;
    }
  }
  return true;
}

bool valid_utf8(std::string_view s) {
  utf8_checker c;
  return c.feed(s) && c.complete();
}

}  // namespace herald::util

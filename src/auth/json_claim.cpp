// A minimal strict JSON reader (RFC 8259) for claim values: only what the
// JWT checks need is kept, everything else is validated and skipped.
#include "auth/json_claim.hpp"

#include <charconv>
#include <cstdint>

namespace herald::auth::detail {
namespace {

constexpr int max_depth = 32;

class reader {
 public:
  explicit reader(std::string_view s) : s_(s) {}

  bool at_end() {
    skip_ws();
    return pos_ == s_.size();
  }

  // Parses one value. `out` (may be null) receives the top-level shape.
  bool value(json_claim* out, int depth) {
    if (depth > max_depth) return false;
    skip_ws();
    if (pos_ == s_.size()) return false;
    switch (s_[pos_]) {
      case '"': {
        std::string str;
        if (!string(str)) return false;
        if (out) {
          out->kind = json_kind::string;
          out->text = std::move(str);
        }
        return true;
      }
      case '[': return array(out, depth);
      case '{': return object(depth);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: {
        const std::size_t start = pos_;
        if (!number()) return false;
        if (out) {
          out->kind = json_kind::number;
          out->text = std::string(s_.substr(start, pos_ - start));
        }
        return true;
      }
    }
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool eat(char c) {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool number() {
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;  // no leading zeros
    } else if (!digits()) {
      return false;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return false;
    }
    return true;
  }

  bool hex4(std::uint32_t& v) {
    if (s_.size() - pos_ < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return false;
      v = (v << 4) | static_cast<std::uint32_t>(d);
    }
    return true;
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool escape(std::string& out) {
    if (pos_ == s_.size()) return false;
    const char c = s_[pos_++];
    switch (c) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {  // high surrogate: a low one must follow
      std::uint32_t low = 0;
      if (s_.substr(pos_, 2) != "\\u") return false;
      pos_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return false;  // lone low surrogate
    }
    put_utf8(out, cp);
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;  // raw control characters are not JSON
      if (c == '\\') {
        if (!escape(out)) return false;
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    return false;  // unterminated
  }

  bool array(json_claim* out, int depth) {
    ++pos_;
    if (out) out->kind = json_kind::array;
    if (eat(']')) return true;
    do {
      json_claim element;
      if (!value(&element, depth + 1)) return false;
      if (out && element.kind == json_kind::string) out->strings.push_back(std::move(element.text));
    } while (eat(','));
    return eat(']');
  }

  bool object(int depth) {
    ++pos_;
    if (eat('}')) return true;
    do {
      skip_ws();
      std::string key;
      if (pos_ == s_.size() || s_[pos_] != '"' || !string(key)) return false;
      if (!eat(':') || !value(nullptr, depth + 1)) return false;
    } while (eat(','));
    return eat('}');
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<json_claim> parse_claim(std::string_view json) {
  reader r(json);
  json_claim out;
  if (!r.value(&out, 0) || !r.at_end()) return std::nullopt;
  return out;
}

std::optional<double> number_value(std::string_view literal) {
  double v = 0;
  const char* end = literal.data() + literal.size();
  const auto [ptr, ec] = std::from_chars(literal.data(), end, v);
  // Out-of-range literals (1e999) are refused rather than saturated.
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return v;
}

}  // namespace herald::auth::detail

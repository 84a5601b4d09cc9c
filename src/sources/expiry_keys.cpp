#include "sources/expiry_keys.hpp"

namespace herald::sources {

expiry_keys::expiry_keys(const config::expiry_source& c) : prefix_(c.key_prefix) {
  if (!c.key_pattern.empty()) pattern_.emplace(c.key_pattern);  // checked at load
}

std::optional<std::string> expiry_keys::user_of(std::string_view key) const {
  // libstdc++'s regex recurses per character: a huge key (any key in the
  // db expires through here) must not reach it. Tokens are short.
  if (key.size() > max_key_bytes || !key.starts_with(prefix_)) return std::nullopt;
  if (!pattern_) {
    if (key.size() == prefix_.size()) return std::nullopt;
    return std::string(key.substr(prefix_.size()));
  }
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(key.begin(), key.end(), m, *pattern_) || !m[1].matched || m[1].length() == 0) {
    return std::nullopt;
  }
  return m[1].str();
}

std::string expiry_keys::scan_pattern() const {
  std::string out;
  for (char c : prefix_) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out + "*";
}

}  // namespace herald::sources

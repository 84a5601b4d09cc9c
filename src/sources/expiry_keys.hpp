// Which expired keys are events, and whose: the rest of the key after
// key_prefix, or the first group of key_pattern over the whole key.
#pragma once

#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace herald::sources {

class expiry_keys {
 public:
  explicit expiry_keys(const config::expiry_source& c);

  // Longer keys are never watched.
  static constexpr std::size_t max_key_bytes = 1024;

  // The user the key belongs to; nullopt when the key is not watched.
  std::optional<std::string> user_of(std::string_view key) const;

  // SCAN MATCH pattern finding watched keys (the prefix, glob-escaped).
  std::string scan_pattern() const;

 private:
  std::string prefix_;
  std::optional<std::regex> pattern_;
};

}  // namespace herald::sources

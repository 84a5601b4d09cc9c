#include "config/text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "config/load.hpp"

namespace herald::config::text {

std::uint32_t parse_u32(std::string_view key, std::string_view value) {
  std::uint64_t result = 0;
  bool digits_only = !value.empty();
  for (char c : value) digits_only = digits_only && c >= '0' && c <= '9';
  if (!digits_only) {
    throw config_error(std::string(key), "expected an unsigned integer, got " + quote(value));
  }
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (ec != std::errc() || end != value.data() + value.size() ||
      result > std::numeric_limits<std::uint32_t>::max()) {
    throw config_error(
        std::string(key),
        "expected an unsigned integer no larger than 4294967295, got " + quote(value));
  }
  return static_cast<std::uint32_t>(result);
}

double parse_double(std::string_view key, std::string_view value) {
  double result = 0;
  // from_chars accepts neither a leading '+' nor spaces, which is what we
  // want; "inf"/"nan" parse but are rejected below.
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
      !std::isfinite(result)) {
    throw config_error(std::string(key), "expected a number, got " + quote(value));
  }
  return result;
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> items;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (true) {
    auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && is_space(item.front())) item.remove_prefix(1);
    while (!item.empty() && is_space(item.back())) item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return items;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::string format_double(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

std::string quote(std::string_view value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool split_host_port(std::string_view listen, std::string_view& host, std::string_view& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) return false;
  host = listen.substr(0, colon);
  port = listen.substr(colon + 1);
  return true;
}

}  // namespace herald::config::text

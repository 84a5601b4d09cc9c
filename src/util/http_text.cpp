#include "util/http_text.hpp"

namespace herald::util {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && s.size() - i > 2 && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string form_field(std::string_view rest, std::string_view name) {
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);

    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (form_decode(key) != name) continue;
    return eq == std::string_view::npos ? std::string{} : form_decode(pair.substr(eq + 1));
  }
  return {};
}

std::string query_value(std::string_view target, std::string_view name) {
  if (name.empty()) return {};
  target = target.substr(0, target.find('#'));  // a fragment is never a query
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  return form_field(target.substr(q + 1), name);
}

std::string cookie_value(std::string_view cookie_header, std::string_view name) {
  if (name.empty()) return {};
  std::string_view rest = cookie_header;
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    const std::string_view pair = trim_space(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);

    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;  // not a cookie-pair
    if (trim_space(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim_space(pair.substr(eq + 1));
    // RFC 6265 allows the value to be wrapped in DQUOTEs, which are not
    // part of the value.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return {};
}

}  // namespace herald::util

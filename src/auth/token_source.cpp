// pick_token, cookie_value, query_value: byte-level parsing of what the
// client sent. These run on untrusted input before any authentication, so
// they never throw on content, never read out of bounds, and are fuzzed
// (fuzz/auth_token.cpp).
#include "auth/authenticator.hpp"

namespace herald::auth {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

// RFC 6750 scheme names are case-insensitive, and clients disagree on the
// spacing, so "bearer   x" counts too. A bare "Bearer" leaves nothing.
std::string_view strip_bearer(std::string_view s) {
  s = trim(s);
  constexpr std::string_view scheme = "bearer";
  if (starts_with_nocase(s, scheme) && (s.size() == scheme.size() || is_space(s[scheme.size()]))) {
    s = trim(s.substr(scheme.size()));
  }
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding. A '%' not followed by two hex
// digits is kept as is: browsers send such URLs and rejecting them here
// would only turn a bad token into a confusing "missing token".
std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && s.size() - i > 2 && hex_digit(s[i + 1]) >= 0 &&
               hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string pick_token(const credentials& creds) {
  for (const std::string* source :
       {&creds.authorization, &creds.passcode, &creds.query_token, &creds.cookie_token}) {
    const std::string_view token = strip_bearer(*source);
    if (!token.empty()) return std::string(token);
  }
  return {};
}

std::string cookie_value(std::string_view cookie_header, std::string_view name) {
  if (name.empty()) return {};
  std::string_view rest = cookie_header;
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    const std::string_view pair = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);

    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;  // not a cookie-pair
    if (trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim(pair.substr(eq + 1));
    // RFC 6265 allows the value to be wrapped in DQUOTEs, which are not
    // part of the value.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return {};
}

std::string query_value(std::string_view target, std::string_view name) {
  if (name.empty()) return {};
  target = target.substr(0, target.find('#'));  // a fragment is never a query
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
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

}  // namespace herald::auth

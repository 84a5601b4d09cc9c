// pick_token: byte-level parsing of what the client sent. These run on untrusted input before any authentication, so
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

}  // namespace

std::string pick_token(const credentials& creds) {
  for (const std::string* source :
       {&creds.authorization, &creds.passcode, &creds.query_token, &creds.cookie_token}) {
    const std::string_view token = strip_bearer(*source);
    if (!token.empty()) return std::string(token);
  }
  return {};
}

}  // namespace herald::auth

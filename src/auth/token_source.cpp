// pick_token: byte-level parsing of what the client sent. These run on untrusted input before any authentication, so
// they never throw on content, never read out of bounds, and are fuzzed
// (fuzz/auth_token.cpp).
#include "auth/authenticator.hpp"
#include "util/http_text.hpp"

namespace herald::auth {
namespace {

using util::trim_space;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

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
  s = trim_space(s);
  constexpr std::string_view scheme = "bearer";
  if (starts_with_nocase(s, scheme) && (s.size() == scheme.size() || is_space(s[scheme.size()]))) {
    s = trim_space(s.substr(scheme.size()));
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

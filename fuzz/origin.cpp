// libFuzzer target for core::origin_allowed (src/core/origin.cpp).
// Input: '\n'-separated fields
//   origin, host, scheme, domain, port, raw pattern...
// origin_allowed must never crash on any of them (raw patterns included).
// The scheme/domain/port fields are filtered to their legal characters and
// assembled into a wildcard pattern "scheme://*.domain[:port]"; whenever that
// pattern admits the origin, an independent parse of the origin must show the
// same scheme, a host that ends with ".domain" and is longer than it, the
// same port, and nothing else (no userinfo, path, query or fragment).
// Exact patterns and the no-pattern (same-origin) mode are checked too.
// Links herald_core. Single-threaded.
#include "core/origin.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using herald::core::origin_allowed;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

template <class Pred>
std::string keep(std::string_view s, Pred ok) {
  std::string out;
  for (char c : s) {
    if (ok(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// What a browser's URL parser would take from a serialised origin.
struct parsed_origin {
  bool ok = false;
  std::string scheme;
  std::string authority;  // everything between "://" and the first / ? # or '\'
  std::string rest;       // from that character on
  std::string host;       // authority without userinfo and port
  std::string port;       // digits after the last ':' ("" when absent)
  bool has_userinfo = false;
};

parsed_origin parse_origin(std::string_view origin) {
  parsed_origin p;
  const auto sep = origin.find("://");
  if (sep == std::string_view::npos) return p;
  p.ok = true;
  p.scheme = origin.substr(0, sep);
  std::string_view after = origin.substr(sep + 3);
  const auto end = after.find_first_of("/?#\\");
  p.authority = after.substr(0, end);
  if (end != std::string_view::npos) p.rest = after.substr(end);
  std::string_view hostport = p.authority;
  if (const auto at = hostport.rfind('@'); at != std::string_view::npos) {
    p.has_userinfo = true;
    hostport = hostport.substr(at + 1);
  }
  p.host = hostport;
  if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    p.host = hostport.substr(0, colon);
    p.port = hostport.substr(colon + 1);
  }
  return p;
}

std::vector<std::string_view> split_fields(std::string_view in) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto nl = in.find('\n');
    out.push_back(in.substr(0, nl));
    if (nl == std::string_view::npos) return out;
    in.remove_prefix(nl + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> f = split_fields(in);
  while (f.size() < 5) f.emplace_back();
  const std::string_view origin = f[0];
  const std::string_view host = f[1];

  // Never crashes, whatever the patterns.
  std::vector<std::string> raw(f.begin() + 5, f.end());
  (void)origin_allowed(origin, host, raw);
  for (std::string_view field : f) {
    (void)origin_allowed(origin, host, {std::string(field)});
    (void)origin_allowed(field, host, raw);
  }

  // No Origin header: allowed whatever the configuration.
  FUZZ_CHECK(origin_allowed("", host, raw));
  FUZZ_CHECK(origin_allowed(origin, host, {"*"}));

  // No patterns: same origin only (the authority equals the Host header).
  if (!origin.empty() && origin_allowed(origin, host, {})) {
    const parsed_origin p = parse_origin(origin);
    FUZZ_CHECK(p.ok && !host.empty() && lower(origin.substr(p.scheme.size() + 3)) == lower(host));
  }

  // An exact pattern admits only itself (case-insensitively).
  const std::string exact(f[2]);
  if (!origin.empty() && exact != "*" && exact.find("://*.") == std::string::npos &&
      origin_allowed(origin, host, {exact})) {
    FUZZ_CHECK(lower(origin) == lower(exact));
  }

  // The wildcard pattern.
  std::string scheme = keep(f[2], [](unsigned char c) { return is_alnum(c) || c == '+' || c == '-' || c == '.'; });
  if (scheme.empty()) scheme = "https";
  const std::string domain = keep(f[3], [](unsigned char c) { return is_alnum(c) || c == '-' || c == '.'; });
  const std::string port = keep(f[4], [](unsigned char c) { return c >= '0' && c <= '9'; });
  std::string pattern = scheme + "://*." + domain;
  if (!port.empty()) pattern += ":" + port;

  if (!origin.empty() && origin_allowed(origin, host, {pattern})) {
    const parsed_origin p = parse_origin(origin);
    FUZZ_CHECK(p.ok);
    FUZZ_CHECK(lower(p.scheme) == lower(scheme));
    FUZZ_CHECK(p.rest.empty() && !p.has_userinfo);
    const std::string suffix = "." + lower(domain);
    const std::string h = lower(p.host);
    FUZZ_CHECK(ends_with(h, suffix) && h.size() > suffix.size());
    FUZZ_CHECK(p.port == port);
    // The labels the '*' stands for.
    for (char c : h.substr(0, h.size() - suffix.size())) {
      FUZZ_CHECK(is_alnum(static_cast<unsigned char>(c)) || c == '-' || c == '.');
    }
    // A longer port (or domain) no longer admits it.
    FUZZ_CHECK(!origin_allowed(origin, host, {pattern + "1"}));
  }
  return 0;
}

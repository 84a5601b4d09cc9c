#include "redis/address.hpp"

#include <charconv>


namespace herald::redis {
namespace {

bool parse_number(std::string_view s, unsigned long max, unsigned long& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && out <= max;
}

bool percent_decoded(std::string_view in, std::string& out) {
  // Passwords may carry reserved characters percent-encoded (RFC 3986).
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    unsigned long v = 0;
    if (i + 2 >= in.size()) return false;
    auto hex = in.substr(i + 1, 2);
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + 2, v, 16);
    if (ec != std::errc{} || p != hex.data() + 2) return false;
    out += static_cast<char>(v);
    i += 2;
  }
  return true;
}

}  // namespace

std::optional<address> parse_host_port(std::string_view text, std::string* error) {
  address a;
  std::string_view host = text, port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      *error = "unclosed '[' in IPv6 address";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        *error = "expected ':' after ']'";
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) {
    *error = "missing host";
    return std::nullopt;
  }
  a.host = std::string(host);
  if (!port.empty() || text.ends_with(':')) {
    unsigned long p = 0;
    if (!parse_number(port, 65535, p) || p == 0) {
      *error = "port must be a number from 1 to 65535";
      return std::nullopt;
    }
    a.port = static_cast<std::uint16_t>(p);
  }
  return a;
}

std::optional<address> parse_url(std::string_view url, std::string* error) {
  bool tls = false;
  if (url.starts_with("redis://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("rediss://")) {
    url.remove_prefix(9);
    tls = true;
  } else {
    *error = "must start with redis:// or rediss://";
    return std::nullopt;
  }
  std::string_view path;
  if (auto slash = url.find('/'); slash != std::string_view::npos) {
    path = url.substr(slash + 1);
    url = url.substr(0, slash);
  }
  std::string user, password;
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    auto cred = url.substr(0, at);
    url = url.substr(at + 1);
    auto colon = cred.find(':');
    if (colon == std::string_view::npos) {
      // redis://password@host is a common shorthand.
      if (!percent_decoded(cred, password)) {
        *error = "bad percent-encoding in the password";
        return std::nullopt;
      }
    } else if (!percent_decoded(cred.substr(0, colon), user) || !percent_decoded(cred.substr(colon + 1), password)) {
      *error = "bad percent-encoding in the user or password";
      return std::nullopt;
    }
  }
  auto a = parse_host_port(url, error);
  if (!a) return std::nullopt;
  a->user = std::move(user);
  a->password = std::move(password);
  a->tls = tls;
  if (!path.empty()) {
    unsigned long db = 0;
    if (!parse_number(path, 1u << 20, db)) {
      *error = "the path must be a database number (redis://host:port/0)";
      return std::nullopt;
    }
    a->db = static_cast<unsigned>(db);
  }
  return a;
}

}  // namespace herald::redis

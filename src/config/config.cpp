// Accessors derived from `listen`. validate() has already checked its shape,
// so a malformed value only happens for a hand-built config and yields
// ""/0 rather than throwing on a hot path.
#include "config/config.hpp"

#include "config/text.hpp"

namespace herald::config {

std::string config::listen_host() const {
  std::string_view host, port;
  if (!text::split_host_port(listen, host, port)) return {};
  // Resolvers want "::1", not "[::1]".
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return std::string(host);
}

std::uint16_t config::listen_port() const {
  std::string_view host, port;
  if (!text::split_host_port(listen, host, port) || port.empty() || port.size() > 5) return 0;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535 ? static_cast<std::uint16_t>(value) : 0;
}

}  // namespace herald::config

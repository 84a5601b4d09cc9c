// Origin allow-list for browser handshakes (RFC 6454 origins). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace herald::core {

// origin: the Origin header ("" when absent: non-browser clients are
// allowed, since Origin only protects browsers' ambient credentials).
// host: the Host header. patterns: "*", "scheme://host[:port]", or
// "scheme://*.domain[:port]". No patterns: same origin only.
bool origin_allowed(std::string_view origin, std::string_view host, const std::vector<std::string>& patterns);

}  // namespace herald::core

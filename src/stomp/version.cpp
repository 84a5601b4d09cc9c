#include "stomp/version.hpp"

namespace herald::stomp {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<version> parse_version(std::string_view text) {
  if (text == "1.0") return version::v1_0;
  if (text == "1.1") return version::v1_1;
  if (text == "1.2") return version::v1_2;
  return std::nullopt;
}

std::optional<version> negotiate_version(const std::string* accept_version,
                                         std::optional<version> subprotocol) {
  bool offered[3] = {false, false, false};
  if (accept_version == nullptr) {
    // The subprotocol negotiated in the WebSocket handshake ("v12.stomp")
    // already names the version, so a client that negotiated one may leave
    // accept-version out.
    if (subprotocol) return subprotocol;
    // STOMP 1.2 "Protocol Negotiation": no accept-version means 1.0.
    offered[static_cast<int>(version::v1_0)] = true;
  } else {
    // Comma-separated, ascending by convention but not relied upon. Unknown
    // entries (future versions) are skipped; blanks around entries tolerated.
    std::string_view rest = *accept_version;
    for (;;) {
      const std::size_t comma = rest.find(',');
      if (const auto v = parse_version(trim(rest.substr(0, comma)))) {
        offered[static_cast<int>(*v)] = true;
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  for (version v : {version::v1_2, version::v1_1, version::v1_0}) {
    if (!offered[static_cast<int>(v)]) continue;
    if (subprotocol && *subprotocol != v) continue;
    return v;
  }
  return std::nullopt;
}

std::optional<version> version_from_subprotocol(std::string_view name) {
  if (name == "v10.stomp") return version::v1_0;
  if (name == "v11.stomp") return version::v1_1;
  if (name == "v12.stomp") return version::v1_2;
  return std::nullopt;
}

std::string_view subprotocol_name(version v) {
  switch (v) {
    case version::v1_0: return "v10.stomp";
    case version::v1_1: return "v11.stomp";
    case version::v1_2: return "v12.stomp";
  }
  return "v12.stomp";
}

}  // namespace herald::stomp

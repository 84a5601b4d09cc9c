// validate(): rules that a single value's type cannot express, checked once
// after all layers so the final value is judged, not an intermediate one.
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "config/key_table.hpp"
#include "config/load.hpp"
#include "config/sources_yaml.hpp"
#include "config/text.hpp"
#include "redis/address.hpp"

namespace herald::config {
namespace {

using text::quote;

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits only, at most 65535; leading zeros are tolerated ("08080").
bool is_port(std::string_view s, unsigned min) {
  if (!is_digits(s) || s.size() > 5) return false;
  unsigned value = 0;
  for (char c : s) value = value * 10 + static_cast<unsigned>(c - '0');
  return value >= min && value <= 65535;
}

bool is_ipv4(std::string_view s) {
  in_addr addr{};
  return inet_pton(AF_INET, std::string(s).c_str(), &addr) == 1;
}

bool is_bracketed_ipv6(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  in6_addr addr{};
  return inet_pton(AF_INET6, std::string(s.substr(1, s.size() - 2)).c_str(), &addr) == 1;
}

// RFC 1123 names: dot-separated labels of letters, digits and '-'.
bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  while (true) {
    auto dot = s.find('.');
    std::string_view label = s.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

// All digits and dots must be a real IPv4 address: "300.1.1.1" is a typo,
// not a host name.
bool is_host(std::string_view s) {
  if (s.starts_with('[')) return is_bracketed_ipv6(s);
  if (std::all_of(s.begin(), s.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); })) {
    return is_ipv4(s);
  }
  return is_hostname(s);
}

void check_listen(const std::string& listen) {
  std::string_view host, port;
  if (!text::split_host_port(listen, host, port) || !is_host(host)) {
    throw config_error("listen", "expected HOST:PORT (IPv4, [IPv6] or name), got " + quote(listen));
  }
  if (!is_port(port, 0))
    throw config_error("listen", "port must be 0 to 65535, got " + quote(listen));
}

// "*", or scheme://host[:port] with an optional leading "*." on the host.
void check_origin(const std::string& key, const std::string& origin) {
  if (origin == "*") return;
  auto fail = [&](const std::string& why) { throw config_error(key, quote(origin) + ": " + why); };
  auto sep = origin.find("://");
  if (sep == std::string::npos || sep == 0) fail("expected *, or scheme://host[:port]");
  std::string_view scheme(origin.data(), sep);
  std::string_view rest(origin.data() + sep + 3, origin.size() - sep - 3);
  // Browsers send Origin in lowercase; an uppercase pattern would never match.
  if (std::any_of(origin.begin(), origin.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    fail("write origins in lowercase");
  }
  bool scheme_ok =
      scheme.front() >= 'a' && scheme.front() <= 'z' &&
      std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
      });
  if (!scheme_ok) fail("bad scheme");
  if (rest.find('/') != std::string_view::npos)
    fail("an origin has no path (not even a trailing /)");
  std::string_view host = rest;
  auto colon = rest.rfind(':');
  auto bracket = rest.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = rest.substr(0, colon);
    if (!is_port(rest.substr(colon + 1), 1)) fail("port must be 1 to 65535");
  }
  if (host.starts_with("*.")) host.remove_prefix(2);
  if (!is_host(host)) fail("bad host");
}

void check_origins(const std::string& key, const std::vector<std::string>& origins) {
  for (std::size_t i = 0; i < origins.size(); ++i) {
    check_origin(key + "[" + std::to_string(i) + "]", origins[i]);
  }
}

void check_endpoints(const config& cfg) {
  if (cfg.endpoints.empty()) throw config_error("endpoints", "at least one endpoint is required");
  // These paths belong to the HTTP side of the same listener.
  constexpr std::array<std::string_view, 4> reserved{"/", "/healthz", "/readyz", "/metrics"};
  for (std::size_t i = 0; i < cfg.endpoints.size(); ++i) {
    const auto& ep = cfg.endpoints[i];
    std::string key = "endpoints[" + std::to_string(i) + "]";
    const std::string& path = ep.path;
    if (!path.starts_with('/'))
      throw config_error(key + ".path", "must start with '/', got " + quote(path));
    if (path.find_first_of(" \t?#") != std::string::npos) {
      throw config_error(key + ".path",
                         "must be a plain path (no spaces, '?' or '#'), got " + quote(path));
    }
    if (std::find(reserved.begin(), reserved.end(), path) != reserved.end() || path == "/api" ||
        path.starts_with("/api/")) {
      throw config_error(
          key + ".path",
          quote(path) + " is reserved for HTTP (/, /api/*, /healthz, /readyz, /metrics)");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (cfg.endpoints[j].path == path) {
        throw config_error(key + ".path",
                           quote(path) + " duplicates endpoints[" + std::to_string(j) + "]");
      }
    }
    if (ep.allowed_origins) check_origins(key + ".allowed_origins", *ep.allowed_origins);
    if (!ep.websocket && !ep.sockjs) {
      throw config_error(key + ".websocket", "false leaves no transport; set sockjs: true on this endpoint");
    }
  }
}

void check_prefix(const std::string& key, const std::string& prefix) {
  if (!prefix.starts_with('/') || prefix.ends_with('/')) {
    throw config_error(key, "must start with '/' and not end with '/', got " + quote(prefix));
  }
}

// True when one prefix equals the other or contains it as whole segments,
// so a destination could be claimed by both.
bool overlaps(const std::string& a, const std::string& b) {
  return a == b || b.starts_with(a + "/") || a.starts_with(b + "/");
}

void check_destinations(const destinations& d) {
  const auto& brokers = d.broker_prefixes;
  for (std::size_t i = 0; i < brokers.size(); ++i) {
    std::string key = "destinations.broker_prefixes[" + std::to_string(i) + "]";
    check_prefix(key, brokers[i]);
    for (std::size_t j = 0; j < i; ++j) {
      if (overlaps(brokers[j], brokers[i])) {
        throw config_error(key, quote(brokers[i]) + " overlaps " + quote(brokers[j]));
      }
    }
  }
  check_prefix("destinations.app_prefix", d.app_prefix);
  check_prefix("destinations.user_prefix", d.user_prefix);
  for (const auto& [key, prefix] : {std::pair{"destinations.app_prefix", &d.app_prefix},
                                    std::pair{"destinations.user_prefix", &d.user_prefix}}) {
    for (const auto& broker : brokers) {
      if (overlaps(*prefix, broker)) {
        throw config_error(key, quote(*prefix) + " overlaps broker prefix " + quote(broker));
      }
    }
  }
  if (overlaps(d.app_prefix, d.user_prefix)) {
    throw config_error("destinations.user_prefix",
                       quote(d.user_prefix) + " overlaps app_prefix " + quote(d.app_prefix));
  }
  for (std::size_t i = 0; i < d.client_send.size(); ++i) {
    if (!d.client_send[i].starts_with('/')) {
      throw config_error("destinations.client_send[" + std::to_string(i) + "]",
                         "must start with '/', got " + quote(d.client_send[i]));
    }
  }
}

void check_auth(const auth& a) {
  if (a.mode == auth_mode::redis) {
    if (a.redis.key.find("{token}") == std::string::npos) {
      throw config_error("auth.redis.key", "must contain {token}, got " + quote(a.redis.key));
    }
    if (a.redis.recheck_ms != 0 && a.redis.recheck_ms < 1000) {
      throw config_error("auth.redis.recheck_ms", "must be 0 (never) or at least 1000, got " +
                                                      std::to_string(a.redis.recheck_ms));
    }
    return;
  }
  if (a.mode != auth_mode::jwt) return;
  if (a.jwt.secret.empty() == a.jwt.public_key_file.empty()) {
    throw config_error(
        "auth.jwt.secret",
        "auth.mode jwt needs exactly one of auth.jwt.secret and auth.jwt.public_key_file");
  }
  if (!a.jwt.public_key_file.empty()) {
    std::ifstream file(a.jwt.public_key_file);
    if (!file) {
      throw config_error("auth.jwt.public_key_file", "cannot read " + quote(a.jwt.public_key_file) +
                                                         ": " + std::strerror(errno));
    }
  }
  if (a.jwt.user_claim.empty())
    throw config_error("auth.jwt.user_claim", "must not be empty with auth.mode jwt");
}

void check_limits(const config& cfg) {
  // Driven by the key table so a new limits.* key is covered automatically.
  for (const auto& key : key_table()) {
    if (key.path.starts_with("limits.") && key.path != "limits.max_connections_per_user" &&
        key.get_text(cfg) == "0") {
      throw config_error(key.path, "must be greater than 0");
    }
  }
  auto frame = cfg.limits.max_frame_bytes;
  if (frame < 1024 || frame > 64u * 1024 * 1024) {
    throw config_error("limits.max_frame_bytes",
                       "must be 1024 to 67108864, got " + std::to_string(frame));
  }
}

void check_sockjs(const sockjs& s) {
  if (s.heartbeat_ms < 1000) {
    throw config_error("sockjs.heartbeat_ms", "must be at least 1000, got " + std::to_string(s.heartbeat_ms));
  }
  if (s.disconnect_delay_ms == 0) throw config_error("sockjs.disconnect_delay_ms", "must be greater than 0");
  if (s.streaming_bytes < 4096) {
    throw config_error("sockjs.streaming_bytes", "must be at least 4096, got " + std::to_string(s.streaming_bytes));
  }
  if (s.max_sessions == 0) throw config_error("sockjs.max_sessions", "must be greater than 0");
  // It is written into an HTML attribute: no quotes or angle brackets.
  bool url = (s.client_url.starts_with("https://") || s.client_url.starts_with("http://") ||
              s.client_url.starts_with("/")) &&
             s.client_url.find_first_of("\"'<> \t\r\n") == std::string::npos;
  if (!url) {
    throw config_error("sockjs.client_url",
                       "expected an http(s):// URL or an absolute path without quotes or spaces, got " +
                           quote(s.client_url));
  }
}

// amqp://[user[:password]@]host[:port][/vhost]. The reason only: the URL
// may carry a password, so it is never echoed.
void check_amqp_url(const std::string& key, const std::string& url) {
  if (url.starts_with("amqps://")) throw config_error(key, "amqps:// (TLS) is not supported yet; use amqp://");
  if (!url.starts_with("amqp://")) throw config_error(key, "expected amqp://user:password@host:port/vhost");
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    throw config_error(key, "must not contain spaces or control characters (percent-encode them)");
  }
  std::string_view rest = std::string_view(url).substr(7);
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority, port;
  const auto colon = authority.starts_with('[') ? authority.find(':', authority.find(']')) : authority.find(':');
  if (colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (!is_port(port, 1)) throw config_error(key, "the port must be a number from 1 to 65535");
  }
  if (!is_host(host)) throw config_error(key, "expected a host name or address after amqp://");
}

void check_amqp_broker(const config& cfg) {
  const auto& a = cfg.broker.amqp;
  if (cfg.broker.type == broker_type::amqp) check_amqp_url("broker.amqp.url", a.url);
  // RabbitMQ's rule for names; "amq." ones are the broker's own and
  // declaring one is refused.
  const bool name_ok = !a.exchange.empty() && a.exchange.size() <= 255 &&
                       std::all_of(a.exchange.begin(), a.exchange.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == ':';
                       });
  if (!name_ok) {
    throw config_error("broker.amqp.exchange",
                       "expected 1 to 255 letters, digits, '-', '_', '.' or ':', got " + quote(a.exchange));
  }
  if (a.exchange.starts_with("amq.")) {
    throw config_error("broker.amqp.exchange", "names starting with \"amq.\" are reserved by RabbitMQ, got " +
                                                   quote(a.exchange));
  }
  if (a.buffer_messages == 0) throw config_error("broker.amqp.buffer_messages", "must be greater than 0");
  if (a.reconnect_max_ms < 100) {
    throw config_error("broker.amqp.reconnect_max_ms",
                       "must be at least 100, got " + std::to_string(a.reconnect_max_ms));
  }
}

void check_broker(const config& cfg) {
  const auto& r = cfg.broker.redis;
  if (cfg.broker.type == broker_type::redis || cfg.auth.mode == auth_mode::redis) {
    std::string why;
    auto a = ::herald::redis::parse_url(r.url, &why);
    // The URL may carry a password: never echo it.
    if (!a) throw config_error("broker.redis.url", why);
    if (a->tls) throw config_error("broker.redis.url", "rediss:// (TLS) is not supported yet; use redis://");
    for (const auto& seed : r.cluster_nodes) {
      if (!::herald::redis::parse_host_port(seed, &why)) {
        throw config_error("broker.redis.cluster_nodes", why + ", got " + quote(seed));
      }
    }
  }
  if (r.prefix.empty() || r.prefix.find_first_of(" \t\r\n*?[]") != std::string::npos) {
    throw config_error("broker.redis.prefix", "must be non-empty without spaces or glob characters, got " +
                                                  quote(r.prefix));
  }
  if (r.buffer_messages == 0) throw config_error("broker.redis.buffer_messages", "must be greater than 0");
  if (r.connect_timeout_ms == 0) throw config_error("broker.redis.connect_timeout_ms", "must be greater than 0");
  if (r.reconnect_max_ms < 100) {
    throw config_error("broker.redis.reconnect_max_ms", "must be at least 100, got " + std::to_string(r.reconnect_max_ms));
  }
  if (cfg.cluster.heartbeat_ms < 100) {
    throw config_error("cluster.heartbeat_ms", "must be at least 100, got " + std::to_string(cfg.cluster.heartbeat_ms));
  }
  if (cfg.cluster.node_ttl_ms < 2ull * cfg.cluster.heartbeat_ms) {
    throw config_error("cluster.node_ttl_ms", "must be at least twice cluster.heartbeat_ms, got " +
                                                  std::to_string(cfg.cluster.node_ttl_ms));
  }
  if (const auto& t = cfg.cluster.presence_topic; !t.empty()) {
    bool under = false;
    for (const auto& p : cfg.destinations.broker_prefixes) under = under || (t.starts_with(p + "/") && t.size() > p.size() + 1);
    if (!under) {
      throw config_error("cluster.presence_topic", "must be a topic under one of destinations.broker_prefixes, got " +
                                                       quote(t));
    }
  }
  // It names Redis keys and appears in URLs of the API.
  for (char c : cfg.node.id) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f' || c == '/' || c == '*' || c == '?' || c == '[' || c == ']') {
      throw config_error("node.id", "must not contain spaces, control characters, '/' or glob characters, got " +
                                        quote(cfg.node.id));
    }
  }
}

std::string default_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "herald");
  return std::string(host) + "-" + std::to_string(getpid());
}

}  // namespace

void validate(config& cfg) {
  check_listen(cfg.listen);
  if (cfg.threads > 64)
    throw config_error("threads", "must be at most 64, got " + std::to_string(cfg.threads));
  constexpr std::array<std::string_view, 6> levels{"trace", "debug", "info",
                                                   "warn",  "error", "off"};
  if (std::find(levels.begin(), levels.end(), cfg.log_level) == levels.end()) {
    throw config_error("log.level", "expected one of trace|debug|info|warn|error|off, got " +
                                        quote(cfg.log_level));
  }
  check_origins("allowed_origins", cfg.allowed_origins);
  check_endpoints(cfg);
  check_destinations(cfg.destinations);
  check_auth(cfg.auth);
  if (!cfg.app.webhook.empty() &&
      (!cfg.app.webhook.starts_with("http://") || cfg.app.webhook.size() == 7)) {
    throw config_error("app.webhook",
                       "expected empty or an http:// URL, got " + quote(cfg.app.webhook));
  }
  if (cfg.app.webhook_timeout_ms == 0)
    throw config_error("app.webhook_timeout_ms", "must be greater than 0");
  if (cfg.app.max_in_flight_per_session == 0)
    throw config_error("app.max_in_flight_per_session", "must be greater than 0");
  if (cfg.app.max_connections_per_thread == 0)
    throw config_error("app.max_connections_per_thread", "must be greater than 0");
  if (cfg.api.max_body_bytes == 0)
    throw config_error("api.max_body_bytes", "must be greater than 0");
  check_limits(cfg);
  check_sockjs(cfg.sockjs);
  check_broker(cfg);
  check_amqp_broker(cfg);
  detail::check_sources(cfg);
  if (!cfg.static_dir.empty() && !std::filesystem::is_directory(cfg.static_dir)) {
    throw config_error("static_dir", "not a directory: " + quote(cfg.static_dir));
  }
  // Written as a negation so NaN fails too.
  if (!(cfg.heartbeat.grace >= 1.0)) {
    throw config_error("heartbeat.grace",
                       "must be at least 1.0, got " + text::format_double(cfg.heartbeat.grace));
  }
  if (cfg.node.id.empty()) cfg.node.id = default_node_id();
}

}  // namespace herald::config

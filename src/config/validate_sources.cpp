// Cross-field rules of `sources:` (shapes and types are read by
// sources_yaml.cpp). Names default to "<type>-<index>".
#include <cctype>
#include <regex>
#include <set>

#include "config/load.hpp"
#include "config/sources_yaml.hpp"
#include "config/text.hpp"
#include "redis/address.hpp"

namespace herald::config::detail {
namespace {

using text::quote;

const char* type_name(source_type t) { return t == source_type::amqp ? "amqp" : "redis_key_expiry"; }

bool under_prefix(const std::string& d, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    if (d.starts_with(p + "/") && d.size() > p.size() + 1) return true;
  }
  return false;
}

void check_pointer(const std::string& key, const std::string& ptr) {
  if (!ptr.empty() && ptr[0] != '/') throw config_error(key, "expected a JSON pointer such as /mobile, got " + quote(ptr));
}

void check_map(const std::string& at, const source& s, const config& cfg) {
  const auto& m = s.map;
  if (m.user_destination.empty() && m.topic.empty()) {
    throw config_error(at + ".map", "needs user_destination, topic or both");
  }
  if (!m.user_destination.empty() && (m.user_destination[0] != '/' || m.user_destination.size() < 2)) {
    throw config_error(at + ".map.user_destination", "expected a path such as /userOnlineStatus, got " +
                                                         quote(m.user_destination));
  }
  if (!m.topic.empty() && !under_prefix(m.topic, cfg.destinations.broker_prefixes)) {
    throw config_error(at + ".map.topic", "must be under one of destinations.broker_prefixes, got " + quote(m.topic));
  }
  check_pointer(at + ".map.user", m.user);
  check_pointer(at + ".map.body", m.body);
  if (s.type == source_type::amqp && !m.user_destination.empty() && m.user.empty()) {
    throw config_error(at + ".map.user", "needed with map.user_destination: a JSON pointer to the user id");
  }
  if (s.type == source_type::redis_key_expiry && (!m.user.empty() || !m.body.empty())) {
    throw config_error(at + ".map", "a redis_key_expiry source takes the user from the key and the body from "
                                    "`notice`: map.user and map.body do not apply");
  }
  for (const auto& [name, value] : m.headers) {
    if (name.empty() || name.find_first_of(":\r\n") != std::string::npos || value.find_first_of("\r\n") != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      throw config_error(at + ".map.headers", "header names need no ':' and neither names nor values line breaks, got " +
                                                  quote(name));
    }
  }
}

void check_amqp(const std::string& at, const amqp_source& a, const std::string& url) {
  if (!url.starts_with("amqp://")) {
    // The URL may carry a password: never echo it.
    throw config_error(at + ".url", "expected amqp://user:password@host:port/vhost (amqps:// is not supported)");
  }
  if (a.exchange.empty()) throw config_error(at + ".exchange", "missing: the exchange to consume");
  if (a.mode == amqp_mode::group && a.queue.empty()) {
    throw config_error(at + ".queue", "missing: group mode needs the name of the durable queue the nodes share");
  }
  if (a.mode == amqp_mode::fanout && !a.queue.empty()) {
    throw config_error(at + ".queue", "only for mode: group (fanout queues are per node and named by herald)");
  }
  if (a.prefetch == 0 || a.prefetch > 65535) throw config_error(at + ".prefetch", "must be 1..65535");
  if (a.reconnect_max_ms < 100) throw config_error(at + ".reconnect_max_ms", "must be at least 100");
}

void check_expiry(const std::string& at, const source& s) {
  const auto& e = s.expiry;
  std::string why;
  auto a = ::herald::redis::parse_url(s.url, &why);
  // The URL may carry a password: never echo it.
  if (!a) throw config_error(at + ".url", why);
  if (a->tls) throw config_error(at + ".url", "rediss:// (TLS) is not supported yet; use redis://");
  for (const auto& seed : e.cluster_nodes) {
    if (!::herald::redis::parse_host_port(seed, &why)) throw config_error(at + ".cluster_nodes", why + ", got " + quote(seed));
  }
  if (!e.cluster_nodes.empty() && a->db != 0) {
    throw config_error(at + ".url", "a Redis Cluster has only db 0; the url gives the credentials");
  }
  if (e.key_prefix.empty() && e.key_pattern.empty()) {
    throw config_error(at + ".key_prefix", "missing: the prefix of the watched keys (or key_pattern)");
  }
  if (!e.key_pattern.empty()) {
    try {
      if (std::regex(e.key_pattern).mark_count() < 1) {
        throw config_error(at + ".key_pattern", "needs a capture group for the user, got " + quote(e.key_pattern));
      }
    } catch (const std::regex_error& x) {
      throw config_error(at + ".key_pattern", std::string("not a valid regular expression: ") + x.what());
    }
  }
  if (e.sweep_ms == 0) throw config_error(at + ".sweep_ms", "must be greater than 0");
  if (e.scan_ms == 0) throw config_error(at + ".scan_ms", "must be greater than 0");
  if (e.lock_ttl_ms == 0) throw config_error(at + ".lock_ttl_ms", "must be greater than 0");
  if (e.lock_prefix.empty()) throw config_error(at + ".lock_prefix", "must not be empty");
  if (e.notice.empty()) throw config_error(at + ".notice", "must not be empty");
}

}  // namespace

void check_sources(config& cfg) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
    auto& s = cfg.sources[i];
    const std::string at = "sources[" + std::to_string(i) + "]";
    if (s.name.empty()) s.name = std::string(type_name(s.type)) + "-" + std::to_string(i);
    for (char c : s.name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        throw config_error(at + ".name", "letters, digits, '-', '_' and '.' only, got " + quote(s.name));
      }
    }
    if (!names.insert(s.name).second) throw config_error(at + ".name", "duplicates another source's name " + quote(s.name));
    check_map(at, s, cfg);
    if (s.type == source_type::amqp) {
      check_amqp(at, s.amqp, s.url);
    } else {
      check_expiry(at, s);
    }
  }
}

}  // namespace herald::config::detail

// `sources:` — a sequence of event sources, each a mapping whose keys
// depend on its type. Read from the YAML file or, as YAML text, from
// HERALD_SOURCES; every unknown key or bad value names its full path
// (sources[1].exchange). Cross-field rules live in validate.cpp.
#include "config/sources_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>

#include "config/load.hpp"
#include "config/text.hpp"

namespace herald::config::detail {
namespace {

class source_reader {
 public:
  explicit source_reader(std::string origin)
      : origin_(std::move(origin)), amqp_fields_(amqp_fields()), expiry_fields_(expiry_fields()) {}

  std::vector<source> list(const YAML::Node& node) {
    std::vector<source> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) fail(node, "sources", "expected a sequence of sources ({type: amqp|redis_key_expiry, ...})");
    for (std::size_t i = 0; i < node.size(); ++i) out.push_back(one(node[i], "sources[" + std::to_string(i) + "]"));
    return out;
  }

 private:
  using field_fn = std::function<void(source&, const YAML::Node&, const std::string&)>;

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& problem) const {
    std::string where = origin_;
    if (!at.Mark().is_null()) {
      const std::string line = std::to_string(at.Mark().line + 1);
      where = origin_.empty() ? "line " + line : origin_ + ":" + line;
    }
    throw config_error(key, problem, where);
  }

  std::string scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a single value");
    return n.Scalar();
  }

  std::uint32_t number(const YAML::Node& n, const std::string& key) const {
    try {
      return text::parse_u32(key, scalar(n, key));
    } catch (const config_error& e) {
      fail(n, key, e.problem);
    }
  }

  bool boolean(const YAML::Node& n, const std::string& key) const {
    const auto v = scalar(n, key);
    if (v == "true") return true;
    if (v == "false") return false;
    fail(n, key, "expected true or false, got " + text::quote(v));
  }

  template <class T>
  T word(const YAML::Node& n, const std::string& key, const std::vector<std::pair<const char*, T>>& words) const {
    const auto v = scalar(n, key);
    std::string all;
    for (const auto& [w, value] : words) {
      if (v == w) return value;
      all += (all.empty() ? "" : "|") + std::string(w);
    }
    fail(n, key, "expected one of " + all + ", got " + text::quote(v));
  }

  std::vector<std::string> strings(const YAML::Node& n, const std::string& key) const {
    std::vector<std::string> out;
    if (!n.IsSequence()) fail(n, key, "expected a sequence of strings");
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(scalar(n[i], key + "[" + std::to_string(i) + "]"));
    return out;
  }

  void map(source_map& m, const YAML::Node& n, const std::string& at) const {
    if (!n.IsMap()) fail(n, at, "expected a mapping of {user, body, user_destination, topic, headers}");
    for (const auto& f : n) {
      const std::string name = f.first.Scalar(), key = at + "." + name;
      if (name == "user") {
        m.user = scalar(f.second, key);
      } else if (name == "body") {
        m.body = scalar(f.second, key);
      } else if (name == "user_destination") {
        m.user_destination = scalar(f.second, key);
      } else if (name == "topic") {
        m.topic = scalar(f.second, key);
      } else if (name == "headers") {
        if (!f.second.IsMap()) fail(f.second, key, "expected a mapping of header names to values");
        for (const auto& h : f.second) m.headers.emplace_back(h.first.Scalar(), scalar(h.second, key + "." + h.first.Scalar()));
      } else {
        fail(f.first, key, "unknown key");
      }
    }
  }

  // The keys of each type, besides type, name, url and map.
  std::map<std::string, field_fn> amqp_fields() const {
    return {
        {"exchange", [this](source& s, const YAML::Node& n, const std::string& k) { s.amqp.exchange = scalar(n, k); }},
        {"routing_key", [this](source& s, const YAML::Node& n, const std::string& k) { s.amqp.routing_key = scalar(n, k); }},
        {"mode", [this](source& s, const YAML::Node& n, const std::string& k) {
           s.amqp.mode = word<amqp_mode>(n, k, {{"fanout", amqp_mode::fanout}, {"group", amqp_mode::group}});
         }},
        {"queue", [this](source& s, const YAML::Node& n, const std::string& k) { s.amqp.queue = scalar(n, k); }},
        {"prefetch", [this](source& s, const YAML::Node& n, const std::string& k) { s.amqp.prefetch = number(n, k); }},
        {"dead_letter_exchange",
         [this](source& s, const YAML::Node& n, const std::string& k) { s.amqp.dead_letter_exchange = scalar(n, k); }},
        {"reconnect_max_ms",
         [this](source& s, const YAML::Node& n, const std::string& k) { s.amqp.reconnect_max_ms = number(n, k); }},
    };
  }

  std::map<std::string, field_fn> expiry_fields() const {
    return {
        {"key_prefix", [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.key_prefix = scalar(n, k); }},
        {"key_pattern", [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.key_pattern = scalar(n, k); }},
        {"cluster_nodes",
         [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.cluster_nodes = strings(n, k); }},
        {"tracking", [this](source& s, const YAML::Node& n, const std::string& k) {
           s.expiry.tracking =
               word<expiry_tracking>(n, k, {{"events", expiry_tracking::events}, {"sweep", expiry_tracking::sweep}});
         }},
        {"sweep_ms", [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.sweep_ms = number(n, k); }},
        {"scan_ms", [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.scan_ms = number(n, k); }},
        {"lock_prefix", [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.lock_prefix = scalar(n, k); }},
        {"lock_ttl_ms", [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.lock_ttl_ms = number(n, k); }},
        {"configure_events",
         [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.configure_events = boolean(n, k); }},
        {"notice", [this](source& s, const YAML::Node& n, const std::string& k) { s.expiry.notice = scalar(n, k); }},
        {"close_sessions", [this](source& s, const YAML::Node& n, const std::string& k) {
           s.expiry.close_sessions = word<expiry_close>(
               n, k, {{"none", expiry_close::none}, {"user", expiry_close::user}});
         }},
    };
  }

  source one(const YAML::Node& n, const std::string& at) const {
    if (!n.IsMap()) fail(n, at, "expected a mapping");
    const YAML::Node type = n["type"];
    if (!type) fail(n, at + ".type", "missing (amqp or redis_key_expiry)");
    source s;
    s.type = word<source_type>(type, at + ".type",
                               {{"amqp", source_type::amqp}, {"redis_key_expiry", source_type::redis_key_expiry}});
    const auto& typed = s.type == source_type::amqp ? amqp_fields_ : expiry_fields_;
    for (const auto& f : n) {
      const std::string name = f.first.IsScalar() ? f.first.Scalar() : "?", key = at + "." + name;
      if (name == "type") continue;
      if (name == "name") {
        s.name = scalar(f.second, key);
      } else if (name == "url") {
        s.url = scalar(f.second, key);
      } else if (name == "map") {
        map(s.map, f.second, key);
      } else if (auto it = typed.find(name); it != typed.end()) {
        it->second(s, f.second, key);
      } else {
        fail(f.first, key, "unknown key for a source of type " + type.Scalar());
      }
    }
    return s;
  }

  std::string origin_;
  std::map<std::string, field_fn> amqp_fields_, expiry_fields_;
};

}  // namespace

std::vector<source> sources_from_yaml(const YAML::Node& node, const std::string& origin) {
  return source_reader(origin).list(node);
}

std::vector<source> sources_from_text(std::string_view yaml, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw config_error("sources", "YAML syntax error: " + e.msg, origin);
  }
  return sources_from_yaml(root, origin);
}

}  // namespace herald::config::detail

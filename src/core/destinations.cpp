#include "core/destinations.hpp"

namespace herald::core {

destination_rules::destination_rules(const config::destinations& cfg)
    : broker_prefixes_(cfg.broker_prefixes),
      app_prefix_(cfg.app_prefix),
      user_prefix_(cfg.user_prefix),
      send_rules_(cfg.client_send) {}

bool destination_rules::well_formed(std::string_view d) {
  if (d.size() < 2 || d.front() != '/' || d.back() == '/') return false;
  std::size_t seg_start = 1;
  for (std::size_t i = 1; i <= d.size(); ++i) {
    if (i == d.size() || d[i] == '/') {
      auto seg = d.substr(seg_start, i - seg_start);
      if (seg.empty() || seg == "." || seg == "..") return false;
      seg_start = i + 1;
    } else if (static_cast<unsigned char>(d[i]) < 0x20 || d[i] == 0x7f) {
      return false;
    }
  }
  return true;
}

bool destination_rules::has_prefix(std::string_view dest, std::string_view prefix) {
  return dest.size() > prefix.size() && dest.substr(0, prefix.size()) == prefix && dest[prefix.size()] == '/';
}

bool destination_rules::is_broker(std::string_view dest) const {
  for (const auto& p : broker_prefixes_) {
    if (has_prefix(dest, p)) return true;
  }
  return false;
}

classified destination_rules::classify(std::string_view dest) const {
  classified c;
  if (!well_formed(dest)) return c;
  if (has_prefix(dest, app_prefix_)) {
    c.kind = dest_kind::app;
    c.relative = std::string(dest.substr(app_prefix_.size()));
    return c;
  }
  if (has_prefix(dest, user_prefix_)) {
    auto rest = dest.substr(user_prefix_.size());  // "/u/x" or "/queue/x"
    c.kind = dest_kind::user;
    if (is_broker(rest)) {
      c.relative = std::string(rest);
      return c;
    }
    auto slash = rest.find('/', 1);
    if (slash == std::string_view::npos) {
      // One segment ("/user/userOnlineStatus") cannot name a user and a
      // destination: the principal form of "/userOnlineStatus".
      c.relative = std::string(rest);
      return c;
    }
    c.user = std::string(rest.substr(1, slash - 1));
    c.relative = std::string(rest.substr(slash));
    return c;
  }
  if (is_broker(dest)) {
    c.kind = dest_kind::broker;
    c.relative = std::string(dest);
  }
  return c;
}

subscribe_target destination_rules::subscribe(std::string_view dest, std::string_view principal) const {
  subscribe_target t;
  if (!well_formed(dest)) return t;
  if (has_prefix(dest, user_prefix_)) {
    auto rest = dest.substr(user_prefix_.size());
    // The explicit form wins when the first segment is the caller itself, so
    // a principal that happens to equal a prefix name still works.
    auto slash = rest.find('/', 1);
    if (slash != std::string_view::npos && rest.substr(1, slash - 1) == principal) {
      t.verdict = subscribe_verdict::user;
      t.key = std::string(rest.substr(slash));
      return t;
    }
    // Under a broker prefix ("/user/queue/x"), or a single segment
    // ("/user/userOnlineStatus", which cannot be the explicit form): the
    // principal form, the caller's own destination "rest".
    if (slash == std::string_view::npos || is_broker(rest)) {
      t.verdict = subscribe_verdict::user;
      t.key = std::string(rest);
      return t;
    }
    t.verdict = subscribe_verdict::refused_other_user;
    return t;
  }
  if (is_broker(dest)) {
    t.verdict = subscribe_verdict::topic;
    t.key = std::string(dest);
  }
  return t;
}

bool destination_rules::client_may_send(std::string_view dest) const {
  for (const auto& rule : send_rules_) {
    if (glob_match(rule, dest)) return true;
  }
  return false;
}

bool glob_match(std::string_view p, std::string_view t) {
  while (!p.empty()) {
    if (p.substr(0, 2) == "**") {
      // '**' consumes any rest, '/' included; what follows must still match.
      auto rest = p.substr(2);
      for (std::size_t i = 0; i <= t.size(); ++i) {
        if (glob_match(rest, t.substr(i))) return true;
      }
      return false;
    }
    if (p.front() == '*') {
      p.remove_prefix(1);
      // '*' consumes one segment's worth of characters, then the pattern
      // must continue matching from some point within that segment.
      for (std::size_t i = 0;; ++i) {
        if (glob_match(p, t.substr(i))) return true;
        if (i >= t.size() || t[i] == '/') return false;
      }
    }
    if (t.empty() || p.front() != t.front()) return false;
    p.remove_prefix(1);
    t.remove_prefix(1);
  }
  return t.empty();
}

}  // namespace herald::core

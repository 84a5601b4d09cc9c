// Destination rules: Spring's simple-broker semantics made safe. Built once
// from config; immutable, so every worker shares one instance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace herald::core {

enum class dest_kind { broker, user, app, invalid };

struct classified {
  dest_kind kind = dest_kind::invalid;
  // user destinations: the target principal (explicit form) or empty
  // (principal form: "/user/queue/x" under a broker prefix, or a single
  // segment "/user/x"), and the destination relative to the user
  // ("/queue/x", "/x").
  std::string user;
  std::string relative;
};

enum class subscribe_verdict { topic, user, refused_other_user, refused_invalid };

struct subscribe_target {
  subscribe_verdict verdict = subscribe_verdict::refused_invalid;
  std::string key;  // topic: the destination; user: the relative destination
};

class destination_rules {
 public:
  explicit destination_rules(const config::destinations& cfg);

  // A path is well formed when it starts with '/', has no empty or dot
  // segments and no control characters: it reaches the hub as a map key.
  static bool well_formed(std::string_view dest);

  classified classify(std::string_view dest) const;
  bool is_broker(std::string_view dest) const;

  // "/user/<me>/x" → user sub "/x" (explicit form, only for <me>);
  // "/user/queue/x" (a broker prefix after /user) → user sub "/queue/x";
  // "/user/x" (one segment: it cannot name a user too) → user sub "/x";
  // "/user/<other>/x" → refused; broker destinations → topic subscription.
  subscribe_target subscribe(std::string_view dest, std::string_view principal) const;

  // Client SENDs straight to broker (or user) destinations need a rule.
  bool client_may_send(std::string_view dest) const;

  const std::string& app_prefix() const { return app_prefix_; }
  const std::string& user_prefix() const { return user_prefix_; }

 private:
  static bool has_prefix(std::string_view dest, std::string_view prefix);

  std::vector<std::string> broker_prefixes_;
  std::string app_prefix_;
  std::string user_prefix_;
  std::vector<std::string> send_rules_;
};

// '*' matches one path segment (no '/'), '**' matches the rest (anything).
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace herald::core

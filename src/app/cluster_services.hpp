// The node's answers to what a CONNECT asks beyond its worker
// (session::connect_services): Redis token lookups (auth.mode redis) and
// the user's sessions on other nodes (cluster-wide per-user limit).
// Thread-safe; `done` runs on the backplane's thread or at once — the
// workers wrap this to bring it home (net/posting_services.hpp).
#pragma once

#include <memory>

#include "backplane/redis_auth.hpp"
#include "config/config.hpp"
#include "core/directory.hpp"
#include "session/connect_services.hpp"

namespace herald::app {

class cluster_services final : public session::connect_services {
 public:
  // auth: null unless auth.mode is redis.
  cluster_services(const config::config& cfg, backplane::redis_auth* auth, core::directory& dir)
      : cfg_(cfg), auth_(auth), dir_(dir) {}

  bool authenticates() const override { return auth_ != nullptr; }
  void authenticate(const auth::credentials& c, std::function<void(auth::auth_result, std::string)> done) override {
    auth_->lookup(c, std::move(done));
  }
  std::chrono::milliseconds recheck_every() const override {
    return std::chrono::milliseconds(cfg_.auth.redis.recheck_ms);
  }
  void still_valid(const std::string& token, std::function<void(bool)> done) override {
    auth_->exists(token, [done = std::move(done)](std::optional<bool> present) { done(present.value_or(true)); });
  }
  bool limits_cluster_wide() const override {
    return cfg_.broker.type == config::broker_type::redis && cfg_.limits.max_connections_per_user != 0;
  }
  void sessions_elsewhere(const std::string& user, std::function<void(std::optional<std::uint32_t>)> done) override {
    dir_.presence(user, [self = cfg_.node.id, done = std::move(done)](std::optional<core::user_presence> p) {
      if (!p) return done(std::nullopt);
      std::uint32_t n = 0;
      for (const auto& [node, count] : p->nodes) {
        if (node != self) n += count;
      }
      done(n);
    });
  }

 private:
  const config::config& cfg_;
  backplane::redis_auth* auth_;
  core::directory& dir_;
};

}  // namespace herald::app

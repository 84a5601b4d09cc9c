// Redis key expiry → "session expired" notices. Watches the db's
// `__keyevent@<db>__:expired` channel; an expired key under key_prefix
// names a user, and exactly one node of the cluster — the one whose
// `SET <lock_prefix><key> <node> NX PX lock_ttl_ms` succeeds — publishes
// the notice (and closes the user's sessions when configured).
//
// Keyspace events are fire-and-forget: an expiry while no node listens is
// lost. tracking: sweep closes that gap: watched keys found by a periodic
// SCAN are kept in the sorted set <lock_prefix>!tracked by expiry time,
// and a sweeper (one node at a time, under its own lock) looks at the
// entries past their time and notifies those whose key is gone — under the
// same per-key lock, so an expiry is notified once whichever path sees it.
//
// Runs on a loop thread of its own; the sink is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "config/config.hpp"
#include "sources/source.hpp"

namespace herald::sources {

class redis_expiry final : public source {
 public:
  redis_expiry(const config::source& cfg, sink& out);
  ~redis_expiry() override;

  void start() override;
  void stop() override;
  const std::string& name() const override;
  const char* type() const override { return "redis_key_expiry"; }
  const source_stats& stats() const override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald::sources

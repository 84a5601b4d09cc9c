// Node-wide session registry: who is connected, how many sessions each user
// holds, for the per-user connection limit and presence queries. Touched at
// CONNECT and at close, never per message; a mutex is fine here.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace herald::core {

class registry {
 public:
  // false when the user already holds `limit` sessions (0 = unlimited).
  bool try_add(const std::string& user, std::uint32_t limit);
  void remove(const std::string& user);
  std::uint32_t sessions_of(const std::string& user) const;
  std::size_t users() const;
  std::size_t sessions() const;

  // Every user with their session count.
  std::vector<std::pair<std::string, std::uint32_t>> snapshot() const;
  // Change tracking for a directory that mirrors the registry elsewhere
  // (Redis): off by default so a single node keeps no log. on_change runs
  // after each change, outside the lock, on the changing thread; set before
  // any session exists.
  void track_changes(std::function<void()> on_change) {
    tracking_ = true;
    on_change_ = std::move(on_change);
  }
  // Users whose count changed since the last call, with the count now
  // (0: gone).
  std::vector<std::pair<std::string, std::uint32_t>> take_changes();

 private:
  void changed(const std::string& user);

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::uint32_t> per_user_;
  std::unordered_set<std::string> changed_;
  std::size_t sessions_ = 0;
  bool tracking_ = false;
  std::function<void()> on_change_;
};

}  // namespace herald::core

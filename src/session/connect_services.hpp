// What a CONNECT may have to ask outside the worker: an asynchronous
// authenticator (auth.mode redis looks tokens up in Redis), periodic
// re-validation of the session's token, and the user's sessions on other
// nodes for a cluster-wide per-user limit. Implemented by net, which runs
// the lookups on the backplane and brings `done` back to the session's
// worker thread — so `done` always runs on the caller's thread, possibly
// after the session ended (the session guards for that).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "auth/authenticator.hpp"

namespace herald::session {

class connect_services {
 public:
  virtual ~connect_services() = default;

  // true: CONNECT authenticates through authenticate(), not env.auth.
  virtual bool authenticates() const = 0;
  // token: what to re-validate later ("" = nothing).
  virtual void authenticate(const auth::credentials& c,
                            std::function<void(auth::auth_result r, std::string token)> done) = 0;
  // 0: never re-validate.
  virtual std::chrono::milliseconds recheck_every() const = 0;
  // false only when the token is known to be gone; an unreachable Redis
  // keeps sessions open.
  virtual void still_valid(const std::string& token, std::function<void(bool)> done) = 0;

  // true: limits.max_connections_per_user counts the whole cluster.
  virtual bool limits_cluster_wide() const = 0;
  // nullopt: unknown (directory unreachable); the session is admitted on
  // the local count alone.
  virtual void sessions_elsewhere(const std::string& user, std::function<void(std::optional<std::uint32_t>)> done) = 0;
};

}  // namespace herald::session

// auth.mode = none, for development: everyone is let in. The principal is
// the CONNECT login when given, so two browser tabs can play two users;
// otherwise a fresh random "anonymous-<12 hex>" so anonymous clients never
// share a /user queue.
//
// Threads: stateless; authenticate() is safe from any thread.
#pragma once

#include "auth/authenticator.hpp"

namespace herald::auth {

class none_authenticator final : public authenticator {
 public:
  auth_result authenticate(const credentials& creds) const override;
  std::string_view name() const override { return "none"; }
};

}  // namespace herald::auth

// auth.mode = jwt: a signed JSON Web Token (HS256 secret, or RS256 / ES256
// public key) names the principal. Exactly one algorithm is accepted per
// configuration, decided at construction from the configured key; tokens
// whose header says anything else are refused before any signature check.
//
// Threads: immutable after construction; authenticate() and verify() are
// safe to call concurrently (each call decodes into its own libjwt object).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/authenticator.hpp"
#include "auth/public_key.hpp"
#include "config/config.hpp"

namespace herald::auth {

class jwt_authenticator final : public authenticator {
 public:
  // Throws std::runtime_error naming the offending auth.jwt.* key.
  explicit jwt_authenticator(const config::jwt& cfg);

  auth_result authenticate(const credentials& creds) const override;
  std::string_view name() const override { return "jwt"; }

  // The checks on one token, at time `now` (tests pin the clock).
  auth_result verify(std::string_view token, std::chrono::system_clock::time_point now) const;

 private:
  detail::jwt_algorithm alg_;
  std::string key_;  // HS256: the secret bytes; RS256/ES256: the PEM public key
  std::string user_claim_;
  std::string issuer_;
  std::string audience_;
};

}  // namespace herald::auth

// make_authenticator: auth.mode → implementation.
#include "auth/authenticator.hpp"

#include <stdexcept>

#include "auth/jwt_authenticator.hpp"
#include "auth/none_authenticator.hpp"

namespace herald::auth {

std::unique_ptr<authenticator> make_authenticator(const config::auth& cfg) {
  switch (cfg.mode) {
    case config::auth_mode::none: return std::make_unique<none_authenticator>();
    case config::auth_mode::jwt: return std::make_unique<jwt_authenticator>(cfg.jwt);
  }
  throw std::runtime_error("auth.mode: unknown mode");
}

}  // namespace herald::auth

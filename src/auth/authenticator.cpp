// make_authenticator: auth.mode → implementation.
#include "auth/authenticator.hpp"

#include <stdexcept>

#include "auth/jwt_authenticator.hpp"
#include "auth/none_authenticator.hpp"

namespace herald::auth {
namespace {

// auth.mode redis decides asynchronously (session::connect_services); a
// session that reaches this synchronous path is refused, never admitted.
class deferred_authenticator final : public authenticator {
 public:
  auth_result authenticate(const credentials&) const override {
    auth_result r;
    r.error = "authentication service unavailable";
    return r;
  }
  std::string_view name() const override { return "redis"; }
};

}  // namespace

std::unique_ptr<authenticator> make_authenticator(const config::auth& cfg) {
  switch (cfg.mode) {
    case config::auth_mode::none: return std::make_unique<none_authenticator>();
    case config::auth_mode::jwt: return std::make_unique<jwt_authenticator>(cfg.jwt);
    case config::auth_mode::redis: return std::make_unique<deferred_authenticator>();
  }
  throw std::runtime_error("auth.mode: unknown mode");
}

}  // namespace herald::auth

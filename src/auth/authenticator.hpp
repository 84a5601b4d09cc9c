// Who is connecting: the authenticator interface the session calls on STOMP
// CONNECT, its factory, and the helpers that pull a token out of what the
// client sent (CONNECT headers, the WebSocket URL, the Cookie header).
//
// Threads: authenticators are immutable after construction; authenticate()
// may be called concurrently from any worker thread. The free functions are
// pure. Nothing here names libjwt: that stays inside jwt_authenticator.cpp.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace herald::auth {

// Everything a client can present, gathered by the transport + STOMP CONNECT.
// The `{}` initialisers let callers use designated initialisers for a subset
// of fields without -Wmissing-field-initializers.
struct credentials {
  std::string authorization{};  // CONNECT "Authorization" value: "Bearer x" or a bare token
  std::string login{};          // CONNECT login
  std::string passcode{};       // CONNECT passcode
  std::string query_token{};    // WebSocket URL query parameter (auth.query_param)
  std::string cookie_token{};   // the configured cookie (auth.cookie)
};

struct identity {
  std::string user;  // the principal
  // Token exp; the session enforces it after CONNECT. Absent: never expires.
  std::optional<std::chrono::system_clock::time_point> expires;
};

struct auth_result {
  bool ok = false;
  identity who;
  // Client-facing reason when !ok ("token expired", "missing token", ...):
  // short, and never echoes attacker-controlled bytes.
  std::string error;
};

class authenticator {
 public:
  virtual ~authenticator() = default;
  virtual auth_result authenticate(const credentials& creds) const = 0;
  virtual std::string_view name() const = 0;  // "none", "jwt"
};

// Throws std::runtime_error naming the config key on bad config, e.g.
// "auth.jwt.public_key_file: cannot read /x: No such file or directory".
std::unique_ptr<authenticator> make_authenticator(const config::auth& cfg);

// The token a client presented, by precedence: authorization, passcode,
// query_token, cookie_token. Each is trimmed and loses a case-insensitive
// "Bearer " prefix; a source that ends up empty falls through. "" = none.
std::string pick_token(const credentials& creds);

}  // namespace herald::auth

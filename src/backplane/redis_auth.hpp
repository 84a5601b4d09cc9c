// auth.mode redis: a CONNECT's token is looked up in Redis under a key
// template ("login:token:{token}"), whose value is the user id or a JSON
// object with a configured field — the session store many web backends
// already keep. Lookups run on the backplane loop; `done` runs there too.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/authenticator.hpp"
#include "backplane/loop.hpp"
#include "config/config.hpp"
#include "redis/links.hpp"
#include "redis/make_links.hpp"

namespace herald::backplane {

class redis_auth {
 public:
  redis_auth(loop& l, const redis::topology& where, redis::link_options link, config::redis_auth cfg,
             const std::string& node_id);
  ~redis_auth();

  void start();
  void stop();

  // Any thread. token: the token looked up ("" when none was presented).
  void lookup(const auth::credentials& c, std::function<void(auth::auth_result, std::string token)> done);
  // Any thread. nullopt: Redis did not answer.
  void exists(const std::string& token, std::function<void(std::optional<bool>)> done);

  // The key for a token (exposed for tests).
  std::string key_for(std::string_view token) const;

 private:
  loop& loop_;
  config::redis_auth cfg_;
  std::unique_ptr<redis::command_link> client_;
};

// The user named by a stored value: the value itself, or the string field
// `field` of a JSON object. nullopt when there is none.
std::optional<std::string> user_from_value(const std::string& value, const std::string& field);

}  // namespace herald::backplane

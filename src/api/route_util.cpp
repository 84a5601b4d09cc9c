#include "api/route_util.hpp"

#include <cctype>

#include <boost/json/serialize.hpp>

#include "api/routes.hpp"

namespace herald::api {

namespace json = boost::json;

response json_ok(const json::object& o, int status) {
  response r;
  r.status = status;
  r.body = json::serialize(o);
  return r;
}

bool authorised(const request& req, const config::config& cfg) {
  if (cfg.api.key.empty()) return true;
  // The scheme is case-insensitive (RFC 7235 §2.1); the key is compared in
  // constant time because it is a secret.
  std::string_view given = req.authorization;
  constexpr std::string_view scheme = "bearer ";
  if (given.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(given[i])) != scheme[i]) return false;
  }
  given.remove_prefix(scheme.size());
  const std::string& key = cfg.api.key;
  if (given.size() != key.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < key.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ key[i]);
  return diff == 0;
}

// "/api/users/{user}/{action}" → user and action; false if not that shape.
bool split_user_path(std::string_view path, std::string& user, std::string& action) {
  constexpr std::string_view prefix = "/api/users/";
  if (path.substr(0, prefix.size()) != prefix) return false;
  auto rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  if (!percent_decode(rest.substr(0, slash), user) || user.empty()) return false;
  action = std::string(rest.substr(slash + 1));
  return true;
}

}  // namespace herald::api

#include "backplane/redis_auth.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace herald::backplane {

namespace asio = boost::asio;

namespace {
// Tokens longer than this are not looked up: no session store issues them,
// and the key would be sent to Redis verbatim.
constexpr std::size_t max_token_bytes = 4096;

auth::auth_result refused(std::string why) {
  auth::auth_result r;
  r.error = std::move(why);
  return r;
}
}  // namespace

std::optional<std::string> user_from_value(const std::string& value, const std::string& field) {
  if (field.empty()) {
    if (value.empty()) return std::nullopt;
    return value;
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* f = v.as_object().if_contains(field);
  if (!f) return std::nullopt;
  if (f->is_string() && !f->as_string().empty()) return std::string(f->as_string());
  // Numeric ids are common in session stores.
  if (f->is_int64()) return std::to_string(f->as_int64());
  if (f->is_uint64()) return std::to_string(f->as_uint64());
  return std::nullopt;
}

redis_auth::redis_auth(loop& l, const redis::topology& where, redis::link_options link, config::redis_auth cfg,
                       const std::string& node_id)
    : loop_(l), cfg_(std::move(cfg)) {
  link.client_name = "herald-" + node_id + "-auth";
  client_ = redis::make_command_link(l.context(), where, std::move(link));
}

redis_auth::~redis_auth() = default;

void redis_auth::start() {
  asio::post(loop_.context(), [this] { client_->start(); });
}

void redis_auth::stop() {
  asio::post(loop_.context(), [this] { client_->stop(); });
}

std::string redis_auth::key_for(std::string_view token) const {
  std::string key = cfg_.key;
  auto at = key.find("{token}");
  key.replace(at, 7, token);
  return key;
}

void redis_auth::lookup(const auth::credentials& c, std::function<void(auth::auth_result, std::string)> done) {
  auto token = auth::pick_token(c);
  if (token.empty()) return asio::post(loop_.context(), [done] { done(refused("missing token"), {}); });
  if (token.size() > max_token_bytes) return asio::post(loop_.context(), [done] { done(refused("invalid token"), {}); });
  asio::post(loop_.context(), [this, token = std::move(token), done = std::move(done)]() mutable {
    if (!client_->up()) return done(refused("authentication service unavailable"), {});
    client_->command({"GET", key_for(token)}, [this, token, done](redis::reply r) {
      if (r.is_error()) return done(refused("authentication service unavailable"), {});
      if (r.is_nil()) return done(refused("invalid or expired token"), {});
      auto user = user_from_value(r.str, cfg_.user_field);
      if (!user) return done(refused("the session has no user"), {});
      auth::auth_result ok;
      ok.ok = true;
      ok.who.user = std::move(*user);
      done(std::move(ok), token);
    });
  });
}

void redis_auth::exists(const std::string& token, std::function<void(std::optional<bool>)> done) {
  asio::post(loop_.context(), [this, key = key_for(token), done = std::move(done)] {
    if (!client_->up()) return done(std::nullopt);
    client_->command({"EXISTS", key}, [done](redis::reply r) {
      if (r.type != redis::reply::kind::integer) return done(std::nullopt);
      done(r.integer > 0);
    });
  });
}

}  // namespace herald::backplane

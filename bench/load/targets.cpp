#include "targets.hpp"

#include "http_text.hpp"

namespace herald::bench {

namespace {
constexpr std::string_view topic = "/topic/bench";
constexpr std::string_view channel = "bench";
}  // namespace

std::string targets::host_header() const { return opts_.host + ":" + std::to_string(opts_.port); }

subscriber_spec targets::subscriber(unsigned index, audience who) const {
  const std::string user = "u" + std::to_string(index);
  switch (opts_.server) {
    case server_kind::herald:
      // A user's own destination in Spring's principal form.
      if (who == audience::own_destination) return {opts_.ws_path, user, "/user/queue/bench"};
      return {opts_.ws_path, opts_.login.empty() ? "bench" : opts_.login, std::string(topic)};
    case server_kind::rabbitmq:
      // No user destinations: a topic per user on amq.topic is the equivalent.
      if (who == audience::own_destination) return {opts_.ws_path, opts_.login, "/topic/u." + std::to_string(index)};
      return {opts_.ws_path, opts_.login, std::string(topic)};
    case server_kind::nchan:
      if (who == audience::own_destination) return {opts_.ws_path + user, {}, {}};
      return {opts_.ws_path + std::string(channel), {}, {}};
  }
  return {};
}

void targets::append_http_publish(std::string& out, audience who, unsigned user, std::string_view body) const {
  const std::string host = host_header();
  if (opts_.server == server_kind::nchan) {
    const std::string target =
        opts_.publish_path + (who == audience::own_destination ? "u" + std::to_string(user) : std::string(channel));
    http::append_post(out, host, target, "text/plain", body, {});
    return;
  }
  // herald's API: the body is a JSON string; payloads are plain ASCII
  // without quotes or backslashes, so no escaping is needed.
  std::string json;
  json.reserve(body.size() + 64);
  if (who == audience::own_destination) {
    json.append(R"({"destination":"/queue/bench","body":")").append(body).append("\"}");
    http::append_post(out, host, "/api/users/u" + std::to_string(user) + "/publish", "application/json", json,
                      opts_.api_key);
  } else {
    json.append(R"({"destination":")").append(topic).append(R"(","body":")").append(body).append("\"}");
    http::append_post(out, host, "/api/publish", "application/json", json, opts_.api_key);
  }
}

std::string targets::send_destination(audience who, unsigned user) const {
  if (who == audience::one_topic) return std::string(topic);
  if (opts_.server == server_kind::rabbitmq) return "/topic/u." + std::to_string(user);
  return "/user/u" + std::to_string(user) + "/queue/bench";
}

}  // namespace herald::bench

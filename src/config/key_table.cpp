#include "config/key_table.hpp"

#include <utility>

#include "config/load.hpp"
#include "config/sources_yaml.hpp"
#include "config/text.hpp"

namespace herald::config {
namespace {

key_info make_key(std::string path, value_kind kind, std::string type, std::string def,
                  std::string doc) {
  key_info k;
  k.env = env_name(path);
  k.path = std::move(path);
  k.kind = kind;
  k.type = std::move(type);
  k.default_text = std::move(def);
  k.doc = std::move(doc);
  return k;
}

// Builders take a generic accessor `[](auto& c) -> auto& { return c.x; }` so
// one lambda serves both the setter (config&) and the getter (const config&).

template <class Access>
key_info text_key(std::string path, std::string def, std::string type, std::string doc,
                  Access field) {
  key_info k = make_key(path, value_kind::text, std::move(type), std::move(def), std::move(doc));
  k.set_text = [field](config& c, std::string_view v) { field(c) = std::string(v); };
  k.get_text = [field](const config& c) { return std::string(field(c)); };
  return k;
}

template <class Access>
key_info uint_key(std::string path, std::string def, std::string doc, Access field) {
  key_info k = make_key(path, value_kind::uint, "uint", std::move(def), std::move(doc));
  k.set_text = [field, path](config& c, std::string_view v) {
    field(c) = text::parse_u32(path, v);
  };
  k.get_text = [field](const config& c) { return std::to_string(field(c)); };
  return k;
}

template <class Access>
key_info real_key(std::string path, std::string def, std::string doc, Access field) {
  key_info k = make_key(path, value_kind::real, "number", std::move(def), std::move(doc));
  k.set_text = [field, path](config& c, std::string_view v) {
    field(c) = text::parse_double(path, v);
  };
  k.get_text = [field](const config& c) { return text::format_double(field(c)); };
  return k;
}

template <class T, class Access>
key_info choice_key(std::string path, std::string def, std::string doc,
                    std::vector<std::pair<std::string, T>> words, Access field) {
  std::string type;
  for (const auto& [word, value] : words) type += (type.empty() ? "" : "|") + word;
  key_info k = make_key(path, value_kind::choice, type, std::move(def), std::move(doc));
  k.set_text = [field, path, words, type](config& c, std::string_view v) {
    for (const auto& [word, value] : words) {
      if (v == word) {
        field(c) = value;
        return;
      }
    }
    throw config_error(path, "expected one of " + type + ", got " + text::quote(v));
  };
  k.get_text = [field, words](const config& c) {
    for (const auto& [word, value] : words) {
      if (field(c) == value) return word;
    }
    return std::string("?");
  };
  return k;
}

template <class Access>
key_info list_key(std::string path, std::string def, std::string doc, Access field) {
  key_info k = make_key(path, value_kind::list, "list", std::move(def), std::move(doc));
  k.set_text = [field](config& c, std::string_view v) { field(c) = text::split_list(v); };
  k.set_list = [field](config& c, std::vector<std::string> v) { field(c) = std::move(v); };
  k.get_text = [field](const config& c) { return text::join_list(field(c)); };
  return k;
}

template <class Access>
key_info bool_key(std::string path, std::string def, std::string doc, Access field) {
  return choice_key<bool>(std::move(path), std::move(def), std::move(doc), {{"true", true}, {"false", false}},
                          field);
}

key_info endpoints_key(std::string doc) {
  key_info k = make_key("endpoints", value_kind::endpoints,
                        "list of {path, allowed_origins, sockjs, websocket, handler}",
                        "/ws", std::move(doc));
  // From env and flags only paths can be given; origins are inherited.
  k.set_text = [](config& c, std::string_view v) {
    c.endpoints.clear();
    for (auto& path : text::split_list(v)) {
      endpoint ep;
      ep.path = std::move(path);
      c.endpoints.push_back(std::move(ep));
    }
  };
  k.get_text = [](const config& c) {
    std::vector<std::string> paths;
    for (const auto& e : c.endpoints) paths.push_back(e.path);
    return text::join_list(paths);
  };
  return k;
}

key_info sources_key(std::string doc) {
  key_info k = make_key("sources", value_kind::sources, "list of sources (see below)", "", std::move(doc));
  k.set_text = [](config& c, std::string_view v) { c.sources = detail::sources_from_text(v, "sources"); };
  k.get_text = [](const config& c) {
    std::vector<std::string> names;
    for (const auto& s : c.sources) names.push_back(s.name);
    return text::join_list(names);
  };
  return k;
}

#define FIELD(member) \
  [](auto& c) -> auto& { return c.member; }

std::vector<key_info> build_table() {
  const std::vector<std::pair<std::string, slow_policy>> policies{
      {"drop_oldest", slow_policy::drop_oldest}, {"close", slow_policy::close}};
  std::vector<key_info> t;
  t.push_back(text_key("node.id", "", "string",
                       "Name of this node in logs and metrics; empty = `<hostname>-<pid>`.",
                       FIELD(node.id)));
  t.push_back(choice_key<broker_type>(
      "broker.type", "memory",
      "The backplane between nodes: `memory` for a single node, `redis` for a cluster, `amqp` for a cluster on "
      "RabbitMQ (presence, `/api/nodes` and SockJS relaying are then per node).",
      {{"memory", broker_type::memory}, {"redis", broker_type::redis}, {"amqp", broker_type::amqp}},
      FIELD(broker.type)));
  t.push_back(text_key("broker.redis.url", "redis://127.0.0.1:6379/0", "url",
                       "Redis server: `redis://[user:password@]host:port/db`.", FIELD(broker.redis.url)));
  t.push_back(list_key("broker.redis.cluster_nodes", "",
                       "Seed nodes (`host:port`) of a Redis Cluster; when set, the cluster is used instead of "
                       "`url`, with sharded pub/sub (SPUBLISH/SSUBSCRIBE).",
                       FIELD(broker.redis.cluster_nodes)));
  t.push_back(text_key("broker.redis.prefix", "herald:", "string",
                       "Prefix of every Redis channel and key herald uses; clusters sharing a Redis need "
                       "different ones.",
                       FIELD(broker.redis.prefix)));
  t.push_back(uint_key("broker.redis.buffer_messages", "10000",
                       "Publishes held while Redis is unreachable; past this the publish API answers 503.",
                       FIELD(broker.redis.buffer_messages)));
  t.push_back(uint_key("broker.redis.connect_timeout_ms", "2000", "Time allowed to connect and log in to Redis.",
                       FIELD(broker.redis.connect_timeout_ms)));
  t.push_back(uint_key("broker.redis.reconnect_max_ms", "5000",
                       "Ceiling of the jittered exponential backoff between reconnect attempts.",
                       FIELD(broker.redis.reconnect_max_ms)));
  t.push_back(uint_key("broker.redis.unsubscribe_delay_ms", "1000",
                       "A node keeps a Redis channel this long after its last local subscriber leaves, so "
                       "page reloads cost no UNSUBSCRIBE/SUBSCRIBE pair.",
                       FIELD(broker.redis.unsubscribe_delay_ms)));
  t.push_back(text_key("broker.amqp.url", "amqp://guest:guest@127.0.0.1:5672/", "url",
                       "RabbitMQ server of `broker.type: amqp`: `amqp://user:password@host:port/vhost` (an "
                       "empty vhost is `/`).",
                       FIELD(broker.amqp.url)));
  t.push_back(text_key("broker.amqp.exchange", "herald", "string",
                       "Durable direct exchange carrying herald's channels (routing key = channel); clusters "
                       "sharing a RabbitMQ vhost need different ones.",
                       FIELD(broker.amqp.exchange)));
  t.push_back(uint_key("broker.amqp.buffer_messages", "10000",
                       "Publishes held while RabbitMQ is unreachable; past this the publish API answers 503.",
                       FIELD(broker.amqp.buffer_messages)));
  t.push_back(uint_key("broker.amqp.reconnect_max_ms", "5000",
                       "Ceiling of the jittered exponential backoff between reconnect attempts; held publishes "
                       "go out this long after RabbitMQ is back, once every node has rebound its queue.",
                       FIELD(broker.amqp.reconnect_max_ms)));
  t.push_back(uint_key("cluster.heartbeat_ms", "1000",
                       "How often a node refreshes its registry entry and presence in Redis.",
                       FIELD(cluster.heartbeat_ms)));
  t.push_back(uint_key("cluster.node_ttl_ms", "5000",
                       "A node that has not refreshed its entry for this long is gone, with its presence.",
                       FIELD(cluster.node_ttl_ms)));
  t.push_back(text_key("cluster.presence_topic", "", "destination",
                       "With `broker.type: redis`: a topic (e.g. `/topic/presence`) that gets "
                       "`{\"user\":…,\"online\":true|false}` when a user's first session in the cluster opens or "
                       "the last one closes (a node's death included); empty = off.",
                       FIELD(cluster.presence_topic)));
  t.push_back(text_key(
      "listen", "0.0.0.0:8080", "host:port",
      "Address for WebSocket and HTTP; host is IPv4, [IPv6] or a name; port 0 picks a free port.",
      FIELD(listen)));
  t.push_back(
      uint_key("threads", "0", "Worker threads, each with its own event loop (at most 64); 0 = one per core.", FIELD(threads)));
  t.push_back(choice_key<std::string>("log.level", "info", "Lowest log level written.",
                                      {{"trace", "trace"},
                                       {"debug", "debug"},
                                       {"info", "info"},
                                       {"warn", "warn"},
                                       {"error", "error"},
                                       {"off", "off"}},
                                      FIELD(log_level)));
  t.push_back(choice_key<log_format>("log.format", "text", "Log line format.",
                                     {{"text", log_format::text}, {"json", log_format::json}},
                                     FIELD(log_format)));
  t.push_back(text_key("log.file", "", "path",
                       "Append logs to this file instead of stdout; SIGHUP reopens it (for log rotation).",
                       FIELD(log_file)));
  t.push_back(uint_key("drain_ms", "5000",
                       "On shutdown, how long connections get to finish before they are closed.",
                       FIELD(drain_ms)));
  t.push_back(list_key("allowed_origins", "",
                       "Origins allowed to open WebSockets: `*`, or `scheme://host[:port]` where "
                       "host may start with `*.`; empty = same origin only.",
                       FIELD(allowed_origins)));
  t.push_back(
      endpoints_key("STOMP endpoint paths. In YAML each entry may also set its own `allowed_origins`, "
                    "`sockjs: true` (serve SockJS under the path), `websocket: false` (refuse WebSocket "
                    "upgrades) and `handler: stomp|echo|close`. From env/flags: comma-separated paths."));
  t.push_back(text_key("static_dir", "", "path",
                       "Directory whose files are served at `/static/<name>` (a front end, the SockJS "
                       "client for `sockjs.client_url`); empty = off.",
                       FIELD(static_dir)));
  t.push_back(list_key("destinations.broker_prefixes", "/topic,/queue",
                       "Destination prefixes served by the built-in broker.",
                       FIELD(destinations.broker_prefixes)));
  t.push_back(text_key("destinations.app_prefix", "/app", "string",
                       "SENDs under this prefix go to app.webhook instead of the broker.",
                       FIELD(destinations.app_prefix)));
  t.push_back(text_key("destinations.user_prefix", "/user", "string",
                       "Prefix for per-user destinations (e.g. /user/queue/x).",
                       FIELD(destinations.user_prefix)));
  t.push_back(list_key("destinations.client_send", "",
                       "Glob patterns (`*` = one segment, `**` = any rest) of broker destinations "
                       "clients may SEND to; empty = none.",
                       FIELD(destinations.client_send)));
  t.push_back(choice_key<auth_mode>(
      "auth.mode", "none",
      "How STOMP CONNECTs are authenticated: `jwt` verifies a signed token; `redis` looks the token up in Redis "
      "(`broker.redis.url` or `cluster_nodes`).",
      {{"none", auth_mode::none}, {"jwt", auth_mode::jwt}, {"redis", auth_mode::redis}}, FIELD(auth.mode)));
  t.push_back(text_key("auth.redis.key", "login:token:{token}", "string",
                       "auth.mode redis: the key holding a session token's user; `{token}` is replaced by the token.",
                       FIELD(auth.redis.key)));
  t.push_back(text_key("auth.redis.user_field", "", "string",
                       "auth.mode redis: empty = the key's value is the user id; otherwise the value is a JSON "
                       "object and this field names the user.",
                       FIELD(auth.redis.user_field)));
  t.push_back(uint_key("auth.redis.recheck_ms", "30000",
                       "auth.mode redis: how often each session's key is checked again; a session whose key is "
                       "gone (logout, expiry) is closed with an ERROR. 0 = never.",
                       FIELD(auth.redis.recheck_ms)));
  t.push_back(text_key(
      "auth.jwt.secret", "", "string",
      "HS256 shared secret; with auth.mode jwt set exactly one of this and public_key_file.",
      FIELD(auth.jwt.secret)));
  t.push_back(text_key("auth.jwt.public_key_file", "", "path",
                       "PEM public key file for RS256/ES256 tokens.",
                       FIELD(auth.jwt.public_key_file)));
  t.push_back(text_key("auth.jwt.user_claim", "sub", "string", "Token claim that names the user.",
                       FIELD(auth.jwt.user_claim)));
  t.push_back(text_key("auth.jwt.issuer", "", "string",
                       "Required `iss` claim; empty = not checked.", FIELD(auth.jwt.issuer)));
  t.push_back(text_key("auth.jwt.audience", "", "string",
                       "Required `aud` claim; empty = not checked.", FIELD(auth.jwt.audience)));
  t.push_back(text_key("auth.query_param", "access_token", "string",
                       "WebSocket URL query parameter that may carry the token; empty = off.",
                       FIELD(auth.query_param)));
  t.push_back(text_key("auth.cookie", "", "string", "Cookie that may carry the token; empty = off.",
                       FIELD(auth.cookie)));
  t.push_back(text_key(
      "app.webhook", "", "url",
      "`http://` URL that receives SENDs to the app prefix; empty = such SENDs get an ERROR.",
      FIELD(app.webhook)));
  t.push_back(uint_key("app.webhook_timeout_ms", "5000",
                       "Timeout for one webhook call, from its connection attempt to the end of the answer "
                       "(time spent waiting for a free connection is not counted).",
                       FIELD(app.webhook_timeout_ms)));
  t.push_back(uint_key("app.max_in_flight_per_session", "16",
                       "Most SENDs to the app prefix one session may have waiting for the webhook's answer; "
                       "one more gets an ERROR and the session is closed.",
                       FIELD(app.max_in_flight_per_session)));
  t.push_back(uint_key("app.max_connections_per_thread", "32",
                       "Most webhook calls (each one HTTP connection) a worker thread runs at once; further "
                       "calls wait for one to finish, in arrival order.",
                       FIELD(app.max_connections_per_thread)));
  t.push_back(uint_key("app.max_queued_per_thread", "1024",
                       "Most webhook calls waiting for a connection per worker thread; a SEND beyond it gets "
                       "an ERROR and its session is closed. 0 = none wait.",
                       FIELD(app.max_queued_per_thread)));
  t.push_back(text_key("api.key", "", "string",
                       "Bearer key required by `/api/*` when set; empty = no key required.",
                       FIELD(api.key)));
  t.push_back(uint_key("api.max_body_bytes", "1048576", "Largest `/api` request body.",
                       FIELD(api.max_body_bytes)));
  t.push_back(uint_key("limits.max_frame_bytes", "65536",
                       "Largest STOMP frame a client may send (1024 to 67108864).",
                       FIELD(limits.max_frame_bytes)));
  t.push_back(uint_key("limits.max_headers", "32", "Most headers in one client frame.",
                       FIELD(limits.max_headers)));
  t.push_back(uint_key("limits.max_header_bytes", "4096",
                       "Largest single header line in a client frame.",
                       FIELD(limits.max_header_bytes)));
  t.push_back(uint_key("limits.max_subscriptions", "256", "Most subscriptions per connection.",
                       FIELD(limits.max_subscriptions)));
  t.push_back(
      uint_key("limits.max_pending_bytes", "1048576",
               "Outbound bytes queued per connection before the slow_consumer policy applies.",
               FIELD(limits.max_pending_bytes)));
  t.push_back(uint_key("limits.max_unacked", "1024", "Most unacknowledged messages per client-ack subscription; past it the slow_consumer policy applies.",
                       FIELD(limits.max_unacked)));
  t.push_back(uint_key("limits.max_connections", "10000", "Most open connections on this node.",
                       FIELD(limits.max_connections)));
  t.push_back(uint_key("limits.max_connections_per_user", "0",
                       "Most open connections per authenticated user; 0 = unlimited.",
                       FIELD(limits.max_connections_per_user)));
  t.push_back(uint_key("limits.handshake_timeout_ms", "10000",
                       "Time allowed for the HTTP upgrade to WebSocket.",
                       FIELD(limits.handshake_timeout_ms)));
  t.push_back(uint_key("limits.connect_timeout_ms", "10000",
                       "Time allowed between the upgrade and the STOMP CONNECT frame.",
                       FIELD(limits.connect_timeout_ms)));
  t.push_back(uint_key("heartbeat.send_ms", "10000",
                       "Heart-beat interval the server offers to send; 0 = none.",
                       FIELD(heartbeat.send_ms)));
  t.push_back(uint_key("heartbeat.receive_ms", "10000",
                       "Heart-beat interval the server asks clients for; 0 = none.",
                       FIELD(heartbeat.receive_ms)));
  t.push_back(real_key("heartbeat.grace", "1.5",
                       "Silence tolerated = negotiated interval × grace (at least 1.0).",
                       FIELD(heartbeat.grace)));
  t.push_back(choice_key<slow_policy>("slow_consumer.topic", "drop_oldest",
                                      "What to do when broker messages overflow max_pending_bytes.",
                                      policies, FIELD(slow_consumer.topic)));
  t.push_back(
      choice_key<slow_policy>("slow_consumer.user", "close",
                              "What to do when per-user messages overflow max_pending_bytes.",
                              policies, FIELD(slow_consumer.user)));
  t.push_back(uint_key("sockjs.heartbeat_ms", "25000",
                       "SockJS endpoints: interval of the server's `h` frames.", FIELD(sockjs.heartbeat_ms)));
  t.push_back(uint_key("sockjs.disconnect_delay_ms", "5000",
                       "How long a SockJS session outlives its last receiving request (the gap between "
                       "polls); then it is closed and freed.",
                       FIELD(sockjs.disconnect_delay_ms)));
  t.push_back(uint_key("sockjs.streaming_bytes", "131072",
                       "A streaming response (xhr_streaming, eventsource, htmlfile) ends after this many "
                       "bytes and the client opens a new one, so proxies and browsers do not hoard it.",
                       FIELD(sockjs.streaming_bytes)));
  t.push_back(bool_key("sockjs.cookie_needed", "false",
                       "Set a `JSESSIONID` cookie and report `cookie_needed` in `/info`, for load "
                       "balancers that pin sessions by that cookie.",
                       FIELD(sockjs.cookie_needed)));
  t.push_back(text_key("sockjs.client_url", "https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js",
                       "url", "sockjs-client script loaded by the `iframe.html` page of iframe-based transports.",
                       FIELD(sockjs.client_url)));
  t.push_back(uint_key("sockjs.max_sessions", "10000",
                       "Most SockJS sessions over HTTP transports open on this node at once.",
                       FIELD(sockjs.max_sessions)));
  t.push_back(sources_key(
      "Event sources turned into publishes: RabbitMQ exchanges (`type: amqp`) and Redis key expiries "
      "(`type: redis_key_expiry`); keys in the table below. From env/flags: the same list as YAML text."));
  return t;
}

#undef FIELD

}  // namespace

const std::vector<key_info>& key_table() {
  static const std::vector<key_info> table = build_table();
  return table;
}

const key_info* find_key(std::string_view path) {
  for (const auto& k : key_table()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

const key_info* find_env(std::string_view env) {
  for (const auto& k : key_table()) {
    if (k.env == env) return &k;
  }
  return nullptr;
}

bool is_section(std::string_view path) {
  for (const auto& k : key_table()) {
    if (k.path.size() > path.size() && k.path.starts_with(path) && k.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string env_name(std::string_view path) {
  std::string env = "HERALD_";
  for (char c : path) {
    env += c == '.' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return env;
}

}  // namespace herald::config

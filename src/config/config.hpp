// The node's configuration as plain structs. Filled once at startup by
// load.hpp (defaults → YAML file → HERALD_* environment → command line), then
// shared read-only by every thread. Every key, its default and its one-line
// reason live in key_table.cpp; docs/config.md is generated from that table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace herald::config {

// Members share their type's name (cfg.auth is an auth). GCC rejects an
// unqualified `auth auth;` ("changes meaning"), so member types are spelled
// fully qualified.

enum class log_format { text, json };
enum class auth_mode { none, jwt, redis };
enum class broker_type { memory, redis, amqp };
enum class slow_policy { drop_oldest, close };
// What answers on an endpoint: the STOMP engine, or one of the two trivial
// handlers SockJS servers are conventionally checked with.
enum class endpoint_handler { stomp, echo, close };

struct endpoint {
  std::string path = "/ws";
  // Absent: inherit the top-level allowed_origins.
  std::optional<std::vector<std::string>> allowed_origins;
  bool sockjs = false;    // serve the SockJS protocol under path
  bool websocket = true;  // false: refuse WebSocket upgrades (SockJS falls back to HTTP)
  endpoint_handler handler = endpoint_handler::stomp;
};

struct destinations {
  std::vector<std::string> broker_prefixes{"/topic", "/queue"};
  std::string app_prefix = "/app";
  std::string user_prefix = "/user";
  // Glob patterns ('*' = one path segment, '**' = any rest) of broker
  // destinations that clients may SEND to directly. Empty: none.
  std::vector<std::string> client_send;
};

struct jwt {
  std::string secret;           // HS256
  std::string public_key_file;  // RS256 / ES256 (PEM)
  std::string user_claim = "sub";
  std::string issuer;    // checked when set
  std::string audience;  // checked when set
};

struct redis_auth {
  std::string key = "login:token:{token}";  // {token} is replaced by the client's token
  std::string user_field;                   // empty: the value is the user id; else a JSON field of it
  std::uint32_t recheck_ms = 30000;         // sessions whose key is gone are closed; 0 = never
};

struct auth {
  auth_mode mode = auth_mode::none;
  ::herald::config::jwt jwt;
  ::herald::config::redis_auth redis;
  std::string query_param = "access_token";
  std::string cookie;  // cookie name carrying the token; empty = off
};

struct app {
  std::string webhook;  // http://host:port/path; empty = /app SENDs get ERROR
  std::uint32_t webhook_timeout_ms = 5000;
  std::uint32_t max_in_flight_per_session = 16;   // /app SENDs awaiting the webhook; beyond: ERROR
  std::uint32_t max_connections_per_thread = 32;  // concurrent webhook calls per worker
  std::uint32_t max_queued_per_thread = 1024;     // calls waiting for one of those; beyond: ERROR
};

struct api {
  std::string key;  // bearer key required by /api/* when set
  std::uint32_t max_body_bytes = 1 << 20;
};

struct limits {
  std::uint32_t max_frame_bytes = 64 * 1024;
  std::uint32_t max_headers = 32;
  std::uint32_t max_header_bytes = 4096;
  std::uint32_t max_subscriptions = 256;
  std::uint32_t max_pending_bytes = 1 << 20;
  std::uint32_t max_unacked = 1024;
  std::uint32_t max_connections = 10000;
  std::uint32_t max_connections_per_user = 0;  // 0 = unlimited
  std::uint32_t handshake_timeout_ms = 10000;
  std::uint32_t connect_timeout_ms = 10000;
};

struct heartbeat {
  std::uint32_t send_ms = 10000;     // how often the server can send
  std::uint32_t receive_ms = 10000;  // how often the server wants to hear
  double grace = 1.5;                // silence tolerated = interval × grace
};

struct slow_consumer {
  slow_policy topic = slow_policy::drop_oldest;
  slow_policy user = slow_policy::close;
};

struct sockjs {
  std::uint32_t heartbeat_ms = 25000;         // server "h" frames
  std::uint32_t disconnect_delay_ms = 5000;   // a session without a receiving request lives this long
  std::uint32_t streaming_bytes = 128 * 1024; // a streaming response is recycled past this
  bool cookie_needed = false;                 // JSESSIONID for sticky load balancers
  std::string client_url = "https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js";
  std::uint32_t max_sessions = 10000;         // HTTP-transport sessions on this node
};

struct redis {
  std::string url = "redis://127.0.0.1:6379/0";
  std::vector<std::string> cluster_nodes;     // host:port seeds of a Redis Cluster; non-empty overrides url
  std::string prefix = "herald:";             // namespace of every channel and key herald uses
  std::uint32_t buffer_messages = 10000;      // publishes held while Redis is unreachable; past it 503
  std::uint32_t connect_timeout_ms = 2000;
  std::uint32_t reconnect_max_ms = 5000;      // backoff ceiling (jittered)
  std::uint32_t unsubscribe_delay_ms = 1000;  // a channel outlives its last subscriber this long
};

// The AMQP backplane (RabbitMQ).
struct amqp_broker {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";
  std::string exchange = "herald";         // direct exchange carrying every channel
  std::uint32_t buffer_messages = 10000;   // publishes held while RabbitMQ is unreachable; past it 503
  std::uint32_t reconnect_max_ms = 5000;   // backoff ceiling (jittered)
};

struct broker {
  broker_type type = broker_type::memory;
  ::herald::config::redis redis;
  ::herald::config::amqp_broker amqp;
};

struct cluster {
  std::uint32_t heartbeat_ms = 1000;  // node registry and presence refresh
  std::uint32_t node_ttl_ms = 5000;   // a node silent this long is gone, with its presence
  std::string presence_topic;         // online/offline events published here; empty = off
};

struct node {
  std::string id;  // empty in YAML → "<hostname>-<pid>" after load
};

// Event sources: systems services already use, turned into publishes.
enum class source_type { amqp, redis_key_expiry };
enum class amqp_mode { fanout, group };
enum class expiry_tracking { events, sweep };
enum class expiry_close { none, user };

// How an event becomes publishes: fields of a JSON payload picked by JSON
// pointers (RFC 6901), published to a user destination and/or a topic.
struct source_map {
  std::string user;              // pointer to the user id; empty = no user publish
  std::string body;              // pointer to the body; empty = the whole payload
  std::string user_destination;  // e.g. /userOnlineStatus (sent to /user/<id>/...)
  std::string topic;             // e.g. /topic/userOnlineStatus
  std::vector<std::pair<std::string, std::string>> headers;  // static headers on every publish
};

struct amqp_source {
  std::string exchange;                // topic exchange, declared (durable) if missing
  std::string routing_key = "#";       // binding key of herald's queue
  amqp_mode mode = amqp_mode::fanout;  // fanout: queue per node, local delivery; group: one shared queue
  std::string queue;                   // group mode: the durable queue the nodes share
  std::uint32_t prefetch = 64;         // unacknowledged deliveries per node
  std::string dead_letter_exchange;    // unmappable messages are rejected to it; empty = logged and dropped
  std::uint32_t reconnect_max_ms = 5000;
};

struct expiry_source {
  std::string key_prefix;   // keys under it are watched; the rest of the key is the user
  std::string key_pattern;  // ECMAScript regex over the whole key; its first group is the user
  std::vector<std::string> cluster_nodes;  // host:port seeds of a Redis Cluster; every master is watched
  expiry_tracking tracking = expiry_tracking::events;
  std::uint32_t sweep_ms = 1000;  // sweep mode: tracked keys past their expiry are checked this often
  std::uint32_t scan_ms = 10000;  // sweep mode: watched keys are discovered (SCAN) this often
  std::string lock_prefix = "herald:expiry:";  // one SET NX PX lock per expiry, cluster-wide
  std::uint32_t lock_ttl_ms = 60000;
  bool configure_events = true;  // CONFIG SET notify-keyspace-events when Ex is missing
  std::string notice = R"({"mobile": "{user}", "message": "token expired, please log in again"})";
  expiry_close close_sessions = expiry_close::none;
};

struct source {
  source_type type = source_type::amqp;
  std::string name;  // in metrics and logs; default "<type>-<index>"
  std::string url;
  source_map map;
  amqp_source amqp;
  expiry_source expiry;
};

struct config {
  ::herald::config::node node;
  ::herald::config::broker broker;
  ::herald::config::cluster cluster;
  std::string listen = "0.0.0.0:8080";
  std::uint32_t threads = 0;  // 0 = one per core
  std::string log_level = "info";
  std::string log_file;  // empty = stdout
  ::herald::config::log_format log_format = ::herald::config::log_format::text;
  std::uint32_t drain_ms = 5000;
  std::vector<std::string> allowed_origins;  // empty = same origin only
  std::vector<endpoint> endpoints{endpoint{}};
  std::string static_dir;  // files served under /static/; empty = off
  ::herald::config::destinations destinations;
  ::herald::config::auth auth;
  ::herald::config::app app;
  ::herald::config::api api;
  ::herald::config::limits limits;
  ::herald::config::heartbeat heartbeat;
  ::herald::config::slow_consumer slow_consumer;
  ::herald::config::sockjs sockjs;
  std::vector<::herald::config::source> sources;

  // Derived from listen by load(); never read from the file.
  std::string listen_host() const;
  std::uint16_t listen_port() const;
};

}  // namespace herald::config

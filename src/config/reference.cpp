// reference_markdown(): docs/config.md, generated from the key table so the
// docs cannot drift (a unit test compares the checked-in file to this).
#include <sstream>

#include "config/key_table.hpp"
#include "config/load.hpp"

namespace herald::config {
namespace {

// Checked by a unit test: it must load and validate as-is.
constexpr const char* example_yaml = R"(node:
  id: herald-1
listen: 0.0.0.0:8080
threads: 0                  # one per core
log: {level: info, format: json}
allowed_origins:
  - https://app.example.com
  - https://*.example.com
endpoints:
  - path: /ws               # inherits allowed_origins above
  - path: /partner/ws
    allowed_origins: [https://partner.example.org]
  - path: /websocket/mq     # Spring-style front ends: new SockJS(".../websocket/mq")
    sockjs: true
destinations:
  broker_prefixes: [/topic, /queue]
  app_prefix: /app
  user_prefix: /user
  client_send: ["/topic/chat/*"]
auth:
  mode: jwt
  jwt:
    secret: change-me
    issuer: https://login.example.com
  query_param: access_token
app:
  webhook: http://127.0.0.1:9000/stomp
  webhook_timeout_ms: 5000
api:
  key: change-me-too
limits:
  max_frame_bytes: 65536
  max_connections_per_user: 20
heartbeat: {send_ms: 10000, receive_ms: 10000, grace: 1.5}
slow_consumer: {topic: drop_oldest, user: close}
sockjs: {heartbeat_ms: 25000, disconnect_delay_ms: 5000, cookie_needed: false}
)";

// A table cell: '|' would end the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// The keys of a `sources:` entry (read by sources_yaml.cpp, checked by
// validate.cpp).
constexpr const char* sources_reference = R"(
## Sources

`sources` is a sequence of event sources; each entry is a mapping with
`type`, an optional `name` (metrics label; default `<type>-<index>`), a
`url`, a `map` and the keys of its type. From the environment or `--set`
the whole list is given as YAML text, e.g.
`HERALD_SOURCES='[{type: amqp, url: "amqp://guest:guest@127.0.0.1:5672/", exchange: events, map: {topic: /topic/events}}]'`.

`map` turns an event into publishes:

| Key | Default | Description |
|---|---|---|
| `map.user` | *(empty)* | JSON pointer (RFC 6901, e.g. `/mobile`) to the user id in the payload; a redis_key_expiry source takes the user from the key instead. |
| `map.body` | *(empty)* | JSON pointer to the body; empty = the whole payload. A string is sent as it is, anything else as JSON. |
| `map.user_destination` | *(empty)* | Publish to this destination of the user: clients subscribe `/user/<id>/<destination>`, or `/user/<destination>` when it lies under a broker prefix (e.g. `/queue/...`) or is a single segment (e.g. `/userOnlineStatus`). |
| `map.topic` | *(empty)* | Publish to this topic too (under a broker prefix). |
| `map.headers` | *(empty)* | Mapping of static headers added to every publish. |

At least one of `map.user_destination` and `map.topic` is required;
`map.user_destination` needs `map.user` (amqp). An event that fails the
mapping is logged with the reason and counted in
`herald_source_events_total{source,result="unmapped"}`.

`type: amqp` (RabbitMQ, AMQP 0-9-1; `url` is `amqp://user:pass@host:port/vhost`):

| Key | Default | Description |
|---|---|---|
| `exchange` | *(required)* | Topic exchange to consume, declared (durable) if missing. |
| `routing_key` | `#` | Binding key of herald's queue. |
| `mode` | `fanout` | `fanout`: every node binds an exclusive auto-delete queue and delivers to its own sessions; `group`: the nodes share the durable `queue`, each message is consumed by one node and published through the backplane. |
| `queue` | *(empty)* | `group` mode: the shared durable queue (required). |
| `prefetch` | `64` | Unacknowledged deliveries per node; a message is acknowledged once published. |
| `dead_letter_exchange` | *(empty)* | Unmappable messages are rejected to it (the queue's `x-dead-letter-exchange`); it must exist, herald does not declare it. Empty = logged, counted and dropped. |
| `reconnect_max_ms` | `5000` | Reconnect backoff ceiling (jittered). |

`type: redis_key_expiry` (`url` is `redis://[:password@]host:port/db`; the
db's expiry events are watched):

| Key | Default | Description |
|---|---|---|
| `key_prefix` | *(required)* | Expired keys under it are events; the rest of the key is the user. Keys over 1024 bytes are never events. |
| `key_pattern` | *(empty)* | ECMAScript regex over the whole key whose first group is the user; overrides the rest-of-key rule. |
| `cluster_nodes` | *(empty)* | `host:port` seeds of a Redis Cluster (credentials from `url`): every master's expiry events are watched, following failovers and resharding; locks and the tracked set are routed by key. |
| `tracking` | `events` | `events`: keyspace events only (an expiry while no node is connected is missed); `sweep`: watched keys are also tracked in a sorted set by expiry time and a sweeper notifies expiries no event announced. |
| `sweep_ms` | `1000` | `sweep`: how often tracked keys past their expiry are checked. |
| `scan_ms` | `10000` | `sweep`: how often keys under `key_prefix` are discovered (SCAN). |
| `lock_prefix` | `herald:expiry:` | One `SET <lock_prefix><key> <node> NX PX lock_ttl_ms` per expiry: exactly one node acts. |
| `lock_ttl_ms` | `60000` | How long an expiry's lock lives. |
| `configure_events` | `true` | When `notify-keyspace-events` lacks `Ex`, add it (`CONFIG SET`); `false`: refuse to start and say what to set. |
| `notice` | `{"mobile": "{user}", "message": "token expired, please log in again"}` | The body published; `{user}` is replaced by the user id (JSON-escaped). |
| `close_sessions` | `none` | `user`: after the notice, close the user's sessions on every node (with an ERROR frame carrying the notice's reason). |
)";

}  // namespace

std::string reference_markdown() {
  std::ostringstream md;
  md << "# Configuration reference\n"
        "\n"
        "<!-- Generated by herald::config::reference_markdown() from src/config/key_table.cpp.\n"
        "     Do not edit by hand: the config unit tests fail when this file is stale and\n"
        "     print the command that refreshes it. -->\n"
        "\n"
        "herald reads its settings in layers; each layer overrides the one before:\n"
        "\n"
        "1. Built-in defaults (the Default column below).\n"
        "2. The YAML file given with `--config FILE`.\n"
        "3. Environment variables: `HERALD_` + the key uppercased with `.` replaced by `_`.\n"
        "   Other variables are ignored, but an unknown `HERALD_*` variable is an error.\n"
        "4. The command line, in the order written: `--listen HOST:PORT`, `--threads N`,\n"
        "   `--log-level LEVEL` and `--set key=value` (any key below).\n"
        "\n"
        "The result is then validated. Unknown keys, wrongly typed values and failed\n"
        "checks are reported with the key's name, and herald exits with status 2.\n"
        "\n"
        "Lists are YAML sequences in the file and comma-separated strings in the\n"
        "environment and `--set`, e.g.\n"
        "`HERALD_ALLOWED_ORIGINS=https://app.example.com,https://*.example.com`.\n"
        "`endpoints` is a sequence of `{path, allowed_origins, sockjs, websocket, handler}`\n"
        "maps in YAML (only `path` is required); from the\n"
        "environment or `--set` it takes paths only (`HERALD_ENDPOINTS=/ws,/websocket/mq`)\n"
        "and those endpoints use the top-level `allowed_origins`.\n"
        "\n"
        "## Keys\n"
        "\n"
        "| Key | Environment variable | Type | Default | Description |\n"
        "|---|---|---|---|---|\n";
  for (const auto& key : key_table()) {
    std::string def = key.default_text.empty() ? "*(empty)*" : "`" + key.default_text + "`";
    md << "| `" << key.path << "` | `" << key.env << "` | " << cell(key.type) << " | " << def
       << " | " << cell(key.doc) << " |\n";
  }
  md << sources_reference;
  md << "\n"
        "## Example\n"
        "\n"
        "```yaml\n"
     << example_yaml << "```\n";
  return md.str();
}

}  // namespace herald::config

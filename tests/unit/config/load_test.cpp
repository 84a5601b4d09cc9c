// Layering (defaults → YAML → env → overrides), YAML value kinds, unknown
// keys and wrong types.
#include "config/load.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "test_support.hpp"

namespace herald::config {
namespace {

using test::fake_env;
using test::temp_file;
using test::yaml_error;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ConfigLoad, DefaultsWithoutAnyLayer) {
  config cfg = load("", nullptr, {});
  EXPECT_EQ(cfg.listen, "0.0.0.0:8080");
  EXPECT_EQ(cfg.listen_host(), "0.0.0.0");
  EXPECT_EQ(cfg.listen_port(), 8080);
  EXPECT_EQ(cfg.threads, 0u);
  EXPECT_EQ(cfg.log_level, "info");
  EXPECT_EQ(cfg.log_format, log_format::text);
  EXPECT_EQ(cfg.drain_ms, 5000u);
  EXPECT_TRUE(cfg.allowed_origins.empty());
  ASSERT_EQ(cfg.endpoints.size(), 1u);
  EXPECT_EQ(cfg.endpoints[0].path, "/ws");
  EXPECT_FALSE(cfg.endpoints[0].allowed_origins.has_value());
  EXPECT_THAT(cfg.destinations.broker_prefixes, ElementsAre("/topic", "/queue"));
  EXPECT_EQ(cfg.auth.mode, auth_mode::none);
  EXPECT_EQ(cfg.auth.query_param, "access_token");
  EXPECT_EQ(cfg.limits.max_frame_bytes, 65536u);
  EXPECT_EQ(cfg.limits.max_connections_per_user, 0u);
  EXPECT_DOUBLE_EQ(cfg.heartbeat.grace, 1.5);
  EXPECT_EQ(cfg.slow_consumer.topic, slow_policy::drop_oldest);
  EXPECT_EQ(cfg.slow_consumer.user, slow_policy::close);
  // node.id is filled as <hostname>-<pid>.
  EXPECT_THAT(cfg.node.id, ::testing::EndsWith("-" + std::to_string(getpid())));
}

TEST(ConfigLoad, EmptyYamlKeepsDefaults) {
  config cfg = load_yaml_string("");
  EXPECT_EQ(cfg.listen, "0.0.0.0:8080");
  EXPECT_EQ(load_yaml_string("# only a comment\n").limits.max_headers, 32u);
}

TEST(ConfigLoad, YamlSetsEveryKindOfValue) {
  config cfg = load_yaml_string(R"(
node: {id: edge-7}
listen: "127.0.0.1:0"
threads: 4
log: {level: debug, format: json}
drain_ms: 250
allowed_origins: [https://app.example.com, "https://*.example.com"]
endpoints:
  - path: /ws
  - path: /websocket/mq
    allowed_origins: [http://localhost:3000]
  - path: /closed
    allowed_origins: []
destinations:
  broker_prefixes: [/topic, /queue, /exchange]
  app_prefix: /application
  user_prefix: /me
  client_send: ["/topic/chat/*", "/topic/rooms/**"]
auth:
  mode: jwt
  jwt:
    secret: s3cret
    user_claim: preferred_username
    issuer: https://issuer.example
    audience: herald
  query_param: token
  cookie: session
app: {webhook: "http://127.0.0.1:9000/stomp", webhook_timeout_ms: 750}
api: {key: k, max_body_bytes: 2048}
limits:
  max_frame_bytes: 1024
  max_headers: 10
  max_header_bytes: 100
  max_subscriptions: 5
  max_pending_bytes: 4096
  max_unacked: 7
  max_connections: 8
  max_connections_per_user: 2
  handshake_timeout_ms: 11
  connect_timeout_ms: 12
heartbeat: {send_ms: 0, receive_ms: 3000, grace: 2.25}
slow_consumer: {topic: close, user: drop_oldest}
)");
  EXPECT_EQ(cfg.node.id, "edge-7");
  EXPECT_EQ(cfg.listen_host(), "127.0.0.1");
  EXPECT_EQ(cfg.listen_port(), 0);
  EXPECT_EQ(cfg.threads, 4u);
  EXPECT_EQ(cfg.log_level, "debug");
  EXPECT_EQ(cfg.log_format, log_format::json);
  EXPECT_EQ(cfg.drain_ms, 250u);
  EXPECT_THAT(cfg.allowed_origins, ElementsAre("https://app.example.com", "https://*.example.com"));
  ASSERT_EQ(cfg.endpoints.size(), 3u);
  EXPECT_EQ(cfg.endpoints[0].path, "/ws");
  EXPECT_FALSE(cfg.endpoints[0].allowed_origins.has_value());  // inherits
  EXPECT_EQ(cfg.endpoints[1].path, "/websocket/mq");
  ASSERT_TRUE(cfg.endpoints[1].allowed_origins.has_value());
  EXPECT_THAT(*cfg.endpoints[1].allowed_origins, ElementsAre("http://localhost:3000"));
  ASSERT_TRUE(cfg.endpoints[2].allowed_origins.has_value());  // explicit [] = same origin only
  EXPECT_TRUE(cfg.endpoints[2].allowed_origins->empty());
  EXPECT_THAT(cfg.destinations.broker_prefixes, ElementsAre("/topic", "/queue", "/exchange"));
  EXPECT_EQ(cfg.destinations.app_prefix, "/application");
  EXPECT_EQ(cfg.destinations.user_prefix, "/me");
  EXPECT_THAT(cfg.destinations.client_send, ElementsAre("/topic/chat/*", "/topic/rooms/**"));
  EXPECT_EQ(cfg.auth.mode, auth_mode::jwt);
  EXPECT_EQ(cfg.auth.jwt.secret, "s3cret");
  EXPECT_EQ(cfg.auth.jwt.user_claim, "preferred_username");
  EXPECT_EQ(cfg.auth.jwt.issuer, "https://issuer.example");
  EXPECT_EQ(cfg.auth.jwt.audience, "herald");
  EXPECT_EQ(cfg.auth.query_param, "token");
  EXPECT_EQ(cfg.auth.cookie, "session");
  EXPECT_EQ(cfg.app.webhook, "http://127.0.0.1:9000/stomp");
  EXPECT_EQ(cfg.app.webhook_timeout_ms, 750u);
  EXPECT_EQ(cfg.api.key, "k");
  EXPECT_EQ(cfg.api.max_body_bytes, 2048u);
  EXPECT_EQ(cfg.limits.max_frame_bytes, 1024u);
  EXPECT_EQ(cfg.limits.max_headers, 10u);
  EXPECT_EQ(cfg.limits.max_header_bytes, 100u);
  EXPECT_EQ(cfg.limits.max_subscriptions, 5u);
  EXPECT_EQ(cfg.limits.max_pending_bytes, 4096u);
  EXPECT_EQ(cfg.limits.max_unacked, 7u);
  EXPECT_EQ(cfg.limits.max_connections, 8u);
  EXPECT_EQ(cfg.limits.max_connections_per_user, 2u);
  EXPECT_EQ(cfg.limits.handshake_timeout_ms, 11u);
  EXPECT_EQ(cfg.limits.connect_timeout_ms, 12u);
  EXPECT_EQ(cfg.heartbeat.send_ms, 0u);
  EXPECT_EQ(cfg.heartbeat.receive_ms, 3000u);
  EXPECT_DOUBLE_EQ(cfg.heartbeat.grace, 2.25);
  EXPECT_EQ(cfg.slow_consumer.topic, slow_policy::close);
  EXPECT_EQ(cfg.slow_consumer.user, slow_policy::drop_oldest);
}

TEST(ConfigLoad, SockjsDefaults) {
  config cfg = load("", nullptr, {});
  EXPECT_FALSE(cfg.endpoints[0].sockjs);
  EXPECT_TRUE(cfg.endpoints[0].websocket);
  EXPECT_EQ(cfg.endpoints[0].handler, endpoint_handler::stomp);
  EXPECT_EQ(cfg.sockjs.heartbeat_ms, 25000u);
  EXPECT_EQ(cfg.sockjs.disconnect_delay_ms, 5000u);
  EXPECT_EQ(cfg.sockjs.streaming_bytes, 131072u);
  EXPECT_FALSE(cfg.sockjs.cookie_needed);
  EXPECT_EQ(cfg.sockjs.client_url, "https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js");
  EXPECT_EQ(cfg.sockjs.max_sessions, 10000u);
}

TEST(ConfigLoad, YamlEndpointSockjsFields) {
  config cfg = load_yaml_string(R"(
endpoints:
  - path: /ws
  - path: /websocket/mq
    sockjs: true
    websocket: false
    handler: echo
  - path: /close
    sockjs: true
    handler: close
    allowed_origins: ['*']
  - {path: /plain, sockjs: false, websocket: true, handler: stomp}
)");
  ASSERT_EQ(cfg.endpoints.size(), 4u);
  EXPECT_FALSE(cfg.endpoints[0].sockjs);
  EXPECT_TRUE(cfg.endpoints[0].websocket);
  EXPECT_EQ(cfg.endpoints[0].handler, endpoint_handler::stomp);
  EXPECT_EQ(cfg.endpoints[1].path, "/websocket/mq");
  EXPECT_TRUE(cfg.endpoints[1].sockjs);
  EXPECT_FALSE(cfg.endpoints[1].websocket);
  EXPECT_EQ(cfg.endpoints[1].handler, endpoint_handler::echo);
  EXPECT_FALSE(cfg.endpoints[1].allowed_origins.has_value());
  EXPECT_TRUE(cfg.endpoints[2].sockjs);
  EXPECT_TRUE(cfg.endpoints[2].websocket);
  EXPECT_EQ(cfg.endpoints[2].handler, endpoint_handler::close);
  ASSERT_TRUE(cfg.endpoints[2].allowed_origins.has_value());
  EXPECT_THAT(*cfg.endpoints[2].allowed_origins, ElementsAre("*"));
  EXPECT_FALSE(cfg.endpoints[3].sockjs);
  EXPECT_TRUE(cfg.endpoints[3].websocket);
  EXPECT_EQ(cfg.endpoints[3].handler, endpoint_handler::stomp);
}

TEST(ConfigLoad, YamlSockjsSection) {
  config cfg = load_yaml_string(R"(
sockjs:
  heartbeat_ms: 1000
  disconnect_delay_ms: 30000
  streaming_bytes: 4096
  cookie_needed: true
  client_url: /static/sockjs.min.js
  max_sessions: 3
)");
  EXPECT_EQ(cfg.sockjs.heartbeat_ms, 1000u);
  EXPECT_EQ(cfg.sockjs.disconnect_delay_ms, 30000u);
  EXPECT_EQ(cfg.sockjs.streaming_bytes, 4096u);
  EXPECT_TRUE(cfg.sockjs.cookie_needed);
  EXPECT_EQ(cfg.sockjs.client_url, "/static/sockjs.min.js");
  EXPECT_EQ(cfg.sockjs.max_sessions, 3u);
}

TEST(ConfigLoad, BadEndpointSockjsFields) {
  auto handler = yaml_error("endpoints: [{path: /ws, handler: rpc}]\n");
  EXPECT_EQ(handler.key, "endpoints[0].handler");
  EXPECT_THAT(handler.what(), HasSubstr("expected one of stomp|echo|close, got \"rpc\""));
  EXPECT_EQ(yaml_error("endpoints: [{path: /ws, handler: {name: echo}}]\n").key, "endpoints[0].handler");
  EXPECT_EQ(yaml_error("endpoints: [{path: /ws, handler: Echo}]\n").key, "endpoints[0].handler");

  auto sockjs = yaml_error("endpoints: [{path: /ws, sockjs: maybe}]\n");
  EXPECT_EQ(sockjs.key, "endpoints[0].sockjs");
  EXPECT_THAT(sockjs.what(), HasSubstr("expected true or false, got \"maybe\""));
  EXPECT_EQ(yaml_error("endpoints: [{path: /ws, sockjs: 1}]\n").key, "endpoints[0].sockjs");
  EXPECT_EQ(yaml_error("endpoints: [{path: /ws, sockjs: [true]}]\n").key, "endpoints[0].sockjs");
  EXPECT_EQ(yaml_error("endpoints: [{path: /ws, sockjs: }]\n").key, "endpoints[0].sockjs");
  EXPECT_EQ(yaml_error("endpoints: [{path: /a}, {path: /b, websocket: no}]\n").key, "endpoints[1].websocket");
}

TEST(ConfigLoad, BadSockjsSectionValues) {
  EXPECT_EQ(yaml_error("sockjs: {cookie_needed: yes}\n").key, "sockjs.cookie_needed");
  EXPECT_EQ(yaml_error("sockjs: {heartbeat_ms: fast}\n").key, "sockjs.heartbeat_ms");
  EXPECT_EQ(yaml_error("sockjs: {heartbeat: 1000}\n").key, "sockjs.heartbeat");
  EXPECT_EQ(yaml_error("sockjs: true\n").key, "sockjs");
}

TEST(ConfigLoad, SockjsFromEnvAndOverrides) {
  fake_env env{"HERALD_SOCKJS_COOKIE_NEEDED=true", "HERALD_SOCKJS_HEARTBEAT_MS=2000",
               "HERALD_SOCKJS_CLIENT_URL=/js/sockjs.js"};
  config cfg = load_yaml_string("sockjs: {cookie_needed: false, heartbeat_ms: 9000}\n", env.get());
  EXPECT_TRUE(cfg.sockjs.cookie_needed);
  EXPECT_EQ(cfg.sockjs.heartbeat_ms, 2000u);
  EXPECT_EQ(cfg.sockjs.client_url, "/js/sockjs.js");
  EXPECT_FALSE(test::load_set({{"sockjs.cookie_needed", "false"}}).sockjs.cookie_needed);
  EXPECT_EQ(test::load_set({{"sockjs.max_sessions", "7"}}).sockjs.max_sessions, 7u);

  fake_env bad{"HERALD_SOCKJS_COOKIE_NEEDED=1"};
  auto e = yaml_error("", bad.get());
  EXPECT_EQ(e.key, "sockjs.cookie_needed");
  EXPECT_THAT(e.what(), HasSubstr("HERALD_SOCKJS_COOKIE_NEEDED"));
}

TEST(ConfigLoad, YamlNullMeansEmpty) {
  config cfg = load_yaml_string("api:\n  key:\nallowed_origins:\n");
  EXPECT_EQ(cfg.api.key, "");
  EXPECT_TRUE(cfg.allowed_origins.empty());
}

TEST(ConfigLoad, YamlFileLayer) {
  temp_file file("threads: 3\nlimits: {max_headers: 9}\n");
  config cfg = load(file.path(), nullptr, {});
  EXPECT_EQ(cfg.threads, 3u);
  EXPECT_EQ(cfg.limits.max_headers, 9u);
}

TEST(ConfigLoad, YamlFileErrorsNameFileAndLine) {
  temp_file file("threads: 3\nlimits:\n  max_headers: lots\n");
  auto e = test::error_of([&] { load(file.path(), nullptr, {}); });
  EXPECT_EQ(e.key, "limits.max_headers");
  EXPECT_THAT(e.what(), HasSubstr(file.path() + ":3"));
}

TEST(ConfigLoad, MissingYamlFile) {
  auto e = test::error_of([] { load("/nonexistent/herald.yaml", nullptr, {}); });
  EXPECT_EQ(e.key, "--config");
  EXPECT_THAT(e.what(), HasSubstr("/nonexistent/herald.yaml"));
}

TEST(ConfigLoad, EnvOverridesYaml) {
  fake_env env{"HERALD_THREADS=6", "HERALD_LOG_LEVEL=warn", "HERALD_AUTH_JWT_USER_CLAIM=uid"};
  config cfg = load_yaml_string("threads: 2\nlog: {level: debug}\n", env.get());
  EXPECT_EQ(cfg.threads, 6u);
  EXPECT_EQ(cfg.log_level, "warn");
  EXPECT_EQ(cfg.auth.jwt.user_claim, "uid");
}

TEST(ConfigLoad, OverridesBeatEnvAndApplyInOrder) {
  temp_file file("threads: 2\n");
  fake_env env{"HERALD_THREADS=6", "HERALD_DRAIN_MS=10"};
  config cfg =
      load(file.path(), env.get(), {{"threads", "8"}, {"threads", "9"}, {"log.format", "json"}});
  EXPECT_EQ(cfg.threads, 9u);
  EXPECT_EQ(cfg.drain_ms, 10u);
  EXPECT_EQ(cfg.log_format, log_format::json);
}

TEST(ConfigLoad, EnvIgnoresOtherVariables) {
  fake_env env{"PATH=/bin", "HOME=/root", "HERALDX=1", "NOT_HERALD_THREADS=x"};
  EXPECT_EQ(load_yaml_string("", env.get()).threads, 0u);
}

TEST(ConfigLoad, CommaListsFromEnv) {
  fake_env env{"HERALD_ALLOWED_ORIGINS=https://a.example, https://*.b.example,",
               "HERALD_DESTINATIONS_BROKER_PREFIXES=/topic,/exchange",
               "HERALD_DESTINATIONS_CLIENT_SEND=/topic/chat/**",
               "HERALD_ENDPOINTS=/ws,/websocket/mq"};
  config cfg = load_yaml_string("endpoints: [{path: /old, allowed_origins: ['*']}]\n", env.get());
  EXPECT_THAT(cfg.allowed_origins, ElementsAre("https://a.example", "https://*.b.example"));
  EXPECT_THAT(cfg.destinations.broker_prefixes, ElementsAre("/topic", "/exchange"));
  EXPECT_THAT(cfg.destinations.client_send, ElementsAre("/topic/chat/**"));
  ASSERT_EQ(cfg.endpoints.size(), 2u);
  EXPECT_EQ(cfg.endpoints[0].path, "/ws");
  EXPECT_EQ(cfg.endpoints[1].path, "/websocket/mq");
  EXPECT_FALSE(cfg.endpoints[1].allowed_origins.has_value());
}

TEST(ConfigLoad, EmptyEnvListClearsIt) {
  fake_env env{"HERALD_ALLOWED_ORIGINS="};
  EXPECT_TRUE(load_yaml_string("allowed_origins: ['*']\n", env.get()).allowed_origins.empty());
}

TEST(ConfigLoad, UnknownTopLevelKey) {
  auto e = yaml_error("listen: 0.0.0.0:1\nlisten_port: 80\n");
  EXPECT_EQ(e.key, "listen_port");
  EXPECT_EQ(e.problem, "unknown key");
  EXPECT_THAT(e.what(), HasSubstr("listen_port: unknown key"));
  EXPECT_THAT(e.what(), HasSubstr("line 2"));
}

TEST(ConfigLoad, UnknownNestedKey) {
  EXPECT_EQ(yaml_error("limits: {max_frame: 10}\n").key, "limits.max_frame");
  EXPECT_EQ(yaml_error("auth: {jwt: {secrt: x}}\n").key, "auth.jwt.secrt");
  EXPECT_EQ(yaml_error("foo: {bar: 1}\n").key, "foo");
}

TEST(ConfigLoad, UnknownKeyInEndpointEntry) {
  auto e = yaml_error("endpoints:\n  - path: /ws\n  - pth: /x\n");
  EXPECT_EQ(e.key, "endpoints[1].pth");
  EXPECT_THAT(e.what(), HasSubstr("endpoints[1].pth: unknown key"));
}

TEST(ConfigLoad, EndpointEntryNeedsPath) {
  EXPECT_EQ(yaml_error("endpoints: [{allowed_origins: ['*']}]\n").key, "endpoints[0].path");
}

TEST(ConfigLoad, UnknownEnvVariable) {
  fake_env env{"HERALD_THREAD=4"};
  auto e = yaml_error("", env.get());
  EXPECT_EQ(e.key, "HERALD_THREAD");
  EXPECT_THAT(e.what(), HasSubstr("HERALD_THREAD: unknown key"));
}

TEST(ConfigLoad, UnknownOverrideKey) {
  auto e = test::set_error({{"foo.bar", "1"}});
  EXPECT_EQ(e.key, "foo.bar");
  EXPECT_THAT(e.what(), HasSubstr("foo.bar: unknown key"));
}

TEST(ConfigLoad, BadScalarTypes) {
  auto e = yaml_error("limits: {max_frame_bytes: abc}\n");
  EXPECT_EQ(e.key, "limits.max_frame_bytes");
  EXPECT_THAT(e.what(),
              HasSubstr("limits.max_frame_bytes: expected an unsigned integer, got \"abc\""));
  EXPECT_EQ(yaml_error("threads: -1\n").key, "threads");
  EXPECT_EQ(yaml_error("threads: 1.5\n").key, "threads");
  EXPECT_EQ(yaml_error("threads: 99999999999\n").key, "threads");
  EXPECT_EQ(yaml_error("threads: [1]\n").key, "threads");
  EXPECT_EQ(yaml_error("heartbeat: {grace: fast}\n").key, "heartbeat.grace");
  EXPECT_EQ(yaml_error("heartbeat: {grace: .nan}\n").key, "heartbeat.grace");
  auto format = yaml_error("log: {format: xml}\n");
  EXPECT_EQ(format.key, "log.format");
  EXPECT_THAT(format.what(), HasSubstr("expected one of text|json, got \"xml\""));
  EXPECT_EQ(yaml_error("auth: {mode: basic}\n").key, "auth.mode");
  EXPECT_EQ(yaml_error("slow_consumer: {user: block}\n").key, "slow_consumer.user");
  EXPECT_EQ(yaml_error("node: {id: {a: 1}}\n").key, "node.id");
}

TEST(ConfigLoad, BadStructureTypes) {
  EXPECT_EQ(yaml_error("limits: 5\n").key, "limits");
  EXPECT_EQ(yaml_error("allowed_origins: https://a.example\n").key, "allowed_origins");
  EXPECT_EQ(yaml_error("allowed_origins: [[x]]\n").key, "allowed_origins[0]");
  EXPECT_EQ(yaml_error("endpoints: /ws\n").key, "endpoints");
  EXPECT_EQ(yaml_error("endpoints: [/ws]\n").key, "endpoints[0]");
  EXPECT_EQ(yaml_error("endpoints: [{path: /ws, allowed_origins: '*'}]\n").key,
            "endpoints[0].allowed_origins");
  EXPECT_EQ(yaml_error("- a\n- b\n").key, "(document)");
}

TEST(ConfigLoad, YamlSyntaxError) {
  auto e = yaml_error("limits: {max_headers: 1\n");
  EXPECT_THAT(e.what(), HasSubstr("YAML syntax error"));
}

TEST(ConfigLoad, BadEnvValueNamesKeyAndVariable) {
  fake_env env{"HERALD_LIMITS_MAX_FRAME_BYTES=abc"};
  auto e = yaml_error("", env.get());
  EXPECT_EQ(e.key, "limits.max_frame_bytes");
  EXPECT_THAT(e.what(),
              HasSubstr("limits.max_frame_bytes: expected an unsigned integer, got \"abc\""));
  EXPECT_THAT(e.what(), HasSubstr("HERALD_LIMITS_MAX_FRAME_BYTES"));
}

TEST(ConfigLoad, BadOverrideValue) {
  auto e = test::set_error({{"heartbeat.grace", "x"}});
  EXPECT_EQ(e.key, "heartbeat.grace");
}

}  // namespace
}  // namespace herald::config

// validate(): one test per rule; each error must name the offending key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/key_table.hpp"
#include "config/load.hpp"
#include "test_support.hpp"

namespace herald::config {
namespace {

using test::load_set;
using test::set_error;
using test::temp_file;
using test::yaml_error;
using ::testing::HasSubstr;

TEST(ConfigValidate, ListenAcceptsHostPortForms) {
  for (const char* listen : {"127.0.0.1:0", "0.0.0.0:65535", "[::1]:8080", "[::]:0", "localhost:1",
                             "edge-1.example.com:443"}) {
    EXPECT_NO_THROW(load_set({{"listen", listen}})) << listen;
  }
  config v6 = load_set({{"listen", "[::1]:9000"}});
  EXPECT_EQ(v6.listen_host(), "::1");
  EXPECT_EQ(v6.listen_port(), 9000);
}

TEST(ConfigValidate, ListenRejectsBadForms) {
  for (const char* listen :
       {"8080", "localhost", "host:65536", "host:", ":80", "host:-1", "host:8o", "300.1.1.1:80",
        "[zz]:80", "::1:80", "ho st:80", "-host:80", "host..example:80"}) {
    EXPECT_EQ(set_error({{"listen", listen}}).key, "listen") << listen;
  }
}

TEST(ConfigValidate, ThreadsAtMost64) {
  EXPECT_EQ(load_set({{"threads", "64"}}).threads, 64u);
  auto e = set_error({{"threads", "65"}});
  EXPECT_EQ(e.key, "threads");
  EXPECT_THAT(e.what(), HasSubstr("64"));
}

TEST(ConfigValidate, LogLevelWords) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    EXPECT_EQ(load_set({{"log.level", level}}).log_level, level);
  }
  EXPECT_EQ(set_error({{"log.level", "verbose"}}).key, "log.level");
  // validate() also guards configs built in code.
  config cfg;
  cfg.log_level = "loud";
  EXPECT_EQ(test::error_of([&] { validate(cfg); }).key, "log.level");
}

TEST(ConfigValidate, EndpointsNonEmpty) {
  EXPECT_EQ(set_error({{"endpoints", ""}}).key, "endpoints");
  EXPECT_EQ(yaml_error("endpoints: []\n").key, "endpoints");
}

TEST(ConfigValidate, EndpointPathStartsWithSlash) {
  auto e = set_error({{"endpoints", "/ws,ws2"}});
  EXPECT_EQ(e.key, "endpoints[1].path");
  EXPECT_EQ(set_error({{"endpoints", "/ws?x=1"}}).key, "endpoints[0].path");
}

TEST(ConfigValidate, EndpointPathsUnique) {
  auto e = yaml_error("endpoints: [{path: /ws}, {path: /a}, {path: /ws}]\n");
  EXPECT_EQ(e.key, "endpoints[2].path");
  EXPECT_THAT(e.what(), HasSubstr("endpoints[0]"));
}

TEST(ConfigValidate, EndpointPathsNotReserved) {
  for (const char* path :
       {"/", "/api", "/api/ws", "/api/v1/publish", "/healthz", "/readyz", "/metrics"}) {
    EXPECT_EQ(set_error({{"endpoints", std::string("/ws,") + path}}).key, "endpoints[1].path")
        << path;
  }
  EXPECT_NO_THROW(load_set({{"endpoints", "/apiws,/metrics2,/ws/api"}}));
}

TEST(ConfigValidate, EndpointOriginsChecked) {
  auto e =
      yaml_error("endpoints: [{path: /ws, allowed_origins: ['https://ok.example', 'nope']}]\n");
  EXPECT_EQ(e.key, "endpoints[0].allowed_origins[1]");
}

TEST(ConfigValidate, EndpointNeedsATransport) {
  auto e = yaml_error("endpoints: [{path: /ws}, {path: /mq, websocket: false}]\n");
  EXPECT_EQ(e.key, "endpoints[1].websocket");
  EXPECT_THAT(e.what(), HasSubstr("sockjs: true"));
  EXPECT_EQ(yaml_error("endpoints: [{path: /ws, websocket: false, sockjs: false}]\n").key,
            "endpoints[0].websocket");
  // SockJS alone (its HTTP transports) is enough.
  config cfg = load_yaml_string("endpoints: [{path: /ws, websocket: false, sockjs: true}]\n");
  EXPECT_FALSE(cfg.endpoints[0].websocket);
}

TEST(ConfigValidate, PrefixShape) {
  EXPECT_EQ(set_error({{"destinations.broker_prefixes", "/topic,queue"}}).key,
            "destinations.broker_prefixes[1]");
  EXPECT_EQ(set_error({{"destinations.broker_prefixes", "/topic/"}}).key,
            "destinations.broker_prefixes[0]");
  EXPECT_EQ(set_error({{"destinations.broker_prefixes", "/"}}).key,
            "destinations.broker_prefixes[0]");
  EXPECT_EQ(set_error({{"destinations.app_prefix", "app"}}).key, "destinations.app_prefix");
  EXPECT_EQ(set_error({{"destinations.user_prefix", "/user/"}}).key, "destinations.user_prefix");
  EXPECT_EQ(set_error({{"destinations.user_prefix", ""}}).key, "destinations.user_prefix");
}

TEST(ConfigValidate, PrefixesDistinct) {
  EXPECT_EQ(set_error({{"destinations.broker_prefixes", "/topic,/topic"}}).key,
            "destinations.broker_prefixes[1]");
  EXPECT_EQ(set_error({{"destinations.app_prefix", "/topic"}}).key, "destinations.app_prefix");
  EXPECT_EQ(set_error({{"destinations.user_prefix", "/queue"}}).key, "destinations.user_prefix");
  // Nested prefixes would claim the same destinations too.
  EXPECT_EQ(set_error({{"destinations.app_prefix", "/topic/app"}}).key, "destinations.app_prefix");
  EXPECT_EQ(set_error({{"destinations.user_prefix", "/app"}}).key, "destinations.user_prefix");
  // A shared text prefix is not a shared segment.
  EXPECT_NO_THROW(load_set({{"destinations.app_prefix", "/topicapp"}}));
}

TEST(ConfigValidate, ClientSendPatternsArePaths) {
  EXPECT_EQ(set_error({{"destinations.client_send", "/topic/a,topic/b"}}).key,
            "destinations.client_send[1]");
}

TEST(ConfigValidate, JwtNeedsExactlyOneKey) {
  EXPECT_EQ(set_error({{"auth.mode", "jwt"}}).key, "auth.jwt.secret");
  temp_file pem("-----BEGIN PUBLIC KEY-----\n", ".pem");
  EXPECT_EQ(set_error({{"auth.mode", "jwt"},
                       {"auth.jwt.secret", "s"},
                       {"auth.jwt.public_key_file", pem.path()}})
                .key,
            "auth.jwt.secret");
  EXPECT_NO_THROW(load_set({{"auth.mode", "jwt"}, {"auth.jwt.secret", "s"}}));
  EXPECT_NO_THROW(load_set({{"auth.mode", "jwt"}, {"auth.jwt.public_key_file", pem.path()}}));
  // Keys are only required when jwt is on.
  EXPECT_NO_THROW(load_set({{"auth.mode", "none"}}));
}

TEST(ConfigValidate, JwtKeyFileReadable) {
  auto e = set_error({{"auth.mode", "jwt"}, {"auth.jwt.public_key_file", "/nonexistent/key.pem"}});
  EXPECT_EQ(e.key, "auth.jwt.public_key_file");
  EXPECT_THAT(e.what(), HasSubstr("/nonexistent/key.pem"));
}

TEST(ConfigValidate, LimitsPositiveExceptPerUser) {
  for (const auto& key : key_table()) {
    if (!key.path.starts_with("limits.")) continue;
    if (key.path == "limits.max_connections_per_user") {
      EXPECT_NO_THROW(load_set({{key.path, "0"}}));
    } else {
      EXPECT_EQ(set_error({{key.path, "0"}}).key, key.path);
    }
  }
}

TEST(ConfigValidate, MaxFrameBytesRange) {
  EXPECT_EQ(set_error({{"limits.max_frame_bytes", "1023"}}).key, "limits.max_frame_bytes");
  EXPECT_NO_THROW(load_set({{"limits.max_frame_bytes", "1024"}}));
  EXPECT_NO_THROW(load_set({{"limits.max_frame_bytes", "67108864"}}));
  EXPECT_EQ(set_error({{"limits.max_frame_bytes", "67108865"}}).key, "limits.max_frame_bytes");
}

TEST(ConfigValidate, OtherPositiveValues) {
  EXPECT_EQ(set_error({{"app.webhook_timeout_ms", "0"}}).key, "app.webhook_timeout_ms");
  EXPECT_EQ(set_error({{"api.max_body_bytes", "0"}}).key, "api.max_body_bytes");
  EXPECT_EQ(set_error({{"app.max_in_flight_per_session", "0"}}).key, "app.max_in_flight_per_session");
  EXPECT_EQ(set_error({{"app.max_connections_per_thread", "0"}}).key, "app.max_connections_per_thread");
}

TEST(ConfigValidate, WebhookBounds) {
  const config defaults;
  EXPECT_EQ(defaults.app.max_in_flight_per_session, 16u);
  EXPECT_EQ(defaults.app.max_connections_per_thread, 32u);
  EXPECT_EQ(defaults.app.max_queued_per_thread, 1024u);
  auto cfg = load_set({{"app.max_in_flight_per_session", "1"},
                       {"app.max_connections_per_thread", "2"},
                       {"app.max_queued_per_thread", "0"}});
  EXPECT_EQ(cfg.app.max_in_flight_per_session, 1u);
  EXPECT_EQ(cfg.app.max_connections_per_thread, 2u);
  EXPECT_EQ(cfg.app.max_queued_per_thread, 0u);
}

TEST(ConfigValidate, HeartbeatGraceAtLeastOne) {
  EXPECT_EQ(set_error({{"heartbeat.grace", "0.99"}}).key, "heartbeat.grace");
  EXPECT_DOUBLE_EQ(load_set({{"heartbeat.grace", "1"}}).heartbeat.grace, 1.0);
}

TEST(ConfigValidate, WebhookIsHttp) {
  EXPECT_NO_THROW(load_set({{"app.webhook", "http://127.0.0.1:9000/stomp"}}));
  EXPECT_EQ(set_error({{"app.webhook", "https://hooks.example/x"}}).key, "app.webhook");
  EXPECT_EQ(set_error({{"app.webhook", "http://"}}).key, "app.webhook");
  EXPECT_EQ(set_error({{"app.webhook", "127.0.0.1:9000"}}).key, "app.webhook");
}

TEST(ConfigValidate, OriginPatternsAccepted) {
  EXPECT_NO_THROW(
      load_set({{"allowed_origins",
                 "*,https://app.example.com,https://*.example.com,http://localhost:3000,"
                 "http://127.0.0.1:8080,http://[::1]:3000,chrome-extension://abc"}}));
}

TEST(ConfigValidate, OriginPatternsRejected) {
  for (const char* origin : {"app.example.com", "https://example.com/", "https://example.com/path",
                             "https://exa mple.com", "https://*", "https://example.com:0",
                             "https://example.com:99999", "https://Example.com", "https://a.*.com",
                             "*.example.com", "://example.com", "1http://example.com"}) {
    auto e = set_error({{"allowed_origins", std::string("https://ok.example,") + origin}});
    EXPECT_EQ(e.key, "allowed_origins[1]") << origin;
  }
}

TEST(ConfigValidate, SockjsHeartbeatAtLeastOneSecond) {
  auto e = set_error({{"sockjs.heartbeat_ms", "999"}});
  EXPECT_EQ(e.key, "sockjs.heartbeat_ms");
  EXPECT_THAT(e.what(), HasSubstr("999"));
  EXPECT_EQ(set_error({{"sockjs.heartbeat_ms", "0"}}).key, "sockjs.heartbeat_ms");
  EXPECT_EQ(load_set({{"sockjs.heartbeat_ms", "1000"}}).sockjs.heartbeat_ms, 1000u);
}

TEST(ConfigValidate, SockjsStreamingBytesAtLeast4096) {
  auto e = set_error({{"sockjs.streaming_bytes", "4095"}});
  EXPECT_EQ(e.key, "sockjs.streaming_bytes");
  EXPECT_THAT(e.what(), HasSubstr("4095"));
  EXPECT_EQ(load_set({{"sockjs.streaming_bytes", "4096"}}).sockjs.streaming_bytes, 4096u);
}

TEST(ConfigValidate, SockjsPositiveValues) {
  EXPECT_EQ(set_error({{"sockjs.disconnect_delay_ms", "0"}}).key, "sockjs.disconnect_delay_ms");
  EXPECT_EQ(set_error({{"sockjs.max_sessions", "0"}}).key, "sockjs.max_sessions");
  EXPECT_NO_THROW(load_set({{"sockjs.disconnect_delay_ms", "1"}, {"sockjs.max_sessions", "1"}}));
}

TEST(ConfigValidate, SockjsClientUrl) {
  for (const char* ok : {"https://cdn.example/sockjs.min.js", "http://127.0.0.1:9000/sockjs.js",
                         "/static/sockjs.js"}) {
    EXPECT_EQ(load_set({{"sockjs.client_url", ok}}).sockjs.client_url, ok);
  }
  // Written into <script src="...">: nothing that could leave the attribute.
  for (const char* bad : {"https://cdn.example/x.js\"onload=\"alert(1)", "https://cdn.example/x.js'",
                          "https://cdn.example/<script>", "https://cdn.example/a b.js", "/a\tb",
                          "javascript:alert(1)", "sockjs.js", "", "ftp://cdn.example/x.js"}) {
    auto e = set_error({{"sockjs.client_url", bad}});
    EXPECT_EQ(e.key, "sockjs.client_url") << bad;
  }
  auto quoted = yaml_error("sockjs: {client_url: 'https://cdn.example/x.js\"'}\n");
  EXPECT_EQ(quoted.key, "sockjs.client_url");
}

TEST(ConfigValidate, NodeIdKeptWhenSet) {
  EXPECT_EQ(load_set({{"node.id", "n1"}}).node.id, "n1");
  config cfg;
  validate(cfg);
  EXPECT_FALSE(cfg.node.id.empty());
}

}  // namespace
}  // namespace herald::config

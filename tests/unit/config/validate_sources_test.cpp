// sources: read from YAML (or HERALD_SOURCES as YAML text) and checked;
// each error names the source's key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "test_support.hpp"

namespace herald::config {
namespace {

using test::fake_env;
using test::yaml_error;
using ::testing::HasSubstr;

const char* amqp_yaml = R"(
sources:
  - type: amqp
    url: amqp://guest:guest@127.0.0.1:5672/
    exchange: test_rabbit
    mode: group
    queue: herald.events
    prefetch: 10
    dead_letter_exchange: herald.dead
    map:
      user: /mobile
      body: /message
      user_destination: /userOnlineStatus
      topic: /topic/userOnlineStatus
      headers:
        x-source: rabbit
  - type: redis_key_expiry
    url: redis://127.0.0.1:6379/2
    key_prefix: "login:access_token:"
    tracking: sweep
    close_sessions: user
    map:
      user_destination: /userOnlineStatus
)";

TEST(ConfigSources, NoneByDefault) { EXPECT_TRUE(load_yaml_string("").sources.empty()); }

TEST(ConfigSources, ReadsBothTypes) {
  config cfg = load_yaml_string(amqp_yaml);
  ASSERT_EQ(cfg.sources.size(), 2u);
  const auto& a = cfg.sources[0];
  EXPECT_EQ(a.type, source_type::amqp);
  EXPECT_EQ(a.name, "amqp-0");
  EXPECT_EQ(a.amqp.exchange, "test_rabbit");
  EXPECT_EQ(a.amqp.mode, amqp_mode::group);
  EXPECT_EQ(a.amqp.queue, "herald.events");
  EXPECT_EQ(a.amqp.prefetch, 10u);
  EXPECT_EQ(a.amqp.routing_key, "#");
  EXPECT_EQ(a.amqp.dead_letter_exchange, "herald.dead");
  EXPECT_EQ(a.map.user, "/mobile");
  EXPECT_EQ(a.map.body, "/message");
  EXPECT_EQ(a.map.user_destination, "/userOnlineStatus");
  EXPECT_EQ(a.map.topic, "/topic/userOnlineStatus");
  ASSERT_EQ(a.map.headers.size(), 1u);
  EXPECT_EQ(a.map.headers[0].first, "x-source");
  const auto& e = cfg.sources[1];
  EXPECT_EQ(e.type, source_type::redis_key_expiry);
  EXPECT_EQ(e.name, "redis_key_expiry-1");
  EXPECT_EQ(e.expiry.key_prefix, "login:access_token:");
  EXPECT_EQ(e.expiry.tracking, expiry_tracking::sweep);
  EXPECT_EQ(e.expiry.close_sessions, expiry_close::user);
  EXPECT_THAT(e.expiry.notice, HasSubstr("{user}"));
}

TEST(ConfigSources, FromTheEnvironmentAsYamlText) {
  fake_env env{"HERALD_SOURCES=[{type: amqp, name: events, url: 'amqp://127.0.0.1/', exchange: x, map: {topic: /topic/x}}]"};
  config cfg = load_yaml_string("", env.get());
  ASSERT_EQ(cfg.sources.size(), 1u);
  EXPECT_EQ(cfg.sources[0].name, "events");
  EXPECT_EQ(cfg.sources[0].amqp.mode, amqp_mode::fanout);
}

struct bad_case {
  const char* yaml;
  const char* key;
  const char* problem;
};

TEST(ConfigSources, ErrorsNameTheKey) {
  const bad_case cases[] = {
      {"sources: {type: amqp}", "sources", "sequence"},
      {"sources: [{url: x}]", "sources[0].type", "missing"},
      {"sources: [{type: kafka}]", "sources[0].type", "amqp|redis_key_expiry"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, key_prefix: p, map: {topic: /topic/x}}]",
       "sources[0].key_prefix", "unknown key for a source of type amqp"},
      {"sources: [{type: amqp, url: 'amqp://h/', map: {topic: /topic/x}}]", "sources[0].exchange", "missing"},
      {"sources: [{type: amqp, url: 'http://h/', exchange: x, map: {topic: /topic/x}}]", "sources[0].url", "amqp://"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, mode: group, map: {topic: /topic/x}}]",
       "sources[0].queue", "group mode"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, queue: q, map: {topic: /topic/x}}]", "sources[0].queue",
       "only for mode: group"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, mode: both, map: {topic: /topic/x}}]", "sources[0].mode",
       "fanout|group"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, prefetch: 0, map: {topic: /topic/x}}]",
       "sources[0].prefetch", "1..65535"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, map: {}}]", "sources[0].map", "user_destination, topic"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, map: {topic: /elsewhere/x}}]", "sources[0].map.topic",
       "broker_prefixes"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, map: {user_destination: /q}}]", "sources[0].map.user",
       "needed"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, map: {user: mobile, user_destination: /q}}]",
       "sources[0].map.user", "JSON pointer"},
      {"sources: [{type: amqp, url: 'amqp://h/', exchange: x, map: {topic: /topic/x, colour: red}}]",
       "sources[0].map.colour", "unknown key"},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/0', map: {topic: /topic/x}}]", "sources[0].key_prefix",
       "missing"},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/0', key_pattern: '^t:.*$', map: {topic: /topic/x}}]",
       "sources[0].key_pattern", "capture group"},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/0', key_pattern: '^t:(.*$', map: {topic: /topic/x}}]",
       "sources[0].key_pattern", "not a valid regular expression"},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/0', key_prefix: t, tracking: always, map: {topic: /topic/x}}]",
       "sources[0].tracking", "events|sweep"},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/0', key_prefix: t, map: {user: /u, user_destination: /q}}]",
       "sources[0].map", "takes the user from the key"},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/0', key_prefix: t, sweep_ms: 0, map: {topic: /topic/x}}]",
       "sources[0].sweep_ms", "greater than 0"},
      {"sources: [{type: amqp, name: a, url: 'amqp://h/', exchange: x, map: {topic: /topic/x}},"
       " {type: amqp, name: a, url: 'amqp://h/', exchange: y, map: {topic: /topic/y}}]",
       "sources[1].name", "duplicates"},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/0', key_prefix: t, cluster_nodes: ['h:port'], map: {topic: /topic/x}}]",
       "sources[0].cluster_nodes", "got \"h:port\""},
      {"sources: [{type: redis_key_expiry, url: 'redis://h/3', key_prefix: t, cluster_nodes: ['h:7000'], map: {topic: /topic/x}}]",
       "sources[0].url", "only db 0"},
      {"sources: [{type: amqp, name: 'a b', url: 'amqp://h/', exchange: x, map: {topic: /topic/x}}]", "sources[0].name",
       "letters"},
  };
  for (const auto& c : cases) {
    auto e = yaml_error(c.yaml);
    EXPECT_EQ(e.key, c.key) << c.yaml << " → " << e.what();
    EXPECT_THAT(e.problem, HasSubstr(c.problem)) << c.yaml;
  }
}

TEST(ConfigSources, PasswordsInUrlsAreNotEchoed) {
  auto e = yaml_error("sources: [{type: redis_key_expiry, url: 'redis://:s3cret@h:99999/0', key_prefix: t, map: {topic: /topic/x}}]");
  EXPECT_EQ(e.key, "sources[0].url");
  EXPECT_THAT(std::string(e.what()), ::testing::Not(HasSubstr("s3cret")));
}

}  // namespace
}  // namespace herald::config

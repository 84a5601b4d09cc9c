// validate(), check_broker: broker.*, cluster.* and node.id. Each error
// names the offending key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load.hpp"
#include "test_support.hpp"

namespace herald::config {
namespace {

using test::fake_env;
using test::load_set;
using test::set_error;
using test::yaml_error;
using ::testing::HasSubstr;

TEST(ConfigBroker, Defaults) {
  config cfg = load_set({});
  EXPECT_EQ(cfg.broker.type, broker_type::memory);
  EXPECT_EQ(cfg.broker.redis.url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(cfg.broker.redis.prefix, "herald:");
  EXPECT_EQ(cfg.broker.redis.buffer_messages, 10000u);
  EXPECT_EQ(cfg.broker.redis.connect_timeout_ms, 2000u);
  EXPECT_EQ(cfg.broker.redis.reconnect_max_ms, 5000u);
  EXPECT_EQ(cfg.broker.redis.unsubscribe_delay_ms, 1000u);
  EXPECT_EQ(cfg.cluster.heartbeat_ms, 1000u);
  EXPECT_EQ(cfg.cluster.node_ttl_ms, 5000u);
  // The defaults are a valid redis setup as they stand.
  EXPECT_EQ(load_set({{"broker.type", "redis"}}).broker.type, broker_type::redis);
}

TEST(ConfigBroker, TypeWords) {
  EXPECT_EQ(load_set({{"broker.type", "memory"}}).broker.type, broker_type::memory);
  EXPECT_EQ(load_set({{"broker.type", "redis"}}).broker.type, broker_type::redis);
  EXPECT_EQ(load_set({{"broker.type", "amqp"}}).broker.type, broker_type::amqp);
  for (const char* bad : {"kafka", "Redis", "", "redis ", "AMQP", "rabbitmq"}) {
    auto e = set_error({{"broker.type", bad}});
    EXPECT_EQ(e.key, "broker.type") << bad;
    EXPECT_THAT(e.what(), HasSubstr("memory|redis|amqp")) << bad;
  }
}

TEST(ConfigAmqpBroker, Defaults) {
  config cfg = load_set({{"broker.type", "amqp"}});
  EXPECT_EQ(cfg.broker.type, broker_type::amqp);
  EXPECT_EQ(cfg.broker.amqp.url, "amqp://guest:guest@127.0.0.1:5672/");
  EXPECT_EQ(cfg.broker.amqp.exchange, "herald");
  EXPECT_EQ(cfg.broker.amqp.buffer_messages, 10000u);
  EXPECT_EQ(cfg.broker.amqp.reconnect_max_ms, 5000u);
}

TEST(ConfigAmqpBroker, YamlAndEnv) {
  config cfg = load_yaml_string(R"(
broker:
  type: amqp
  amqp:
    url: "amqp://app:pw@mq:5673/prod"
    exchange: "herald.prod"
    buffer_messages: 50
    reconnect_max_ms: 800
)");
  EXPECT_EQ(cfg.broker.type, broker_type::amqp);
  EXPECT_EQ(cfg.broker.amqp.url, "amqp://app:pw@mq:5673/prod");
  EXPECT_EQ(cfg.broker.amqp.exchange, "herald.prod");
  EXPECT_EQ(cfg.broker.amqp.buffer_messages, 50u);
  EXPECT_EQ(cfg.broker.amqp.reconnect_max_ms, 800u);

  fake_env env{"HERALD_BROKER_TYPE=amqp", "HERALD_BROKER_AMQP_URL=amqp://10.0.0.9",
               "HERALD_BROKER_AMQP_EXCHANGE=edge"};
  config from_env = load_yaml_string("", env.get());
  EXPECT_EQ(from_env.broker.type, broker_type::amqp);
  EXPECT_EQ(from_env.broker.amqp.url, "amqp://10.0.0.9");
  EXPECT_EQ(from_env.broker.amqp.exchange, "edge");
  fake_env bad{"HERALD_BROKER_TYPE=amqp", "HERALD_BROKER_AMQP_URL=redis://x"};
  EXPECT_EQ(yaml_error("", bad.get()).key, "broker.amqp.url");
}

TEST(ConfigAmqpBroker, UrlAccepted) {
  for (const char* url : {"amqp://guest:guest@127.0.0.1:5672/", "amqp://mq", "amqp://mq/", "amqp://u:p%40ss@mq:5673/%2f",
                          "amqp://secret@mq/vhost", "amqp://[::1]:5672/", "amqp://mq.internal.example"}) {
    EXPECT_NO_THROW(load_set({{"broker.type", "amqp"}, {"broker.amqp.url", url}})) << url;
  }
}

TEST(ConfigAmqpBroker, UrlRejected) {
  for (const char* url : {"", "http://mq", "mq:5672", "amqp://", "amqp://mq:0", "amqp://mq:65536", "amqp://mq:x",
                          "amqp://u:p@", "amqp://mq /v", "amqp://[::1", "amqp://bad_host"}) {
    auto e = set_error({{"broker.type", "amqp"}, {"broker.amqp.url", url}});
    EXPECT_EQ(e.key, "broker.amqp.url") << url;
  }
  EXPECT_THAT(set_error({{"broker.type", "amqp"}, {"broker.amqp.url", "amqp://mq:0"}}).what(), HasSubstr("port"));
  auto tls = set_error({{"broker.type", "amqp"}, {"broker.amqp.url", "amqps://mq"}});
  EXPECT_EQ(tls.key, "broker.amqp.url");
  EXPECT_THAT(tls.what(), HasSubstr("TLS"));
  // The URL may hold a password: the message gives the reason only.
  for (const char* url : {"amqp://u:hunter2@mq:0/", "http://u:hunter2@mq", "amqp://u:hunter2@mq /"}) {
    auto secret = set_error({{"broker.type", "amqp"}, {"broker.amqp.url", url}});
    EXPECT_THAT(secret.what(), ::testing::Not(HasSubstr("hunter2"))) << url;
  }
}

TEST(ConfigAmqpBroker, UrlIgnoredWithOtherBrokers) {
  EXPECT_NO_THROW(load_set({{"broker.amqp.url", "http://not-amqp"}}));
  EXPECT_NO_THROW(load_set({{"broker.type", "redis"}, {"broker.amqp.url", "amqps://mq"}}));
}

TEST(ConfigAmqpBroker, Exchange) {
  for (const char* ok : {"herald", "herald.prod", "a", "x-y_z:1"}) {
    EXPECT_EQ(load_set({{"broker.amqp.exchange", ok}}).broker.amqp.exchange, ok);
  }
  EXPECT_NO_THROW(load_set({{"broker.amqp.exchange", std::string(255, 'e')}}));
  for (const std::string& bad : {std::string(), std::string(" "), std::string("a b"), std::string("a/b"),
                                std::string("a*"), std::string("é"), std::string(256, 'e')}) {
    EXPECT_EQ(set_error({{"broker.amqp.exchange", bad}}).key, "broker.amqp.exchange") << bad;
  }
  auto reserved = set_error({{"broker.type", "amqp"}, {"broker.amqp.exchange", "amq.direct"}});
  EXPECT_EQ(reserved.key, "broker.amqp.exchange");
  EXPECT_THAT(reserved.what(), HasSubstr("reserved"));
}

TEST(ConfigAmqpBroker, BufferAndReconnect) {
  EXPECT_EQ(set_error({{"broker.amqp.buffer_messages", "0"}}).key, "broker.amqp.buffer_messages");
  EXPECT_EQ(load_set({{"broker.amqp.buffer_messages", "1"}}).broker.amqp.buffer_messages, 1u);
  auto e = set_error({{"broker.amqp.reconnect_max_ms", "99"}});
  EXPECT_EQ(e.key, "broker.amqp.reconnect_max_ms");
  EXPECT_THAT(e.what(), HasSubstr("99"));
  EXPECT_EQ(load_set({{"broker.amqp.reconnect_max_ms", "100"}}).broker.amqp.reconnect_max_ms, 100u);
  for (const char* key : {"broker.amqp.buffer_messages", "broker.amqp.reconnect_max_ms"}) {
    for (const char* bad : {"", "x", "1.5", "4294967296"}) {
      EXPECT_EQ(set_error({{key, bad}}).key, key) << key << "=" << bad;
    }
  }
}

TEST(ConfigBroker, YamlAndEnv) {
  config cfg = load_yaml_string(R"(
broker:
  type: redis
  redis:
    url: "redis://app:pw@cache:6380/2"
    prefix: "prod:"
    buffer_messages: 50
    connect_timeout_ms: 300
    reconnect_max_ms: 800
    unsubscribe_delay_ms: 0
cluster: {heartbeat_ms: 250, node_ttl_ms: 900}
node: {id: edge-1}
)");
  EXPECT_EQ(cfg.broker.type, broker_type::redis);
  EXPECT_EQ(cfg.broker.redis.url, "redis://app:pw@cache:6380/2");
  EXPECT_EQ(cfg.broker.redis.prefix, "prod:");
  EXPECT_EQ(cfg.broker.redis.buffer_messages, 50u);
  EXPECT_EQ(cfg.broker.redis.connect_timeout_ms, 300u);
  EXPECT_EQ(cfg.broker.redis.reconnect_max_ms, 800u);
  EXPECT_EQ(cfg.broker.redis.unsubscribe_delay_ms, 0u);
  EXPECT_EQ(cfg.cluster.heartbeat_ms, 250u);
  EXPECT_EQ(cfg.cluster.node_ttl_ms, 900u);

  fake_env env{"HERALD_BROKER_TYPE=redis", "HERALD_BROKER_REDIS_URL=redis://10.0.0.9",
               "HERALD_CLUSTER_HEARTBEAT_MS=400", "HERALD_CLUSTER_NODE_TTL_MS=800"};
  config from_env = load_yaml_string("", env.get());
  EXPECT_EQ(from_env.broker.type, broker_type::redis);
  EXPECT_EQ(from_env.broker.redis.url, "redis://10.0.0.9");
  EXPECT_EQ(from_env.cluster.heartbeat_ms, 400u);
  EXPECT_EQ(from_env.cluster.node_ttl_ms, 800u);
  // A rule broken by the environment names the key, not the variable.
  fake_env bad{"HERALD_BROKER_TYPE=redis", "HERALD_BROKER_REDIS_URL=http://x"};
  EXPECT_EQ(yaml_error("", bad.get()).key, "broker.redis.url");
}

TEST(ConfigBroker, RedisUrlAccepted) {
  for (const char* url : {"redis://127.0.0.1:6379/0", "redis://cache", "redis://u:p%40ss@cache:6380/3",
                          "redis://secret@cache", "redis://[::1]:7000"}) {
    EXPECT_NO_THROW(load_set({{"broker.type", "redis"}, {"broker.redis.url", url}})) << url;
  }
}

TEST(ConfigBroker, RedisUrlRejected) {
  for (const char* url : {"", "http://cache", "cache:6379", "redis://", "redis://cache:0", "redis://cache:65536",
                          "redis://cache/x", "redis://%zz@cache", "redis://[::1"}) {
    auto e = set_error({{"broker.type", "redis"}, {"broker.redis.url", url}});
    EXPECT_EQ(e.key, "broker.redis.url") << url;
  }
  auto e = set_error({{"broker.type", "redis"}, {"broker.redis.url", "redis://cache:0"}});
  EXPECT_THAT(e.what(), HasSubstr("port"));
  // The URL may hold a password: the message gives the reason only.
  auto secret = set_error({{"broker.type", "redis"}, {"broker.redis.url", "redis://u:hunter2@cache:0"}});
  EXPECT_THAT(secret.what(), ::testing::Not(HasSubstr("hunter2")));
}

TEST(ConfigBroker, RedisTlsNotSupportedYet) {
  auto e = set_error({{"broker.type", "redis"}, {"broker.redis.url", "rediss://cache:6380"}});
  EXPECT_EQ(e.key, "broker.redis.url");
  EXPECT_THAT(e.what(), HasSubstr("TLS"));
}

TEST(ConfigBroker, RedisUrlIgnoredWithMemoryBroker) {
  // Only checked when it is used.
  EXPECT_NO_THROW(load_set({{"broker.type", "memory"}, {"broker.redis.url", "http://not-redis"}}));
  EXPECT_NO_THROW(load_set({{"broker.redis.url", "rediss://cache"}}));
}

TEST(ConfigBroker, Prefix) {
  for (const char* ok : {"herald:", "prod-eu:", "a", "x.y/z:", "{tag}:"}) {
    EXPECT_EQ(load_set({{"broker.redis.prefix", ok}}).broker.redis.prefix, ok);
  }
  for (const char* bad : {"", " ", "a b", "a\tb", "a\nb", "a\r", "a*", "a?", "a[", "a]", "[ab]:"}) {
    auto e = set_error({{"broker.redis.prefix", bad}});
    EXPECT_EQ(e.key, "broker.redis.prefix") << bad;
  }
  // Checked whatever the broker type: a config switched to redis later
  // should not discover it then.
  EXPECT_EQ(set_error({{"broker.type", "memory"}, {"broker.redis.prefix", "a*"}}).key, "broker.redis.prefix");
}

TEST(ConfigBroker, BufferMessagesPositive) {
  EXPECT_EQ(set_error({{"broker.redis.buffer_messages", "0"}}).key, "broker.redis.buffer_messages");
  EXPECT_EQ(load_set({{"broker.redis.buffer_messages", "1"}}).broker.redis.buffer_messages, 1u);
  EXPECT_EQ(set_error({{"broker.redis.buffer_messages", "-1"}}).key, "broker.redis.buffer_messages");
}

TEST(ConfigBroker, ConnectTimeoutPositive) {
  EXPECT_EQ(set_error({{"broker.redis.connect_timeout_ms", "0"}}).key, "broker.redis.connect_timeout_ms");
  EXPECT_EQ(load_set({{"broker.redis.connect_timeout_ms", "1"}}).broker.redis.connect_timeout_ms, 1u);
}

TEST(ConfigBroker, ReconnectMaxAtLeast100) {
  auto e = set_error({{"broker.redis.reconnect_max_ms", "99"}});
  EXPECT_EQ(e.key, "broker.redis.reconnect_max_ms");
  EXPECT_THAT(e.what(), HasSubstr("99"));
  EXPECT_EQ(set_error({{"broker.redis.reconnect_max_ms", "0"}}).key, "broker.redis.reconnect_max_ms");
  EXPECT_EQ(load_set({{"broker.redis.reconnect_max_ms", "100"}}).broker.redis.reconnect_max_ms, 100u);
}

TEST(ConfigBroker, UnsubscribeDelayAnyValue) {
  // 0 unsubscribes at once; it has no rule beyond being a uint.
  EXPECT_EQ(load_set({{"broker.redis.unsubscribe_delay_ms", "0"}}).broker.redis.unsubscribe_delay_ms, 0u);
  EXPECT_EQ(load_set({{"broker.redis.unsubscribe_delay_ms", "4294967295"}}).broker.redis.unsubscribe_delay_ms,
            4294967295u);
  EXPECT_EQ(set_error({{"broker.redis.unsubscribe_delay_ms", "1s"}}).key, "broker.redis.unsubscribe_delay_ms");
}

TEST(ConfigBroker, UintKeysRejectNonNumbers) {
  for (const char* key : {"broker.redis.buffer_messages", "broker.redis.connect_timeout_ms",
                          "broker.redis.reconnect_max_ms", "broker.redis.unsubscribe_delay_ms",
                          "cluster.heartbeat_ms", "cluster.node_ttl_ms"}) {
    for (const char* bad : {"", "x", "1.5", "4294967296"}) {
      EXPECT_EQ(set_error({{key, bad}}).key, key) << key << "=" << bad;
    }
  }
}

TEST(ConfigCluster, HeartbeatAtLeast100) {
  auto e = set_error({{"cluster.heartbeat_ms", "99"}});
  EXPECT_EQ(e.key, "cluster.heartbeat_ms");
  EXPECT_THAT(e.what(), HasSubstr("99"));
  EXPECT_EQ(set_error({{"cluster.heartbeat_ms", "0"}}).key, "cluster.heartbeat_ms");
  EXPECT_EQ(load_set({{"cluster.heartbeat_ms", "100"}}).cluster.heartbeat_ms, 100u);
}

TEST(ConfigCluster, NodeTtlAtLeastTwoHeartbeats) {
  auto e = set_error({{"cluster.heartbeat_ms", "1000"}, {"cluster.node_ttl_ms", "1999"}});
  EXPECT_EQ(e.key, "cluster.node_ttl_ms");
  EXPECT_THAT(e.what(), HasSubstr("1999"));
  EXPECT_THAT(e.what(), HasSubstr("cluster.heartbeat_ms"));
  EXPECT_EQ(load_set({{"cluster.heartbeat_ms", "1000"}, {"cluster.node_ttl_ms", "2000"}}).cluster.node_ttl_ms,
            2000u);
  // Raising the heartbeat alone can break the default TTL (5000).
  EXPECT_EQ(set_error({{"cluster.heartbeat_ms", "3000"}}).key, "cluster.node_ttl_ms");
  EXPECT_EQ(set_error({{"cluster.node_ttl_ms", "0"}}).key, "cluster.node_ttl_ms");
}

TEST(ConfigCluster, NodeTtlRuleDoesNotOverflow) {
  // Twice a heartbeat above 2^31 does not fit in 32 bits; the rule must
  // still hold rather than wrap to a small number.
  for (const char* hb : {"2147483648", "2147483649", "4294967295"}) {
    auto e = set_error({{"cluster.heartbeat_ms", hb}, {"cluster.node_ttl_ms", "5000"}});
    EXPECT_EQ(e.key, "cluster.node_ttl_ms") << hb;
    EXPECT_EQ(set_error({{"cluster.heartbeat_ms", hb}, {"cluster.node_ttl_ms", "4294967295"}}).key,
              "cluster.node_ttl_ms")
        << hb;
  }
  EXPECT_NO_THROW(load_set({{"cluster.heartbeat_ms", "2147483647"}, {"cluster.node_ttl_ms", "4294967294"}}));
}

TEST(ConfigNode, IdCharacters) {
  for (const char* ok : {"edge-1", "n1.eu-west.example", "node_7:8080", "ÿ-é", "a@b"}) {
    EXPECT_EQ(load_set({{"node.id", ok}}).node.id, ok);
  }
  for (const std::string& bad : std::vector<std::string>{"a b", " a", "a\t", "a\nb", std::string("a\0b", 3), "a\x01", "a/b", "a*", "a?", "a[0]",
                          "]", "a\x7f"}) {
    auto e = set_error({{"node.id", bad}});
    EXPECT_EQ(e.key, "node.id") << bad;
  }
  auto e = yaml_error("node: {id: 'edge 1'}\n");
  EXPECT_EQ(e.key, "node.id");
  EXPECT_THAT(e.what(), HasSubstr("edge 1"));
}

TEST(ConfigNode, ValidateOnBuiltConfig) {
  // validate() also guards configs built in code.
  config cfg;
  cfg.broker.redis.prefix = "";
  EXPECT_EQ(test::error_of([&] { validate(cfg); }).key, "broker.redis.prefix");
  config cfg2;
  cfg2.cluster.node_ttl_ms = 1;
  EXPECT_EQ(test::error_of([&] { validate(cfg2); }).key, "cluster.node_ttl_ms");
  config cfg3;
  cfg3.broker.type = broker_type::redis;
  cfg3.broker.redis.url = "redis://h:1/2";
  EXPECT_NO_THROW(validate(cfg3));
}

}  // namespace
}  // namespace herald::config

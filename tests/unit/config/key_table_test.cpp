// The key table itself, and docs/config.md staying in sync with it.
#include "config/key_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/load.hpp"

#ifndef HERALD_SOURCE_DIR
#error "HERALD_SOURCE_DIR must name the source tree (set in tests/unit/config/CMakeLists.txt)"
#endif
#ifndef HERALD_BINARY_DIR
#error "HERALD_BINARY_DIR must name a writable build directory"
#endif

namespace herald::config {
namespace {

using ::testing::HasSubstr;

TEST(ConfigKeyTable, EnvNamesFollowPaths) {
  EXPECT_EQ(env_name("limits.max_frame_bytes"), "HERALD_LIMITS_MAX_FRAME_BYTES");
  for (const auto& key : key_table()) {
    EXPECT_EQ(key.env, env_name(key.path));
    EXPECT_EQ(find_key(key.path), &key);
    EXPECT_EQ(find_env(key.env), &key);
  }
}

TEST(ConfigKeyTable, PathsAndEnvNamesUnique) {
  std::set<std::string> paths, envs;
  for (const auto& key : key_table()) {
    EXPECT_TRUE(paths.insert(key.path).second) << key.path;
    EXPECT_TRUE(envs.insert(key.env).second) << key.env;
    // A key may not also be a section, or YAML could not tell them apart.
    EXPECT_FALSE(is_section(key.path)) << key.path;
  }
}

TEST(ConfigKeyTable, EveryKeyDocumented) {
  for (const auto& key : key_table()) {
    EXPECT_FALSE(key.doc.empty()) << key.path;
    EXPECT_FALSE(key.type.empty()) << key.path;
    EXPECT_TRUE(key.set_text && key.get_text) << key.path;
    EXPECT_EQ(static_cast<bool>(key.set_list), key.kind == value_kind::list) << key.path;
  }
}

// The documented default is what a default-constructed config really holds.
TEST(ConfigKeyTable, DefaultTextMatchesStructDefaults) {
  const config defaults;
  for (const auto& key : key_table())
    EXPECT_EQ(key.get_text(defaults), key.default_text) << key.path;
}

TEST(ConfigKeyTable, TextRoundTrips) {
  const config defaults;
  for (const auto& key : key_table()) {
    config cfg;
    key.set_text(cfg, key.get_text(defaults));
    EXPECT_EQ(key.get_text(cfg), key.default_text) << key.path;
  }
}

TEST(ConfigKeyTable, CoversTheTopLevelKeys) {
  for (const char* path : {"node.id",
                           "listen",
                           "threads",
                           "log.level",
                           "log.format",
                           "drain_ms",
                           "allowed_origins",
                           "endpoints",
                           "auth.mode",
                           "auth.jwt.public_key_file",
                           "auth.query_param",
                           "auth.cookie",
                           "app.webhook",
                           "app.webhook_timeout_ms",
                           "app.max_in_flight_per_session",
                           "app.max_connections_per_thread",
                           "app.max_queued_per_thread",
                           "api.key",
                           "api.max_body_bytes",
                           "heartbeat.grace",
                           "slow_consumer.topic",
                           "slow_consumer.user",
                           "destinations.client_send",
                           "sockjs.heartbeat_ms",
                           "sockjs.disconnect_delay_ms",
                           "sockjs.streaming_bytes",
                           "sockjs.cookie_needed",
                           "sockjs.client_url",
                           "sockjs.max_sessions"}) {
    EXPECT_NE(find_key(path), nullptr) << path;
  }
  EXPECT_TRUE(is_section("auth"));
  EXPECT_TRUE(is_section("auth.jwt"));
  EXPECT_TRUE(is_section("sockjs"));
  EXPECT_FALSE(is_section("auth.j"));
}

TEST(ConfigReference, ListsEveryKey) {
  std::string md = reference_markdown();
  for (const auto& key : key_table()) {
    EXPECT_THAT(md, HasSubstr("| `" + key.path + "` | `" + key.env + "` |"));
  }
}

TEST(ConfigReference, ExampleYamlLoads) {
  std::string md = reference_markdown();
  auto begin = md.find("```yaml\n");
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  auto end = md.find("```", begin);
  ASSERT_NE(end, std::string::npos);
  config cfg = load_yaml_string(md.substr(begin, end - begin));
  ASSERT_EQ(cfg.endpoints.size(), 3u);
  EXPECT_TRUE(cfg.endpoints[1].allowed_origins.has_value());
  EXPECT_FALSE(cfg.endpoints[1].sockjs);
  EXPECT_TRUE(cfg.endpoints[2].sockjs);
  EXPECT_EQ(cfg.auth.mode, auth_mode::jwt);
}

TEST(ConfigReference, DocsFileIsUpToDate) {
  const std::filesystem::path doc = std::filesystem::path(HERALD_SOURCE_DIR) / "docs" / "config.md";
  std::ifstream in(doc, std::ios::binary);
  std::stringstream actual;
  actual << in.rdbuf();
  const std::string expected = reference_markdown();
  if (actual.str() != expected) {
    const std::filesystem::path fresh = std::filesystem::path(HERALD_BINARY_DIR) / "config.md";
    std::ofstream(fresh, std::ios::binary) << expected;
    FAIL() << doc << " is out of date with src/config/key_table.cpp. Regenerate it with:\n  cp "
           << fresh << ' ' << doc;
  }
}

}  // namespace
}  // namespace herald::config

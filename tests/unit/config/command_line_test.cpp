// parse_command_line(): flags, precedence over env, --help, --version, exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "config/load.hpp"
#include "test_support.hpp"

namespace herald::config {
namespace {

using test::fake_env;
using test::temp_file;
using ::testing::HasSubstr;

struct run_result {
  std::optional<config> cfg;
  int exit_code = -1;
  std::string out;
  std::string err;
};

run_result run(std::vector<std::string> args, char** envp = nullptr) {
  args.insert(args.begin(), "herald");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  run_result r;
  r.cfg =
      parse_command_line(static_cast<int>(args.size()), argv.data(), envp, out, err, r.exit_code);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(ConfigCommandLine, NoArgumentsGivesDefaults) {
  auto r = run({});
  ASSERT_TRUE(r.cfg) << r.err;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.cfg->listen, "0.0.0.0:8080");
}

TEST(ConfigCommandLine, DedicatedFlags) {
  auto r = run({"--listen", "127.0.0.1:0", "--threads", "3", "--log-level", "debug"});
  ASSERT_TRUE(r.cfg) << r.err;
  EXPECT_EQ(r.cfg->listen_port(), 0);
  EXPECT_EQ(r.cfg->threads, 3u);
  EXPECT_EQ(r.cfg->log_level, "debug");
  auto eq = run({"--listen=[::1]:7000"});
  ASSERT_TRUE(eq.cfg) << eq.err;
  EXPECT_EQ(eq.cfg->listen_host(), "::1");
}

TEST(ConfigCommandLine, ConfigFileThenEnvThenFlags) {
  temp_file file("threads: 2\ndrain_ms: 1\nlog: {level: error}\napi: {key: from-file}\n");
  fake_env env{"HERALD_THREADS=4", "HERALD_DRAIN_MS=5", "HERALD_LOG_LEVEL=warn"};
  auto r = run({"--config", file.path(), "--set", "threads=8", "--log-level", "trace"}, env.get());
  ASSERT_TRUE(r.cfg) << r.err;
  EXPECT_EQ(r.cfg->api.key, "from-file");  // file only
  EXPECT_EQ(r.cfg->drain_ms, 5u);          // env beats file
  EXPECT_EQ(r.cfg->threads, 8u);           // --set beats env
  EXPECT_EQ(r.cfg->log_level, "trace");    // flag beats env
}

TEST(ConfigCommandLine, FlagsApplyInCommandLineOrder) {
  auto a = run({"--set", "listen=127.0.0.1:1", "--listen", "127.0.0.1:2"});
  ASSERT_TRUE(a.cfg) << a.err;
  EXPECT_EQ(a.cfg->listen_port(), 2);
  auto b = run(
      {"--listen", "127.0.0.1:2", "--set", "listen=127.0.0.1:1", "--set", "limits.max_headers=5"});
  ASSERT_TRUE(b.cfg) << b.err;
  EXPECT_EQ(b.cfg->listen_port(), 1);
  EXPECT_EQ(b.cfg->limits.max_headers, 5u);
}

TEST(ConfigCommandLine, SetTakesCommaLists) {
  auto r = run({"--set", "allowed_origins=https://a.example,https://b.example", "--set",
                "endpoints=/ws,/mq"});
  ASSERT_TRUE(r.cfg) << r.err;
  EXPECT_EQ(r.cfg->allowed_origins.size(), 2u);
  EXPECT_EQ(r.cfg->endpoints.size(), 2u);
}

TEST(ConfigCommandLine, HelpListsFlagsAndKeys) {
  auto r = run({"--help"});
  EXPECT_FALSE(r.cfg);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--config"));
  EXPECT_THAT(r.out, HasSubstr("--set"));
  EXPECT_THAT(r.out, HasSubstr("limits.max_frame_bytes=65536"));
  EXPECT_THAT(r.out, HasSubstr("HERALD_LIMITS_MAX_FRAME_BYTES"));
  EXPECT_THAT(r.out, HasSubstr("HERALD_AUTH_JWT_SECRET"));
  EXPECT_THAT(r.out, HasSubstr("Largest STOMP frame"));
  EXPECT_TRUE(r.err.empty());
}

TEST(ConfigCommandLine, Version) {
  auto r = run({"--version"});
  EXPECT_FALSE(r.cfg);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "herald " HERALD_VERSION "\n");
}

TEST(ConfigCommandLine, UsageErrorsExit2) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--bogus"}, {"stray"}, {"--listen"}, {"--set", "no-equals"}, {"--set", "=1"}}) {
    auto r = run(args);
    EXPECT_FALSE(r.cfg) << args[0];
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_FALSE(r.err.empty()) << args[0];
    EXPECT_TRUE(r.out.empty()) << args[0];
  }
}

TEST(ConfigCommandLine, ConfigErrorsExit2AndNameTheKey) {
  auto unknown = run({"--set", "foo.bar=1"});
  EXPECT_FALSE(unknown.cfg);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("foo.bar: unknown key"));

  auto threads = run({"--threads", "many"});
  EXPECT_EQ(threads.exit_code, 2);
  EXPECT_THAT(threads.err, HasSubstr("threads: expected an unsigned integer, got \"many\""));

  fake_env env{"HERALD_NOPE=1"};
  auto bad_env = run({}, env.get());
  EXPECT_EQ(bad_env.exit_code, 2);
  EXPECT_THAT(bad_env.err, HasSubstr("HERALD_NOPE"));

  auto missing = run({"--config", "/nonexistent/herald.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/herald.yaml"));

  auto invalid = run({"--listen", "nowhere"});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_THAT(invalid.err, HasSubstr("listen:"));
}

}  // namespace
}  // namespace herald::config

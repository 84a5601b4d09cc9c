// parse_url / parse_host_port: where the Redis server is and how to log in.
#include "redis/address.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace herald::redis {
namespace {

using ::testing::HasSubstr;

address url(std::string_view text) {
  std::string error;
  auto a = parse_url(text, &error);
  EXPECT_TRUE(a.has_value()) << text << ": " << error;
  return a.value_or(address{});
}

std::string url_error(std::string_view text) {
  std::string error;
  auto a = parse_url(text, &error);
  EXPECT_FALSE(a.has_value()) << text << " parsed; host " << (a ? a->host : "");
  EXPECT_FALSE(error.empty()) << text;
  return error;
}

address host_port(std::string_view text) {
  std::string error;
  auto a = parse_host_port(text, &error);
  EXPECT_TRUE(a.has_value()) << text << ": " << error;
  return a.value_or(address{});
}

std::string host_port_error(std::string_view text) {
  std::string error;
  auto a = parse_host_port(text, &error);
  EXPECT_FALSE(a.has_value()) << text;
  EXPECT_FALSE(error.empty()) << text;
  return error;
}

TEST(RedisAddress, Defaults) {
  address a;
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 6379);
  EXPECT_EQ(a.db, 0u);
  EXPECT_FALSE(a.tls);
  EXPECT_TRUE(a.user.empty());
  EXPECT_TRUE(a.password.empty());
}

TEST(RedisAddress, HostOnly) {
  auto a = url("redis://cache.internal");
  EXPECT_EQ(a.host, "cache.internal");
  EXPECT_EQ(a.port, 6379);
  EXPECT_EQ(a.db, 0u);
  EXPECT_FALSE(a.tls);
  EXPECT_EQ(a.user, "");
  EXPECT_EQ(a.password, "");
}

TEST(RedisAddress, HostPortDb) {
  auto a = url("redis://127.0.0.1:6380/2");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.db, 2u);
  EXPECT_EQ(url("redis://h:6379/0").db, 0u);
  EXPECT_EQ(url("redis://h/15").db, 15u);
  EXPECT_EQ(url("redis://h/15").port, 6379);
  // An empty path is database 0.
  EXPECT_EQ(url("redis://h:1/").db, 0u);
}

TEST(RedisAddress, DefaultConfigUrl) {
  auto a = url("redis://127.0.0.1:6379/0");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 6379);
  EXPECT_EQ(a.db, 0u);
}

TEST(RedisAddress, Tls) {
  auto a = url("rediss://secure.example:6380");
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.host, "secure.example");
  EXPECT_EQ(a.port, 6380);
  EXPECT_FALSE(url("redis://secure.example:6380").tls);
}

TEST(RedisAddress, UserAndPassword) {
  auto a = url("redis://app:s3cret@h:7000/1");
  EXPECT_EQ(a.user, "app");
  EXPECT_EQ(a.password, "s3cret");
  EXPECT_EQ(a.host, "h");
  EXPECT_EQ(a.port, 7000);
  EXPECT_EQ(a.db, 1u);
}

TEST(RedisAddress, PasswordOnly) {
  // redis://password@host and redis://:password@host both mean AUTH password.
  auto a = url("redis://s3cret@h");
  EXPECT_EQ(a.user, "");
  EXPECT_EQ(a.password, "s3cret");
  EXPECT_EQ(a.host, "h");
  auto b = url("redis://:s3cret@h:6379");
  EXPECT_EQ(b.user, "");
  EXPECT_EQ(b.password, "s3cret");
}

TEST(RedisAddress, PasswordKeepsColonsAfterTheFirst) {
  auto a = url("redis://u:a:b:c@h");
  EXPECT_EQ(a.user, "u");
  EXPECT_EQ(a.password, "a:b:c");
}

TEST(RedisAddress, LastAtSeparatesHost) {
  // An unencoded '@' in the password still leaves the host after the last one.
  auto a = url("redis://u:p@ss@h:1");
  EXPECT_EQ(a.user, "u");
  EXPECT_EQ(a.password, "p@ss");
  EXPECT_EQ(a.host, "h");
  EXPECT_EQ(a.port, 1);
}

TEST(RedisAddress, PercentEncoding) {
  auto a = url("redis://us%65r:p%40ss%2Fw%3Ard%25@h");
  EXPECT_EQ(a.user, "user");
  EXPECT_EQ(a.password, "p@ss/w:rd%");
  EXPECT_EQ(url("redis://%7e%7E@h").password, "~~");  // either case of hex digit
  EXPECT_EQ(url("redis://a%00b@h").password, std::string("a\0b", 3));
  EXPECT_EQ(url("redis://%ff@h").password, "\xff");
  // An encoded ':' in the user does not split user from password.
  auto b = url("redis://a%3Ab:c@h");
  EXPECT_EQ(b.user, "a:b");
  EXPECT_EQ(b.password, "c");
}

TEST(RedisAddress, BadPercentEncoding) {
  for (const char* u : {"redis://%@h", "redis://%4@h", "redis://ab%4@h", "redis://%zz@h", "redis://%4g@h",
                        "redis://%-1@h", "redis://%+1@h", "redis://u:%@h", "redis://%G0:p@h"}) {
    EXPECT_THAT(url_error(u), HasSubstr("percent")) << u;
  }
}

TEST(RedisAddress, PortRange) {
  EXPECT_EQ(url("redis://h:1").port, 1);
  EXPECT_EQ(url("redis://h:65535").port, 65535);
  EXPECT_EQ(url("redis://h:06379").port, 6379);
  for (const char* u : {"redis://h:0", "redis://h:65536", "redis://h:99999999999999999999", "redis://h:",
                        "redis://h:-1", "redis://h:+1", "redis://h:63 79", "redis://h:6379x", "redis://h:0x10"}) {
    EXPECT_THAT(url_error(u), HasSubstr("port")) << u;
  }
}

TEST(RedisAddress, DatabaseNumber) {
  EXPECT_EQ(url("redis://h/1048576").db, 1048576u);
  for (const char* u : {"redis://h/1048577", "redis://h/x", "redis://h/-1", "redis://h/1/2", "redis://h/0?x=1",
                        "redis://h/99999999999999999999999"}) {
    EXPECT_THAT(url_error(u), HasSubstr("database")) << u;
  }
}

TEST(RedisAddress, Ipv6) {
  auto a = url("redis://[::1]:7000/3");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 7000);
  EXPECT_EQ(a.db, 3u);
  auto b = url("redis://u:p@[fe80::1%25eth0]");
  EXPECT_EQ(b.host, "fe80::1%25eth0");  // the host is taken as written
  EXPECT_EQ(b.port, 6379);
  EXPECT_EQ(b.user, "u");
  EXPECT_THAT(url_error("redis://[::1"), HasSubstr("'['"));
  EXPECT_THAT(url_error("redis://[::1]7000"), HasSubstr("':'"));
  EXPECT_THAT(url_error("redis://[::1]:"), HasSubstr("port"));
  EXPECT_THAT(url_error("redis://[::1]:0"), HasSubstr("port"));
  EXPECT_THAT(url_error("redis://[]:6379"), HasSubstr("host"));
}

TEST(RedisAddress, Scheme) {
  for (const char* u : {"", "redis:/h", "redis:h", "http://h", "REDIS://h", "unix:///tmp/redis.sock", "h:6379",
                        " redis://h", "redis+tls://h"}) {
    EXPECT_THAT(url_error(u), HasSubstr("redis://")) << u;
  }
}

TEST(RedisAddress, MissingHost) {
  for (const char* u : {"redis://", "redis://:6379", "redis:///0", "redis://u:p@", "redis://u:p@:6379/1"}) {
    EXPECT_THAT(url_error(u), HasSubstr("host")) << u;
  }
}

TEST(RedisAddress, ErrorSetOnlyOnFailure) {
  std::string error;
  EXPECT_FALSE(parse_url("redis://h:0", &error));
  EXPECT_FALSE(error.empty());
  // Success does not depend on the error string it is handed.
  EXPECT_TRUE(parse_url("redis://h:1", &error));
}

TEST(RedisHostPort, Forms) {
  auto a = host_port("10.0.0.5:7001");
  EXPECT_EQ(a.host, "10.0.0.5");
  EXPECT_EQ(a.port, 7001);
  auto b = host_port("redis-node-3");
  EXPECT_EQ(b.host, "redis-node-3");
  EXPECT_EQ(b.port, 6379);
  auto c = host_port("[::1]:7000");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 7000);
  auto d = host_port("[2001:db8::2]");
  EXPECT_EQ(d.host, "2001:db8::2");
  EXPECT_EQ(d.port, 6379);
  // Only the host and port: nothing else of the address is set.
  EXPECT_EQ(a.db, 0u);
  EXPECT_FALSE(a.tls);
  EXPECT_TRUE(a.user.empty());
  EXPECT_TRUE(a.password.empty());
}

TEST(RedisHostPort, Errors) {
  EXPECT_THAT(host_port_error(""), HasSubstr("host"));
  EXPECT_THAT(host_port_error(":7000"), HasSubstr("host"));
  EXPECT_THAT(host_port_error("[]"), HasSubstr("host"));
  EXPECT_THAT(host_port_error("h:"), HasSubstr("port"));
  EXPECT_THAT(host_port_error("h:0"), HasSubstr("port"));
  EXPECT_THAT(host_port_error("h:65536"), HasSubstr("port"));
  EXPECT_THAT(host_port_error("h:abc"), HasSubstr("port"));
  EXPECT_THAT(host_port_error("[::1"), HasSubstr("'['"));
  EXPECT_THAT(host_port_error("[::1]x"), HasSubstr("':'"));
  EXPECT_THAT(host_port_error("[::1]:"), HasSubstr("port"));
}

TEST(RedisHostPort, UnbracketedIpv6SplitsAtTheLastColon) {
  // Documented form is "[::1]:7000"; without brackets the last ':' is the
  // port separator, so "::1" is host "::" port 1 (not the loopback).
  auto a = host_port("::1");
  EXPECT_EQ(a.host, ":");
  EXPECT_EQ(a.port, 1);
}

}  // namespace
}  // namespace herald::redis

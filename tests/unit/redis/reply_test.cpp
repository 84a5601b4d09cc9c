// append_command: the exact RESP bytes of a command, binary-safe.
#include "redis/reply.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/reader.hpp"

namespace herald::redis {
namespace {

using namespace std::string_literals;

TEST(RedisCommand, ExactBytes) {
  std::string out;
  append_command(out, {"SET", "key", "value"});
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
}

TEST(RedisCommand, SingleWord) {
  std::string out;
  append_command(out, {"PING"});
  EXPECT_EQ(out, "*1\r\n$4\r\nPING\r\n");
}

TEST(RedisCommand, NoArguments) {
  std::string out;
  append_command(out, std::vector<std::string>{});
  EXPECT_EQ(out, "*0\r\n");
}

TEST(RedisCommand, EmptyArgument) {
  std::string out;
  append_command(out, {"SET", "k", ""});
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
}

TEST(RedisCommand, BinarySafe) {
  const std::string payload = "a\r\nb\0c\xff\xfe$*:+-"s;
  std::string out;
  append_command(out, {"PUBLISH", "ch", payload});
  EXPECT_EQ(out, "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$13\r\n"s + payload + "\r\n");
  EXPECT_EQ(payload.size(), 13u);
}

TEST(RedisCommand, LengthsAreBytesNotCharacters) {
  std::string out;
  append_command(out, {"\xc3\xa9t\xc3\xa9"});  // "été": 3 characters, 5 bytes
  EXPECT_EQ(out, "*1\r\n$5\r\n\xc3\xa9t\xc3\xa9\r\n");
}

TEST(RedisCommand, MultiDigitLengths) {
  std::string big(12345, 'x');
  std::string out;
  append_command(out, {"SET", "k", big});
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$12345\r\n" + big + "\r\n");
}

TEST(RedisCommand, AppendsWithoutClearing) {
  // Pipelining: commands queue up in one buffer.
  std::string out = "*1\r\n$4\r\nPING\r\n";
  append_command(out, {"GET", "k"});
  append_command(out, std::vector<std::string>{"DEL", "k"});
  EXPECT_EQ(out, "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
}

TEST(RedisCommand, VectorAndListOverloadsAgree) {
  const std::vector<std::string> args{"HSET", "h", "f\0"s, "v\r\n"};
  std::string a, b;
  append_command(a, args);
  append_command(b, {std::string_view(args[0]), std::string_view(args[1]), std::string_view(args[2]),
                     std::string_view(args[3])});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$2\r\nf\0\r\n$3\r\nv\r\n\r\n"s);
}

TEST(RedisCommand, ManyArguments) {
  std::vector<std::string> args(1000, "a");
  std::string out;
  append_command(out, args);
  EXPECT_TRUE(out.starts_with("*1000\r\n$1\r\na\r\n"));
  EXPECT_EQ(out.size(), std::string("*1000\r\n").size() + 1000 * std::string("$1\r\na\r\n").size());
}

TEST(RedisCommand, ParsesBackAsAnArrayOfBulkStrings) {
  // A command is a RESP array of bulk strings, so the reply reader can read
  // it back: a check that the framing is right whatever the bytes.
  const std::vector<std::string> args{"PUBLISH", "herald:topic:/topic/x", "\0\r\n\xff"s, ""};
  std::string out;
  append_command(out, args);
  reader r;
  ASSERT_TRUE(r.feed(out));
  auto rep = r.next();
  ASSERT_TRUE(rep.has_value()) << r.error();
  ASSERT_EQ(rep->type, reply::kind::array);
  ASSERT_EQ(rep->elements.size(), args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    EXPECT_EQ(rep->elements[i].type, reply::kind::string);
    EXPECT_EQ(rep->elements[i].str, args[i]);
  }
  EXPECT_FALSE(r.next().has_value());
  EXPECT_EQ(r.error(), "");
}

TEST(RedisReply, MakeError) {
  auto e = reply::make_error("connection lost");
  EXPECT_TRUE(e.is_error());
  EXPECT_FALSE(e.is_nil());
  EXPECT_EQ(e.str, "connection lost");
  reply nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_FALSE(nil.is_error());
}

}  // namespace
}  // namespace herald::redis

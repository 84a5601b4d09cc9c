// reader: incremental RESP parsing over hiredis. Every reply type, replies
// split at every byte boundary, several replies per read, and a protocol
// error that sticks.
#include "redis/reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::redis {
namespace {

using namespace std::string_literals;
using kind = reply::kind;

// A reply's shape as text, so whole replies compare in one assertion.
std::string show(const reply& r) {
  switch (r.type) {
    case kind::nil: return "nil";
    case kind::integer: return "int:" + std::to_string(r.integer);
    case kind::string: return "str:" + std::to_string(r.str.size()) + ":" + r.str;
    case kind::status: return "status:" + r.str;
    case kind::error: return "error:" + r.str;
    case kind::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < r.elements.size(); ++i) out += (i ? "," : "") + show(r.elements[i]);
      return out + "]";
    }
  }
  return "?";
}

std::vector<std::string> drain(reader& r) {
  std::vector<std::string> out;
  while (auto rep = r.next()) out.push_back(show(*rep));
  return out;
}

std::vector<std::string> parse_all(std::string_view bytes) {
  reader r;
  EXPECT_TRUE(r.feed(bytes));
  auto out = drain(r);
  EXPECT_EQ(r.error(), "");
  return out;
}

reply parse_one(std::string_view bytes) {
  reader r;
  EXPECT_TRUE(r.feed(bytes));
  auto rep = r.next();
  EXPECT_TRUE(rep.has_value()) << r.error();
  EXPECT_FALSE(r.next().has_value());
  EXPECT_EQ(r.error(), "");
  return rep.value_or(reply{});
}

TEST(RedisReader, Status) {
  auto r = parse_one("+OK\r\n");
  EXPECT_EQ(r.type, kind::status);
  EXPECT_EQ(r.str, "OK");
  EXPECT_FALSE(r.is_error());
  EXPECT_EQ(parse_one("+\r\n").str, "");
}

TEST(RedisReader, Error) {
  auto r = parse_one("-ERR unknown command 'FOO'\r\n");
  EXPECT_EQ(r.type, kind::error);
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.str, "ERR unknown command 'FOO'");
  // An error reply is data, not a protocol error: the reader goes on.
  reader rd;
  ASSERT_TRUE(rd.feed("-WRONGTYPE x\r\n+OK\r\n"));
  EXPECT_EQ(drain(rd), (std::vector<std::string>{"error:WRONGTYPE x", "status:OK"}));
  EXPECT_EQ(rd.error(), "");
}

TEST(RedisReader, Integers) {
  EXPECT_EQ(parse_one(":0\r\n").integer, 0);
  EXPECT_EQ(parse_one(":42\r\n").type, kind::integer);
  EXPECT_EQ(parse_one(":42\r\n").integer, 42);
  EXPECT_EQ(parse_one(":-7\r\n").integer, -7);
  EXPECT_EQ(parse_one(":9223372036854775807\r\n").integer, 9223372036854775807LL);
  EXPECT_EQ(parse_one(":-9223372036854775808\r\n").integer, (-9223372036854775807LL - 1));
  EXPECT_TRUE(parse_one(":1\r\n").str.empty());
}

TEST(RedisReader, BulkStrings) {
  auto r = parse_one("$5\r\nhello\r\n");
  EXPECT_EQ(r.type, kind::string);
  EXPECT_EQ(r.str, "hello");
  // Empty is a string, not nil.
  auto e = parse_one("$0\r\n\r\n");
  EXPECT_EQ(e.type, kind::string);
  EXPECT_EQ(e.str, "");
}

TEST(RedisReader, BinaryBulkString) {
  const std::string payload = "a\r\nb\0\xff\r\n"s;
  auto r = parse_one("$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n");
  EXPECT_EQ(r.type, kind::string);
  EXPECT_EQ(r.str, payload);
  EXPECT_EQ(r.str.size(), 8u);
}

TEST(RedisReader, NilBulkAndNilArray) {
  EXPECT_EQ(parse_one("$-1\r\n").type, kind::nil);
  EXPECT_TRUE(parse_one("$-1\r\n").is_nil());
  EXPECT_EQ(parse_one("*-1\r\n").type, kind::nil);
}

TEST(RedisReader, EmptyArray) {
  auto r = parse_one("*0\r\n");
  EXPECT_EQ(r.type, kind::array);
  EXPECT_TRUE(r.elements.empty());
}

TEST(RedisReader, PubSubMessage) {
  auto r = parse_one("*3\r\n$7\r\nmessage\r\n$12\r\nherald:topic\r\n$5\r\nhello\r\n");
  ASSERT_EQ(r.type, kind::array);
  ASSERT_EQ(r.elements.size(), 3u);
  EXPECT_EQ(r.elements[0].str, "message");
  EXPECT_EQ(r.elements[1].str, "herald:topic");
  EXPECT_EQ(r.elements[2].str, "hello");
  auto sub = parse_one("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  EXPECT_EQ(show(sub), "[str:9:subscribe,str:1:c,int:1]");
}

TEST(RedisReader, NestedArrays) {
  EXPECT_EQ(show(parse_one("*3\r\n*2\r\n:1\r\n$1\r\na\r\n*0\r\n*1\r\n*-1\r\n")), "[[int:1,str:1:a],[],[nil]]");
  EXPECT_EQ(show(parse_one("*4\r\n+s\r\n-e\r\n$-1\r\n:5\r\n")), "[status:s,error:e,nil,int:5]");
}

TEST(RedisReader, SevenLevelsDeep) {
  std::string bytes;
  for (int i = 0; i < 7; ++i) bytes += "*1\r\n";
  bytes += ":7\r\n";
  EXPECT_EQ(show(parse_one(bytes)), "[[[[[[[int:7]]]]]]]");
}

TEST(RedisReader, TooDeepIsAnErrorNotACrash) {
  // hiredis caps nesting (at 7 in 0.14); whatever the cap, a deeper reply
  // either parses or is a protocol error.
  std::string bytes;
  for (int i = 0; i < 64; ++i) bytes += "*1\r\n";
  bytes += ":1\r\n";
  reader r;
  r.feed(bytes);
  auto rep = r.next();
  if (!rep) {
    EXPECT_NE(r.error(), "");
  }
}

TEST(RedisReader, NeedsMoreBytes) {
  reader r;
  EXPECT_FALSE(r.next().has_value());
  EXPECT_EQ(r.error(), "");
  ASSERT_TRUE(r.feed("$5\r\nhel"));
  EXPECT_FALSE(r.next().has_value());
  EXPECT_EQ(r.error(), "");
  ASSERT_TRUE(r.feed("lo\r"));
  EXPECT_FALSE(r.next().has_value());
  ASSERT_TRUE(r.feed("\n"));
  auto rep = r.next();
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->str, "hello");
  EXPECT_FALSE(r.next().has_value());
}

TEST(RedisReader, EmptyFeedIsHarmless) {
  reader r;
  EXPECT_TRUE(r.feed(""));
  EXPECT_FALSE(r.next().has_value());
  EXPECT_TRUE(r.feed("+OK\r\n"));
  EXPECT_TRUE(r.feed(""));
  EXPECT_EQ(drain(r), std::vector<std::string>{"status:OK"});
}

// Replies of every type, back to back: what a pipelined connection reads.
const std::string stream =
    "+OK\r\n"
    "-ERR nope\r\n"
    ":123\r\n"
    ":-1\r\n"
    "$5\r\nhello\r\n"
    "$0\r\n\r\n"
    "$-1\r\n"
    "*-1\r\n"
    "*0\r\n"
    "$6\r\na\r\n\0\xff\n\r\n"s
    "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n"
    "*2\r\n*2\r\n:1\r\n*1\r\n+deep\r\n$-1\r\n"
    "*4\r\n$8\r\npmessage\r\n$4\r\nch:*\r\n$4\r\nch:1\r\n$10\r\n0123456789\r\n";

const std::vector<std::string> expected{
    "status:OK",
    "error:ERR nope",
    "int:123",
    "int:-1",
    "str:5:hello",
    "str:0:",
    "nil",
    "nil",
    "[]",
    "str:6:a\r\n\0\xff\n"s,
    "[str:7:message,str:2:ch,str:3:msg]",
    "[[int:1,[status:deep]],nil]",
    "[str:8:pmessage,str:4:ch:*,str:4:ch:1,str:10:0123456789]",
};

TEST(RedisReader, ManyRepliesInOneFeed) { EXPECT_EQ(parse_all(stream), expected); }

TEST(RedisReader, SplitAtEveryByteBoundary) {
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    reader r;
    ASSERT_TRUE(r.feed(std::string_view(stream).substr(0, cut)));
    auto got = drain(r);
    ASSERT_TRUE(r.feed(std::string_view(stream).substr(cut)));
    for (auto& s : drain(r)) got.push_back(std::move(s));
    EXPECT_EQ(got, expected) << "cut at " << cut;
    EXPECT_EQ(r.error(), "") << "cut at " << cut;
  }
}

TEST(RedisReader, SplitTwiceAtEveryPair) {
  // Two cuts: every reply spanning three reads, drained between each.
  for (std::size_t a = 0; a <= stream.size(); a += 3) {
    for (std::size_t b = a; b <= stream.size(); ++b) {
      reader r;
      std::vector<std::string> got;
      for (auto part : {std::string_view(stream).substr(0, a), std::string_view(stream).substr(a, b - a),
                        std::string_view(stream).substr(b)}) {
        ASSERT_TRUE(r.feed(part));
        for (auto& s : drain(r)) got.push_back(std::move(s));
      }
      ASSERT_EQ(got, expected) << "cuts at " << a << ", " << b;
    }
  }
}

TEST(RedisReader, OneByteAtATime) {
  reader r;
  std::vector<std::string> got;
  for (char c : stream) {
    ASSERT_TRUE(r.feed(std::string_view(&c, 1)));
    for (auto& s : drain(r)) got.push_back(std::move(s));
  }
  EXPECT_EQ(got, expected);
}

TEST(RedisReader, FeedAllBeforeDraining) {
  // Bytes pile up unread; nothing is lost when next() is called late.
  reader r;
  for (char c : stream) ASSERT_TRUE(r.feed(std::string_view(&c, 1)));
  EXPECT_EQ(drain(r), expected);
}

TEST(RedisReader, LargeBulkInChunks) {
  std::string payload(300000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  const std::string bytes = "$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n+after\r\n";
  reader r;
  std::vector<reply> got;
  for (std::size_t at = 0; at < bytes.size(); at += 4093) {
    ASSERT_TRUE(r.feed(std::string_view(bytes).substr(at, 4093)));
    while (auto rep = r.next()) got.push_back(std::move(*rep));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, kind::string);
  EXPECT_EQ(got[0].str, payload);
  EXPECT_EQ(got[1].str, "after");
}

TEST(RedisReader, ProtocolErrorIsSticky) {
  reader r;
  ASSERT_TRUE(r.feed("+OK\r\n?what\r\n"));
  // The reply before the bad byte is still delivered.
  auto first = r.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->str, "OK");
  EXPECT_FALSE(r.next().has_value());
  const std::string error = r.error();
  EXPECT_NE(error, "");
  // Nothing more is accepted, even valid replies.
  EXPECT_FALSE(r.feed("+OK\r\n"));
  EXPECT_FALSE(r.next().has_value());
  EXPECT_FALSE(r.next().has_value());
  EXPECT_EQ(r.error(), error);
}

TEST(RedisReader, BadTypeBytes) {
  for (std::string bad : {"?\r\n"s, "x\r\n"s, "\r\n"s, "\0\r\n"s, "!3\r\nabc\r\n"s, "HTTP/1.1 400\r\n"s}) {
    reader r;
    r.feed(bad);
    EXPECT_FALSE(r.next().has_value()) << bad;
    EXPECT_NE(r.error(), "") << bad;
    EXPECT_FALSE(r.feed("+OK\r\n"));
  }
}

TEST(RedisReader, ErrorInsideAnArray) {
  reader r;
  ASSERT_TRUE(r.feed("*2\r\n:1\r\n"));
  EXPECT_FALSE(r.next().has_value());
  EXPECT_EQ(r.error(), "");
  ASSERT_TRUE(r.feed("&bogus\r\n"));
  EXPECT_FALSE(r.next().has_value());
  EXPECT_NE(r.error(), "");
}

TEST(RedisReader, IndependentReaders) {
  reader a, b;
  ASSERT_TRUE(a.feed("$3\r\nab"));
  ASSERT_TRUE(b.feed("?"));
  EXPECT_FALSE(b.next().has_value());
  EXPECT_NE(b.error(), "");
  ASSERT_TRUE(a.feed("c\r\n"));
  auto rep = a.next();
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->str, "abc");
  EXPECT_EQ(a.error(), "");
}

}  // namespace
}  // namespace herald::redis

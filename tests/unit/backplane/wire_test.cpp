// wire: the node-to-node message format. Round trips keep every field
// (binary bodies included), the publish time survives as an age, and every
// malformed payload is rejected with a reason.
#include "backplane/wire.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace herald::backplane {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

core::message_ptr topic_message(core::header_list headers, std::string body,
                                std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now()) {
  core::message_fields f;
  f.destination = "/topic/prices";
  f.headers = std::move(headers);
  f.body = std::move(body);
  return core::make_message(std::move(f), "node-a-17", at);
}

core::message_ptr user_message(std::string user) {
  core::message_fields f;
  f.kind = core::target_kind::user;
  f.user = std::move(user);
  f.destination = "/queue/inbox";
  f.headers = {{"content-type", "application/json"}};
  f.body = R"({"n":1})";
  return core::make_message(std::move(f), "node-b-3");
}

// The format's primitives, to build payloads encode() would never write.
void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

struct raw {
  unsigned char magic = 'H';
  unsigned char version = wire_version;
  unsigned char kind = 0;
  std::string published_us;  // the varint's bytes; empty: a current time
  std::string id = "id-1";
  std::string origin = "node-a";
  std::string user;
  std::string destination = "/topic/x";
  std::string header_count;  // the varint's bytes; empty: headers.size()
  core::header_list headers;
  std::string body = "b";

  std::string bytes() const {
    std::string out;
    out += static_cast<char>(magic);
    out += static_cast<char>(version);
    out += static_cast<char>(kind);
    if (published_us.empty()) {
      put_varint(out, static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count()));
    } else {
      out += published_us;
    }
    put_string(out, id);
    put_string(out, origin);
    put_string(out, user);
    put_string(out, destination);
    if (header_count.empty()) {
      put_varint(out, headers.size());
    } else {
      out += header_count;
    }
    for (const auto& [k, v] : headers) {
      put_string(out, k);
      put_string(out, v);
    }
    put_string(out, body);
    return out;
  }
};

std::string varint(std::uint64_t v) {
  std::string out;
  put_varint(out, v);
  return out;
}

// decode() that must fail; returns the reason.
std::string error_of(std::string_view bytes) {
  std::string error;
  auto d = decode(bytes, &error);
  EXPECT_FALSE(d.has_value());
  EXPECT_FALSE(error.empty());
  return error;
}

bool decodes(std::string_view bytes) {
  std::string error;
  return decode(bytes, &error).has_value();
}

decoded must_decode(std::string_view bytes) {
  std::string error;
  auto d = decode(bytes, &error);
  EXPECT_TRUE(d.has_value()) << error;
  if (!d) return decoded{core::make_message({}, "x"), ""};
  return std::move(*d);
}

TEST(Wire, EncodingStartsWithMagicVersionKind) {
  auto bytes = encode(*topic_message({}, "x"), "n");
  ASSERT_GE(bytes.size(), 3u);
  EXPECT_EQ(bytes[0], 'H');
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), wire_version);
  EXPECT_EQ(bytes[2], 0);
  EXPECT_EQ(encode(*user_message("bob"), "n")[2], 1);
}

TEST(Wire, TopicMessageRoundTrip) {
  auto m = topic_message({{"content-type", "text/plain"}, {"x-empty", ""}, {"x-colon", "a:b\\c\nd"}}, "hello");
  auto d = must_decode(encode(*m, "node-a"));
  ASSERT_TRUE(d.message);
  EXPECT_EQ(d.origin, "node-a");
  EXPECT_EQ(d.message->kind, core::target_kind::topic);
  EXPECT_EQ(d.message->user, "");
  EXPECT_EQ(d.message->destination, "/topic/prices");
  EXPECT_EQ(d.message->id, "node-a-17");
  EXPECT_EQ(d.message->headers, m->headers);
  EXPECT_EQ(d.message->body, "hello");
  // The decoded message is complete: its STOMP heads are rebuilt.
  for (auto v : {stomp::version::v1_0, stomp::version::v1_1, stomp::version::v1_2}) {
    EXPECT_EQ(d.message->head(v), m->head(v));
  }
}

TEST(Wire, UserMessageRoundTrip) {
  auto m = user_message("alice@example.com");
  auto d = must_decode(encode(*m, "node-b"));
  ASSERT_TRUE(d.message);
  EXPECT_EQ(d.message->kind, core::target_kind::user);
  EXPECT_EQ(d.message->user, "alice@example.com");
  EXPECT_EQ(d.message->destination, "/queue/inbox");
  EXPECT_EQ(d.message->id, "node-b-3");
  EXPECT_EQ(d.origin, "node-b");
  EXPECT_EQ(d.message->headers, m->headers);
  EXPECT_EQ(d.message->body, m->body);
}

TEST(Wire, EmptyBodyAndNoHeaders) {
  auto d = must_decode(encode(*topic_message({}, ""), "n"));
  ASSERT_TRUE(d.message);
  EXPECT_TRUE(d.message->headers.empty());
  EXPECT_EQ(d.message->body, "");
}

TEST(Wire, BinaryBodyAndHeadersKeptByteForByte) {
  std::string body("\0\x01\xff\xfe\xc3\x28\r\n\0", 9);  // NULs and invalid UTF-8
  std::string value("v\0\x80", 3);
  auto m = topic_message({{"x-bin", value}, {std::string("k\xff", 2), ""}}, body);
  auto d = must_decode(encode(*m, std::string("orig\0in", 7)));
  ASSERT_TRUE(d.message);
  EXPECT_EQ(d.message->body, body);
  EXPECT_EQ(d.message->body.size(), 9u);
  EXPECT_EQ(d.message->headers, m->headers);
  EXPECT_EQ(d.origin, std::string("orig\0in", 7));
}

TEST(Wire, LargeFieldsUseMultiByteLengths) {
  std::string body(200000, 'z');
  core::header_list headers;
  for (int i = 0; i < 300; ++i) headers.emplace_back("h" + std::to_string(i), std::string(i, 'v'));
  auto m = topic_message(headers, body);
  auto d = must_decode(encode(*m, "n"));
  ASSERT_TRUE(d.message);
  EXPECT_EQ(d.message->body, body);
  EXPECT_EQ(d.message->headers, headers);
}

TEST(Wire, EmptyOriginAllowed) {
  auto d = must_decode(encode(*topic_message({}, "x"), ""));
  EXPECT_EQ(d.origin, "");
}

TEST(Wire, PublishedAtCarriesTheAge) {
  const auto before = std::chrono::steady_clock::now();
  auto m = topic_message({}, "x", before - 5s);
  auto bytes = encode(*m, "n");
  auto d = must_decode(bytes);
  const auto after = std::chrono::steady_clock::now();
  ASSERT_TRUE(d.message);
  EXPECT_LE(d.message->published_at, after);
  // Microsecond resolution and two clock conversions: a generous window.
  const auto age = after - d.message->published_at;
  EXPECT_GE(age, 4900ms);
  EXPECT_LE(age, 6s);
}

TEST(Wire, FreshMessageHasAlmostNoAge) {
  auto m = topic_message({}, "x");
  auto d = must_decode(encode(*m, "n"));
  ASSERT_TRUE(d.message);
  const auto now = std::chrono::steady_clock::now();
  EXPECT_LE(d.message->published_at, now);
  EXPECT_LT(now - d.message->published_at, 1s);
}

TEST(Wire, FutureTimestampCountsAsNoAge) {
  // A peer whose wall clock runs ahead.
  raw r;
  const auto future = std::chrono::system_clock::now() + 1h;
  r.published_us = varint(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(future.time_since_epoch()).count()));
  const auto before = std::chrono::steady_clock::now();
  auto d = must_decode(r.bytes());
  const auto after = std::chrono::steady_clock::now();
  ASSERT_TRUE(d.message);
  EXPECT_GE(d.message->published_at, before);
  EXPECT_LE(d.message->published_at, after);
}

TEST(Wire, EpochTimestampIsOld) {
  raw r;
  r.published_us = varint(0);
  auto d = must_decode(r.bytes());
  ASSERT_TRUE(d.message);
  EXPECT_GT(std::chrono::steady_clock::now() - d.message->published_at, 24h * 365 * 50);
}

TEST(Wire, ExtremeTimestampsDecodeWithoutOverflow) {
  // Any 64-bit value is a well-formed varint; none may overflow the clock
  // arithmetic (UBSan reports it) or place the message in the future.
  for (std::uint64_t us : {std::uint64_t{1} << 53, std::uint64_t{1} << 62, (std::uint64_t{1} << 63) - 1,
                           std::uint64_t{1} << 63, ~std::uint64_t{0}}) {
    raw r;
    r.published_us = varint(us);
    std::string error;
    auto d = decode(r.bytes(), &error);
    ASSERT_TRUE(d.has_value()) << us << ": " << error;
    EXPECT_LE(d->message->published_at, std::chrono::steady_clock::now()) << us;
  }
}

TEST(Wire, RawBuilderMatchesEncode) {
  // The test's own encoder agrees with encode(), so the malformed payloads
  // below differ from valid ones only where they say.
  raw r;
  auto d = must_decode(r.bytes());
  ASSERT_TRUE(d.message);
  EXPECT_EQ(d.message->id, "id-1");
  EXPECT_EQ(d.origin, "node-a");
  EXPECT_EQ(d.message->destination, "/topic/x");
  EXPECT_EQ(d.message->body, "b");
}

TEST(Wire, EveryTruncationFails) {
  // Multi-byte lengths too, so some cuts fall inside a varint.
  for (const auto& m : {topic_message({{"a", "1"}, {"bb", ""}}, "body"), topic_message({}, ""),
                        user_message("u"), topic_message({{"h", std::string(150, 'v')}}, std::string(300, 'b'))}) {
    const auto bytes = encode(*m, "origin");
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      std::string error;
      auto d = decode(std::string_view(bytes).substr(0, n), &error);
      EXPECT_FALSE(d.has_value()) << "prefix of " << n << " of " << bytes.size() << " bytes decoded";
      EXPECT_FALSE(error.empty()) << n;
    }
    EXPECT_TRUE(decodes(bytes));
  }
}

TEST(Wire, TrailingBytesFail) {
  auto bytes = encode(*topic_message({}, "x"), "n");
  EXPECT_THAT(error_of(bytes + "x"), HasSubstr("trailing"));
  EXPECT_THAT(error_of(bytes + std::string(1, '\0')), HasSubstr("trailing"));
  // Two messages glued together are not one.
  EXPECT_THAT(error_of(bytes + bytes), HasSubstr("trailing"));
}

TEST(Wire, WrongMagicFails) {
  raw r;
  r.magic = 'h';
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("not a herald"));
  EXPECT_THAT(error_of(""), HasSubstr("not a herald"));
  EXPECT_THAT(error_of("{\"json\":true}"), HasSubstr("not a herald"));
}

TEST(Wire, WrongVersionFails) {
  for (unsigned char v : {0, 2, 0x81, 0xff}) {
    raw r;
    r.version = v;
    EXPECT_THAT(error_of(r.bytes()), HasSubstr("version")) << int(v);
  }
  EXPECT_THAT(error_of("H"), HasSubstr("version"));
}

TEST(Wire, WrongKindFails) {
  for (unsigned char k : {2, 3, 0x80, 0xff}) {
    raw r;
    r.kind = k;
    r.user = "u";
    EXPECT_THAT(error_of(r.bytes()), HasSubstr("kind")) << int(k);
  }
}

TEST(Wire, HeaderCountLimit) {
  raw r;
  r.header_count = varint(4097);
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("header count"));
  r.header_count = varint(~std::uint64_t{0});
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("header count"));
  // A large count that is allowed but not backed by bytes is truncated.
  r.header_count = varint(4096);
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("truncated header"));
  // 4096 real headers decode.
  raw full;
  for (int i = 0; i < 4096; ++i) full.headers.emplace_back("h", "v");
  auto d = must_decode(full.bytes());
  ASSERT_TRUE(d.message);
  EXPECT_EQ(d.message->headers.size(), 4096u);
}

TEST(Wire, HeaderCountMoreThanPresentFails) {
  raw r;
  r.headers = {{"a", "1"}};
  r.header_count = varint(2);
  // The body's length and bytes are read as the second header.
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("truncated"));
  r.header_count = varint(0);
  // The header's bytes are read as the body, and the rest trails.
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("trailing"));
}

TEST(Wire, UserMessageWithoutUserFails) {
  raw r;
  r.kind = 1;
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("without a user"));
  // And a topic message is allowed no user.
  r.kind = 0;
  EXPECT_TRUE(decodes(r.bytes()));
}

TEST(Wire, UserMessageFlippedFromTopicFails) {
  auto bytes = encode(*topic_message({}, "x"), "n");
  bytes[2] = 1;
  EXPECT_THAT(error_of(bytes), HasSubstr("without a user"));
}

TEST(Wire, MissingIdFails) {
  raw r;
  r.id = "";
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("message id"));
}

TEST(Wire, MissingDestinationFails) {
  raw r;
  r.destination = "";
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("destination"));
}

TEST(Wire, StringLengthBeyondInputFails) {
  raw r;
  auto bytes = r.bytes();
  // The body's length claims one byte more than is there.
  bytes[bytes.size() - 2] = 2;
  EXPECT_THAT(error_of(bytes), HasSubstr("body"));
  // A length near 2^64 must not wrap around.
  std::string huge = "HZ";
  huge[1] = static_cast<char>(wire_version);
  huge += '\0';
  huge += varint(1);
  huge += varint(~std::uint64_t{0});
  huge += "id";
  EXPECT_THAT(error_of(huge), HasSubstr("message id"));
}

TEST(Wire, VarintOverflowFails) {
  // Eleven bytes: more than 64 bits of continuation.
  raw r;
  r.published_us = std::string(10, '\xff') + '\x01';
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("publish time"));
  // Ten continuation bytes and nothing to end them.
  r.published_us = std::string(10, '\x80');
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("publish time"));
}

TEST(Wire, TenthVarintByteCarriesOnlyOneBit) {
  // Bit 63 is the tenth byte's lowest bit; more would be lost silently.
  raw r;
  r.published_us = std::string(9, '\x80') + '\x01';  // exactly 2^63
  EXPECT_TRUE(decodes(r.bytes()));
  r.published_us = std::string(9, '\x80') + '\x02';  // 2^64: does not fit
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("publish time"));
  r.published_us = std::string(9, '\xff') + '\x7f';
  EXPECT_THAT(error_of(r.bytes()), HasSubstr("publish time"));
}

TEST(Wire, OverlongButInRangeVarintAccepted) {
  // Non-minimal encodings of small values are still values.
  raw r;
  r.header_count = std::string("\x80\x80\x00", 3);  // zero in three bytes
  EXPECT_TRUE(decodes(r.bytes()));
}

}  // namespace
}  // namespace herald::backplane

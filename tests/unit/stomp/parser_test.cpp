// Parser behaviour on well-formed input: commands, EOLs, splitting, several
// frames per feed, heart-beats, bodies, escaping and repeated headers.
#include "stomp/parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "parse_helpers.hpp"
#include "stomp/errors.hpp"

namespace herald::stomp {
namespace {

using test::parse_one;
using test::parse_split;
using test::parse_stream;
using test::wire;

constexpr command all_commands[] = {command::connect,   command::stomp,       command::send,
                                    command::subscribe, command::unsubscribe, command::ack,
                                    command::nack,      command::begin,       command::commit,
                                    command::abort,     command::disconnect,  command::connected,
                                    command::message,   command::receipt,     command::error};

TEST(StompParser, EveryCommandParses) {
  for (command c : all_commands) {
    const std::string in = std::string(to_string(c)) + "\nk:v\n\nbody" + '\0';
    const auto r = parse_stream(in);
    ASSERT_FALSE(r.error) << to_string(c);
    ASSERT_EQ(r.frames.size(), 1u) << to_string(c);
    EXPECT_EQ(r.frames[0].cmd, c);
    ASSERT_NE(r.frames[0].find("k"), nullptr);
    EXPECT_EQ(*r.frames[0].find("k"), "v");
    EXPECT_EQ(r.frames[0].body, "body");
    EXPECT_EQ(r.buffered, 0u);
  }
}

TEST(StompParser, MinimalFrame) {
  const auto r = parse_stream(wire("DISCONNECT\n\n^"));
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].cmd, command::disconnect);
  EXPECT_TRUE(r.frames[0].headers.empty());
  EXPECT_TRUE(r.frames[0].body.empty());
}

TEST(StompParser, HeadersKeepWireOrderAndValues) {
  const frame f = parse_one(wire("SEND\ndestination:/topic/a\nreceipt:7\nempty:\n\nhello^"));
  ASSERT_EQ(f.headers.size(), 3u);
  EXPECT_EQ(f.headers[0], (header{"destination", "/topic/a"}));
  EXPECT_EQ(f.headers[1], (header{"receipt", "7"}));
  EXPECT_EQ(f.headers[2], (header{"empty", ""}));
  EXPECT_EQ(f.body, "hello");
}

TEST(StompParser, NoTrimmingOfNamesOrValues) {
  for (version v : {version::v1_0, version::v1_1, version::v1_2}) {
    const frame f = parse_one(wire("SEND\n name : value \n\n^"), v);
    ASSERT_EQ(f.headers.size(), 1u);
    EXPECT_EQ(f.headers[0], (header{" name ", " value "}));
  }
}

TEST(StompParser, ValueSplitsAtFirstColon) {
  const frame f = parse_one(wire("CONNECT\nhost:a:b:c\n\n^"));
  EXPECT_EQ(f.headers[0], (header{"host", "a:b:c"}));
  const frame g = parse_one(wire("SEND\nk:x:y\n\n^"), version::v1_0);
  EXPECT_EQ(g.headers[0], (header{"k", "x:y"}));
}

TEST(StompParser, CrLfLineEndings) {
  const std::string in = wire("SEND\r\ndestination:/q\r\nx:1\r\n\r\nhi^\r\n");
  for (version v : {version::v1_0, version::v1_1, version::v1_2}) {
    const auto r = parse_stream(in, v);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.frames[0].cmd, command::send);
    EXPECT_EQ(*r.frames[0].find("destination"), "/q");
    EXPECT_EQ(*r.frames[0].find("x"), "1");
    EXPECT_EQ(r.frames[0].body, "hi");
    EXPECT_EQ(r.buffered, 0u);
  }
}

TEST(StompParser, BodyMayContainCrLfAndIsNotTouched) {
  const frame f = parse_one(wire("SEND\n\nline1\r\nline2\n\r^"));
  EXPECT_EQ(f.body, "line1\r\nline2\n\r");
}

const std::string stream_of_frames = wire(
    "\n\r\nCONNECT\naccept-version:1.2\nhost:h\n\n^\n"
    "SUBSCRIBE\r\nid:0\r\ndestination:/topic/x\r\n\r\n^\r\n\n"
    "SEND\ndestination:/q\ncontent-length:5\n\na^b^c^"
    "SEND\nescaped:a\\cb\\nc\\\\d\\re\n\nplain body^\n"
    "DISCONNECT\nreceipt:77\n\n^");

void expect_stream_of_frames(const test::parse_result& r) {
  ASSERT_FALSE(r.error) << r.error.message();
  ASSERT_EQ(r.frames.size(), 5u);
  EXPECT_EQ(r.frames[0].cmd, command::connect);
  EXPECT_EQ(*r.frames[0].find("accept-version"), "1.2");
  EXPECT_EQ(r.frames[1].cmd, command::subscribe);
  EXPECT_EQ(*r.frames[1].find("destination"), "/topic/x");
  EXPECT_EQ(r.frames[2].body, std::string("a\0b\0c", 5));
  EXPECT_EQ(*r.frames[3].find("escaped"), "a:b\nc\\d\re");
  EXPECT_EQ(r.frames[3].body, "plain body");
  EXPECT_EQ(r.frames[4].cmd, command::disconnect);
  EXPECT_EQ(*r.frames[4].find("receipt"), "77");
  EXPECT_EQ(r.buffered, 0u);
}

TEST(StompParser, SeveralFramesInOneFeed) {
  expect_stream_of_frames(parse_stream(stream_of_frames));
}

TEST(StompParser, SplitAtEveryByteBoundaryGivesSameResult) {
  const auto whole = parse_stream(stream_of_frames);
  expect_stream_of_frames(whole);
  for (std::size_t cut = 0; cut <= stream_of_frames.size(); ++cut) {
    EXPECT_EQ(parse_split(stream_of_frames, cut), whole) << "cut at " << cut;
  }
}

TEST(StompParser, ChunkSizesGiveSameResult) {
  const auto whole = parse_stream(stream_of_frames);
  for (std::size_t chunk = 1; chunk <= 17; ++chunk) {
    EXPECT_EQ(parse_stream(stream_of_frames, version::v1_2, {}, chunk), whole) << chunk;
  }
}

TEST(StompParser, PartialFrameNeedsMoreAndIsBuffered) {
  parser p;
  p.feed("SEND\ndestination:/q\n\nhal");
  frame f;
  std::error_code ec;
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
  EXPECT_FALSE(ec);
  EXPECT_EQ(p.buffered(), 24u);
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);  // idempotent
  p.feed(std::string("f", 1) + '\0' + "SEND");
  ASSERT_EQ(p.next(f, ec), parse_status::frame);
  EXPECT_EQ(f.body, "half");
  EXPECT_EQ(p.buffered(), 4u);  // start of the next frame
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
}

TEST(StompParser, HeartBeatEolsAreSkipped) {
  const auto only = parse_stream("\n\n\r\n\n");
  EXPECT_TRUE(only.frames.empty());
  EXPECT_FALSE(only.error);
  EXPECT_EQ(only.buffered, 0u);

  const auto r = parse_stream(wire("\n\r\nSEND\n\n^\n\n\r\n\nSEND\n\n^\n"));
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.buffered, 0u);
}

TEST(StompParser, HeartBeatCrLfSplitAcrossFeeds) {
  parser p;
  frame f;
  std::error_code ec;
  p.feed("\r");
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
  p.feed("\n");
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
  EXPECT_EQ(p.buffered(), 0u);
  p.feed(std::string("ACK\nid:1\n\n") + '\0');
  ASSERT_EQ(p.next(f, ec), parse_status::frame);
  EXPECT_EQ(f.cmd, command::ack);
}

TEST(StompParser, ManyHeartBeatsDoNotAccumulate) {
  parser p({.max_frame_bytes = 64});
  frame f;
  std::error_code ec;
  for (int i = 0; i < 10000; ++i) {
    p.feed("\n");
    ASSERT_EQ(p.next(f, ec), parse_status::need_more);
  }
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(StompParser, ContentLengthBodyWithEmbeddedNul) {
  const std::string body("\0x\0\0y", 5);
  const std::string in = "SEND\ncontent-length:5\n\n" + body + '\0';
  const auto whole = parse_stream(in);
  ASSERT_EQ(whole.frames.size(), 1u);
  EXPECT_EQ(whole.frames[0].body, body);
  for (std::size_t cut = 0; cut <= in.size(); ++cut) EXPECT_EQ(parse_split(in, cut), whole);
}

TEST(StompParser, ZeroContentLength) {
  const frame f = parse_one(wire("SEND\ncontent-length:0\n\n^"));
  EXPECT_TRUE(f.body.empty());
  EXPECT_EQ(*f.find("content-length"), "0");
}

TEST(StompParser, ContentLengthWithLeadingZeros) {
  EXPECT_EQ(parse_one(wire("SEND\ncontent-length:003\n\nabc^")).body, "abc");
}

TEST(StompParser, FirstContentLengthWins) {
  const auto r = parse_stream(wire("SEND\ncontent-length:3\ncontent-length:1\n\na^c^"));
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].body, std::string("a\0c", 3));
}

TEST(StompParser, RepeatedHeadersFirstWinsAllKept) {
  const frame f = parse_one(wire("MESSAGE\nfoo:World\nfoo:Hello\n\n^"));
  ASSERT_EQ(f.headers.size(), 2u);
  EXPECT_EQ(*f.find("foo"), "World");
  EXPECT_EQ(f.headers[1].value, "Hello");
}

TEST(StompParser, Escaping10IsRaw) {
  const frame f = parse_one(wire("SEND\na\\nb:c\\cd\\q\\\n\n^"), version::v1_0);
  ASSERT_EQ(f.headers.size(), 1u);
  EXPECT_EQ(f.headers[0], (header{"a\\nb", "c\\cd\\q\\"}));
}

TEST(StompParser, Escaping11DecodesNewlineColonBackslash) {
  const frame f = parse_one(wire("SEND\nn\\cm:a\\nb\\cc\\\\d\n\n^"), version::v1_1);
  ASSERT_EQ(f.headers.size(), 1u);
  EXPECT_EQ(f.headers[0], (header{"n:m", "a\nb:c\\d"}));
}

TEST(StompParser, Escaping11RejectsCarriageReturnEscape) {
  const auto r = parse_stream(wire("SEND\nk:a\\rb\n\n^"), version::v1_1);
  EXPECT_EQ(r.error, parse_error::invalid_escape);
}

TEST(StompParser, Escaping12DecodesCarriageReturn) {
  const frame f = parse_one(wire("SEND\nk:a\\rb\n\n^"), version::v1_2);
  EXPECT_EQ(*f.find("k"), "a\rb");
}

TEST(StompParser, ConnectFramesAreNeverUnescaped) {
  for (command c : {command::connect, command::stomp, command::connected}) {
    for (version v : {version::v1_1, version::v1_2}) {
      const std::string in = std::string(to_string(c)) + "\npasscode:a\\cb\\x\\\n\n" + '\0';
      const auto r = parse_stream(in, v);
      ASSERT_FALSE(r.error) << to_string(c);
      ASSERT_EQ(r.frames.size(), 1u);
      EXPECT_EQ(*r.frames[0].find("passcode"), "a\\cb\\x\\");
    }
  }
}

TEST(StompParser, InvalidEscapes) {
  for (version v : {version::v1_1, version::v1_2}) {
    EXPECT_EQ(parse_stream(wire("SEND\nk:\\t\n\n^"), v).error, parse_error::invalid_escape);
    EXPECT_EQ(parse_stream(wire("SEND\nk:abc\\\n\n^"), v).error, parse_error::invalid_escape);
    EXPECT_EQ(parse_stream(wire("SEND\nk\\x:v\n\n^"), v).error, parse_error::invalid_escape);
    // The raw ':' splits first, so "k\" is a name ending in a lone backslash.
    EXPECT_EQ(parse_stream(wire("SEND\nk\\:v\n\n^"), v).error, parse_error::invalid_escape);
  }
}

TEST(StompParser, InvalidEscapeReportedBeforeBodyArrives) {
  parser p;
  p.feed("SEND\nk:\\t\n");
  frame f;
  std::error_code ec;
  EXPECT_EQ(p.next(f, ec), parse_status::error);
  EXPECT_EQ(ec, parse_error::invalid_escape);
}

TEST(StompParser, SetVersionAppliesToFollowingFrames) {
  parser p;
  frame f;
  std::error_code ec;
  p.feed(wire("CONNECT\naccept-version:1.0\n\n^SEND\nk:a\\nb\n\n^"));
  ASSERT_EQ(p.next(f, ec), parse_status::frame);
  EXPECT_EQ(f.cmd, command::connect);
  p.set_version(version::v1_0);
  EXPECT_EQ(p.current_version(), version::v1_0);
  ASSERT_EQ(p.next(f, ec), parse_status::frame);
  EXPECT_EQ(*f.find("k"), "a\\nb");
}

TEST(StompParser, CarriageReturnInsideHeaderLine) {
  const std::string in = wire("SEND\nk:a\rb\n\n^");
  EXPECT_EQ(parse_stream(in, version::v1_2).error, parse_error::bare_carriage_return);
  EXPECT_EQ(*parse_one(in, version::v1_1).find("k"), "a\rb");
  EXPECT_EQ(*parse_one(in, version::v1_0).find("k"), "a\rb");
  // CR CR LF: only the last CR belongs to the EOL.
  EXPECT_EQ(parse_stream(wire("SEND\nk:v\r\r\n\n^")).error, parse_error::bare_carriage_return);
}

TEST(StompParser, ManyFramesByteByByteAcrossCompaction) {
  std::string in;
  for (int i = 0; i < 3000; ++i) {
    in +=
        "SEND\ndestination:/q/" + std::to_string(i) + "\n\nbody-" + std::to_string(i) + '\0' + '\n';
  }
  const auto r = parse_stream(in, version::v1_2, {}, 1);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.frames.size(), 3000u);
  EXPECT_EQ(r.frames[2999].body, "body-2999");
  EXPECT_EQ(*r.frames[1234].find("destination"), "/q/1234");
  EXPECT_EQ(r, parse_stream(in, version::v1_2, {}, 4093));
}

TEST(StompParser, LargeFrameByteByByteStaysLinear) {
  // A quadratic rescan would take ~10^10 steps here; linear takes ~10^6.
  const parser_limits limits{
      .max_frame_bytes = 1 << 20, .max_headers = 32, .max_header_bytes = 4096};
  std::string in = "SEND\n";
  for (int i = 0; i < 32; ++i) in += "h" + std::to_string(i) + ":" + std::string(4000, 'v') + "\n";
  in += "\n" + std::string(800000, 'b') + '\0';
  const auto r = parse_stream(in, version::v1_2, limits, 1);
  ASSERT_FALSE(r.error) << r.error.message();
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].body.size(), 800000u);
}

}  // namespace
}  // namespace herald::stomp

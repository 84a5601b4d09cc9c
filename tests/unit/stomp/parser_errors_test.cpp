// Parser behaviour on malformed or oversized input: every parse_error, the
// limits and their exact boundaries, early failure, and sticky errors.
#include <gtest/gtest.h>

#include <string>

#include "parse_helpers.hpp"
#include "stomp/errors.hpp"
#include "stomp/parser.hpp"

namespace herald::stomp {
namespace {

using test::parse_split;
using test::parse_stream;
using test::wire;

std::error_code error_of(std::string_view in, version v = version::v1_2, parser_limits l = {}) {
  return parse_stream(in, v, l).error;
}

// Same error wherever the stream is cut, and no frame before it.
void expect_error_at_every_split(std::string_view in, parse_error e, parser_limits l = {}) {
  const auto whole = parse_stream(in, version::v1_2, l);
  EXPECT_EQ(whole.error, e) << whole.error.message();
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    EXPECT_EQ(parse_split(in, cut, version::v1_2, l), whole) << "cut at " << cut;
  }
  EXPECT_EQ(parse_stream(in, version::v1_2, l, 1), whole);
}

TEST(StompParserErrors, BadCommand) {
  EXPECT_EQ(error_of(wire("send\n\n^")), parse_error::bad_command);
  EXPECT_EQ(error_of(wire("FOO\n\n^")), parse_error::bad_command);
  EXPECT_EQ(error_of(wire(" SEND\n\n^")), parse_error::bad_command);
  EXPECT_EQ(error_of(wire("SEND \n\n^")), parse_error::bad_command);
  EXPECT_EQ(error_of(wire("SEND\r\r\n\n^")), parse_error::bad_command);
  EXPECT_EQ(error_of(wire("\rSEND\n\n^")), parse_error::bad_command);
  EXPECT_EQ(error_of(wire("SEND^")), parse_error::bad_command);
  expect_error_at_every_split(wire("SENDX\nk:v\n\n^"), parse_error::bad_command);
}

TEST(StompParserErrors, OverlongCommandFailsBeforeItsEol) {
  parser p;
  frame f;
  std::error_code ec;
  p.feed("UNSUBSCRIBE");  // longest command, still possible
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
  p.feed("\r");  // may be the CR of CR LF
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
  p.feed("X");
  EXPECT_EQ(p.next(f, ec), parse_status::error);
  EXPECT_EQ(ec, parse_error::bad_command);

  parser q;
  q.feed("GET / HTTP/1.1");  // a stray HTTP request is rejected without a LF
  EXPECT_EQ(q.next(f, ec), parse_status::error);
  EXPECT_EQ(ec, parse_error::bad_command);
}

TEST(StompParserErrors, HeaderWithoutColon) {
  expect_error_at_every_split(wire("SEND\ndestination/q\n\n^"), parse_error::header_without_colon);
  EXPECT_EQ(error_of(wire("SEND\nk:v\nnocolon\n\n^"), version::v1_0),
            parse_error::header_without_colon);
}

TEST(StompParserErrors, NulInHeaders) {
  expect_error_at_every_split(wire("DISCONNECT\n^"), parse_error::nul_in_headers);
  EXPECT_EQ(error_of(wire("SEND\nk:v^\n\n^")), parse_error::nul_in_headers);
}

TEST(StompParserErrors, BareCarriageReturn) {
  expect_error_at_every_split(wire("SEND\nk:a\rb\n\n^"), parse_error::bare_carriage_return);
}

TEST(StompParserErrors, BadContentLength) {
  for (const char* value :
       {"-1", "+5", "abc", "", " 5", "5 ", "0x10", "1.0", "99999999999999999999999999999"}) {
    const std::string in = std::string("SEND\ncontent-length:") + value + "\n\nhello" + '\0';
    EXPECT_EQ(error_of(in), parse_error::bad_content_length) << '"' << value << '"';
  }
  expect_error_at_every_split(wire("SEND\ncontent-length:x\n\n^"), parse_error::bad_content_length);
}

TEST(StompParserErrors, MissingNulAfterContentLengthBody) {
  expect_error_at_every_split(wire("SEND\ncontent-length:3\n\nabcd^"), parse_error::missing_nul);
  EXPECT_EQ(error_of(wire("SEND\ncontent-length:0\n\nx^")), parse_error::missing_nul);
}

TEST(StompParserErrors, TooManyHeaders) {
  const parser_limits l{.max_frame_bytes = 65536, .max_headers = 3, .max_header_bytes = 4096};
  EXPECT_FALSE(error_of(wire("SEND\na:1\nb:2\nc:3\n\n^"), version::v1_2, l));
  expect_error_at_every_split(wire("SEND\na:1\nb:2\nc:3\nd:4\n\n^"), parse_error::too_many_headers,
                              l);
  // Repeated names count too: they are all kept.
  EXPECT_EQ(error_of(wire("SEND\na:1\na:1\na:1\na:1\n\n^"), version::v1_2, l),
            parse_error::too_many_headers);
}

TEST(StompParserErrors, HeaderTooLongBoundary) {
  const parser_limits l{.max_frame_bytes = 65536, .max_headers = 32, .max_header_bytes = 10};
  // "k:" + 8 = 10 bytes: allowed, with LF or CR LF.
  EXPECT_FALSE(error_of("SEND\nk:" + std::string(8, 'v') + "\n\n" + '\0', version::v1_2, l));
  EXPECT_FALSE(error_of("SEND\r\nk:" + std::string(8, 'v') + "\r\n\r\n" + '\0', version::v1_2, l));
  expect_error_at_every_split("SEND\nk:" + std::string(9, 'v') + "\n\n" + '\0',
                              parse_error::header_too_long, l);
}

TEST(StompParserErrors, HeaderTooLongFailsBeforeItsEol) {
  parser p({.max_frame_bytes = 1 << 20, .max_headers = 32, .max_header_bytes = 100});
  frame f;
  std::error_code ec;
  p.feed("SEND\nk:");
  p.feed(std::string(98, 'v'));
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
  p.feed("v");
  EXPECT_EQ(p.next(f, ec), parse_status::error);
  EXPECT_EQ(ec, parse_error::header_too_long);
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(StompParserErrors, FrameTooLargeBoundary) {
  const std::string head = "SEND\n\n";
  const std::size_t limit = 64;
  const parser_limits l{.max_frame_bytes = limit, .max_headers = 32, .max_header_bytes = 4096};
  // Exactly `limit` wire bytes including the NUL is accepted.
  const std::string fits = head + std::string(limit - head.size() - 1, 'b') + '\0';
  const auto ok = parse_stream(fits, version::v1_2, l);
  ASSERT_FALSE(ok.error);
  ASSERT_EQ(ok.frames.size(), 1u);
  const std::string over = head + std::string(limit - head.size(), 'b') + '\0';
  expect_error_at_every_split(over, parse_error::frame_too_large, l);
  // Same boundary with content-length.
  const std::string cl_head = "SEND\ncontent-length:40\n\n";  // 24 bytes
  const parser_limits cl_l{.max_frame_bytes = 65, .max_headers = 32, .max_header_bytes = 4096};
  EXPECT_FALSE(error_of(cl_head + std::string(40, 'b') + '\0', version::v1_2, cl_l));
  const parser_limits tight{.max_frame_bytes = 64, .max_headers = 32, .max_header_bytes = 4096};
  EXPECT_EQ(error_of(cl_head + std::string(40, 'b') + '\0', version::v1_2, tight),
            parse_error::frame_too_large);
}

TEST(StompParserErrors, FrameTooLargeFailsOnceBufferedBytesCannotFit) {
  parser p({.max_frame_bytes = 100, .max_headers = 32, .max_header_bytes = 4096});
  frame f;
  std::error_code ec;
  p.feed("SEND\n\n");
  p.feed(std::string(93, 'b'));  // 99 bytes buffered, NUL could still fit
  EXPECT_EQ(p.next(f, ec), parse_status::need_more);
  p.feed("b");  // 100 bytes without NUL: the frame needs at least 101
  EXPECT_EQ(p.next(f, ec), parse_status::error);
  EXPECT_EQ(ec, parse_error::frame_too_large);
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(StompParserErrors, HugeContentLengthFailsBeforeBody) {
  parser p;
  frame f;
  std::error_code ec;
  p.feed("SEND\ncontent-length:1000000\n\n");
  EXPECT_EQ(p.next(f, ec), parse_status::error);
  EXPECT_EQ(ec, parse_error::frame_too_large);
}

TEST(StompParserErrors, EndlessHeadersHitFrameLimit) {
  const parser_limits l{.max_frame_bytes = 200, .max_headers = 1000, .max_header_bytes = 4096};
  std::string in = "SEND\n";
  while (in.size() < 400) in += "k:v\n";
  expect_error_at_every_split(in, parse_error::frame_too_large, l);
}

TEST(StompParserErrors, LeadingEolsDoNotCountTowardFrameSize) {
  const parser_limits l{.max_frame_bytes = 16, .max_headers = 32, .max_header_bytes = 4096};
  const std::string in = std::string(1000, '\n') + "SEND\n\n" + std::string(9, 'b') + '\0' +
                         std::string(500, '\n') + "\r\n" + "ACK\nid:1\n\n" + '\0';
  const auto r = parse_stream(in, version::v1_2, l);
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(parse_stream(in, version::v1_2, l, 1), r);
}

TEST(StompParserErrors, ErrorIsStickyAndFeedIgnored) {
  parser p;
  frame f;
  std::error_code ec;
  p.feed(wire("BOGUS\n\n^SEND\n\n^"));
  EXPECT_EQ(p.next(f, ec), parse_status::error);
  EXPECT_EQ(ec, parse_error::bad_command);
  p.feed(wire("SEND\n\n^"));
  EXPECT_EQ(p.buffered(), 0u);
  std::error_code again;
  EXPECT_EQ(p.next(f, again), parse_status::error);
  EXPECT_EQ(again, parse_error::bad_command);
}

TEST(StompParserErrors, FramesBeforeAnErrorAreDelivered) {
  const auto r = parse_stream(wire("SEND\n\na^\nSEND\nbad\n\n^"));
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].body, "a");
  EXPECT_EQ(r.error, parse_error::header_without_colon);
}

TEST(StompParserErrors, ErrorCodeIsInStompCategory) {
  const std::error_code ec = parse_error::missing_nul;
  EXPECT_STREQ(ec.category().name(), "stomp");
  EXPECT_EQ(ec.value(), 8);
}

}  // namespace
}  // namespace herald::stomp

#include "ws/frame_reader.hpp"

#include <gtest/gtest.h>

#include "ws_helpers.hpp"

namespace herald::ws {
namespace {

using test::client_frame;
using test::feed;
using test::recorder;

TEST(WsFrameReader, UnmasksATextFrame) {
  frame_reader r;
  recorder rec;
  EXPECT_FALSE(feed(r, rec, test::text("SEND\ndestination:/topic/a\n\nhi\0")));
  EXPECT_EQ(rec.data, "SEND\ndestination:/topic/a\n\nhi");
}

TEST(WsFrameReader, EverySplitGivesTheSameBytes) {
  // 16-bit and 64-bit lengths, and a mask phase that changes across pieces.
  const std::string mid(300, 'm');
  const std::string big(70000, 'b');
  const std::string wire = test::text("a") + test::binary(mid) + test::text(big) + client_frame(0x89, "p");
  for (std::size_t step : {1, 2, 3, 5, 7, 13, 4096}) {
    frame_reader r;
    recorder rec;
    ASSERT_FALSE(feed(r, rec, wire, step)) << step;
    EXPECT_EQ(rec.data, "a" + mid + big) << step;
    ASSERT_EQ(rec.pings.size(), 1u) << step;
    EXPECT_EQ(rec.pings[0], "p");
  }
}

TEST(WsFrameReader, FragmentedMessageKeepsItsOpcodeAndAllowsControlFramesBetween) {
  frame_reader r;
  recorder rec;
  const std::string wire = client_frame(0x02, "ab") + client_frame(0x89, "x") + client_frame(0x80, "cd");
  EXPECT_FALSE(feed(r, rec, wire));
  EXPECT_EQ(rec.data, "abcd");
  ASSERT_EQ(rec.kinds.size(), 2u);
  EXPECT_FALSE(rec.kinds[0]);
  EXPECT_FALSE(rec.kinds[1]);
  EXPECT_EQ(rec.pings.size(), 1u);
}

TEST(WsFrameReader, CloseFrameCarriesCodeAndReasonAndEndsReading) {
  frame_reader r;
  recorder rec;
  std::string payload = "\x03\xE8" "bye";
  EXPECT_FALSE(feed(r, rec, client_frame(0x88, payload) + test::text("ignored")));
  EXPECT_EQ(rec.closes, 1);
  EXPECT_EQ(rec.close_code, 1000);
  EXPECT_EQ(rec.close_reason, "bye");
  EXPECT_TRUE(r.closed());
  EXPECT_EQ(rec.data, "");
}

TEST(WsFrameReader, EmptyCloseMeansNoStatus) {
  frame_reader r;
  recorder rec;
  EXPECT_FALSE(feed(r, rec, client_frame(0x88, "")));
  EXPECT_EQ(rec.close_code, close_code::no_status);
}

struct bad_case {
  const char* name;
  std::string wire;
  std::uint16_t code;
};

TEST(WsFrameReader, ViolationsFailWithTheRightCode) {
  const std::string long_ping(126, 'p');
  std::string non_minimal16 = client_frame(0x81, "");
  non_minimal16[1] = static_cast<char>(0x80 | 126);
  non_minimal16.insert(2, std::string("\x00\x05", 2));
  non_minimal16.append("abcde");
  const bad_case cases[] = {
      {"unmasked", client_frame(0x81, "hi", false), close_code::protocol_error},
      {"rsv1", client_frame(0xC1, "hi"), close_code::protocol_error},
      {"opcode 3", client_frame(0x83, "hi"), close_code::protocol_error},
      {"opcode 11", client_frame(0x8B, ""), close_code::protocol_error},
      {"fragmented ping", client_frame(0x09, "x"), close_code::protocol_error},
      {"long ping", client_frame(0x89, long_ping), close_code::protocol_error},
      {"lone continuation", client_frame(0x80, "x"), close_code::protocol_error},
      {"message inside message", client_frame(0x01, "a") + client_frame(0x81, "b"), close_code::protocol_error},
      {"non-minimal length", non_minimal16, close_code::protocol_error},
      {"one-byte close", client_frame(0x88, "\x03"), close_code::protocol_error},
      {"reserved close code", client_frame(0x88, std::string("\x03\xED", 2)), close_code::protocol_error},
      {"close code 999", client_frame(0x88, std::string("\x03\xE7", 2)), close_code::protocol_error},
      {"bad utf-8 close reason", client_frame(0x88, std::string("\x03\xE8\xFF", 3)), close_code::invalid_payload},
      {"bad utf-8 text", test::text("\xC0\xAF"), close_code::invalid_payload},
      {"surrogate", test::text("\xED\xA0\x80"), close_code::invalid_payload},
      {"truncated at message end", test::text("ok\xE2\x82"), close_code::invalid_payload},
  };
  for (const auto& c : cases) {
    for (std::size_t step : {0, 1}) {
      frame_reader r;
      recorder rec;
      auto v = feed(r, rec, c.wire, step);
      ASSERT_TRUE(v) << c.name;
      EXPECT_EQ(v->code, c.code) << c.name;
      EXPECT_FALSE(v->reason.empty()) << c.name;
      EXPECT_TRUE(r.closed()) << c.name;
      // Nothing more is read.
      std::string more = test::text("x");
      EXPECT_TRUE(r.feed(more.data(), more.size(), rec)) << c.name;
    }
  }
}

TEST(WsFrameReader, TextSplitInsideAMultiByteCharacterIsValid) {
  const std::string euro = "\xE2\x82\xAC";
  const std::string wire = client_frame(0x01, euro.substr(0, 1)) + client_frame(0x80, euro.substr(1));
  frame_reader r;
  recorder rec;
  EXPECT_FALSE(feed(r, rec, wire, 1));
  EXPECT_EQ(rec.data, euro);
}

TEST(WsFrameReader, BinaryMessagesAreNotCheckedForUtf8) {
  frame_reader r;
  recorder rec;
  EXPECT_FALSE(feed(r, rec, test::binary(std::string("\xFF\xFE\x00", 3))));
  EXPECT_EQ(rec.data.size(), 3u);
}

TEST(WsFrameReader, AcceptedCloseCodes) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999}) {
    frame_reader r;
    recorder rec;
    std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    EXPECT_FALSE(feed(r, rec, client_frame(0x88, p))) << code;
    EXPECT_EQ(rec.close_code, code);
  }
}

}  // namespace
}  // namespace herald::ws

namespace herald::ws {
namespace {

TEST(WsFrameReader, ReportsTheMessageType) {
  frame_reader r;
  test::recorder rec;
  EXPECT_FALSE(test::feed(r, rec, test::text("t") + test::binary("b") + test::text("t")));
  EXPECT_EQ(rec.kinds, (std::vector<bool>{true, false, true}));
}

}  // namespace
}  // namespace herald::ws

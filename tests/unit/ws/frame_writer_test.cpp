#include "ws/frame_writer.hpp"

#include <gtest/gtest.h>

namespace herald::ws {
namespace {

std::string header(opcode op, std::uint64_t n) {
  std::uint8_t out[max_header_size];
  return std::string(reinterpret_cast<const char*>(out), write_header(out, op, n));
}

TEST(WsFrameWriter, HeaderLengthForms) {
  EXPECT_EQ(header(opcode::text, 0), std::string("\x81\x00", 2));
  EXPECT_EQ(header(opcode::text, 125), std::string("\x81\x7D", 2));
  EXPECT_EQ(header(opcode::binary, 126), std::string("\x82\x7E\x00\x7E", 4));
  EXPECT_EQ(header(opcode::text, 65535), std::string("\x81\x7E\xFF\xFF", 4));
  EXPECT_EQ(header(opcode::text, 65536), std::string("\x81\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(WsFrameWriter, CloseFrameHasCodeAndReason) {
  EXPECT_EQ(close_frame(1001, "server_shutdown"), std::string("\x88\x11\x03\xE9server_shutdown", 19));
}

TEST(WsFrameWriter, LongCloseReasonIsCutOnACharacterBoundary) {
  std::string reason(122, 'a');
  reason += "\xE2\x82\xAC";  // 3 bytes straddling the 123-byte limit
  const std::string f = close_frame(1000, reason);
  ASSERT_LE(f.size(), 2u + 125u);
  EXPECT_EQ(f.substr(4), std::string(122, 'a'));
}

TEST(WsFrameWriter, PongEchoesThePayload) {
  EXPECT_EQ(control_frame(opcode::pong, "abc"), std::string("\x8A\x03" "abc", 5));
}

}  // namespace
}  // namespace herald::ws

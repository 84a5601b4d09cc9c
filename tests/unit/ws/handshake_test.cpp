#include "ws/handshake.hpp"

#include <gtest/gtest.h>

namespace herald::ws {
namespace {

TEST(WsHandshake, AcceptKeyOfTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, ClientKeyMustBeSixteenBytesOfBase64) {
  EXPECT_TRUE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(valid_client_key(""));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=!"));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25j*Q=="));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZR=="));  // padding bits set
}

TEST(WsHandshake, SwitchingResponse) {
  const std::string r = switching_response("dGhlIHNhbXBsZSBub25jZQ==", "herald/1", "v12.stomp");
  EXPECT_EQ(r,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: herald/1\r\n"
            "Sec-WebSocket-Protocol: v12.stomp\r\n\r\n");
  EXPECT_EQ(switching_response("dGhlIHNhbXBsZSBub25jZQ==", "s", "").find("Sec-WebSocket-Protocol"), std::string::npos);
}

}  // namespace
}  // namespace herald::ws

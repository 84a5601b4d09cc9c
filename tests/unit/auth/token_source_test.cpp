// pick_token precedence and the Cookie / query-string extraction helpers.
#include <gtest/gtest.h>

#include "auth/authenticator.hpp"

namespace herald::auth {
namespace {

TEST(PickToken, PrecedenceAuthorizationPasscodeQueryCookie) {
  credentials c{
      .authorization = "A", .login = "L", .passcode = "P", .query_token = "Q", .cookie_token = "C"};
  EXPECT_EQ(pick_token(c), "A");
  c.authorization.clear();
  EXPECT_EQ(pick_token(c), "P");
  c.passcode.clear();
  EXPECT_EQ(pick_token(c), "Q");
  c.query_token.clear();
  EXPECT_EQ(pick_token(c), "C");
  c.cookie_token.clear();
  EXPECT_EQ(pick_token(c), "");
}

TEST(PickToken, LoginIsNeverAToken) { EXPECT_EQ(pick_token({.login = "eyJ.x.y"}), ""); }

TEST(PickToken, StripsBearerCaseInsensitively) {
  EXPECT_EQ(pick_token({.authorization = "Bearer abc"}), "abc");
  EXPECT_EQ(pick_token({.authorization = "bearer abc"}), "abc");
  EXPECT_EQ(pick_token({.authorization = "BEARER   abc  "}), "abc");
  EXPECT_EQ(pick_token({.authorization = "Bearer\tabc"}), "abc");
  EXPECT_EQ(pick_token({.authorization = "  abc  "}), "abc");
  // Only a whole "Bearer" word is a scheme.
  EXPECT_EQ(pick_token({.authorization = "Bearerabc"}), "Bearerabc");
  EXPECT_EQ(pick_token({.passcode = "Bearer p"}), "p");
}

TEST(PickToken, EmptyAfterStrippingFallsThrough) {
  EXPECT_EQ(pick_token({.authorization = "Bearer ", .passcode = "P"}), "P");
  EXPECT_EQ(pick_token({.authorization = "Bearer", .passcode = "P"}), "P");
  EXPECT_EQ(pick_token({.authorization = "   ", .query_token = "Q"}), "Q");
}

}  // namespace
}  // namespace herald::auth

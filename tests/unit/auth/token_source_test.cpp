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

TEST(CookieValue, FindsByName) {
  EXPECT_EQ(cookie_value("a=1; b=2; token=xyz", "token"), "xyz");
  EXPECT_EQ(cookie_value("token=xyz", "token"), "xyz");
  EXPECT_EQ(cookie_value("a=1;b=2", "b"), "2");
  EXPECT_EQ(cookie_value("  a = 1 ;  b = 2  ", "b"), "2");
}

TEST(CookieValue, MissingEmptyAndPrefixNames) {
  EXPECT_EQ(cookie_value("a=1; b=2", "c"), "");
  EXPECT_EQ(cookie_value("", "a"), "");
  EXPECT_EQ(cookie_value("a=1", ""), "");
  EXPECT_EQ(cookie_value("a=", "a"), "");
  EXPECT_EQ(cookie_value("xtoken=1; tokenx=2", "token"), "");
  EXPECT_EQ(cookie_value("token; token=5", "token"), "5");  // a bare name is not a pair
  EXPECT_EQ(cookie_value(";;; ;", "a"), "");
}

TEST(CookieValue, NamesAreCaseSensitive) { EXPECT_EQ(cookie_value("Token=1", "token"), ""); }

TEST(CookieValue, FirstOfRepeatedWins) {
  EXPECT_EQ(cookie_value("t=first; t=second", "t"), "first");
}

TEST(CookieValue, ValueKeepsEqualsAndLosesQuotes) {
  EXPECT_EQ(cookie_value("t=a=b==", "t"), "a=b==");
  EXPECT_EQ(cookie_value("t=\"quoted\"", "t"), "quoted");
  EXPECT_EQ(cookie_value("t=\"", "t"), "\"");
  EXPECT_EQ(cookie_value("t=abc%2B", "t"), "abc%2B");  // cookies are not percent-decoded
}

TEST(QueryValue, FindsAndDecodes) {
  EXPECT_EQ(query_value("/ws?x=1&access_token=abc%2B", "access_token"), "abc+");
  EXPECT_EQ(query_value("/ws?access_token=abc", "access_token"), "abc");
  EXPECT_EQ(query_value("/ws?a=%41%62%3d", "a"), "Ab=");
  EXPECT_EQ(query_value("/ws?a=x+y", "a"), "x y");
  EXPECT_EQ(query_value("?a=1", "a"), "1");
}

TEST(QueryValue, KeysAreDecodedToo) {
  EXPECT_EQ(query_value("/ws?access%5Ftoken=t", "access_token"), "t");
  EXPECT_EQ(query_value("/ws?my+key=t", "my key"), "t");
}

TEST(QueryValue, MissingAndEmpty) {
  EXPECT_EQ(query_value("/ws", "a"), "");
  EXPECT_EQ(query_value("/ws?", "a"), "");
  EXPECT_EQ(query_value("/ws?b=1", "a"), "");
  EXPECT_EQ(query_value("/ws?a=", "a"), "");
  EXPECT_EQ(query_value("/ws?a", "a"), "");
  EXPECT_EQ(query_value("/ws?a=1", ""), "");
  EXPECT_EQ(query_value("/ws?aa=1&ba=2", "a"), "");
  EXPECT_EQ(query_value("", "a"), "");
  EXPECT_EQ(query_value("/ws?&&&", "a"), "");
}

TEST(QueryValue, FirstOfRepeatedWins) { EXPECT_EQ(query_value("/ws?t=1&t=2", "t"), "1"); }

TEST(QueryValue, FragmentIsNotQuery) {
  EXPECT_EQ(query_value("/ws?a=1#b=2", "b"), "");
  EXPECT_EQ(query_value("/ws?a=1#frag", "a"), "1");
  EXPECT_EQ(query_value("/ws#x?a=1", "a"), "");
}

TEST(QueryValue, ValueKeepsEqualsAndQuestionMarks) {
  EXPECT_EQ(query_value("/ws?t=a=b?c", "t"), "a=b?c");
}

TEST(QueryValue, MalformedEscapesKeptLiterally) {
  EXPECT_EQ(query_value("/ws?t=%", "t"), "%");
  EXPECT_EQ(query_value("/ws?t=%4", "t"), "%4");
  EXPECT_EQ(query_value("/ws?t=%zz1", "t"), "%zz1");
  EXPECT_EQ(query_value("/ws?t=ab%4", "t"), "ab%4");
  EXPECT_EQ(query_value("/ws?t=%%41", "t"), "%A");
}

TEST(QueryValue, DecodedNulIsKeptAsAByte) {
  EXPECT_EQ(query_value("/ws?t=a%00b", "t"), std::string("a\0b", 3));
}

}  // namespace
}  // namespace herald::auth

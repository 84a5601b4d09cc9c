// HTTP text shared by auth and SockJS: form decoding, query strings, form
// bodies and Cookie headers, all from untrusted clients.
#include <gtest/gtest.h>

#include <string>

#include "util/http_text.hpp"

namespace herald::util {
namespace {

using namespace std::string_literals;

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

TEST(FormField, FindsByExactName) {
  EXPECT_EQ(form_field("a=1&b=2", "a"), "1");
  EXPECT_EQ(form_field("a=1&b=2", "b"), "2");
  EXPECT_EQ(form_field("a=1&b=2", "c"), "");
  EXPECT_EQ(form_field("", "a"), "");
  EXPECT_EQ(form_field("c=cb_1", "c"), "cb_1");
  // Names match exactly, not by prefix or suffix.
  EXPECT_EQ(form_field("ab=1&a=2", "a"), "2");
  EXPECT_EQ(form_field("ba=1&a=2", "a"), "2");
  EXPECT_EQ(form_field("ab=1", "a"), "");
  // The first match wins, and a bare name is a match with an empty value.
  EXPECT_EQ(form_field("a&a=3", "a"), "");
  EXPECT_EQ(form_field("a=1&a=2", "a"), "1");
  EXPECT_EQ(form_field("a=&a=2", "a"), "");
  // The value may itself contain '='.
  EXPECT_EQ(form_field("a=x=y", "a"), "x=y");
  EXPECT_EQ(form_field("&&a=1&", "a"), "1");
}

TEST(FormField, Decodes) {
  EXPECT_EQ(form_field("a=%41%2b+x", "a"), "A+ x");
  EXPECT_EQ(form_field("a=%41", "a"), "A");      // escape at the very end
  EXPECT_EQ(form_field("a=x%4", "a"), "x%4");    // truncated escape kept
  EXPECT_EQ(form_field("a=%", "a"), "%");
  EXPECT_EQ(form_field("a=%zz%4g", "a"), "%zz%4g");
  EXPECT_EQ(form_field("a=%00", "a"), "\0"s);
  EXPECT_EQ(form_field("a=%C3%A9", "a"), "\xc3\xa9");
  EXPECT_EQ(form_field("a=%2541", "a"), "%41");  // decoded once only
  EXPECT_EQ(form_field("a=%26b%3D1", "a"), "&b=1");
}

}  // namespace
}  // namespace herald::util

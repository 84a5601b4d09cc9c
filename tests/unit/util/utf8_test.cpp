#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::util {
namespace {

bool valid(std::string_view s) { return valid_utf8(s); }

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(valid(""));
  EXPECT_TRUE(valid("plain ASCII that is longer than eight bytes"));
  EXPECT_TRUE(valid("\xC2\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF \xF4\x8F\xBF\xBF"));
}

TEST(Utf8, RejectsWhatRfc3629Forbids) {
  EXPECT_FALSE(valid("\x80"));              // lone continuation
  EXPECT_FALSE(valid("\xC0\xAF"));          // overlong
  EXPECT_FALSE(valid("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(valid("\xF0\x80\x80\xAF"));  // overlong
  EXPECT_FALSE(valid("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid("\xFF"));
  EXPECT_FALSE(valid("ab\xE2\x82"));        // truncated
}

TEST(Utf8, SplitsAnywhere) {
  const std::string s = "aaaaaaaaa\xF0\x9F\x98\x80zzzzzzzzzz\xE2\x82\xAC";
  for (std::size_t cut = 0; cut <= s.size(); ++cut) {
    utf8_checker c;
    ASSERT_TRUE(c.feed(std::string_view(s).substr(0, cut))) << cut;
    ASSERT_TRUE(c.feed(std::string_view(s).substr(cut))) << cut;
    EXPECT_TRUE(c.complete()) << cut;
  }
}

}  // namespace
}  // namespace herald::util

// The claim-value JSON reader: shapes kept, everything else validated.
#include <gtest/gtest.h>

#include "auth/json_claim.hpp"

namespace herald::auth::detail {
namespace {

TEST(JsonClaim, Strings) {
  auto c = parse_claim(R"("a\"b\\c\/d\n\u00e9")");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, json_kind::string);
  EXPECT_EQ(c->text, "a\"b\\c/d\n\xc3\xa9");
  EXPECT_EQ(parse_claim(R"("\u0000")")->text, std::string(1, '\0'));
  EXPECT_EQ(parse_claim(R"("\ud83d\ude00")")->text, "\xf0\x9f\x98\x80");
  EXPECT_FALSE(parse_claim(R"("\ud83d")"));  // lone high surrogate
  EXPECT_FALSE(parse_claim(R"("\ude00")"));  // lone low surrogate
  EXPECT_FALSE(parse_claim(R"("\x41")"));
  EXPECT_FALSE(parse_claim("\"a\nb\""));  // raw control character
  EXPECT_FALSE(parse_claim(R"("abc)"));
  EXPECT_FALSE(parse_claim(R"("a" "b")"));
}

TEST(JsonClaim, Numbers) {
  for (const char* ok : {"0", "-1", "1700000000", "1.5", "1e9", "-0.5E-3"}) {
    auto c = parse_claim(ok);
    ASSERT_TRUE(c) << ok;
    EXPECT_EQ(c->kind, json_kind::number);
    EXPECT_EQ(c->text, ok);
  }
  for (const char* bad : {"01", "1.", ".5", "+1", "1e", "-", "0x10", "NaN", "Infinity"}) {
    EXPECT_FALSE(parse_claim(bad)) << bad;
  }
  EXPECT_EQ(number_value("1700000000.25"), 1700000000.25);
  EXPECT_FALSE(number_value("1e999"));
}

TEST(JsonClaim, ArraysKeepStringElements) {
  auto c = parse_claim(R"([ "a", 1, {"x":["y"]}, null, "b" ])");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, json_kind::array);
  EXPECT_EQ(c->strings, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(parse_claim("[]"));
  EXPECT_FALSE(parse_claim("[1,]"));
  EXPECT_FALSE(parse_claim("[1"));
}

TEST(JsonClaim, OtherValues) {
  for (const char* v : {"true", "false", "null", "{}", R"({"a":{"b":[1,2]}})"}) {
    auto c = parse_claim(v);
    ASSERT_TRUE(c) << v;
    EXPECT_EQ(c->kind, json_kind::other);
  }
  EXPECT_FALSE(parse_claim(R"({"a"})"));
  EXPECT_FALSE(parse_claim(R"({1:2})"));
  EXPECT_FALSE(parse_claim(""));
  EXPECT_FALSE(parse_claim("tru"));
}

TEST(JsonClaim, DeepNestingRefusedWithoutRecursionBlowup) {
  EXPECT_TRUE(parse_claim(std::string(30, '[') + std::string(30, ']')));
  EXPECT_FALSE(parse_claim(std::string(100000, '[') + std::string(100000, ']')));
}

}  // namespace
}  // namespace herald::auth::detail

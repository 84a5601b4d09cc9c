// percent_decode: URL path segments.
#include <gtest/gtest.h>

#include "api/routes.hpp"

namespace herald::api {
namespace {

std::string decoded(std::string_view in) {
  std::string out = "garbage";
  EXPECT_TRUE(percent_decode(in, out)) << in;
  return out;
}

bool fails(std::string_view in) {
  std::string out;
  return !percent_decode(in, out);
}

TEST(PercentDecode, Decodes) {
  EXPECT_EQ(decoded(""), "");
  EXPECT_EQ(decoded("plain"), "plain");
  EXPECT_EQ(decoded("%41b"), "Ab");
  EXPECT_EQ(decoded("u%40x"), "u@x");
  EXPECT_EQ(decoded("%2f%2F"), "//");
  EXPECT_EQ(decoded("a%20b"), "a b");
  EXPECT_EQ(decoded("a+b"), "a+b");  // paths do not use '+' for space
  EXPECT_EQ(decoded("%C3%A9"), "\xc3\xa9");
  EXPECT_EQ(decoded("%00"), std::string(1, '\0'));
  EXPECT_EQ(decoded("%25"), "%");
  EXPECT_EQ(decoded("%2541"), "%41");  // decoded once only
  EXPECT_EQ(decoded("x%41"), "xA");
}

TEST(PercentDecode, MalformedEscapes) {
  EXPECT_TRUE(fails("%"));
  EXPECT_TRUE(fails("%4"));
  EXPECT_TRUE(fails("a%4"));
  EXPECT_TRUE(fails("%G1"));
  EXPECT_TRUE(fails("%1G"));
  EXPECT_TRUE(fails("ab%"));
  EXPECT_TRUE(fails("%%41"));
}

}  // namespace
}  // namespace herald::api

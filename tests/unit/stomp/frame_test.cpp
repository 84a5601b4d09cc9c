// Frame model: command and version names, header lookup, error category.
#include "stomp/frame.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "stomp/errors.hpp"

namespace herald::stomp {
namespace {

TEST(StompFrame, CommandNamesRoundTrip) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(command::error); ++i) {
    const auto c = static_cast<command>(i);
    const auto name = to_string(c);
    names.insert(name);
    ASSERT_EQ(parse_command(name), c) << name;
  }
  EXPECT_EQ(names.size(), 15u);
  EXPECT_EQ(to_string(command::connect), "CONNECT");
  EXPECT_EQ(to_string(command::unsubscribe), "UNSUBSCRIBE");
  EXPECT_EQ(to_string(command::error), "ERROR");
}

TEST(StompFrame, ParseCommandIsExact) {
  EXPECT_FALSE(parse_command("send"));
  EXPECT_FALSE(parse_command("SEND "));
  EXPECT_FALSE(parse_command(""));
  EXPECT_FALSE(parse_command("SENDX"));
}

TEST(StompFrame, VersionNames) {
  EXPECT_EQ(to_string(version::v1_0), "1.0");
  EXPECT_EQ(to_string(version::v1_1), "1.1");
  EXPECT_EQ(to_string(version::v1_2), "1.2");
}

TEST(StompFrame, UsesEscaping) {
  EXPECT_FALSE(uses_escaping(version::v1_0, command::send));
  EXPECT_TRUE(uses_escaping(version::v1_1, command::send));
  EXPECT_TRUE(uses_escaping(version::v1_2, command::message));
  EXPECT_FALSE(uses_escaping(version::v1_2, command::connect));
  EXPECT_FALSE(uses_escaping(version::v1_2, command::stomp));
  EXPECT_FALSE(uses_escaping(version::v1_1, command::connected));
}

TEST(StompFrame, FindFirstOccurrenceWins) {
  frame f;
  EXPECT_EQ(f.find("a"), nullptr);
  f.add("a", "1");
  f.add("b", "2");
  f.add("a", "3");
  ASSERT_NE(f.find("a"), nullptr);
  EXPECT_EQ(*f.find("a"), "1");
  EXPECT_EQ(*f.find("b"), "2");
  EXPECT_EQ(f.find("A"), nullptr);  // names are case-sensitive
  EXPECT_EQ(f.headers.size(), 3u);
}

TEST(StompFrame, ErrorMessagesAreSentences) {
  for (int i = 1; i <= static_cast<int>(parse_error::nul_in_headers); ++i) {
    const std::error_code ec = static_cast<parse_error>(i);
    EXPECT_EQ(ec.category(), stomp_category());
    EXPECT_FALSE(ec.message().empty());
    EXPECT_EQ(ec.message().find('\n'), std::string::npos);
    EXPECT_NE(ec.message(), "unknown STOMP parse error") << i;
  }
  EXPECT_EQ(std::error_code(parse_error::header_without_colon).message(), "header line has no ':'");
  EXPECT_EQ(std::error_code(parse_error::frame_too_large).message(),
            "frame exceeds the size limit");
  EXPECT_STREQ(stomp_category().name(), "stomp");
}

}  // namespace
}  // namespace herald::stomp

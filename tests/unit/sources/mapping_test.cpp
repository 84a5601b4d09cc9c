// sources[].map: JSON events into user and topic publishes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sources/mapping.hpp"

namespace herald::sources {
namespace {

using ::testing::HasSubstr;

config::source_map spring_map() {
  config::source_map m;
  m.user = "/mobile";
  m.body = "/message";
  m.user_destination = "/userOnlineStatus";
  m.topic = "/topic/userOnlineStatus";
  m.headers = {{"x-source", "rabbit"}};
  return m;
}

TEST(SourceMapping, UserAndTopicPublishesFromPointers) {
  auto r = map_json_event(spring_map(), R"({"mobile": "13800000000", "message": "you are online"})");
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.publishes.size(), 2u);
  const auto& u = r.publishes[0];
  EXPECT_EQ(u.kind, core::target_kind::user);
  EXPECT_EQ(u.user, "13800000000");
  EXPECT_EQ(u.destination, "/userOnlineStatus");
  EXPECT_EQ(u.body, "you are online");
  ASSERT_EQ(u.headers.size(), 1u);
  EXPECT_EQ(u.headers[0].second, "rabbit");
  const auto& t = r.publishes[1];
  EXPECT_EQ(t.kind, core::target_kind::topic);
  EXPECT_EQ(t.destination, "/topic/userOnlineStatus");
  EXPECT_EQ(t.body, "you are online");
}

TEST(SourceMapping, WholePayloadWhenNoBodyPointer) {
  auto m = spring_map();
  m.body.clear();
  const std::string payload = R"({"mobile": "1", "message": "m"})";
  auto r = map_json_event(m, payload);
  ASSERT_EQ(r.publishes.size(), 2u);
  EXPECT_EQ(r.publishes[0].body, payload);
}

TEST(SourceMapping, NonStringBodiesAreSentAsJson) {
  auto m = spring_map();
  m.body = "/data";
  auto r = map_json_event(m, R"({"mobile": "1", "data": {"level": 3, "tags": ["a"]}})");
  ASSERT_EQ(r.publishes.size(), 2u);
  EXPECT_EQ(r.publishes[0].body, R"({"level":3,"tags":["a"]})");
}

TEST(SourceMapping, NumericUserIds) {
  auto r = map_json_event(spring_map(), R"({"mobile": 13800000000, "message": "m"})");
  ASSERT_EQ(r.publishes.size(), 2u);
  EXPECT_EQ(r.publishes[0].user, "13800000000");
}

TEST(SourceMapping, NestedPointersAndEscapes) {
  auto m = spring_map();
  m.user = "/who/a~1b";
  auto r = map_json_event(m, R"({"who": {"a/b": "nested"}, "message": "m"})");
  ASSERT_EQ(r.publishes.size(), 2u);
  EXPECT_EQ(r.publishes[0].user, "nested");
}

TEST(SourceMapping, TopicOnlyNeedsNoUser) {
  config::source_map m;
  m.topic = "/topic/all";
  auto r = map_json_event(m, R"({"anything": true})");
  ASSERT_EQ(r.publishes.size(), 1u);
  EXPECT_EQ(r.publishes[0].kind, core::target_kind::topic);
}

TEST(SourceMapping, FailuresSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not JSON"},
      {R"({"message": "m"})", "no user at /mobile"},
      {R"({"mobile": null, "message": "m"})", "not a string or an integer"},
      {R"({"mobile": ["x"], "message": "m"})", "not a string or an integer"},
      {R"({"mobile": "", "message": "m"})", "empty"},
      {R"({"mobile": "1"})", "no body at /message"},
      {R"([1, 2])", "no user"},
      {"", "not JSON"},
  };
  for (const auto& [payload, why] : cases) {
    auto r = map_json_event(spring_map(), payload);
    EXPECT_TRUE(r.publishes.empty()) << payload;
    EXPECT_THAT(r.error, HasSubstr(why)) << payload;
  }
}

TEST(SourceMapping, DeepNestingIsRefused) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto r = map_json_event(spring_map(), deep);
  EXPECT_THAT(r.error, HasSubstr("not JSON"));
}

TEST(SourceMapping, UserEventsCarryTheirBody) {
  auto m = spring_map();
  auto r = map_user_event(m, "alice", "bye");
  ASSERT_EQ(r.publishes.size(), 2u);
  EXPECT_EQ(r.publishes[0].user, "alice");
  EXPECT_EQ(r.publishes[0].body, "bye");
  EXPECT_EQ(r.publishes[1].body, "bye");
}

TEST(SourceMapping, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  for (const char* bad : {"\xFF", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\x80"}) {
    EXPECT_FALSE(valid_utf8(bad)) << bad;
  }
  auto r = map_user_event(spring_map(), "bad\xFF", "body");
  EXPECT_TRUE(r.publishes.empty());
  EXPECT_THAT(r.error, HasSubstr("UTF-8"));
  EXPECT_EQ(fill_user("{user}", "a\xFF" "b"), "a\xEF\xBF\xBD" "b");
}

TEST(SourceMapping, FillUserEscapesForJson) {
  EXPECT_EQ(fill_user(R"({"mobile": "{user}"})", "13800000000"), R"({"mobile": "13800000000"})");
  EXPECT_EQ(fill_user(R"({"u": "{user}", "v": "{user}"})", "a\"b\\c"), R"({"u": "a\"b\\c", "v": "a\"b\\c"})");
  EXPECT_EQ(fill_user("no placeholder", "x"), "no placeholder");
  EXPECT_EQ(fill_user("{user}", "\n"), "\\n");
}

}  // namespace
}  // namespace herald::sources

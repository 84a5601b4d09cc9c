// parse_publish_body: the publish API's JSON body.
#include "api/publish_body.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace herald::api {
namespace {

using ::testing::HasSubstr;

publish_body ok(std::string_view json) {
  auto r = parse_publish_body(json);
  if (auto* err = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << "unexpected error: " << *err << " for " << json;
    return {};
  }
  return std::get<publish_body>(r);
}

std::string error(std::string_view json) {
  auto r = parse_publish_body(json);
  if (!std::holds_alternative<std::string>(r)) {
    ADD_FAILURE() << "expected an error for " << json;
    return {};
  }
  return std::get<std::string>(r);
}

TEST(PublishBody, StringBodyAsIs) {
  auto b = ok(R"({"destination": "/topic/x", "body": "hello \"world\""})");
  EXPECT_EQ(b.destination, "/topic/x");
  EXPECT_EQ(b.body, "hello \"world\"");
  EXPECT_TRUE(b.headers.empty());
}

TEST(PublishBody, JsonBodySerialisedWithContentType) {
  auto b = ok(R"({"destination": "/topic/x", "body": {"price": 10, "tags": ["a"]}})");
  EXPECT_EQ(b.body, R"({"price":10,"tags":["a"]})");
  ASSERT_EQ(b.headers.size(), 1u);
  EXPECT_EQ(b.headers[0], (std::pair<std::string, std::string>{"content-type", "application/json"}));
}

TEST(PublishBody, ScalarJsonBodies) {
  EXPECT_EQ(ok(R"({"destination": "/t/x", "body": 42})").body, "42");
  EXPECT_EQ(ok(R"({"destination": "/t/x", "body": true})").body, "true");
  EXPECT_EQ(ok(R"({"destination": "/t/x", "body": null})").body, "null");
  EXPECT_EQ(ok(R"({"destination": "/t/x", "body": [1,2]})").body, "[1,2]");
  EXPECT_EQ(ok(R"({"destination": "/t/x", "body": ""})").body, "");
}

TEST(PublishBody, ExplicitContentTypeWins) {
  auto b = ok(R"({"destination": "/topic/x", "body": {"a": 1},
                  "headers": {"content-type": "application/vnd.x+json", "x-k": "v"}})");
  EXPECT_EQ(b.headers, (core::header_list{{"content-type", "application/vnd.x+json"}, {"x-k", "v"}}));
}

TEST(PublishBody, HeadersWithStringBody) {
  auto b = ok(R"({"headers": {"x-a": "1", "x-b": ""}, "body": "b", "destination": "/topic/x"})");
  EXPECT_EQ(b.headers, (core::header_list{{"x-a", "1"}, {"x-b", ""}}));
}

TEST(PublishBody, HeadersMustBeStrings) {
  EXPECT_THAT(error(R"({"destination": "/t/x", "body": "b", "headers": {"x-n": 1}})"), HasSubstr("x-n"));
  EXPECT_THAT(error(R"({"destination": "/t/x", "body": "b", "headers": {"x-n": null}})"), HasSubstr("string"));
  EXPECT_THAT(error(R"({"destination": "/t/x", "body": "b", "headers": ["a"]})"), HasSubstr("headers"));
}

TEST(PublishBody, UnknownField) {
  EXPECT_THAT(error(R"({"destination": "/t/x", "body": "b", "user": "bob"})"), HasSubstr("'user'"));
  EXPECT_THAT(error(R"({"destination": "/t/x", "body": "b", "Body": "c"})"), HasSubstr("unknown"));
}

TEST(PublishBody, MissingOrWrongFields) {
  EXPECT_THAT(error(R"({"body": "b"})"), HasSubstr("destination"));
  EXPECT_THAT(error(R"({"destination": "", "body": "b"})"), HasSubstr("destination"));
  EXPECT_THAT(error(R"({"destination": 5, "body": "b"})"), HasSubstr("destination"));
  EXPECT_THAT(error(R"({"destination": "/t/x"})"), HasSubstr("body"));
  EXPECT_THAT(error(R"({})"), HasSubstr("required"));
}

TEST(PublishBody, InvalidJson) {
  for (const char* bad : {"", "{", "{\"destination\": }", "not json", "{\"a\":1} trailing", "{'a': 1}"}) {
    EXPECT_THAT(error(bad), HasSubstr("invalid JSON")) << bad;
  }
}

TEST(PublishBody, NonObject) {
  for (const char* bad : {"[]", "\"s\"", "1", "null", "true"}) {
    EXPECT_THAT(error(bad), HasSubstr("object")) << bad;
  }
}

TEST(PublishBody, DeepNestingRejected) {
  std::string deep = R"({"destination": "/t/x", "body": )";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  EXPECT_THAT(error(deep), HasSubstr("invalid JSON"));

  std::string shallow = R"({"destination": "/t/x", "body": )";
  for (int i = 0; i < 10; ++i) shallow += "[";
  for (int i = 0; i < 10; ++i) shallow += "]";
  shallow += "}";
  EXPECT_EQ(ok(shallow).body, "[[[[[[[[[[]]]]]]]]]]");
}

TEST(PublishBody, HugeNestingDoesNotCrash) {
  std::string s(1'000'000, '[');
  EXPECT_THAT(error(s), HasSubstr("invalid JSON"));
}

}  // namespace
}  // namespace herald::api

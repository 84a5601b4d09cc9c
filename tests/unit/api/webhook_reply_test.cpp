// parse_webhook_reply: the application webhook's reply messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/webhook_reply.hpp"

namespace herald::api {
namespace {

using ::testing::HasSubstr;

using result = std::vector<core::message_fields>;

result ok(std::string_view json, const std::string& sender = "alice") {
  auto r = parse_webhook_reply(json, sender);
  if (auto* err = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << "unexpected error: " << *err << " for " << json;
    return {};
  }
  return std::get<result>(r);
}

std::string error(std::string_view json) {
  auto r = parse_webhook_reply(json, "alice");
  if (!std::holds_alternative<std::string>(r)) {
    ADD_FAILURE() << "expected an error for " << json;
    return {};
  }
  return std::get<std::string>(r);
}

TEST(WebhookReply, EmptyBodyMeansNoMessages) {
  EXPECT_TRUE(ok("").empty());
  EXPECT_TRUE(ok(" \r\n\t").empty());
  EXPECT_TRUE(ok("{}").empty());
  EXPECT_TRUE(ok(R"({"messages": []})").empty());
}

TEST(WebhookReply, BroadcastUserAndReply) {
  auto r = ok(R"({"messages": [
      {"destination": "/topic/room", "body": "hi all", "headers": {"x-a": "1"}},
      {"user": "bob", "destination": "/queue/dm", "body": {"n": 1}},
      {"reply": true, "destination": "/queue/ack", "body": "done"},
      {"reply": false, "destination": "/topic/b", "body": "b"}
  ]})", "alice");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].kind, core::target_kind::topic);
  EXPECT_EQ(r[0].destination, "/topic/room");
  EXPECT_EQ(r[0].body, "hi all");
  EXPECT_EQ(r[0].headers, (core::header_list{{"x-a", "1"}}));
  EXPECT_TRUE(r[0].user.empty());

  EXPECT_EQ(r[1].kind, core::target_kind::user);
  EXPECT_EQ(r[1].user, "bob");
  EXPECT_EQ(r[1].destination, "/queue/dm");
  EXPECT_EQ(r[1].body, R"({"n":1})");
  EXPECT_EQ(r[1].headers, (core::header_list{{"content-type", "application/json"}}));

  EXPECT_EQ(r[2].kind, core::target_kind::user);
  EXPECT_EQ(r[2].user, "alice");
  EXPECT_EQ(r[2].body, "done");

  EXPECT_EQ(r[3].kind, core::target_kind::topic);
}

TEST(WebhookReply, ReplyTargetsTheSenderEvenWithUser) {
  auto r = ok(R"({"messages": [{"user": "bob", "reply": true, "destination": "/q/x", "body": ""}]})", "carol");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].user, "carol");
}

TEST(WebhookReply, Errors) {
  EXPECT_THAT(error("nope"), HasSubstr("invalid JSON"));
  EXPECT_THAT(error("[]"), HasSubstr("object"));
  EXPECT_THAT(error(R"({"messages": [], "extra": 1})"), HasSubstr("'extra'"));
  EXPECT_THAT(error(R"({"messages": {}})"), HasSubstr("array"));
  EXPECT_THAT(error(R"({"messages": ["x"]})"), HasSubstr("object"));
  EXPECT_THAT(error(R"({"messages": [{"user": 1, "destination": "/q/x", "body": ""}]})"), HasSubstr("'user'"));
  EXPECT_THAT(error(R"({"messages": [{"reply": "yes", "destination": "/q/x", "body": ""}]})"),
              HasSubstr("'reply'"));
  EXPECT_THAT(error(R"({"messages": [{"destination": "/q/x"}]})"), HasSubstr("body"));
  EXPECT_THAT(error(R"({"messages": [{"body": "b"}]})"), HasSubstr("destination"));
  EXPECT_THAT(error(R"({"messages": [{"destination": "/q/x", "body": "", "bogus": 1}]})"), HasSubstr("'bogus'"));
  EXPECT_THAT(error(R"({"messages": [{"destination": "/q/x", "body": "", "headers": {"a": 1}}]})"),
              HasSubstr("'a'"));
}

TEST(WebhookReply, OneBadMessageRejectsTheReply) {
  EXPECT_THAT(error(R"({"messages": [{"destination": "/t/x", "body": "ok"}, {"destination": "/t/y"}]})"),
              HasSubstr("body"));
}

}  // namespace
}  // namespace herald::api

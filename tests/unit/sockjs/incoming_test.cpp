// What clients send: xhr_send/jsonp_send bodies and WebSocket messages.
#include <gtest/gtest.h>

#include <gmock/gmock.h>
#include <string>

#include "sockjs/incoming.hpp"

namespace herald::sockjs {
namespace {

using namespace std::string_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SockjsIncoming, ArrayOfStrings) {
  auto r = parse_messages(R"(["a","b c"])", false);
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.messages, ElementsAre("a", "b c"));
  auto spaced = parse_messages(" [ \"x\" ,\n\"y\" ] \n", false);
  EXPECT_EQ(spaced.error, "");
  EXPECT_THAT(spaced.messages, ElementsAre("x", "y"));
}

TEST(SockjsIncoming, EmptyArrayIsNoMessages) {
  auto r = parse_messages("[]", false);
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.messages, IsEmpty());
}

TEST(SockjsIncoming, EscapesAreDecoded) {
  auto r = parse_messages(R"(["SEND\ndestination:/app/x\n\nhi\u0000","\ud83d\ude00","\u4e2d\"\\"])", false);
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.messages,
              ElementsAre("SEND\ndestination:/app/x\n\nhi\0"s, "\xf0\x9f\x98\x80", "\xe4\xb8\xad\"\\"));
  // Raw UTF-8 inside the JSON string is kept as is.
  EXPECT_THAT(parse_messages("[\"caf\xc3\xa9\"]", false).messages, ElementsAre("caf\xc3\xa9"));
}

TEST(SockjsIncoming, SingleStringOnlyWhenAllowed) {
  auto ws = parse_messages(R"("hello")", true);
  EXPECT_EQ(ws.error, "");
  EXPECT_THAT(ws.messages, ElementsAre("hello"));
  auto http = parse_messages(R"("hello")", false);
  EXPECT_NE(http.error, "");
  EXPECT_THAT(http.messages, IsEmpty());
  // Arrays are fine either way.
  EXPECT_THAT(parse_messages(R"(["a"])", true).messages, ElementsAre("a"));
}

TEST(SockjsIncoming, EmptyPayload) {
  for (bool single : {false, true}) {
    auto r = parse_messages("", single);
    EXPECT_EQ(r.error, "Payload expected.");
    EXPECT_THAT(r.messages, IsEmpty());
  }
}

TEST(SockjsIncoming, BrokenJson) {
  for (const char* bad : {"[", "[\"a\"", "[\"a\",]", "[a]", "['a']", "x", " ", "[\"a\"] x",
                          "[\"a\"][\"b\"]", "[\"a\"] // c", "[\"\\x41\"]", "[\"a\nb\"]"}) {
    auto r = parse_messages(bad, false);
    EXPECT_EQ(r.error, "Broken JSON encoding.") << bad;
    EXPECT_THAT(r.messages, IsEmpty()) << bad;
  }
}

TEST(SockjsIncoming, InvalidUtf8IsBrokenJson) {
  EXPECT_EQ(parse_messages("[\"\xff\"]", false).error, "Broken JSON encoding.");
  EXPECT_EQ(parse_messages("[\"\xc3\"]", false).error, "Broken JSON encoding.");
}

TEST(SockjsIncoming, NonStringElements) {
  for (const char* bad : {"[1]", "[\"a\",null]", "[\"a\",true]", "[\"a\",{}]", "[\"a\",1.5]"}) {
    auto r = parse_messages(bad, false);
    EXPECT_EQ(r.error, "Payload must be a JSON array of strings.") << bad;
    // Nothing half-parsed is delivered.
    EXPECT_THAT(r.messages, IsEmpty()) << bad;
  }
}

TEST(SockjsIncoming, NotAnArray) {
  for (const char* bad : {"{\"a\":\"b\"}", "5", "null", "true"}) {
    for (bool single : {false, true}) {
      auto r = parse_messages(bad, single);
      EXPECT_EQ(r.error, "Payload must be a JSON array of strings.") << bad;
      EXPECT_THAT(r.messages, IsEmpty()) << bad;
    }
  }
}

TEST(SockjsIncoming, NestedArrays) {
  for (bool single : {false, true}) {
    auto r = parse_messages(R"(["a",["b"]])", single);
    EXPECT_NE(r.error, "");
    EXPECT_THAT(r.messages, IsEmpty());
    EXPECT_NE(parse_messages(R"([["a"]])", single).error, "");
  }
  // Deep nesting is refused without exhausting the stack.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(parse_messages(deep, false).error, "");
}

TEST(SockjsIncoming, JsonpFormBody) {
  const char* form = "application/x-www-form-urlencoded";
  EXPECT_EQ(jsonp_payload("d=%5B%22x%22%5D", form), R"(["x"])");
  EXPECT_EQ(jsonp_payload("d=%5b%22x%22%5d", form), R"(["x"])");
  // '+' is a space in forms; a literal plus arrives as %2B.
  EXPECT_EQ(jsonp_payload("d=%5B%22a+b%2Bc%22%5D", form), R"(["a b+c"])");
  EXPECT_EQ(jsonp_payload("x=1&d=%5B%5D&y=2", form), "[]");
  EXPECT_EQ(jsonp_payload("d=%5B%22x%22%5D", "application/x-www-form-urlencoded; charset=UTF-8"), R"(["x"])");
  EXPECT_EQ(jsonp_payload("d=", form), "");
  EXPECT_EQ(jsonp_payload("x=%5B%5D", form), "");
  EXPECT_EQ(jsonp_payload("", form), "");
}

TEST(SockjsIncoming, JsonpRawBody) {
  EXPECT_EQ(jsonp_payload(R"(["x"])", "text/plain"), R"(["x"])");
  EXPECT_EQ(jsonp_payload(R"(["x"])", ""), R"(["x"])");
  // Without the form content type nothing is decoded.
  EXPECT_EQ(jsonp_payload("d=%5B%22x%22%5D", "text/plain"), "d=%5B%22x%22%5D");
  EXPECT_EQ(jsonp_payload("[\"a+b\"]", "application/json"), "[\"a+b\"]");
}

TEST(SockjsIncoming, ValidCallback) {
  for (const char* ok : {"cb", "x", "_jp.a1b2c3", "jQuery1234_5678", "a.b-c_d", "A9"}) {
    EXPECT_TRUE(valid_callback(ok)) << ok;
  }
  EXPECT_TRUE(valid_callback(std::string(256, 'c')));
  EXPECT_FALSE(valid_callback(std::string(257, 'c')));
  for (const char* bad : {"", "a(b)", "a;b", "a b", "<script>", "a\"", "a'", "a\n", "alert(1)//",
                          "a/b", "a=b", "a[0]", "a+b", "caf\xc3\xa9", "a\\u0028"}) {
    EXPECT_FALSE(valid_callback(bad)) << bad;
  }
  EXPECT_FALSE(valid_callback("a\0b"s));
}

}  // namespace
}  // namespace herald::sockjs

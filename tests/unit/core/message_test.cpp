// message: the MESSAGE head encoded once per STOMP version, with the right
// escaping and content-length; reserved header names.
#include "core/message.hpp"

#include <gtest/gtest.h>

namespace herald::core {
namespace {

using stomp::version;

message_ptr make(header_list headers, std::string body = "hello") {
  message_fields f;
  f.destination = "/topic/x";
  f.headers = std::move(headers);
  f.body = std::move(body);
  return make_message(std::move(f), "n-1");
}

TEST(Message, HeadLayout) {
  auto m = make({{"content-type", "text/plain"}});
  EXPECT_EQ(m->head(version::v1_2), "message-id:n-1\ncontent-type:text/plain\ncontent-length:5\n\n");
  EXPECT_EQ(m->head(version::v1_1), m->head(version::v1_2));
  EXPECT_EQ(m->head(version::v1_0), m->head(version::v1_2));
  EXPECT_TRUE(m->head11_.empty());
  EXPECT_TRUE(m->head10_.empty());
}

TEST(Message, ContentLengthIsBytes) {
  EXPECT_NE(make({}, "")->head(version::v1_2).find("content-length:0\n"), std::string::npos);
  EXPECT_NE(make({}, "h\xc3\xa9llo")->head(version::v1_2).find("content-length:6\n"), std::string::npos);
  EXPECT_NE(make({}, std::string("a\0b", 3))->head(version::v1_2).find("content-length:3\n"), std::string::npos);
}

TEST(Message, EscapingPerVersion) {
  auto m = make({{"k", "a:b\\c\rd"}});
  EXPECT_EQ(m->head(version::v1_2), "message-id:n-1\nk:a\\cb\\\\c\\rd\ncontent-length:5\n\n");
  EXPECT_EQ(m->head(version::v1_1), "message-id:n-1\nk:a\\cb\\\\c\rd\ncontent-length:5\n\n");
  EXPECT_EQ(m->head(version::v1_0), "message-id:n-1\nk:a:b\\c\rd\ncontent-length:5\n\n");
}

TEST(Message, CarriageReturnOnlyDiffersIn12) {
  auto m = make({{"k", "a\rb"}});
  EXPECT_EQ(m->head(version::v1_2), "message-id:n-1\nk:a\\rb\ncontent-length:5\n\n");
  EXPECT_EQ(m->head(version::v1_1), "message-id:n-1\nk:a\rb\ncontent-length:5\n\n");
  EXPECT_EQ(m->head(version::v1_0), m->head(version::v1_1));
}

TEST(Message, ColonEscapedIn11And12Only) {
  auto m = make({{"k", "a:b"}});
  EXPECT_EQ(m->head(version::v1_2), m->head(version::v1_1));
  EXPECT_NE(m->head(version::v1_2).find("k:a\\cb\n"), std::string::npos);
  EXPECT_NE(m->head(version::v1_0).find("k:a:b\n"), std::string::npos);
}

TEST(Message, FieldsCarriedOver) {
  message_fields f;
  f.kind = target_kind::user;
  f.user = "bob";
  f.destination = "/queue/x";
  f.body = "b";
  auto before = std::chrono::steady_clock::now();
  auto m = make_message(std::move(f), "id-7");
  EXPECT_EQ(m->kind, target_kind::user);
  EXPECT_EQ(m->user, "bob");
  EXPECT_EQ(m->destination, "/queue/x");
  EXPECT_EQ(m->id, "id-7");
  EXPECT_GE(m->published_at, before);
}

TEST(Message, ReservedHeaders) {
  for (const char* r :
       {"destination", "subscription", "message-id", "content-length", "ack", "receipt", "transaction"}) {
    EXPECT_TRUE(is_reserved_header(r)) << r;
  }
  for (const char* ok : {"content-type", "x-destination", "Destination", "receipt-id", ""}) {
    EXPECT_FALSE(is_reserved_header(ok)) << ok;
  }
}

}  // namespace
}  // namespace herald::core

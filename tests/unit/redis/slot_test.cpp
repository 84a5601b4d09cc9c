// Redis Cluster key slots: CRC16/XMODEM and the hash-tag rules, checked
// against values from the spec and from Redis itself (CLUSTER KEYSLOT).
#include "redis/slot.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::redis {
namespace {

TEST(Crc16, SpecCheckValue) {
  // The Redis Cluster specification's test vector for CRC16/XMODEM.
  EXPECT_EQ(crc16("123456789"), 0x31C3);
  EXPECT_EQ(crc16(""), 0);
}

TEST(KeySlot, MatchesRedis) {
  // redis-server 7.0, CLUSTER KEYSLOT <key>
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("hello"), 866);
  EXPECT_EQ(key_slot("somekey"), 11058);
  EXPECT_EQ(key_slot(""), 0);
  EXPECT_EQ(key_slot("herald:u:alice"), 6007);
  EXPECT_EQ(key_slot("{herald:}nodes"), 13360);
}

TEST(KeySlot, HashTagsKeepRelatedKeysTogether) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
  EXPECT_EQ(key_slot("{user1000}.following"), 3443);
  EXPECT_EQ(key_slot("{herald:}node:a"), key_slot("{herald:}presence:b"));
  EXPECT_EQ(key_slot("{herald:}node:a"), key_slot("herald:"));
}

TEST(KeySlot, TagRules) {
  // The first '{' and the first '}' after it; an empty tag does not count.
  EXPECT_EQ(hash_tag("foo{bar}{zap}"), "bar");
  EXPECT_EQ(key_slot("foo{bar}{zap}"), 5061);
  EXPECT_EQ(hash_tag("foo{}{bar}"), "foo{}{bar}");
  EXPECT_EQ(key_slot("foo{}{bar}"), 8363);
  EXPECT_EQ(hash_tag("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(key_slot("foo{{bar}}zap"), 4015);
  EXPECT_EQ(hash_tag("{}"), "{}");
  EXPECT_EQ(key_slot("{}"), 15257);
  EXPECT_EQ(hash_tag("{a}"), "a");
  EXPECT_EQ(key_slot("{a}"), 15495);
  EXPECT_EQ(hash_tag("a{"), "a{");
  EXPECT_EQ(key_slot("a{"), 14311);
  EXPECT_EQ(hash_tag("a}b{c"), "a}b{c");
}

TEST(KeySlot, AlwaysInRange) {
  for (int i = 0; i < 5000; ++i) EXPECT_LT(key_slot("key:" + std::to_string(i)), slot_count);
}

TEST(KeySlot, BinarySafe) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(key_slot(with_nul), key_slot("a"));
  EXPECT_EQ(crc16(with_nul), crc16(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace herald::redis

namespace herald::redis {
namespace {

TEST(RoutingKey, FirstArgumentAsARule) {
  EXPECT_EQ(routing_key({"GET", "k"}), "k");
  EXPECT_EQ(routing_key({"SPUBLISH", "herald:/topic/a", "payload"}), "herald:/topic/a");
  EXPECT_EQ(routing_key({"DEL", "{t}a", "{t}b"}), "{t}a");
}

TEST(RoutingKey, NoKey) {
  EXPECT_EQ(routing_key({"PING"}), std::nullopt);
  EXPECT_EQ(routing_key({}), std::nullopt);
}

TEST(RoutingKey, ScriptsRouteByTheirFirstKey) {
  EXPECT_EQ(routing_key({"EVAL", "return 1", "1", "{herald:}where:u", "a"}), "{herald:}where:u");
  EXPECT_EQ(routing_key({"evalsha", "abc123", "2", "k1", "k2", "x"}), "k1");
  EXPECT_EQ(routing_key({"FCALL", "f", "1", "k"}), "k");
  EXPECT_EQ(routing_key({"EVAL_RO", "return 1", "1", "k"}), "k");
  // No keys: any master.
  EXPECT_EQ(routing_key({"EVAL", "return 1", "0"}), std::nullopt);
  EXPECT_EQ(routing_key({"EVAL", "return 1", "1"}), std::nullopt);
  // Not a script command: the first argument, whatever it looks like.
  EXPECT_EQ(routing_key({"EVALX", "s", "1", "k"}), "s");
}

}  // namespace
}  // namespace herald::redis

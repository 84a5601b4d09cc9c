// amqp_routing_key: channels become AMQP routing keys (at most 255 bytes),
// the same on every node.
#include <gtest/gtest.h>

#include <string>

#include "backplane/amqp_keys.hpp"
#include "core/channels.hpp"

namespace herald::backplane {
namespace {

TEST(AmqpKeys, ShortChannelsAreTheirOwnKey) {
  for (const std::string& ch : {std::string("/topic/x"), core::user_channel("alice"), std::string(core::control_channel),
                               core::node_channel("a"), std::string("/topic/a.*.#"), std::string("u:a b")}) {
    EXPECT_EQ(amqp_routing_key(ch), ch);
  }
  const std::string edge = "/topic/" + std::string(amqp_max_routing_key - 7, 'x');
  ASSERT_EQ(edge.size(), 255u);
  EXPECT_EQ(amqp_routing_key(edge), edge);
}

TEST(AmqpKeys, LongChannelsAreHashed) {
  const std::string ch = "/topic/" + std::string(amqp_max_routing_key - 6, 'x');  // 256 bytes
  const auto key = amqp_routing_key(ch);
  EXPECT_EQ(key.size(), amqp_hashed_key_prefix.size() + 64);
  EXPECT_TRUE(key.starts_with(amqp_hashed_key_prefix));
  EXPECT_LE(key.size(), amqp_max_routing_key);
  EXPECT_EQ(key, amqp_routing_key(ch)) << "deterministic";
  EXPECT_NE(key, amqp_routing_key(ch + "y"));
  EXPECT_NE(key, amqp_routing_key(core::user_channel(std::string(300, 'x'))));
}

TEST(AmqpKeys, KnownDigest) {
  // SHA-256 in lowercase hex, which any other tool can compute too
  // (python3 -c "import hashlib; print(hashlib.sha256(b'a' * 300).hexdigest())").
  EXPECT_EQ(amqp_routing_key(std::string(300, 'a')),
            "#sha256:9835fa6bf4e20a9b9ea812506302e98982721a6cf8d2cae67af57129bf21ae90");
}

TEST(AmqpKeys, HashedKeysCannotBeChannels) {
  // Channels start with '/', "u:" or '!': never with the hashed prefix.
  EXPECT_EQ(amqp_hashed_key_prefix.front(), '#');
  EXPECT_NE(core::user_channel("x").front(), '#');
  EXPECT_NE(core::control_channel.front(), '#');
  EXPECT_NE(core::node_channel("x").front(), '#');
}

}  // namespace
}  // namespace herald::backplane

// Which expired keys name a user.
#include <gtest/gtest.h>

#include "sources/expiry_keys.hpp"

namespace herald::sources {
namespace {

config::expiry_source with(std::string prefix, std::string pattern = {}) {
  config::expiry_source c;
  c.key_prefix = std::move(prefix);
  c.key_pattern = std::move(pattern);
  return c;
}

TEST(ExpiryKeys, TheRestOfTheKeyIsTheUser) {
  expiry_keys k(with("login:access_token:"));
  EXPECT_EQ(k.user_of("login:access_token:13800000000"), "13800000000");
  EXPECT_EQ(k.user_of("login:access_token:"), std::nullopt);
  EXPECT_EQ(k.user_of("login:refresh_token:1"), std::nullopt);
  EXPECT_EQ(k.user_of("other"), std::nullopt);
}

TEST(ExpiryKeys, APatternCapturesTheUser) {
  expiry_keys k(with("login:", R"(login:([^:]+):token:.*)"));
  EXPECT_EQ(k.user_of("login:alice:token:abc"), "alice");
  EXPECT_EQ(k.user_of("login:alice:other"), std::nullopt);
  EXPECT_EQ(k.user_of("x:login:alice:token:abc"), std::nullopt);
}

TEST(ExpiryKeys, HugeKeysAreNotWatched) {
  expiry_keys k(with("", R"((.*))"));
  EXPECT_EQ(k.user_of(std::string(expiry_keys::max_key_bytes, 'u')), std::string(expiry_keys::max_key_bytes, 'u'));
  EXPECT_EQ(k.user_of(std::string(100000, 'u')), std::nullopt);
}

TEST(ExpiryKeys, ScanPatternEscapesGlobCharacters) {
  EXPECT_EQ(expiry_keys(with("login:access_token:")).scan_pattern(), "login:access_token:*");
  EXPECT_EQ(expiry_keys(with("a*b?[c]\\")).scan_pattern(), "a\\*b\\?\\[c\\]\\\\*");
}

}  // namespace
}  // namespace herald::sources

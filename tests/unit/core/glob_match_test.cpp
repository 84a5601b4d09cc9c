// glob_match: '*' is one path segment, '**' the rest.
#include <gtest/gtest.h>

#include "core/destinations.hpp"

namespace herald::core {
namespace {

TEST(GlobMatch, Literal) {
  EXPECT_TRUE(glob_match("/topic/a", "/topic/a"));
  EXPECT_FALSE(glob_match("/topic/a", "/topic/ab"));
  EXPECT_FALSE(glob_match("/topic/ab", "/topic/a"));
  EXPECT_FALSE(glob_match("/topic/a", "/topic/A"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "/x"));
}

TEST(GlobMatch, StarIsOneSegment) {
  EXPECT_TRUE(glob_match("/topic/*", "/topic/a"));
  EXPECT_TRUE(glob_match("/topic/*", "/topic/abc.def"));
  EXPECT_FALSE(glob_match("/topic/*", "/topic/a/b"));
  EXPECT_FALSE(glob_match("/topic/*", "/topic"));
  EXPECT_TRUE(glob_match("/topic/*/x", "/topic/a/x"));
  EXPECT_FALSE(glob_match("/topic/*/x", "/topic/a/b/x"));
  EXPECT_FALSE(glob_match("/topic/*/x", "/topic/a/y"));
  EXPECT_FALSE(glob_match("*", "/a"));
}

TEST(GlobMatch, StarWithinSegment) {
  EXPECT_TRUE(glob_match("/topic/chat.*", "/topic/chat.room"));
  EXPECT_FALSE(glob_match("/topic/chat.*", "/topic/chatroom"));
  EXPECT_TRUE(glob_match("/topic/*.log", "/topic/app.log"));
  EXPECT_FALSE(glob_match("/topic/*.log", "/topic/app.log/x"));
  EXPECT_FALSE(glob_match("/topic/*x", "/topic/ax/bx"));
  EXPECT_TRUE(glob_match("/topic/a*b*c", "/topic/aXbYc"));
  EXPECT_FALSE(glob_match("/topic/a*b*c", "/topic/aX/bYc"));
}

TEST(GlobMatch, DoubleStarIsTheRest) {
  EXPECT_TRUE(glob_match("/topic/**", "/topic/a"));
  EXPECT_TRUE(glob_match("/topic/**", "/topic/a/b/c"));
  EXPECT_FALSE(glob_match("/topic/**", "/topic"));
  EXPECT_FALSE(glob_match("/topic/**", "/queue/a"));
  EXPECT_TRUE(glob_match("**", "/anything/at/all"));
  EXPECT_TRUE(glob_match("/topic/a**", "/topic/abc/def"));
  EXPECT_FALSE(glob_match("/topic/a**", "/topic/bc"));
}

// A client_send rule "/topic/**/public" reads as "anything under /topic that
// ends in /public"; it must not grant every /topic destination.
TEST(GlobMatch, DoubleStarInMiddleDoesNotIgnoreSuffix) {
  EXPECT_FALSE(glob_match("/topic/**/public", "/topic/private"));
  EXPECT_TRUE(glob_match("/topic/**/public", "/topic/a/public"));
}

}  // namespace
}  // namespace herald::core

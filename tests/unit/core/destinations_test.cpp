// destination_rules: well-formedness, classification of SEND destinations,
// subscribe verdicts (topic, principal and explicit user forms, refusals),
// client_send rules, and custom prefixes.
#include "core/destinations.hpp"

#include <gtest/gtest.h>

namespace herald::core {
namespace {

destination_rules default_rules() { return destination_rules(config::destinations{}); }

TEST(DestinationRules, WellFormed) {
  for (const char* ok : {"/topic/x", "/a", "/a/b/c", "/topic/x.y", "/topic/..x", "/t/a-b_c"}) {
    EXPECT_TRUE(destination_rules::well_formed(ok)) << ok;
  }
  for (const char* bad : {"", "/", "topic/x", "/topic/x/", "/topic//x", "//x", "/topic/./x", "/topic/../x",
                          "/..", "/.", "/topic/x\n", "/topic/\x7f", "/topic/a\tb"}) {
    EXPECT_FALSE(destination_rules::well_formed(bad)) << bad;
  }
}

TEST(DestinationRules, ClassifyBroker) {
  auto r = default_rules();
  auto c = r.classify("/topic/prices");
  EXPECT_EQ(c.kind, dest_kind::broker);
  EXPECT_EQ(c.relative, "/topic/prices");
  EXPECT_EQ(r.classify("/queue/jobs").kind, dest_kind::broker);
  EXPECT_TRUE(r.is_broker("/topic/a/b"));
}

TEST(DestinationRules, ClassifyPrefixNeedsWholeSegment) {
  auto r = default_rules();
  EXPECT_EQ(r.classify("/topics/x").kind, dest_kind::invalid);
  EXPECT_EQ(r.classify("/topic").kind, dest_kind::invalid);
  EXPECT_EQ(r.classify("/application/x").kind, dest_kind::invalid);
  EXPECT_EQ(r.classify("/users/bob/x").kind, dest_kind::invalid);
  EXPECT_FALSE(r.is_broker("/topic"));
  EXPECT_FALSE(r.is_broker("/topicx/y"));
}

TEST(DestinationRules, ClassifyApp) {
  auto r = default_rules();
  auto c = r.classify("/app/chat.send");
  EXPECT_EQ(c.kind, dest_kind::app);
  EXPECT_EQ(c.relative, "/chat.send");
  EXPECT_EQ(r.classify("/app").kind, dest_kind::invalid);
}

TEST(DestinationRules, ClassifyUserPrincipalForm) {
  auto r = default_rules();
  auto c = r.classify("/user/queue/reply");
  EXPECT_EQ(c.kind, dest_kind::user);
  EXPECT_EQ(c.user, "");
  EXPECT_EQ(c.relative, "/queue/reply");
}

TEST(DestinationRules, ClassifyUserExplicitForm) {
  auto r = default_rules();
  auto c = r.classify("/user/bob/queue/reply");
  EXPECT_EQ(c.kind, dest_kind::user);
  EXPECT_EQ(c.user, "bob");
  EXPECT_EQ(c.relative, "/queue/reply");
  auto d = r.classify("/user/bob/x");
  EXPECT_EQ(d.user, "bob");
  EXPECT_EQ(d.relative, "/x");
}

TEST(DestinationRules, ClassifyUserWithoutRestIsInvalid) {
  auto r = default_rules();
  EXPECT_EQ(r.classify("/user").kind, dest_kind::invalid);
  EXPECT_EQ(r.classify("/user/").kind, dest_kind::invalid);
}

// One segment after the user prefix cannot be "/user/<U>/<D>": it is the
// principal form of that segment.
TEST(DestinationRules, ClassifyUserSingleSegmentIsPrincipalForm) {
  auto r = default_rules();
  for (const char* d : {"/user/userOnlineStatus", "/user/bob", "/user/queue"}) {
    auto c = r.classify(d);
    EXPECT_EQ(c.kind, dest_kind::user) << d;
    EXPECT_EQ(c.user, "") << d;
    EXPECT_EQ(c.relative, std::string(d).substr(5)) << d;
  }
}

TEST(DestinationRules, ClassifyMalformedIsInvalid) {
  auto r = default_rules();
  for (const char* bad : {"", "/topic/", "/topic//x", "/topic/../app/x", "/app/./x", "/user/bob/../alice/x"}) {
    EXPECT_EQ(r.classify(bad).kind, dest_kind::invalid) << bad;
  }
}

TEST(DestinationRules, SubscribeTopic) {
  auto r = default_rules();
  auto t = r.subscribe("/topic/news", "alice");
  EXPECT_EQ(t.verdict, subscribe_verdict::topic);
  EXPECT_EQ(t.key, "/topic/news");
}

TEST(DestinationRules, SubscribePrincipalForm) {
  auto r = default_rules();
  auto t = r.subscribe("/user/queue/x", "alice");
  EXPECT_EQ(t.verdict, subscribe_verdict::user);
  EXPECT_EQ(t.key, "/queue/x");
}

TEST(DestinationRules, SubscribeExplicitOwnForm) {
  auto r = default_rules();
  auto t = r.subscribe("/user/alice/x", "alice");
  EXPECT_EQ(t.verdict, subscribe_verdict::user);
  EXPECT_EQ(t.key, "/x");
  auto q = r.subscribe("/user/alice/queue/x", "alice");
  EXPECT_EQ(q.verdict, subscribe_verdict::user);
  EXPECT_EQ(q.key, "/queue/x");
}

TEST(DestinationRules, SubscribeOtherUserRefused) {
  auto r = default_rules();
  EXPECT_EQ(r.subscribe("/user/bob/x", "alice").verdict, subscribe_verdict::refused_other_user);
  EXPECT_EQ(r.subscribe("/user/bob/queue/x", "alice").verdict, subscribe_verdict::refused_other_user);
  // A prefix of the principal's name is another user.
  EXPECT_EQ(r.subscribe("/user/ali/x", "alice").verdict, subscribe_verdict::refused_other_user);
  EXPECT_EQ(r.subscribe("/user/alicex/x", "alice").verdict, subscribe_verdict::refused_other_user);
}

TEST(DestinationRules, SubscribePrincipalNamedLikePrefixUsesExplicitForm) {
  auto r = default_rules();
  // The first segment equals the caller: explicit form wins.
  auto t = r.subscribe("/user/queue/x", "queue");
  EXPECT_EQ(t.verdict, subscribe_verdict::user);
  EXPECT_EQ(t.key, "/x");
}

TEST(DestinationRules, SubscribePrincipalFormSingleSegment) {
  auto r = default_rules();
  auto t = r.subscribe("/user/userOnlineStatus", "13800000000");
  EXPECT_EQ(t.verdict, subscribe_verdict::user);
  EXPECT_EQ(t.key, "/userOnlineStatus");
  // Even when the segment is the caller's name or a broker prefix's.
  auto self = r.subscribe("/user/alice", "alice");
  EXPECT_EQ(self.verdict, subscribe_verdict::user);
  EXPECT_EQ(self.key, "/alice");
  auto q = r.subscribe("/user/queue", "alice");
  EXPECT_EQ(q.verdict, subscribe_verdict::user);
  EXPECT_EQ(q.key, "/queue");
  // Several segments keep their rules: not under a broker prefix and not
  // the caller's name is another user's.
  EXPECT_EQ(r.subscribe("/user/userOnlineStatus/x", "alice").verdict, subscribe_verdict::refused_other_user);
}

// A publish to user U's "/userOnlineStatus" (API or SEND) lands on the key
// U subscribed to as "/user/userOnlineStatus", and on the explicit form's.
TEST(DestinationRules, SingleSegmentAgreesWithExplicitForm) {
  auto r = default_rules();
  auto principal = r.subscribe("/user/userOnlineStatus", "u1");
  auto explicit_form = r.subscribe("/user/u1/userOnlineStatus", "u1");
  EXPECT_EQ(principal.key, "/userOnlineStatus");
  EXPECT_EQ(explicit_form.key, principal.key);
  auto send = r.classify("/user/userOnlineStatus");
  EXPECT_EQ(send.relative, principal.key);
}

TEST(DestinationRules, SubscribeInvalid) {
  auto r = default_rules();
  for (const char* bad : {"/user", "/user/", "/app/x", "/other/x", "/topic", "/topic/x/",
                          "/topic//x", "topic/x", "", "/user/alice/../bob/x", "/user/..", "/user/a\x01"}) {
    EXPECT_EQ(r.subscribe(bad, "alice").verdict, subscribe_verdict::refused_invalid) << bad;
  }
}

TEST(DestinationRules, ClientMaySendNeedsRule) {
  auto r = default_rules();
  EXPECT_FALSE(r.client_may_send("/topic/chat"));

  config::destinations cfg;
  cfg.client_send = {"/topic/chat.*", "/queue/**"};
  destination_rules with(cfg);
  EXPECT_TRUE(with.client_may_send("/topic/chat.room1"));
  EXPECT_FALSE(with.client_may_send("/topic/chat.room1/sub"));
  EXPECT_FALSE(with.client_may_send("/topic/other"));
  EXPECT_TRUE(with.client_may_send("/queue/a/b/c"));
}

TEST(DestinationRules, CustomPrefixes) {
  config::destinations cfg;
  cfg.broker_prefixes = {"/exchange", "/amq/queue"};
  cfg.app_prefix = "/srv";
  cfg.user_prefix = "/me";
  destination_rules r(cfg);

  EXPECT_EQ(r.app_prefix(), "/srv");
  EXPECT_EQ(r.user_prefix(), "/me");
  EXPECT_EQ(r.classify("/exchange/x").kind, dest_kind::broker);
  EXPECT_EQ(r.classify("/amq/queue/x").kind, dest_kind::broker);
  EXPECT_EQ(r.classify("/amq/x").kind, dest_kind::invalid);
  EXPECT_EQ(r.classify("/topic/x").kind, dest_kind::invalid);
  EXPECT_EQ(r.classify("/app/x").kind, dest_kind::invalid);
  auto app = r.classify("/srv/do");
  EXPECT_EQ(app.kind, dest_kind::app);
  EXPECT_EQ(app.relative, "/do");

  auto u = r.classify("/me/amq/queue/x");
  EXPECT_EQ(u.kind, dest_kind::user);
  EXPECT_EQ(u.user, "");
  EXPECT_EQ(u.relative, "/amq/queue/x");

  auto s = r.subscribe("/me/amq/queue/x", "ann");
  EXPECT_EQ(s.verdict, subscribe_verdict::user);
  EXPECT_EQ(s.key, "/amq/queue/x");
  EXPECT_EQ(r.subscribe("/me/ann/inbox", "ann").key, "/inbox");
  EXPECT_EQ(r.subscribe("/me/bob/inbox", "ann").verdict, subscribe_verdict::refused_other_user);
  EXPECT_EQ(r.subscribe("/user/queue/x", "ann").verdict, subscribe_verdict::refused_invalid);
  EXPECT_EQ(r.subscribe("/exchange/x", "ann").verdict, subscribe_verdict::topic);
}

// A message a user publishes to "/user/bob/queue/x" must land on the key bob
// subscribed to with the principal form "/user/queue/x".
TEST(DestinationRules, SendAndSubscribeAgreeOnUserKey) {
  auto r = default_rules();
  auto send = r.classify("/user/bob/queue/x");
  auto sub = r.subscribe("/user/queue/x", "bob");
  EXPECT_EQ(send.user, "bob");
  EXPECT_EQ(send.relative, sub.key);
}

}  // namespace
}  // namespace herald::core

// The slot map of a Redis Cluster from a CLUSTER SLOTS reply, MOVED
// patches, and the parsing of MOVED/ASK redirects.
#include "redis/cluster_map.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::redis {
namespace {

reply integer(long long v) {
  reply r;
  r.type = reply::kind::integer;
  r.integer = v;
  return r;
}

reply string(std::string s) {
  reply r;
  r.type = reply::kind::string;
  r.str = std::move(s);
  return r;
}

reply nil() { return reply{}; }

reply array(std::vector<reply> elements) {
  reply r;
  r.type = reply::kind::array;
  r.elements = std::move(elements);
  return r;
}

// [host, port, id, {metadata}] as Redis 7 sends it (RESP2: the map flattened).
reply node(reply host, long long port, std::string id = "0123456789abcdef0123456789abcdef01234567") {
  return array({std::move(host), integer(port), string(std::move(id)), array({})});
}

reply range(long long first, long long last, reply master, std::vector<reply> replicas = {}) {
  std::vector<reply> e{integer(first), integer(last), std::move(master)};
  for (auto& r : replicas) e.push_back(std::move(r));
  return array(std::move(e));
}

address seed() {
  address a;
  a.host = "10.0.0.9";
  a.port = 7000;
  a.user = "herald";
  a.password = "secret";
  return a;
}

// A three-master cluster as redis-cli --cluster create lays it out, with
// one replica each.
reply three_masters() {
  return array({
      range(0, 5460, node(string("127.0.0.1"), 7000), {node(string("127.0.0.1"), 7004)}),
      range(5461, 10922, node(string("127.0.0.1"), 7001), {node(string("127.0.0.1"), 7005)}),
      range(10923, 16383, node(string("127.0.0.1"), 7002), {node(string("127.0.0.1"), 7003)}),
  });
}

TEST(ClusterSlots, MapsRangesToMasters) {
  std::string error;
  auto m = parse_cluster_slots(three_masters(), seed(), &error);
  ASSERT_TRUE(m) << error;
  EXPECT_TRUE(m->complete());
  EXPECT_EQ(m->served(), slot_count);
  ASSERT_EQ(m->masters().size(), 3u);
  EXPECT_EQ(endpoint(*m->master_for(0)), "127.0.0.1:7000");
  EXPECT_EQ(endpoint(*m->master_for(5460)), "127.0.0.1:7000");
  EXPECT_EQ(endpoint(*m->master_for(5461)), "127.0.0.1:7001");
  EXPECT_EQ(endpoint(*m->master_for(10922)), "127.0.0.1:7001");
  EXPECT_EQ(endpoint(*m->master_for(10923)), "127.0.0.1:7002");
  EXPECT_EQ(endpoint(*m->master_for(16383)), "127.0.0.1:7002");
  EXPECT_EQ(endpoint(*m->master_for(key_slot("foo"))), "127.0.0.1:7002");  // 12182
  // Replicas are not masters.
  for (const auto& a : m->masters()) EXPECT_LT(a.port, 7003);
}

TEST(ClusterSlots, MastersInheritCredentials) {
  std::string error;
  auto s = seed();
  s.db = 3;  // a cluster has database 0 only
  s.tls = true;
  auto m = parse_cluster_slots(three_masters(), s, &error);
  ASSERT_TRUE(m) << error;
  for (const auto& a : m->masters()) {
    EXPECT_EQ(a.user, "herald");
    EXPECT_EQ(a.password, "secret");
    EXPECT_TRUE(a.tls);
    EXPECT_EQ(a.db, 0u);
  }
}

TEST(ClusterSlots, SeveralRangesOfOneMaster) {
  std::string error;
  auto m = parse_cluster_slots(array({
                                   range(0, 99, node(string("127.0.0.1"), 7000)),
                                   range(100, 199, node(string("127.0.0.1"), 7001)),
                                   range(200, 16383, node(string("127.0.0.1"), 7000)),
                               }),
                               seed(), &error);
  ASSERT_TRUE(m) << error;
  EXPECT_TRUE(m->complete());
  ASSERT_EQ(m->masters().size(), 2u);
  EXPECT_EQ(m->owner(0), m->owner(200));
  EXPECT_NE(m->owner(0), m->owner(100));
}

TEST(ClusterSlots, UnknownEndpointIsTheAskedHost) {
  // nil (cluster-preferred-endpoint-type unknown-endpoint), "?" (hostname
  // type without a hostname) and "" (older servers): the host asked.
  std::string error;
  auto m = parse_cluster_slots(array({
                                   range(0, 5000, node(nil(), 7000)),
                                   range(5001, 10000, node(string("?"), 7001)),
                                   range(10001, 16383, node(string(""), 7002)),
                               }),
                               seed(), &error);
  ASSERT_TRUE(m) << error;
  ASSERT_EQ(m->masters().size(), 3u);
  for (const auto& a : m->masters()) EXPECT_EQ(a.host, "10.0.0.9");
  EXPECT_EQ(m->master_for(6000)->port, 7001);
}

TEST(ClusterSlots, PartialCoverage) {
  std::string error;
  auto m = parse_cluster_slots(array({range(0, 8191, node(string("127.0.0.1"), 7000))}), seed(), &error);
  ASSERT_TRUE(m) << error;
  EXPECT_FALSE(m->complete());
  EXPECT_EQ(m->served(), 8192u);
  EXPECT_EQ(m->master_for(8192), nullptr);
  EXPECT_EQ(m->owner(16383), cluster_map::unserved);
}

TEST(ClusterSlots, EmptyReplyIsAnEmptyMap) {
  std::string error;
  auto m = parse_cluster_slots(array({}), seed(), &error);
  ASSERT_TRUE(m) << error;
  EXPECT_TRUE(m->empty());
  EXPECT_TRUE(m->masters().empty());
}

TEST(ClusterSlots, RejectsWhatIsNotAnAnswer) {
  std::string error;
  EXPECT_FALSE(parse_cluster_slots(reply::make_error("ERR This instance has cluster support disabled"), seed(), &error));
  EXPECT_EQ(error, "ERR This instance has cluster support disabled");
  EXPECT_FALSE(parse_cluster_slots(string("OK"), seed(), &error));
  EXPECT_FALSE(parse_cluster_slots(array({integer(1)}), seed(), &error));
  EXPECT_FALSE(parse_cluster_slots(array({array({integer(0), integer(10)})}), seed(), &error));
  // Slots out of range or reversed.
  EXPECT_FALSE(parse_cluster_slots(array({range(0, 16384, node(string("h"), 1))}), seed(), &error));
  EXPECT_FALSE(parse_cluster_slots(array({range(-1, 5, node(string("h"), 1))}), seed(), &error));
  EXPECT_FALSE(parse_cluster_slots(array({range(10, 5, node(string("h"), 1))}), seed(), &error));
  // A master without a port, with a bad port, or with a non-string host.
  EXPECT_FALSE(parse_cluster_slots(array({range(0, 5, array({string("h")}))}), seed(), &error));
  EXPECT_FALSE(parse_cluster_slots(array({range(0, 5, node(string("h"), 0))}), seed(), &error));
  EXPECT_FALSE(parse_cluster_slots(array({range(0, 5, node(string("h"), 70000))}), seed(), &error));
  EXPECT_FALSE(parse_cluster_slots(array({range(0, 5, node(integer(3), 7000))}), seed(), &error));
  EXPECT_FALSE(error.empty());
}

TEST(ClusterMap, MoveOneSlot) {
  std::string error;
  auto m = parse_cluster_slots(three_masters(), seed(), &error);
  ASSERT_TRUE(m) << error;
  auto to = *m->master_for(10923);
  EXPECT_TRUE(m->move(0, to));
  EXPECT_EQ(m->master_for(0)->port, 7002);
  EXPECT_EQ(m->master_for(1)->port, 7000);
  EXPECT_FALSE(m->move(0, to));  // already so
  EXPECT_TRUE(m->complete());
  EXPECT_EQ(m->masters().size(), 3u);
}

TEST(ClusterMap, MoveToANewNodeAndDropAnIdleMaster) {
  cluster_map m;
  address a = seed(), b = seed();
  a.port = 7000;
  b.port = 7100;
  m.assign(0, slot_count - 1, a);
  m.move(5, a);
  EXPECT_EQ(m.masters().size(), 1u);
  EXPECT_TRUE(m.move(5, b));
  ASSERT_EQ(m.masters().size(), 2u);
  EXPECT_EQ(m.master_for(5)->port, 7100);
  // Give b's only slot back: b serves nothing and is no master any more.
  EXPECT_TRUE(m.move(5, a));
  ASSERT_EQ(m.masters().size(), 1u);
  EXPECT_EQ(m.masters()[0].port, 7000);
  EXPECT_EQ(m.owner(5), 0);
  EXPECT_EQ(m.owner(6), 0);
}

TEST(ClusterMap, EqualityIgnoresMasterOrder) {
  std::string error;
  auto m1 = parse_cluster_slots(three_masters(), seed(), &error);
  auto reordered = array({
      range(10923, 16383, node(string("127.0.0.1"), 7002)),
      range(0, 5460, node(string("127.0.0.1"), 7000)),
      range(5461, 10922, node(string("127.0.0.1"), 7001)),
  });
  auto m2 = parse_cluster_slots(reordered, seed(), &error);
  ASSERT_TRUE(m1 && m2);
  EXPECT_TRUE(*m1 == *m2);
  m2->move(100, *m2->master_for(16000));
  EXPECT_FALSE(*m1 == *m2);
  EXPECT_FALSE(*m1 == cluster_map{});
}

TEST(Redirect, Moved) {
  auto r = parse_redirect("MOVED 3999 127.0.0.1:6381", seed());
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ask);
  EXPECT_EQ(r->slot, 3999);
  EXPECT_EQ(r->where.host, "127.0.0.1");
  EXPECT_EQ(r->where.port, 6381);
  EXPECT_EQ(r->where.password, "secret");  // from the node that answered
  EXPECT_EQ(r->where.user, "herald");
}

TEST(Redirect, Ask) {
  auto r = parse_redirect("ASK 12182 10.1.2.3:7002", seed());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ask);
  EXPECT_EQ(r->slot, 12182);
  EXPECT_EQ(endpoint(r->where), "10.1.2.3:7002");
}

TEST(Redirect, EmptyHostIsTheAnsweringHost) {
  auto r = parse_redirect("MOVED 1 :7005", seed());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->where.host, "10.0.0.9");
  EXPECT_EQ(r->where.port, 7005);
}

TEST(Redirect, Ipv6) {
  auto r = parse_redirect("MOVED 77 ::1:7001", seed());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->where.host, "::1");
  EXPECT_EQ(r->where.port, 7001);
  EXPECT_EQ(endpoint(r->where), "[::1]:7001");
  auto b = parse_redirect("MOVED 77 [fe80::1]:7001", seed());
  ASSERT_TRUE(b);
  EXPECT_EQ(b->where.host, "fe80::1");
}

TEST(Redirect, NotARedirect) {
  for (const char* e : {"ERR unknown command", "MOVED", "MOVED 1", "MOVED x 127.0.0.1:1", "MOVED 16384 h:1",
                        "MOVED 1 h", "MOVED 1 h:0", "MOVED 1 h:70000", "MOVED 1 h:1x", "ASK  h:1", "TRYAGAIN x",
                        "CLUSTERDOWN The cluster is down", "moved 1 h:1"}) {
    EXPECT_FALSE(parse_redirect(e, seed())) << e;
  }
}

}  // namespace
}  // namespace herald::redis

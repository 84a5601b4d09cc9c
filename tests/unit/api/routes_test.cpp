// api::handle: routing, status codes, the API key, and publishing through a
// real publisher over the memory broker.
#include "api/routes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <vector>

#include "core/channels.hpp"
#include "core/local_directory.hpp"
#include "core/memory_broker.hpp"

namespace herald::api {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class fake_node final : public node_view {
 public:
  bool is_ready = true;
  std::vector<std::pair<std::string, std::string>> kicks;
  core::registry registry;
  core::local_directory dir{registry, [] {
                              core::node_entry e;
                              e.id = "n1";
                              return e;
                            }};

  std::string info_json() const override { return R"({"node":"n1"})"; }
  std::string metrics_text() const override { return "herald_up 1\n"; }
  bool ready() const override { return is_ready; }
  void kick_user(const std::string& user, const std::string& reason) override { kicks.emplace_back(user, reason); }
  std::uint32_t local_sessions_of(const std::string& user) const override { return registry.sessions_of(user); }
  core::directory& directory() override { return dir; }
};

class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() {
    broker.start([this](const std::string& ch, const core::message_ptr& m) { published.emplace_back(ch, m); });
  }

  response call(std::string method, std::string target, std::string body = {}, std::string authorization = {}) {
    request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    req.authorization = std::move(authorization);
    context ctx{cfg, publisher, node};
    return handle(req, ctx);
  }

  static json::object body_of(const response& r) {
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    EXPECT_TRUE(v.is_object()) << r.body;
    return v.is_object() ? v.get_object() : json::object{};
  }

  config::config cfg;
  core::destination_rules rules{cfg.destinations};
  core::memory_broker broker;
  core::publisher publisher{broker, rules, "n1"};
  fake_node node;
  std::vector<std::pair<std::string, core::message_ptr>> published;
};

TEST_F(RoutesTest, Healthz) {
  auto r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(body_of(r).at("status"), "ok");
  EXPECT_EQ(call("GET", "/healthz?probe=1").status, 200);
}

TEST_F(RoutesTest, Readyz) {
  auto r = call("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r).at("ready"), true);
  node.is_ready = false;
  r = call("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(body_of(r).at("ready"), false);
}

TEST_F(RoutesTest, Metrics) {
  auto r = call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  EXPECT_EQ(r.body, "herald_up 1\n");
}

TEST_F(RoutesTest, DemoPage) {
  auto r = call("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, HasSubstr("text/html"));
  EXPECT_FALSE(r.body.empty());
  EXPECT_EQ(call("GET", "/index.html").status, 200);
  EXPECT_EQ(call("HEAD", "/").status, 200);
  EXPECT_EQ(call("POST", "/").status, 405);
}

TEST_F(RoutesTest, NotFound) {
  for (const char* t : {"/nope", "/api", "/api/", "/api/nope", "/api/users/bob", "/api/users//sessions",
                        "/api/users/bob/other", "/healthzz", "/metrics/x"}) {
    auto r = call("GET", t);
    EXPECT_EQ(r.status, 404) << t;
    EXPECT_EQ(body_of(r).at("ok"), false) << t;
  }
}

TEST_F(RoutesTest, PublishOk) {
  auto r = call("POST", "/api/publish", R"({"destination": "/topic/x", "body": {"v": 1}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b.at("ok"), true);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].first, "/topic/x");
  EXPECT_EQ(b.at("message_id"), published[0].second->id.c_str());
  EXPECT_EQ(published[0].second->body, R"({"v":1})");
}

TEST_F(RoutesTest, PublishWrongMethod) {
  auto r = call("GET", "/api/publish");
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(published.empty());
}

TEST_F(RoutesTest, PublishBadRequests) {
  for (const char* body : {"", "{", R"({"destination": "/topic/x"})", R"({"destination": "/app/x", "body": ""})",
                           R"({"destination": "/topic/x", "body": "", "headers": {"receipt": "r"}})",
                           R"({"destination": "/topic/x", "body": "", "headers": {"x": "a\nb"}})"}) {
    auto r = call("POST", "/api/publish", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_FALSE(body_of(r).at("error").as_string().empty()) << body;
  }
  EXPECT_TRUE(published.empty());
}

TEST_F(RoutesTest, PublishUnavailable) {
  broker.stop();
  auto r = call("POST", "/api/publish", R"({"destination": "/topic/x", "body": "b"})");
  EXPECT_EQ(r.status, 503);
}

TEST_F(RoutesTest, UserPublish) {
  auto r = call("POST", "/api/users/b%40ob/publish", R"({"destination": "/queue/inbox", "body": "hi"})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].first, core::user_channel("b@ob"));
  EXPECT_EQ(published[0].second->user, "b@ob");
  EXPECT_EQ(published[0].second->destination, "/queue/inbox");
  EXPECT_EQ(call("PUT", "/api/users/bob/publish", R"({"destination": "/q/x", "body": ""})").status, 405);
}

TEST_F(RoutesTest, KickDecodesTheUser) {
  node.registry.try_add("u@x", 0);
  node.registry.try_add("u@x", 0);
  auto r = call("DELETE", "/api/users/u%40x/sessions");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(node.kicks.size(), 1u);
  EXPECT_EQ(node.kicks[0].first, "u@x");
  EXPECT_FALSE(node.kicks[0].second.empty());
  auto b = body_of(r);
  EXPECT_EQ(b.at("user"), "u@x");
  EXPECT_EQ(b.at("sessions"), 2);
  EXPECT_EQ(b.at("ok"), true);
}

TEST_F(RoutesTest, KickWrongMethodOrBadEscape) {
  EXPECT_EQ(call("GET", "/api/users/bob/sessions").status, 405);
  EXPECT_EQ(call("DELETE", "/api/users/b%4/sessions").status, 404);
  EXPECT_TRUE(node.kicks.empty());
}

TEST_F(RoutesTest, Info) {
  auto r = call("GET", "/api/info");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"node":"n1"})");
  EXPECT_EQ(call("POST", "/api/info").status, 405);
}

TEST_F(RoutesTest, ApiKey) {
  cfg.api.key = "s3cret";
  const std::string pub = R"({"destination": "/topic/x", "body": "b"})";
  auto r = call("POST", "/api/publish", pub);
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>{"WWW-Authenticate", "Bearer"}));
  EXPECT_EQ(call("POST", "/api/publish", pub, "Bearer wrong!").status, 401);
  EXPECT_EQ(call("POST", "/api/publish", pub, "Bearer s3cre").status, 401);
  EXPECT_EQ(call("POST", "/api/publish", pub, "s3cret").status, 401);
  EXPECT_EQ(call("POST", "/api/publish", pub, "Basic s3cret").status, 401);
  EXPECT_EQ(call("DELETE", "/api/users/bob/sessions").status, 401);
  EXPECT_EQ(call("GET", "/api/nope").status, 401);
  EXPECT_TRUE(published.empty());
  EXPECT_TRUE(node.kicks.empty());
  EXPECT_EQ(call("POST", "/api/publish", pub, "Bearer s3cret").status, 200);
  EXPECT_EQ(published.size(), 1u);
  // RFC 7235 §2.1: the scheme name is case-insensitive.
  EXPECT_EQ(call("POST", "/api/publish", pub, "bearer s3cret").status, 200);
  // Probes and the scrape stay open.
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  EXPECT_EQ(call("GET", "/metrics").status, 200);
}

TEST(JsonError, Shape) {
  auto r = json_error(418, "a \"quoted\" reason");
  EXPECT_EQ(r.status, 418);
  EXPECT_EQ(r.content_type, "application/json");
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v.at("ok"), false);
  EXPECT_EQ(v.at("error"), "a \"quoted\" reason");
}

TEST_F(RoutesTest, NodesListsThisNode) {
  auto r = call("GET", "/api/nodes");
  ASSERT_EQ(r.status, 200) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b.at("count"), 1);
  EXPECT_EQ(b.at("nodes").as_array().at(0).as_object().at("id"), "n1");
  EXPECT_EQ(call("POST", "/api/nodes").status, 405);
}

TEST_F(RoutesTest, PresenceOfOneUser) {
  node.registry.try_add("alice", 0);
  auto r = call("GET", "/api/users/alice/presence");
  ASSERT_EQ(r.status, 200) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b.at("online"), true);
  EXPECT_EQ(b.at("sessions"), 1);
  EXPECT_EQ(b.at("nodes").as_array().at(0).as_object().at("node"), "n1");
  auto off = body_of(call("GET", "/api/users/bob/presence"));
  EXPECT_EQ(off.at("online"), false);
  EXPECT_EQ(off.at("sessions"), 0);
  EXPECT_TRUE(off.at("nodes").as_array().empty());
  EXPECT_EQ(call("DELETE", "/api/users/alice/presence").status, 405);
}

TEST_F(RoutesTest, PresencePagesInUserOrder) {
  for (const char* u : {"carol", "alice", "dave", "bob"}) node.registry.try_add(u, 0);
  auto first = body_of(call("GET", "/api/presence?limit=3"));
  auto users = first.at("users").as_array();
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0].as_object().at("user"), "alice");
  EXPECT_EQ(users[2].as_object().at("user"), "carol");
  EXPECT_EQ(first.at("next"), "carol");
  auto second = body_of(call("GET", "/api/presence?limit=3&after=carol"));
  ASSERT_EQ(second.at("users").as_array().size(), 1u);
  EXPECT_EQ(second.at("users").as_array()[0].as_object().at("user"), "dave");
  EXPECT_TRUE(second.at("next").is_null());
  for (const char* bad : {"/api/presence?limit=0", "/api/presence?limit=1001", "/api/presence?limit=x"}) {
    EXPECT_EQ(call("GET", bad).status, 400) << bad;
  }
}

TEST_F(RoutesTest, ClusterRoutesNeedTheKey) {
  cfg.api.key = "k";
  for (const char* t : {"/api/nodes", "/api/presence", "/api/users/a/presence"}) {
    EXPECT_EQ(call("GET", t).status, 401) << t;
    EXPECT_EQ(call("GET", t, {}, "Bearer k").status, 200) << t;
  }
}

}  // namespace
}  // namespace herald::api

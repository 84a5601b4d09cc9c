// parse_route: which SockJS resource a path under the endpoint names.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "sockjs/route.hpp"

namespace herald::sockjs {
namespace {

bool not_found(std::string_view rest) { return parse_route(rest).kind == resource::not_found; }

TEST(SockjsRoute, Greeting) {
  EXPECT_EQ(parse_route("").kind, resource::greeting);
  EXPECT_EQ(parse_route("/").kind, resource::greeting);
}

TEST(SockjsRoute, Info) {
  EXPECT_EQ(parse_route("/info").kind, resource::info);
  EXPECT_TRUE(not_found("/INFO"));
  EXPECT_TRUE(not_found("/info.js"));
  EXPECT_TRUE(not_found("/infox"));
  EXPECT_TRUE(not_found("info"));
}

TEST(SockjsRoute, IframePage) {
  for (const char* path : {"/iframe.html", "/iframe-1.6.1.html", "/iframe-a.html", "/iframe-.html",
                           "/iframe-0.1.2abc-dirty.2144.html", "/iframe_x.html"}) {
    EXPECT_EQ(parse_route(path).kind, resource::iframe) << path;
  }
  for (const char* path : {"/iframe.htm", "/iframe", "/IFRAME.HTML", "/IFRAME", "/iframe.HTML", "/iframe.xml",
                           "/iframe-/.html", "/iframe-<x>.html", "/iframe-%2F.html", "iframe.html",
                           "/iframe.html/", "/x/iframe.html"}) {
    EXPECT_TRUE(not_found(path)) << path;
  }
}

TEST(SockjsRoute, RawWebSocket) {
  EXPECT_EQ(parse_route("/websocket").kind, resource::raw_websocket);
  EXPECT_TRUE(not_found("/WebSocket"));
  EXPECT_TRUE(not_found("/websockets"));
}

TEST(SockjsRoute, EverySessionTransport) {
  const std::pair<const char*, session_transport> cases[] = {
      {"websocket", session_transport::websocket},
      {"xhr", session_transport::xhr},
      {"xhr_send", session_transport::xhr_send},
      {"xhr_streaming", session_transport::xhr_streaming},
      {"eventsource", session_transport::eventsource},
      {"htmlfile", session_transport::htmlfile},
      {"jsonp", session_transport::jsonp},
      {"jsonp_send", session_transport::jsonp_send},
  };
  for (const auto& [name, transport] : cases) {
    std::string path = std::string("/000/abc-123_X/") + name;
    route r = parse_route(path);
    EXPECT_EQ(r.kind, resource::session) << path;
    EXPECT_EQ(r.transport, transport) << path;
    EXPECT_EQ(r.server, "000") << path;
    EXPECT_EQ(r.session, "abc-123_X") << path;
  }
}

TEST(SockjsRoute, IdsViewIntoThePath) {
  const std::string path = "/a1/sess/xhr";
  route r = parse_route(path);
  ASSERT_EQ(r.kind, resource::session);
  EXPECT_EQ(r.server.data(), path.data() + 1);
  EXPECT_EQ(r.session.data(), path.data() + 4);
}

TEST(SockjsRoute, AnyIdCharactersButDotAndSlash) {
  // The protocol's own examples; percent escapes are not decoded here.
  for (const char* path : {"/a/a/xhr", "/_/_/xhr", "/1/1/xhr", "/abcdefgh_i-j%20/abcdefg_i-j%20/xhr",
                           "/-/~!$&'()*+,;=:@/xhr"}) {
    EXPECT_EQ(parse_route(path).kind, resource::session) << path;
  }
}

TEST(SockjsRoute, IdsWithDots) {
  for (const char* path : {"/a./a/xhr", "/a/a./xhr", "/./././xhr", "/a/.b/xhr", "/../a/xhr", "/a/../xhr"}) {
    EXPECT_TRUE(not_found(path)) << path;
  }
}

TEST(SockjsRoute, EmptyIds) {
  for (const char* path : {"//a/xhr", "/a//xhr", "///xhr", "//xhr", "////xhr"}) {
    EXPECT_TRUE(not_found(path)) << path;
  }
}

TEST(SockjsRoute, IdLengthLimit) {
  const std::string ok(max_session_id, 's');
  const std::string too_long(max_session_id + 1, 's');
  EXPECT_EQ(max_session_id, 128u);
  EXPECT_EQ(parse_route("/000/" + ok + "/xhr").kind, resource::session);
  EXPECT_EQ(parse_route("/" + ok + "/s/xhr").kind, resource::session);
  EXPECT_TRUE(not_found("/000/" + too_long + "/xhr"));
  EXPECT_TRUE(not_found("/" + too_long + "/s/xhr"));
}

TEST(SockjsRoute, UnknownTransport) {
  for (const char* path : {"/a/b/xhr_polling", "/a/b/XHR", "/a/b/", "/a/b/xhr ", "/a/b/xhr_sen",
                           "/a/b/jsonp_sendx", "/a/b/info", "/a/b/iframe.html"}) {
    EXPECT_TRUE(not_found(path)) << path;
  }
}

TEST(SockjsRoute, WrongNumberOfSegments) {
  for (const char* path : {"/a", "/a.html", "/a/a", "/a/a/", "/a/", "/a/xhr", "/a/b/c/xhr", "/a/b/xhr/",
                           "/a/b/xhr/extra", "/info/x/xhr/y", "a/b/xhr", "x"}) {
    EXPECT_TRUE(not_found(path)) << path;
  }
}

TEST(SockjsRoute, AllowedMethodsForEach405) {
  // The Allow header of a 405: what each resource answers.
  auto allow = [](std::string_view rest) { return std::string(allowed_methods(parse_route(rest))); };
  EXPECT_EQ(allow(""), "GET, HEAD");
  EXPECT_EQ(allow("/"), "GET, HEAD");
  EXPECT_EQ(allow("/info"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(allow("/iframe.html"), "GET, HEAD");
  EXPECT_EQ(allow("/iframe-1.6.1.html"), "GET, HEAD");
  // WebSockets are GET only, so a POST there is a 405, not a bad upgrade.
  EXPECT_EQ(allow("/websocket"), "GET");
  EXPECT_EQ(allow("/a/b/websocket"), "GET");
  EXPECT_EQ(allow("/a/b/xhr"), "POST, OPTIONS");
  EXPECT_EQ(allow("/a/b/xhr_send"), "POST, OPTIONS");
  EXPECT_EQ(allow("/a/b/xhr_streaming"), "POST, OPTIONS");
  EXPECT_EQ(allow("/a/b/jsonp_send"), "POST");
  EXPECT_EQ(allow("/a/b/eventsource"), "GET");
  EXPECT_EQ(allow("/a/b/htmlfile"), "GET");
  EXPECT_EQ(allow("/a/b/jsonp"), "GET");
  EXPECT_EQ(allow("/a/b/nope"), "");
}

}  // namespace
}  // namespace herald::sockjs

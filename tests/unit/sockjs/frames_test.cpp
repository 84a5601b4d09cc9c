// SockJS frames (c[...], a[...]) and how each HTTP transport wraps them.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "sockjs/frames.hpp"

namespace herald::sockjs {
namespace {

using namespace std::string_literals;

boost::json::value json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return v;
}

std::size_t count(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(SockjsFrames, FixedFrames) {
  EXPECT_EQ(open_frame, "o");
  EXPECT_EQ(heartbeat_frame, "h");
}

TEST(SockjsFrames, CloseFrame) {
  EXPECT_EQ(close_frame(go_away_code, "Go away!"), R"(c[3000,"Go away!"])");
  EXPECT_EQ(close_frame(another_connection_code, "Another connection still open"),
            R"(c[2010,"Another connection still open"])");
  // The reason is escaped, so the frame stays a JSON array.
  std::string f = close_frame(1002, "bad \"frame\"\n");
  EXPECT_EQ(f, R"(c[1002,"bad \"frame\"\n"])");
  auto v = json(std::string_view(f).substr(1));
  ASSERT_TRUE(v.is_array());
  EXPECT_EQ(v.as_array()[0].as_int64(), 1002);
  EXPECT_EQ(v.as_array()[1].as_string(), "bad \"frame\"\n");
}

TEST(SockjsFrames, ArrayFrameOfSeveralMessagesInPieces) {
  std::string out = "keep:";
  array_frame a(out);
  EXPECT_TRUE(a.empty());
  a.begin_message();
  EXPECT_FALSE(a.empty());
  a.piece("MESSAGE\ndestination:/topic/a\n");
  a.piece("\n");
  a.piece("say \"hi\"");
  a.piece("\0"s);
  a.end_message();
  a.begin_message();
  a.end_message();  // an empty message is still a message
  a.begin_message();
  a.piece("\xe4\xb8\xad");
  a.piece("\xf0\x9f\x98\x80");
  a.end_message();
  EXPECT_TRUE(a.finish());
  EXPECT_EQ(out, "keep:a[\"MESSAGE\\ndestination:/topic/a\\n\\nsay \\\"hi\\\"\\u0000\",\"\",\"\xe4\xb8\xad\\ud83d\\ude00\"]");

  auto v = json(std::string_view(out).substr(6));
  ASSERT_TRUE(v.is_array());
  const auto& arr = v.as_array();
  ASSERT_EQ(arr.size(), 3u);
  EXPECT_EQ(arr[0].as_string(), "MESSAGE\ndestination:/topic/a\n\nsay \"hi\"\0"s);
  EXPECT_EQ(arr[1].as_string(), "");
  EXPECT_EQ(arr[2].as_string(), "\xe4\xb8\xad\xf0\x9f\x98\x80");
}

TEST(SockjsFrames, ArrayFrameOfOneMessage) {
  std::string out;
  array_frame a(out);
  a.begin_message();
  a.piece("x");
  a.end_message();
  EXPECT_TRUE(a.finish());
  EXPECT_EQ(out, R"(a["x"])");
}

TEST(SockjsFrames, EmptyArrayFrameLeavesOutputAlone) {
  std::string out = "already here";
  array_frame a(out);
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(a.finish());
  EXPECT_EQ(out, "already here");
}

TEST(SockjsFrames, StreamingTransports) {
  EXPECT_TRUE(is_streaming(http_transport::xhr_streaming));
  EXPECT_TRUE(is_streaming(http_transport::eventsource));
  EXPECT_TRUE(is_streaming(http_transport::htmlfile));
  EXPECT_FALSE(is_streaming(http_transport::xhr));
  EXPECT_FALSE(is_streaming(http_transport::jsonp));
}

TEST(SockjsFrames, ContentTypes) {
  EXPECT_EQ(content_type(http_transport::xhr), "application/javascript; charset=UTF-8");
  EXPECT_EQ(content_type(http_transport::xhr_streaming), "application/javascript; charset=UTF-8");
  EXPECT_EQ(content_type(http_transport::jsonp), "application/javascript; charset=UTF-8");
  EXPECT_EQ(content_type(http_transport::eventsource), "text/event-stream; charset=UTF-8");
  EXPECT_EQ(content_type(http_transport::htmlfile), "text/html; charset=UTF-8");
}

TEST(SockjsFrames, WrapXhrAddsNewline) {
  std::string out = "o\n";
  wrap(out, http_transport::xhr, R"(a["x"])", "");
  EXPECT_EQ(out, "o\na[\"x\"]\n");
  std::string s;
  wrap(s, http_transport::xhr_streaming, "h", "ignored");
  EXPECT_EQ(s, "h\n");
}

TEST(SockjsFrames, WrapEventSource) {
  std::string out;
  wrap(out, http_transport::eventsource, "o", "");
  wrap(out, http_transport::eventsource, R"(a["x\ny"])", "");
  EXPECT_EQ(out, "data: o\r\n\r\ndata: a[\"x\\ny\"]\r\n\r\n");
}

TEST(SockjsFrames, WrapJsonp) {
  std::string out;
  wrap(out, http_transport::jsonp, R"(a["x"])", "cb.f_1");
  EXPECT_EQ(out, "/**/cb.f_1(\"a[\\\"x\\\"]\");\r\n");
  std::string o;
  wrap(o, http_transport::jsonp, "o", "c");
  EXPECT_EQ(o, "/**/c(\"o\");\r\n");
}

// The argument of the JS call in a jsonp/htmlfile chunk, as JSON text.
std::string call_argument(std::string_view chunk, std::string_view open, std::string_view close) {
  auto b = chunk.find(open);
  auto e = chunk.rfind(close);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b + open.size()) return {};
  return std::string(chunk.substr(b + open.size(), e - b - open.size()));
}

TEST(SockjsFrames, WrapJsonpRoundTrips) {
  const std::string frame = "a[\"\xe2\x80\xa8 </script> \\\"\xf0\x9f\x98\x80\"]";
  std::string out;
  wrap(out, http_transport::jsonp, frame, "cb");
  // U+2028 would end the JS string literal.
  EXPECT_EQ(out.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_EQ(json(call_argument(out, "/**/cb(", ");\r\n")).as_string(), frame);
}

TEST(SockjsFrames, WrapHtmlfile) {
  std::string out;
  wrap(out, http_transport::htmlfile, "o", "cb");
  EXPECT_EQ(out, "<script>\np(\"o\");\n</script>\r\n");
}

TEST(SockjsFrames, WrapHtmlfileCannotCloseTheScript) {
  const std::string frame = R"(a["</script><script>alert(1)</script>","<!-- x","</SCRIPT >"])";
  std::string out;
  wrap(out, http_transport::htmlfile, frame, "cb");
  // Only the wrapper's own </script> may appear; no '<' from the message.
  EXPECT_EQ(count(out, "</script>"), 1u);
  EXPECT_EQ(count(out, "<"), 2u) << out;
  EXPECT_TRUE(out.starts_with("<script>\np(\"")) << out;
  EXPECT_TRUE(out.ends_with("\");\n</script>\r\n")) << out;
  // The page's p() still receives the frame unchanged.
  EXPECT_EQ(json(call_argument(out, "p(", ");\n</script>")).as_string(), frame);
}

TEST(SockjsFrames, WrapHtmlfileEscapesSeparatorsAndBackslashes) {
  const std::string frame = "a[\"\\\\<\xe2\x80\xa9\"]";
  std::string out;
  wrap(out, http_transport::htmlfile, frame, "cb");
  EXPECT_EQ(out.find("\xe2\x80\xa9"), std::string::npos);
  EXPECT_EQ(json(call_argument(out, "p(", ");\n</script>")).as_string(), frame);
}

TEST(SockjsFrames, PreludeXhrStreaming) {
  std::string p = prelude(http_transport::xhr_streaming, "");
  EXPECT_EQ(p.size(), 2049u);
  EXPECT_EQ(p, std::string(2048, 'h') + "\n");
}

TEST(SockjsFrames, PreludeEventSource) { EXPECT_EQ(prelude(http_transport::eventsource, ""), "\r\n"); }

TEST(SockjsFrames, PreludeHtmlfile) {
  std::string p = prelude(http_transport::htmlfile, "_jp.a1b2c3");
  EXPECT_GE(p.size(), 1024u);
  EXPECT_TRUE(p.starts_with("<!doctype html>")) << p.substr(0, 40);
  EXPECT_NE(p.find("parent._jp.a1b2c3;"), std::string::npos);
  EXPECT_NE(p.find("function p(d)"), std::string::npos);
  // The script block is closed before the frames' own <script> chunks.
  EXPECT_EQ(count(p, "<script>"), count(p, "</script>"));
  EXPECT_TRUE(p.ends_with("\r\n\r\n"));
  // A long callback still pads to at least 1 KiB and is carried whole.
  std::string long_cb(900, 'x');
  std::string q = prelude(http_transport::htmlfile, long_cb);
  EXPECT_GE(q.size(), 1024u);
  EXPECT_NE(q.find("parent." + long_cb + ";"), std::string::npos);
}

TEST(SockjsFrames, PollingTransportsHaveNoPrelude) {
  EXPECT_EQ(prelude(http_transport::xhr, "cb"), "");
  EXPECT_EQ(prelude(http_transport::jsonp, "cb"), "");
}

}  // namespace
}  // namespace herald::sockjs

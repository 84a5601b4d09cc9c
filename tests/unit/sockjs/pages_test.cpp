// The fixed SockJS resources (/info, iframe page) and protocol headers.
#include <gtest/gtest.h>

#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "sockjs/pages.hpp"

namespace herald::sockjs {
namespace {

using namespace std::string_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Values of every header called `name`, in order.
std::vector<std::string> values(const header_list& h, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : h) {
    if (k == name) out.push_back(v);
  }
  return out;
}

boost::json::object info(const info_settings& s, std::uint32_t entropy) {
  std::string body = info_body(s, entropy);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  EXPECT_FALSE(ec) << body;
  EXPECT_TRUE(v.is_object()) << body;
  return v.is_object() ? v.get_object() : boost::json::object{};
}

TEST(SockjsPages, Greeting) { EXPECT_EQ(greeting, "Welcome to SockJS!\n"); }

TEST(SockjsPages, InfoFields) {
  auto o = info(info_settings{.websocket = true, .cookie_needed = false, .origins = {"*"}}, 42);
  ASSERT_TRUE(o.contains("websocket") && o.contains("cookie_needed") && o.contains("origins") &&
              o.contains("entropy"));
  EXPECT_EQ(o.size(), 4u);
  ASSERT_TRUE(o["websocket"].is_bool());
  EXPECT_TRUE(o["websocket"].get_bool());
  ASSERT_TRUE(o["cookie_needed"].is_bool());
  EXPECT_FALSE(o["cookie_needed"].get_bool());
  // SockJS clients know the wildcard as "*:*".
  ASSERT_TRUE(o["origins"].is_array());
  EXPECT_EQ(o["origins"].get_array(), boost::json::array({"*:*"}));
  ASSERT_TRUE(o["entropy"].is_number());
  EXPECT_EQ(o["entropy"].to_number<std::uint64_t>(), 42u);
}

TEST(SockjsPages, InfoReflectsSettings) {
  auto o = info(info_settings{.websocket = false,
                              .cookie_needed = true,
                              .origins = {"https://app.example.com", "*", "https://*.example.com"}},
                4294967295u);
  EXPECT_FALSE(o["websocket"].as_bool());
  EXPECT_TRUE(o["cookie_needed"].as_bool());
  EXPECT_EQ(o["origins"].as_array(),
            boost::json::array({"https://app.example.com", "*:*", "https://*.example.com"}));
  // The whole uint32 range, never negative.
  EXPECT_EQ(o["entropy"].to_number<std::uint64_t>(), 4294967295u);
  EXPECT_THAT(info(info_settings{}, 0)["origins"].as_array(), IsEmpty());
}

TEST(SockjsPages, InfoEscapesOrigins) {
  auto o = info(info_settings{.origins = {"https://a\"b"}}, 1);
  EXPECT_EQ(o["origins"].as_array(), boost::json::array({"https://a\"b"}));
}

TEST(SockjsPages, IframePage) {
  const std::string url = "https://cdn.example/sockjs-client@1.6.1/sockjs.min.js";
  std::string page = iframe_page(url);
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html>\n<head>\n")) << page;
  EXPECT_THAT(page, HasSubstr("<script src=\"" + url + "\"></script>"));
  EXPECT_THAT(page, HasSubstr("document.domain = document.domain;"));
  EXPECT_THAT(page, HasSubstr("SockJS.bootstrap_iframe()"));
  EXPECT_TRUE(page.ends_with("</html>")) << page;
  EXPECT_THAT(iframe_page("/static/sockjs.js"), HasSubstr("<script src=\"/static/sockjs.js\"></script>"));
}

TEST(SockjsPages, EtagStableAndQuoted) {
  const std::string page = iframe_page("/s.js");
  std::string tag = etag_of(page);
  EXPECT_EQ(tag, etag_of(iframe_page("/s.js")));
  ASSERT_GE(tag.size(), 3u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_EQ(tag.find_first_not_of("0123456789abcdef", 1), tag.size() - 1) << tag;
  // Another client URL is another page: caches must not mix them up.
  EXPECT_NE(tag, etag_of(iframe_page("/t.js")));
  EXPECT_NE(etag_of("a"), etag_of("b"));
  EXPECT_NE(etag_of(""), etag_of(std::string(1, '\0')));
  const std::string empty = etag_of("");
  EXPECT_EQ(empty.front(), '"');
  EXPECT_EQ(empty.back(), '"');
}

TEST(SockjsPages, CorsWithOrigin) {
  header_list h;
  add_cors(h, "https://app.example.com", "");
  EXPECT_THAT(values(h, "Access-Control-Allow-Origin"), ElementsAre("https://app.example.com"));
  EXPECT_THAT(values(h, "Access-Control-Allow-Credentials"), ElementsAre("true"));
  EXPECT_THAT(values(h, "Vary"), ElementsAre("Origin"));
  EXPECT_THAT(values(h, "Access-Control-Allow-Headers"), IsEmpty());
}

TEST(SockjsPages, CorsWithoutOrigin) {
  header_list h;
  add_cors(h, "", "");
  EXPECT_THAT(values(h, "Access-Control-Allow-Origin"), ElementsAre("*"));
  // "*" with credentials is refused by browsers.
  EXPECT_THAT(values(h, "Access-Control-Allow-Credentials"), IsEmpty());
}

TEST(SockjsPages, CorsNullOrigin) {
  // Pages from file:// or sandboxed iframes send "null"; echoing it (with
  // credentials) is what sockjs-protocol's verify_cors expects.
  header_list h;
  add_cors(h, "null", "");
  EXPECT_THAT(values(h, "Access-Control-Allow-Origin"), ElementsAre("null"));
  EXPECT_THAT(values(h, "Access-Control-Allow-Credentials"), ElementsAre("true"));
}

TEST(SockjsPages, CorsEchoesRequestedHeaders) {
  header_list h;
  add_cors(h, "https://a.example", "Content-Type, X-Custom");
  EXPECT_THAT(values(h, "Access-Control-Allow-Headers"), ElementsAre("Content-Type, X-Custom"));
}

TEST(SockjsPages, NoCacheAndCacheForever) {
  header_list h;
  add_no_cache(h);
  EXPECT_THAT(values(h, "Cache-Control"),
              ElementsAre("no-store, no-cache, no-transform, must-revalidate, max-age=0"));
  header_list f;
  add_cache_forever(f);
  auto cc = values(f, "Cache-Control");
  ASSERT_EQ(cc.size(), 1u);
  EXPECT_THAT(cc[0], HasSubstr("public"));
  EXPECT_THAT(cc[0], HasSubstr("max-age=31536000"));
  auto age = values(f, "Access-Control-Max-Age");
  ASSERT_EQ(age.size(), 1u);
  EXPECT_GT(std::stoul(age[0]), 1000000u);
}

TEST(SockjsPages, CacheForeverExpiresAYearAhead) {
  using namespace std::chrono;
  // 2024-02-29T12:34:56Z (a Thursday); a year of 365 days later is
  // 2025-02-28, a Friday.
  const system_clock::time_point now = sys_days{year{2024} / February / 29} + hours(12) + minutes(34) + seconds(56);
  header_list h;
  add_cache_forever(h, now);
  EXPECT_THAT(values(h, "Expires"), ElementsAre("Fri, 28 Feb 2025 12:34:56 GMT"));
  // The same year as max-age, so HTTP/1.0 caches and HTTP/1.1 caches agree.
  EXPECT_THAT(values(h, "Cache-Control"), ElementsAre("public, max-age=31536000"));
  EXPECT_THAT(values(h, "Access-Control-Max-Age"), ElementsAre("31536000"));
  EXPECT_EQ(cache_seconds, 365 * 24 * 3600);
}

TEST(SockjsPages, HttpDateIsImfFixdate) {
  using namespace std::chrono;
  EXPECT_EQ(http_date(system_clock::time_point{}), "Thu, 01 Jan 1970 00:00:00 GMT");
  // RFC 9110's own example.
  EXPECT_EQ(http_date(sys_days{year{1994} / November / 6} + hours(8) + minutes(49) + seconds(37)),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http_date(sys_days{year{2038} / December / 31} + hours(23) + minutes(59) + seconds(59)),
            "Fri, 31 Dec 2038 23:59:59 GMT");
  // Fractions of a second are dropped, not rounded up.
  EXPECT_EQ(http_date(sys_days{year{2000} / January / 1} + milliseconds(999)), "Sat, 01 Jan 2000 00:00:00 GMT");
}

std::string cookie_for(std::string_view cookie_header) {
  header_list h;
  add_session_cookie(h, cookie_header);
  auto v = values(h, "Set-Cookie");
  EXPECT_EQ(v.size(), 1u) << cookie_header;
  EXPECT_EQ(h.size(), 1u) << cookie_header;
  return v.empty() ? std::string() : v[0];
}

TEST(SockjsPages, SessionCookieDefaultsToDummy) {
  EXPECT_EQ(cookie_for(""), "JSESSIONID=dummy; path=/");
  EXPECT_EQ(cookie_for("other=1; more=2"), "JSESSIONID=dummy; path=/");
  // Only the exact cookie name counts.
  EXPECT_EQ(cookie_for("JSESSIONIDX=abc"), "JSESSIONID=dummy; path=/");
  EXPECT_EQ(cookie_for("XJSESSIONID=abc"), "JSESSIONID=dummy; path=/");
  EXPECT_EQ(cookie_for("jsessionid=abc"), "JSESSIONID=dummy; path=/");
}

TEST(SockjsPages, SessionCookieEchoesTheClients) {
  EXPECT_EQ(cookie_for("JSESSIONID=abcdef"), "JSESSIONID=abcdef; path=/");
  EXPECT_EQ(cookie_for("a=1; JSESSIONID=xyz.node1; b=2"), "JSESSIONID=xyz.node1; path=/");
  EXPECT_EQ(cookie_for("a=1;JSESSIONID=tight"), "JSESSIONID=tight; path=/");
  EXPECT_EQ(cookie_for("JSESSIONID=" + std::string(256, 'v')), "JSESSIONID=" + std::string(256, 'v') + "; path=/");
}

TEST(SockjsPages, SessionCookieRefusesUnsafeValues) {
  for (const std::string& bad :
       {"JSESSIONID="s, "JSESSIONID=a\"b"s, "JSESSIONID=a b"s, "JSESSIONID=a,b"s, "JSESSIONID=a\\b"s,
        "JSESSIONID=a\r\nSet-Cookie: evil=1"s, "JSESSIONID=a\nb"s, "JSESSIONID=a\tb"s, "JSESSIONID=a\0b"s,
        "JSESSIONID=a\x01" "b"s, "JSESSIONID=a\x7f"s, "JSESSIONID=caf\xc3\xa9"s,
        "JSESSIONID=" + std::string(257, 'v')}) {
    EXPECT_EQ(cookie_for(bad), "JSESSIONID=dummy; path=/") << bad;
  }
}

}  // namespace
}  // namespace herald::sockjs

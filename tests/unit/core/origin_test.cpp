// origin_allowed: no Origin, same origin via Host, "*", exact patterns and
// "scheme://*.domain[:port]" wildcards with tricky negatives.
#include "core/origin.hpp"

#include <gtest/gtest.h>

namespace herald::core {
namespace {

using patterns = std::vector<std::string>;

TEST(OriginAllowed, NoOriginIsAllowed) {
  EXPECT_TRUE(origin_allowed("", "example.com", {}));
  EXPECT_TRUE(origin_allowed("", "", patterns{"https://only.example.com"}));
}

TEST(OriginAllowed, SameOriginViaHost) {
  EXPECT_TRUE(origin_allowed("https://example.com", "example.com", {}));
  EXPECT_TRUE(origin_allowed("http://example.com:8080", "example.com:8080", {}));
  EXPECT_TRUE(origin_allowed("https://Example.COM", "example.com", {}));
  EXPECT_FALSE(origin_allowed("https://example.com:8080", "example.com", {}));
  EXPECT_FALSE(origin_allowed("https://evil.com", "example.com", {}));
  EXPECT_FALSE(origin_allowed("https://example.com.evil.com", "example.com", {}));
  EXPECT_FALSE(origin_allowed("https://example.com", "", {}));
  EXPECT_FALSE(origin_allowed("null", "example.com", {}));
  EXPECT_FALSE(origin_allowed("example.com", "example.com", {}));
}

TEST(OriginAllowed, StarAllowsAnything) {
  EXPECT_TRUE(origin_allowed("https://anything.test", "example.com", patterns{"*"}));
  EXPECT_TRUE(origin_allowed("null", "example.com", patterns{"https://x.com", "*"}));
}

TEST(OriginAllowed, PatternsReplaceSameOrigin) {
  EXPECT_FALSE(origin_allowed("https://example.com", "example.com", patterns{"https://other.com"}));
}

TEST(OriginAllowed, Exact) {
  patterns p{"https://app.example.com", "http://localhost:3000"};
  EXPECT_TRUE(origin_allowed("https://app.example.com", "h", p));
  EXPECT_TRUE(origin_allowed("HTTPS://APP.Example.com", "h", p));
  EXPECT_TRUE(origin_allowed("http://localhost:3000", "h", p));
  EXPECT_FALSE(origin_allowed("http://localhost:3001", "h", p));
  EXPECT_FALSE(origin_allowed("http://localhost", "h", p));
  EXPECT_FALSE(origin_allowed("http://app.example.com", "h", p));
  EXPECT_FALSE(origin_allowed("https://app.example.com:443", "h", p));
  EXPECT_FALSE(origin_allowed("https://app.example.com.attacker", "h", p));
  EXPECT_FALSE(origin_allowed("https://xapp.example.com", "h", p));
}

TEST(OriginAllowed, WildcardSubdomain) {
  patterns p{"https://*.example.com"};
  EXPECT_TRUE(origin_allowed("https://a.example.com", "h", p));
  EXPECT_TRUE(origin_allowed("https://a.b.example.com", "h", p));
  EXPECT_TRUE(origin_allowed("https://my-app.example.com", "h", p));
  EXPECT_TRUE(origin_allowed("HTTPS://A.EXAMPLE.COM", "h", p));
}

TEST(OriginAllowed, WildcardTrickyNegatives) {
  patterns p{"https://*.example.com"};
  for (const char* bad : {
           "https://example.com",               // the apex is not a subdomain
           "https://.example.com",              // empty label
           "https://a..example.com",            // empty label before the suffix
           "https://evil.com.attacker",         // unrelated
           "https://a.example.com.evil.com",    // suffix continues
           "https://evilexample.com",           // suffix without the dot
           "https://a.example.com:8443",        // port not in the pattern
           "https://a.example.com/",            // path
           "https://evil.com/.example.com",     // path disguised as a label
           "https://evil.com:1.example.com",    // port disguised as a label
           "https://user@a.example.com",        // userinfo
           "https://evil.com#.example.com",     // fragment
           "https://evil.com?.example.com",     // query
           "http://a.example.com",              // scheme
           "wss://a.example.com",               // scheme
           "https://a_b.example.com",           // not a DNS label character
       }) {
    EXPECT_FALSE(origin_allowed(bad, "a.example.com", p)) << bad;
  }
}

TEST(OriginAllowed, WildcardWithPort) {
  patterns p{"https://*.example.com:8443"};
  EXPECT_TRUE(origin_allowed("https://a.example.com:8443", "h", p));
  EXPECT_FALSE(origin_allowed("https://a.example.com", "h", p));
  EXPECT_FALSE(origin_allowed("https://a.example.com:8444", "h", p));
  EXPECT_FALSE(origin_allowed("https://a.example.com:84430", "h", p));
}

TEST(OriginAllowed, AnyPatternMatches) {
  patterns p{"https://a.test", "https://*.b.test"};
  EXPECT_TRUE(origin_allowed("https://a.test", "h", p));
  EXPECT_TRUE(origin_allowed("https://x.b.test", "h", p));
  EXPECT_FALSE(origin_allowed("https://x.a.test", "h", p));
}

}  // namespace
}  // namespace herald::core

// jwt_authenticator with an HS256 secret: signature, time and claim checks.
#include <gtest/gtest.h>

#include "auth/jwt_authenticator.hpp"
#include "token_kit.hpp"

namespace herald::auth {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using test::mint;
using test::mint_hs256_raw;

constexpr std::string_view secret = "0123456789abcdef0123456789abcdef";
constexpr long now_s = 1'700'000'000;
const system_clock::time_point now{seconds(now_s)};

config::jwt hs_config() {
  config::jwt cfg;
  cfg.secret = std::string(secret);
  return cfg;
}

std::string hs(std::string_view claims) { return mint(JWT_ALG_HS256, secret, claims); }

std::string claims_with_exp(long exp) {
  return R"({"sub":"bob","exp":)" + std::to_string(exp) + "}";
}

TEST(JwtHs256, ValidTokenGivesPrincipalAndExpiry) {
  const jwt_authenticator auth(hs_config());
  const auth_result r = auth.verify(hs(claims_with_exp(now_s + 60)), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "bob");
  ASSERT_TRUE(r.who.expires.has_value());
  EXPECT_EQ(*r.who.expires, system_clock::time_point(seconds(now_s + 60)));
  EXPECT_EQ(auth.name(), "jwt");
}

TEST(JwtHs256, NoExpNeverExpires) {
  const auth_result r = jwt_authenticator(hs_config()).verify(hs(R"({"sub":"bob"})"), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.who.expires.has_value());
}

TEST(JwtHs256, WrongSecretRefused) {
  const std::string token =
      mint(JWT_ALG_HS256, "another-secret-another-secret-xx", R"({"sub":"bob"})");
  const auth_result r = jwt_authenticator(hs_config()).verify(token, now);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "invalid token: signature mismatch");
}

TEST(JwtHs256, TamperedPayloadRefused) {
  const std::string token = hs(R"({"sub":"bob"})");
  const std::size_t a = token.find('.');
  const std::size_t b = token.find('.', a + 1);
  const std::string forged =
      token.substr(0, a + 1) + test::base64url(R"({"sub":"admin"})") + token.substr(b);
  const auth_result r = jwt_authenticator(hs_config()).verify(forged, now);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "invalid token: signature mismatch");
}

TEST(JwtHs256, TamperedSignatureRefused) {
  std::string token = hs(R"({"sub":"bob"})");
  token[token.size() - 2] = token[token.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(token, now).error,
            "invalid token: signature mismatch");
  // Signature stripped.
  token = hs(R"({"sub":"bob"})");
  token.resize(token.rfind('.') + 1);
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(token, now).error,
            "invalid token: signature mismatch");
}

TEST(JwtHs256, ExpiredRefused) {
  const jwt_authenticator auth(hs_config());
  EXPECT_EQ(auth.verify(hs(claims_with_exp(now_s - 3600)), now).error, "token expired");
  // exp is the first instant the token is no longer valid (RFC 7519 §4.1.4).
  EXPECT_EQ(auth.verify(hs(claims_with_exp(now_s)), now).error, "token expired");
  EXPECT_TRUE(auth.verify(hs(claims_with_exp(now_s + 1)), now).ok);
}

TEST(JwtHs256, ExpiredThroughAuthenticateUsesTheRealClock) {
  const jwt_authenticator auth(hs_config());
  const auth_result r = auth.authenticate({.authorization = "Bearer " + hs(claims_with_exp(1000))});
  EXPECT_EQ(r.error, "token expired");
}

TEST(JwtHs256, FractionalAndFarFutureExp) {
  const jwt_authenticator auth(hs_config());
  const auth_result frac = auth.verify(hs(R"({"sub":"bob","exp":1700000060.5})"), now);
  ASSERT_TRUE(frac.ok) << frac.error;
  EXPECT_EQ(*frac.who.expires,
            system_clock::time_point(std::chrono::milliseconds(1'700'000'060'500LL)));
  // Beyond what system_clock holds: accepted, and treated as no expiry.
  const auth_result far = auth.verify(hs(R"({"sub":"bob","exp":99999999999})"), now);
  ASSERT_TRUE(far.ok) << far.error;
  EXPECT_FALSE(far.who.expires.has_value());
}

TEST(JwtHs256, NonNumericTimesRefused) {
  const jwt_authenticator auth(hs_config());
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","exp":"tomorrow"})"), now).error,
            "invalid token: 'exp' is not a number");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","nbf":null})"), now).error,
            "invalid token: 'nbf' is not a number");
}

TEST(JwtHs256, NotBeforeInFutureRefused) {
  const jwt_authenticator auth(hs_config());
  const auto with_nbf = [](long nbf) {
    return R"({"sub":"bob","nbf":)" + std::to_string(nbf) + "}";
  };
  EXPECT_EQ(auth.verify(hs(with_nbf(now_s + 3600)), now).error, "token not yet valid");
  EXPECT_TRUE(auth.verify(hs(with_nbf(now_s - 10)), now).ok);
  // A few seconds of issuer clock skew is tolerated.
  EXPECT_TRUE(auth.verify(hs(with_nbf(now_s + 10)), now).ok);
}

TEST(JwtHs256, IssuerChecked) {
  config::jwt cfg = hs_config();
  cfg.issuer = "https://idp.example";
  const jwt_authenticator auth(cfg);
  EXPECT_TRUE(auth.verify(hs(R"({"sub":"bob","iss":"https://idp.example"})"), now).ok);
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","iss":"https://evil.example"})"), now).error,
            "invalid token: issuer mismatch");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob"})"), now).error, "invalid token: issuer mismatch");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","iss":["https://idp.example"]})"), now).error,
            "invalid token: issuer mismatch");
  // Not configured: not checked.
  EXPECT_TRUE(jwt_authenticator(hs_config()).verify(hs(R"({"sub":"bob","iss":"x"})"), now).ok);
}

TEST(JwtHs256, AudienceStringOrArray) {
  config::jwt cfg = hs_config();
  cfg.audience = "herald";
  const jwt_authenticator auth(cfg);
  EXPECT_TRUE(auth.verify(hs(R"({"sub":"bob","aud":"herald"})"), now).ok);
  EXPECT_TRUE(auth.verify(hs(R"({"sub":"bob","aud":["other","herald"]})"), now).ok);
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","aud":"other"})"), now).error,
            "invalid token: audience mismatch");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","aud":["other",1,{"a":"herald"}]})"), now).error,
            "invalid token: audience mismatch");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","aud":[]})"), now).error,
            "invalid token: audience mismatch");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob"})"), now).error, "invalid token: audience mismatch");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob","aud":"herald2"})"), now).error,
            "invalid token: audience mismatch");
}

TEST(JwtHs256, AlgNoneRefused) {
  const std::string token = mint(JWT_ALG_NONE, "", R"({"sub":"admin"})");
  ASSERT_EQ(token.back(), '.');  // really unsigned
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(token, now).error,
            "invalid token: algorithm 'none' not allowed");
  // Hand-made variants with a signature part appended.
  const std::string forged = mint_hs256_raw(R"({"alg":"none"})", R"({"sub":"admin"})", secret);
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(forged, now).error,
            "invalid token: algorithm 'none' not allowed");
}

TEST(JwtHs256, OtherHmacStrengthRefused) {
  const std::string token = mint(JWT_ALG_HS512, secret, R"({"sub":"bob"})");
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(token, now).error,
            "invalid token: algorithm 'HS512' not allowed");
}

TEST(JwtHs256, UnknownOrMissingAlgIsMalformed) {
  const jwt_authenticator auth(hs_config());
  EXPECT_EQ(auth.verify(mint_hs256_raw(R"({"alg":"XX999"})", R"({"sub":"b"})", secret), now).error,
            "invalid token: malformed");
  EXPECT_EQ(auth.verify(mint_hs256_raw(R"({"typ":"JWT"})", R"({"sub":"b"})", secret), now).error,
            "invalid token: malformed");
  EXPECT_EQ(auth.verify(mint_hs256_raw(R"({"alg":"HS256"})", R"(not json)", secret), now).error,
            "invalid token: malformed");
  EXPECT_EQ(auth.verify(mint_hs256_raw(R"({"alg":"HS256"})", R"(["sub"])", secret), now).error,
            "invalid token: malformed");
}

TEST(JwtHs256, HandMadeTokenAccepted) {
  // Not produced by libjwt: proves we accept standard JOSE from other issuers.
  const std::string token =
      mint_hs256_raw(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"ann"})", secret);
  const auth_result r = jwt_authenticator(hs_config()).verify(token, now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "ann");
}

TEST(JwtHs256, CriticalHeaderRefused) {
  const std::string token =
      mint_hs256_raw(R"({"alg":"HS256","crit":["exp"],"exp":1})", R"({"sub":"bob"})", secret);
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(token, now).error,
            "invalid token: unsupported critical header");
}

TEST(JwtHs256, MalformedShapes) {
  const jwt_authenticator auth(hs_config());
  const std::string good = hs(R"({"sub":"bob"})");
  for (const std::string& bad :
       {std::string("abc"), std::string("a.b"), std::string("a.b.c.d"), std::string("..x"),
        std::string(".a.b"), std::string("a..b"), good + ".x", " " + good, good + "\n",
        "Bearer " + good, good.substr(0, 10) + "=" + good.substr(10),
        good.substr(0, 5) + std::string(1, '\0') + good.substr(5), std::string("e30.e30.\xff")}) {
    EXPECT_EQ(auth.verify(bad, now).error, "invalid token: malformed") << bad;
  }
  EXPECT_EQ(auth.verify(std::string(9000, 'a'), now).error, "invalid token: too long");
}

TEST(JwtHs256, CustomUserClaim) {
  config::jwt cfg = hs_config();
  cfg.user_claim = "email";
  const jwt_authenticator auth(cfg);
  const auth_result r = auth.verify(hs(R"({"sub":"bob","email":"bob@example.com"})"), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "bob@example.com");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob"})"), now).error, "token has no 'email' claim");
}

TEST(JwtHs256, MissingSubRefused) {
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(hs(R"({"name":"bob"})"), now).error,
            "token has no 'sub' claim");
  EXPECT_EQ(jwt_authenticator(hs_config()).verify(hs("{}"), now).error, "token has no 'sub' claim");
}

TEST(JwtHs256, NumericPrincipalBecomesText) {
  const auth_result r = jwt_authenticator(hs_config()).verify(hs(R"({"sub":12345})"), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "12345");
}

TEST(JwtHs256, UnusablePrincipalsRefused) {
  const jwt_authenticator auth(hs_config());
  EXPECT_EQ(auth.verify(hs(R"({"sub":""})"), now).error, "invalid token: 'sub' claim is empty");
  EXPECT_EQ(auth.verify(hs(R"({"sub":true})"), now).error,
            "invalid token: 'sub' claim must be a string or number");
  EXPECT_EQ(auth.verify(hs(R"({"sub":{"id":"bob"}})"), now).error,
            "invalid token: 'sub' claim must be a string or number");
  EXPECT_EQ(auth.verify(hs(R"({"sub":null})"), now).error,
            "invalid token: 'sub' claim must be a string or number");
  // A NUL must not truncate "alice\0evil" to "alice" (jansson refuses it
  // outright); newlines would break the STOMP header the principal ends up in.
  EXPECT_EQ(
      auth.verify(mint_hs256_raw(R"({"alg":"HS256"})", R"({"sub":"alice\u0000evil"})", secret), now)
          .error,
      "invalid token: malformed");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"tab\there"})"), now).error,
            "invalid token: 'sub' claim contains control characters");
  EXPECT_EQ(auth.verify(hs(R"({"sub":"bob\nuser-name:root"})"), now).error,
            "invalid token: 'sub' claim contains control characters");
  EXPECT_EQ(auth.verify(hs(R"({"sub":")" + std::string(2000, 'x') + R"("})"), now).error,
            "invalid token: 'sub' claim is too long");
}

TEST(JwtHs256, UnicodePrincipalDecoded) {
  const auth_result r =
      jwt_authenticator(hs_config()).verify(hs(R"({"sub":"J\u00fcrgen \ud83d\ude00"})"), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "J\xc3\xbcrgen \xf0\x9f\x98\x80");
}

TEST(JwtHs256, AuthenticatePicksTokenFromEverySource) {
  const jwt_authenticator auth(hs_config());
  const std::string token = hs(R"({"sub":"bob"})");
  EXPECT_EQ(auth.authenticate({.authorization = "Bearer " + token}).who.user, "bob");
  EXPECT_EQ(auth.authenticate({.authorization = token}).who.user, "bob");
  EXPECT_EQ(auth.authenticate({.login = "x", .passcode = token}).who.user, "bob");
  EXPECT_EQ(auth.authenticate({.query_token = token}).who.user, "bob");
  EXPECT_EQ(auth.authenticate({.cookie_token = token}).who.user, "bob");
  // The login is not trusted: the token's subject wins.
  EXPECT_EQ(auth.authenticate({.login = "admin", .passcode = token}).who.user, "bob");
  // The first present source decides, even when a later one is valid.
  EXPECT_FALSE(auth.authenticate({.authorization = "Bearer junk", .query_token = token}).ok);
}

TEST(JwtHs256, MissingToken) {
  const auth_result r = jwt_authenticator(hs_config()).authenticate({.login = "bob"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "missing token");
}

}  // namespace
}  // namespace herald::auth

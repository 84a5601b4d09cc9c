// make_authenticator: mode selection and config errors that name the key;
// the development "none" authenticator.
#include <gtest/gtest.h>

#include <stdexcept>

#include "auth/authenticator.hpp"
#include "token_kit.hpp"

namespace herald::auth {
namespace {

// "anonymous-" followed by exactly 12 lowercase hex digits. (Not std::regex:
// GCC 12 warns inside <regex> under -fsanitize=address.)
bool anonymous_shape(const std::string& user) {
  constexpr std::string_view prefix = "anonymous-";
  if (user.size() != prefix.size() + 12 || user.rfind(prefix, 0) != 0) return false;
  for (std::size_t i = prefix.size(); i < user.size(); ++i) {
    const char c = user[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The message of the std::runtime_error make_authenticator throws, or "".
std::string config_error(const config::auth& cfg) {
  try {
    make_authenticator(cfg);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

config::auth jwt_with_key_file(const std::string& path) {
  config::auth cfg;
  cfg.mode = config::auth_mode::jwt;
  cfg.jwt.public_key_file = path;
  return cfg;
}

TEST(MakeAuthenticator, ModeSelectsImplementation) {
  config::auth cfg;
  EXPECT_EQ(make_authenticator(cfg)->name(), "none");
  cfg.mode = config::auth_mode::jwt;
  cfg.jwt.secret = "s3cret-s3cret-s3cret-s3cret-s3cret";
  EXPECT_EQ(make_authenticator(cfg)->name(), "jwt");
  cfg.jwt.secret.clear();
  cfg.jwt.public_key_file = test::rsa_key().public_file;
  EXPECT_EQ(make_authenticator(cfg)->name(), "jwt");
  cfg.jwt.public_key_file = test::ec_key().public_file;
  EXPECT_EQ(make_authenticator(cfg)->name(), "jwt");
}

TEST(MakeAuthenticator, UnreadableKeyFileNamesKeyPathAndReason) {
  EXPECT_EQ(
      config_error(jwt_with_key_file("/nonexistent/herald.pem")),
      "auth.jwt.public_key_file: cannot read /nonexistent/herald.pem: No such file or directory");
  // A directory opens but cannot be read.
  const std::string dir =
      test::rsa_key().public_file.substr(0, test::rsa_key().public_file.rfind('/'));
  EXPECT_EQ(config_error(jwt_with_key_file(dir)),
            "auth.jwt.public_key_file: cannot read " + dir + ": Is a directory");
}

TEST(MakeAuthenticator, BadKeyContentsNameTheKey) {
  const auto error_for = [](std::string_view name, std::string_view content) {
    return config_error(jwt_with_key_file(test::write_temp_file(name, content)));
  };
  const std::string garbage = error_for("garbage.pem", "hello");
  EXPECT_EQ(garbage.rfind("auth.jwt.public_key_file: ", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("not a PEM public key or certificate"), std::string::npos) << garbage;
  EXPECT_NE(error_for("empty.pem", "").find("not a PEM public key"), std::string::npos);
  EXPECT_NE(error_for("private.pem", test::rsa_key().private_pem).find("contains a private key"),
            std::string::npos);

  const std::string small = config_error(jwt_with_key_file(test::small_rsa_key().public_file));
  EXPECT_NE(small.find("RSA key has 1024 bits; at least 2048 are required"), std::string::npos)
      << small;
  const std::string p384 = config_error(jwt_with_key_file(test::p384_key().public_file));
  EXPECT_NE(p384.find("EC key must be on curve P-256"), std::string::npos) << p384;
  const std::string ed = config_error(jwt_with_key_file(test::ed25519_key().public_file));
  EXPECT_NE(ed.find("unsupported key type"), std::string::npos) << ed;
}

TEST(MakeAuthenticator, JwtNeedsExactlyOneKey) {
  config::auth cfg;
  cfg.mode = config::auth_mode::jwt;
  EXPECT_EQ(config_error(cfg).rfind("auth.jwt.secret: ", 0), 0u) << config_error(cfg);
  cfg.jwt.secret = "x";
  cfg.jwt.public_key_file = test::rsa_key().public_file;
  EXPECT_NE(config_error(cfg).find("not both"), std::string::npos) << config_error(cfg);
}

TEST(MakeAuthenticator, EmptyUserClaimNamesTheKey) {
  config::auth cfg;
  cfg.mode = config::auth_mode::jwt;
  cfg.jwt.secret = "x";
  cfg.jwt.user_claim.clear();
  EXPECT_EQ(config_error(cfg), "auth.jwt.user_claim: must not be empty");
}

TEST(NoneAuthenticator, LoginIsThePrincipal) {
  const auto auth = make_authenticator(config::auth{});
  const auth_result r = auth->authenticate({.login = "alice", .passcode = "whatever"});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.who.user, "alice");
  EXPECT_FALSE(r.who.expires.has_value());
  EXPECT_TRUE(r.error.empty());
}

TEST(NoneAuthenticator, AnonymousGetsDistinctRandomNames) {
  const auto auth = make_authenticator(config::auth{});
  const auth_result a = auth->authenticate({});
  const auth_result b = auth->authenticate({.authorization = "Bearer ignored"});
  ASSERT_TRUE(a.ok);
  ASSERT_TRUE(b.ok);
  EXPECT_TRUE(anonymous_shape(a.who.user)) << a.who.user;
  EXPECT_TRUE(anonymous_shape(b.who.user)) << b.who.user;
  EXPECT_NE(a.who.user, b.who.user);
  EXPECT_FALSE(a.who.expires.has_value());
}

}  // namespace
}  // namespace herald::auth

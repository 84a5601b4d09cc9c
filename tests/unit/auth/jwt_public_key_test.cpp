// jwt_authenticator with an RSA or EC public key: the algorithm comes from
// the key, and every cross-key / cross-algorithm token is refused.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "auth/jwt_authenticator.hpp"
#include "token_kit.hpp"

namespace herald::auth {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using test::mint;

const system_clock::time_point now{seconds(1'700'000'000)};

config::jwt key_config(const test::key_pair& k) {
  config::jwt cfg;
  cfg.public_key_file = k.public_file;
  return cfg;
}

constexpr std::string_view bob = R"({"sub":"bob","exp":1700000600})";

TEST(JwtRs256, ValidToken) {
  const jwt_authenticator auth(key_config(test::rsa_key()));
  const auth_result r = auth.verify(mint(JWT_ALG_RS256, test::rsa_key().private_pem, bob), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "bob");
  EXPECT_EQ(*r.who.expires, system_clock::time_point(seconds(1'700'000'600)));
}

TEST(JwtRs256, OtherKeyRefused) {
  const jwt_authenticator auth(key_config(test::rsa_key()));
  EXPECT_EQ(auth.verify(mint(JWT_ALG_RS256, test::other_rsa_key().private_pem, bob), now).error,
            "invalid token: signature mismatch");
}

// The classic alg-confusion attack: the public key is public, so an attacker
// can HMAC a token with its PEM text as the secret.
TEST(JwtRs256, HmacWithPublicKeyAsSecretRefused) {
  const std::string pem = test::rsa_key().public_pem;
  const jwt_authenticator auth(key_config(test::rsa_key()));
  // The authenticator hands libjwt its normalised PEM; forge with the file's
  // text and with that re-encoding (identical for OpenSSL-written PEM).
  const std::string forged = mint(JWT_ALG_HS256, pem, R"({"sub":"admin"})");
  EXPECT_EQ(auth.verify(forged, now).error, "invalid token: algorithm 'HS256' not allowed");
}

// Documents why the header check exists: libjwt 1.10 alone accepts the
// forgery above, and an RS512 token, against an RS256 public key.
TEST(JwtRs256, LibjwtAloneWouldAcceptAlgConfusion) {
  const std::string pem = test::rsa_key().public_pem;
  const std::string forged = mint(JWT_ALG_HS256, pem, R"({"sub":"admin"})");
  jwt_t* raw = nullptr;
  const int rc =
      jwt_decode(&raw, forged.c_str(), reinterpret_cast<const unsigned char*>(pem.data()),
                 static_cast<int>(pem.size()));
  EXPECT_EQ(rc, 0);
  if (raw) jwt_free(raw);
}

TEST(JwtRs256, OtherRsaStrengthRefused) {
  const jwt_authenticator auth(key_config(test::rsa_key()));
  EXPECT_EQ(auth.verify(mint(JWT_ALG_RS512, test::rsa_key().private_pem, bob), now).error,
            "invalid token: algorithm 'RS512' not allowed");
}

TEST(JwtRs256, EcTokenRefused) {
  const jwt_authenticator auth(key_config(test::rsa_key()));
  EXPECT_EQ(auth.verify(mint(JWT_ALG_ES256, test::ec_key().private_pem, bob), now).error,
            "invalid token: algorithm 'ES256' not allowed");
}

TEST(JwtRs256, AlgNoneRefused) {
  const jwt_authenticator auth(key_config(test::rsa_key()));
  EXPECT_EQ(auth.verify(mint(JWT_ALG_NONE, "", bob), now).error,
            "invalid token: algorithm 'none' not allowed");
}

TEST(JwtRs256, CertificateFileAccepted) {
  config::jwt cfg;
  cfg.public_key_file =
      test::write_temp_file("rsa-cert.pem", test::self_signed_cert(test::rsa_key()));
  const jwt_authenticator auth(cfg);
  EXPECT_TRUE(auth.verify(mint(JWT_ALG_RS256, test::rsa_key().private_pem, bob), now).ok);
}

TEST(JwtEs256, ValidToken) {
  const jwt_authenticator auth(key_config(test::ec_key()));
  const auth_result r = auth.verify(mint(JWT_ALG_ES256, test::ec_key().private_pem, bob), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "bob");
}

TEST(JwtEs256, OtherIssuersJoseSignatureAccepted) {
  const jwt_authenticator auth(key_config(test::ec_key()));
  const auth_result r = auth.verify(test::mint_es256_openssl(test::ec_key(), bob), now);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.who.user, "bob");
}

TEST(JwtEs256, DerSignatureRefused) {
  // JOSE requires raw R||S; a DER signature is a different encoding.
  const jwt_authenticator auth(key_config(test::ec_key()));
  EXPECT_EQ(auth.verify(test::mint_es256_openssl(test::ec_key(), bob, true), now).error,
            "invalid token: signature mismatch");
}

TEST(JwtEs256, OtherKeyRefused) {
  const jwt_authenticator auth(key_config(test::ec_key()));
  EXPECT_EQ(auth.verify(mint(JWT_ALG_ES256, test::other_ec_key().private_pem, bob), now).error,
            "invalid token: signature mismatch");
}

TEST(JwtEs256, RsaAndHmacTokensRefused) {
  const jwt_authenticator auth(key_config(test::ec_key()));
  EXPECT_EQ(auth.verify(mint(JWT_ALG_RS256, test::rsa_key().private_pem, bob), now).error,
            "invalid token: algorithm 'RS256' not allowed");
  EXPECT_EQ(auth.verify(mint(JWT_ALG_HS256, test::ec_key().public_pem, bob), now).error,
            "invalid token: algorithm 'HS256' not allowed");
}

TEST(JwtConcurrency, ParallelVerificationsAgree) {
  const jwt_authenticator rs(key_config(test::rsa_key()));
  config::jwt hs_cfg;
  hs_cfg.secret = "concurrency-secret-concurrency-secret";
  const jwt_authenticator hs(hs_cfg);
  const std::string rs_token = mint(JWT_ALG_RS256, test::rsa_key().private_pem, bob);
  const std::string hs_token = mint(JWT_ALG_HS256, hs_cfg.secret, bob);
  const std::string bad_token = mint(JWT_ALG_RS256, test::other_rsa_key().private_pem, bob);

  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        if (!rs.verify(rs_token, now).ok) ++failures[t];
        if (!hs.verify(hs_token, now).ok) ++failures[t];
        if (rs.verify(bad_token, now).ok) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace herald::auth

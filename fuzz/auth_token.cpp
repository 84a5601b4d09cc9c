// libFuzzer target for herald_auth: untrusted bytes as a bearer token, a
// Cookie header and a request target (through pick_token, cookie_value,
// query_value and an HS256 jwt_authenticator), and as the header/payload of
// a correctly signed token so the claim checks behind the signature are
// reached too. Links herald_auth and OpenSSL::Crypto (for the HMAC).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/authenticator.hpp"
#include "auth/json_claim.hpp"
#include "auth/jwt_authenticator.hpp"
#include "util/http_text.hpp"

namespace {

using namespace herald::auth;

constexpr std::string_view secret = "herald-fuzz-secret-0123456789abcdef";
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

const jwt_authenticator& authenticator_under_test() {
  static const jwt_authenticator auth([] {
    herald::config::jwt cfg;
    cfg.secret = std::string(secret);
    cfg.issuer = "fuzz";
    cfg.audience = "herald";
    return cfg;
  }());
  return auth;
}

std::string base64url(std::string_view in) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  for (const char c : in) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out += table[(bits >> nbits) & 63];
    }
  }
  if (nbits > 0) out += table[(bits << (6 - nbits)) & 63];
  return out;
}

std::string sign_hs256(std::string_view header, std::string_view payload) {
  const std::string input = base64url(header) + "." + base64url(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

// What every accepted identity must satisfy, whatever the input.
void check(const auth_result& r) {
  if (!r.ok) {
    if (r.error.empty()) __builtin_trap();
    return;
  }
  if (r.who.user.empty() || r.who.user.size() > 1024) __builtin_trap();
  for (const char c : r.who.user) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) __builtin_trap();
  }
  if (r.who.expires && *r.who.expires <= now) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const jwt_authenticator& auth = authenticator_under_test();

  // The bytes as each transport would deliver them.
  credentials from_header;
  from_header.authorization = std::string(in);
  check(auth.verify(pick_token(from_header), now));
  credentials from_http;
  from_http.query_token = herald::util::query_value(in, "access_token");
  from_http.cookie_token = herald::util::cookie_value(in, "token");
  const std::string token = pick_token(from_http);
  if (!token.empty()) check(auth.verify(token, now));
  // Names taken from the input exercise the matching itself.
  const std::string_view name = in.substr(0, in.find('='));
  (void)herald::util::cookie_value(in, name);
  (void)herald::util::query_value(in, name);

  (void)detail::parse_claim(in);

  // The bytes as a signed token: "header|payload", or a payload alone under
  // the standard header.
  const std::size_t bar = in.find('|');
  const std::string signed_token = bar == std::string_view::npos
                                       ? sign_hs256(R"({"alg":"HS256","typ":"JWT"})", in)
                                       : sign_hs256(in.substr(0, bar), in.substr(bar + 1));
  check(auth.verify(signed_token, now));
  return 0;
}

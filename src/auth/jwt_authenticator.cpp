// JWT verification on libjwt 1.10 (see jwt_authenticator.hpp).
//
// libjwt 1.10 facts this file is built around (proved in the unit tests):
//  - jwt_decode with a key verifies the signature with whatever algorithm the
//    token header names, so an HS256 token "signed" with the RSA public key
//    PEM as its HMAC secret, or an RS512 token, verifies against an RS256
//    key. We therefore read the header alg first and refuse any other.
//  - jwt_decode without a key parses and checks the form but no signature,
//    and reports the alg as none; the header's "alg" is still readable.
//  - It returns EINVAL for everything, so which step failed is ours to tell.
#include "auth/jwt_authenticator.hpp"

#include <jwt.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>

#include "auth/json_claim.hpp"

namespace herald::auth {
namespace {

using std::chrono::system_clock;

// A header token and a Cookie both cap near 8 KiB in practice; anything
// longer is refused before libjwt allocates for it.
constexpr std::size_t max_token_bytes = 8 * 1024;
constexpr std::size_t max_principal_bytes = 1024;
// A token minted on a host whose clock runs a little ahead must not bounce.
// exp gets no leeway: the session cuts the connection at exp anyway, so a
// late-accepted token would only make a session that dies at once.
constexpr double nbf_leeway_seconds = 30;
// Past this, system_clock (nanoseconds in int64, up to year 2262) cannot hold
// the instant; such an exp is a "never" in practice.
constexpr double max_exp_seconds = 9e9;

struct jwt_deleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
struct c_free {
  void operator()(char* p) const { std::free(p); }
};
using jwt_ptr = std::unique_ptr<jwt_t, jwt_deleter>;
using c_string = std::unique_ptr<char, c_free>;

jwt_alg_t to_libjwt(detail::jwt_algorithm alg) {
  switch (alg) {
    case detail::jwt_algorithm::hs256: return JWT_ALG_HS256;
    case detail::jwt_algorithm::rs256: return JWT_ALG_RS256;
    case detail::jwt_algorithm::es256: return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

auth_result refuse(std::string why) {
  auth_result r;
  r.error = std::move(why);
  return r;
}

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// JWS compact form: header.payload.signature, base64url without padding.
// Checked first so NULs, spaces and JWE (five parts) never reach libjwt and
// the client gets "malformed" instead of a signature complaint. The
// signature may be empty here so that "alg":"none" gets its own message.
bool compact_form(std::string_view token) {
  std::size_t dots[2] = {};
  int n = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '.') {
      if (n == 2) return false;
      dots[n++] = i;
    } else if (!base64url_char(token[i])) {
      return false;
    }
  }
  return n == 2 && dots[0] > 0 && dots[1] > dots[0] + 1;
}

jwt_ptr decode(const std::string& token, const std::string* key) {
  jwt_t* raw = nullptr;
  const int rc =
      key ? jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key->data()),
                       static_cast<int>(key->size()))
          : jwt_decode(&raw, token.c_str(), nullptr, 0);
  jwt_ptr owned(raw);
  if (rc != 0) owned.reset();
  return owned;
}

// One claim, parsed from libjwt's JSON for it. nullopt: absent. A claim that
// libjwt serialised but we cannot parse cannot happen with jansson; it is
// reported as absent-and-broken through `broken`.
std::optional<detail::json_claim> read_claim(jwt_t* jwt, const std::string& name, bool& broken) {
  const c_string json(jwt_get_grants_json(jwt, name.c_str()));
  if (!json) return std::nullopt;
  auto claim = detail::parse_claim(json.get());
  if (!claim) broken = true;
  return claim;
}

// A NumericDate claim in seconds; nullopt when it is not a number.
std::optional<double> numeric_date(const detail::json_claim& claim) {
  if (claim.kind != detail::json_kind::number) return std::nullopt;
  return detail::number_value(claim.text);
}

bool has_control_char(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

}  // namespace

jwt_authenticator::jwt_authenticator(const config::jwt& cfg)
    : alg_(detail::jwt_algorithm::hs256),
      user_claim_(cfg.user_claim),
      issuer_(cfg.issuer),
      audience_(cfg.audience) {
  const bool has_secret = !cfg.secret.empty();
  const bool has_key = !cfg.public_key_file.empty();
  if (has_secret && has_key) {
    throw std::runtime_error(
        "auth.jwt.secret: set either auth.jwt.secret (HS256) or auth.jwt.public_key_file "
        "(RS256/ES256), not both");
  }
  if (!has_secret && !has_key) {
    throw std::runtime_error(
        "auth.jwt.secret: auth.mode is jwt but neither auth.jwt.secret nor "
        "auth.jwt.public_key_file is set");
  }
  if (user_claim_.empty()) throw std::runtime_error("auth.jwt.user_claim: must not be empty");
  if (has_secret) {
    if (cfg.secret.size() > static_cast<std::size_t>(INT_MAX)) {
      throw std::runtime_error("auth.jwt.secret: too long");
    }
    key_ = cfg.secret;
  } else {
    detail::public_key key = detail::load_public_key(cfg.public_key_file);
    alg_ = key.alg;
    key_ = std::move(key.pem);
  }
}

auth_result jwt_authenticator::authenticate(const credentials& creds) const {
  const std::string token = pick_token(creds);
  if (token.empty()) return refuse("missing token");
  return verify(token, system_clock::now());
}

auth_result jwt_authenticator::verify(std::string_view token_view,
                                      system_clock::time_point now) const {
  if (token_view.size() > max_token_bytes) return refuse("invalid token: too long");
  if (!compact_form(token_view)) return refuse("invalid token: malformed");
  const std::string token(token_view);
  const jwt_alg_t expected = to_libjwt(alg_);

  // 1. Form and header, without the key: decide on the algorithm before
  //    libjwt gets a chance to verify with the token's choice of it.
  {
    const jwt_ptr unverified = decode(token, nullptr);
    if (!unverified) return refuse("invalid token: malformed");
    const char* alg_name = jwt_get_header(unverified.get(), "alg");
    const jwt_alg_t alg = alg_name ? jwt_str_alg(alg_name) : JWT_ALG_INVAL;
    if (alg == JWT_ALG_INVAL) return refuse("invalid token: malformed");
    if (alg != expected) {
      // jwt_alg_str of a known enum, never the client's bytes.
      return refuse(std::string("invalid token: algorithm '") + jwt_alg_str(alg) + "' not allowed");
    }
    // RFC 7515 §4.1.11: extensions we do not understand must be refused.
    if (const c_string crit(jwt_get_headers_json(unverified.get(), "crit")); crit) {
      return refuse("invalid token: unsupported critical header");
    }
  }

  // 2. Signature, with the one algorithm decided above.
  const jwt_ptr jwt = decode(token, &key_);
  if (!jwt || jwt_get_alg(jwt.get()) != expected) {
    return refuse("invalid token: signature mismatch");
  }

  // 3. Claims. RFC 7519 §7.2: the payload must be a JSON object; libjwt 1.10
  //    also takes an array or a scalar and then simply finds no claims.
  if (const c_string all(jwt_get_grants_json(jwt.get(), nullptr)); !all || all.get()[0] != '{') {
    return refuse("invalid token: malformed");
  }
  bool broken = false;
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  auth_result result;

  if (const auto exp = read_claim(jwt.get(), "exp", broken)) {
    const auto seconds = numeric_date(*exp);
    if (!seconds) return refuse("invalid token: 'exp' is not a number");
    if (now_s >= *seconds) return refuse("token expired");
    if (*seconds < max_exp_seconds) {
      result.who.expires =
          system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
              std::chrono::duration<double>(*seconds)));
    }
  }
  if (const auto nbf = read_claim(jwt.get(), "nbf", broken)) {
    const auto seconds = numeric_date(*nbf);
    if (!seconds) return refuse("invalid token: 'nbf' is not a number");
    if (now_s + nbf_leeway_seconds < *seconds) return refuse("token not yet valid");
  }
  if (!issuer_.empty()) {
    const auto iss = read_claim(jwt.get(), "iss", broken);
    if (!iss || iss->kind != detail::json_kind::string || iss->text != issuer_) {
      return refuse("invalid token: issuer mismatch");
    }
  }
  if (!audience_.empty()) {
    // RFC 7519 §4.1.3: a single string or an array of strings.
    const auto aud = read_claim(jwt.get(), "aud", broken);
    bool match = false;
    if (aud && aud->kind == detail::json_kind::string) match = aud->text == audience_;
    if (aud && aud->kind == detail::json_kind::array) {
      for (const auto& a : aud->strings) match = match || a == audience_;
    }
    if (!match) return refuse("invalid token: audience mismatch");
  }

  const auto user = read_claim(jwt.get(), user_claim_, broken);
  if (broken) return refuse("invalid token: malformed");
  // The claim name comes from our config, so echoing it is safe.
  const std::string quoted = "'" + user_claim_ + "'";
  if (!user) return refuse("token has no " + quoted + " claim");
  if (user->kind != detail::json_kind::string && user->kind != detail::json_kind::number) {
    return refuse("invalid token: " + quoted + " claim must be a string or number");
  }
  // The principal becomes a STOMP header value and a /user routing key.
  if (user->text.empty()) return refuse("invalid token: " + quoted + " claim is empty");
  if (user->text.size() > max_principal_bytes) {
    return refuse("invalid token: " + quoted + " claim is too long");
  }
  if (has_control_char(user->text)) {
    return refuse("invalid token: " + quoted + " claim contains control characters");
  }

  result.ok = true;
  result.who.user = user->text;
  return result;
}

}  // namespace herald::auth

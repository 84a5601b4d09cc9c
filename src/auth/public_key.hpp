// Loading auth.jwt.public_key_file and deciding the one JWT algorithm it
// verifies. The algorithm comes from the key, never from a token header:
// that is what stops alg-confusion (an RS256 public key used as an HS256
// secret) and "alg":"none".
//
// Internal to herald_auth; runs once at startup. Not thread-sensitive.
#pragma once

#include <string>
#include <string_view>

namespace herald::auth::detail {

enum class jwt_algorithm { hs256, rs256, es256 };

struct public_key {
  jwt_algorithm alg = jwt_algorithm::rs256;
  std::string pem;  // normalised SubjectPublicKeyInfo PEM, as libjwt wants it
};

// Accepts a "PUBLIC KEY" PEM or an X.509 certificate PEM: RSA of at least
// 2048 bits → RS256, EC on P-256 → ES256. Throws std::runtime_error
// prefixed with "auth.jwt.public_key_file: " and naming `path`.
public_key load_public_key(const std::string& path);
public_key parse_public_key(std::string_view pem_text, const std::string& path);

}  // namespace herald::auth::detail

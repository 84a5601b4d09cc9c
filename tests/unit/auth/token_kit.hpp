// Test-only helpers: key pairs generated with OpenSSL at first use (PEM
// files in a private temp dir removed at exit) and JWT minting with libjwt's
// encoder or by hand, for tokens libjwt would refuse to produce.
#pragma once

#include <jwt.h>

#include <string>
#include <string_view>

namespace herald::auth::test {

struct key_pair {
  std::string private_pem;
  std::string public_pem;
  std::string public_file;  // public_pem written to disk
};

// Generated once per process.
const key_pair& rsa_key();        // RSA 2048
const key_pair& other_rsa_key();  // a second RSA 2048
const key_pair& ec_key();         // P-256
const key_pair& other_ec_key();   // a second P-256
const key_pair& p384_key();
const key_pair& small_rsa_key();  // RSA 1024, below the floor
const key_pair& ed25519_key();

// A file under the process' temp dir holding `content`; returns its path.
std::string write_temp_file(std::string_view name, std::string_view content);
// A self-signed X.509 certificate (PEM) for `k`.
std::string self_signed_cert(const key_pair& k);

// libjwt-encoded token: `claims_json` is an object ("{}" for none).
std::string mint(jwt_alg_t alg, std::string_view key, std::string_view claims_json,
                 std::string_view extra_headers_json = "");
// Hand-assembled HS256: any header and payload bytes, correctly signed.
std::string mint_hs256_raw(std::string_view header_json, std::string_view payload_json,
                           std::string_view secret);
// ES256 signed by OpenSSL directly, as another issuer would; `der_signature`
// keeps OpenSSL's DER form instead of the JOSE R||S form.
std::string mint_es256_openssl(const key_pair& k, std::string_view payload_json,
                               bool der_signature = false);

std::string base64url(std::string_view bytes);

}  // namespace herald::auth::test

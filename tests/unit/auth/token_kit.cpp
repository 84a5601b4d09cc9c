// Key generation and token minting for the auth tests (see token_kit.hpp).
#include "token_kit.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace herald::auth::test {
namespace {

struct pkey_deleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct bio_deleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("token_kit: ") + what);
}

std::string bio_string(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// The temp dir lives as long as the process; removed by a static destructor.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/herald-auth-XXXXXX";
    check(mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

temp_dir& dir() {
  static temp_dir d;
  return d;
}

pkey_ptr private_key(const key_pair& k) {
  bio_ptr bio(BIO_new_mem_buf(k.private_pem.data(), static_cast<int>(k.private_pem.size())));
  pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "read private key");
  return key;
}

key_pair make_pair(EVP_PKEY* raw, std::string_view file) {
  pkey_ptr key(raw);
  check(key != nullptr, "keygen");
  key_pair out;
  bio_ptr priv(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write private");
  out.private_pem = bio_string(priv.get());
  bio_ptr pub(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PUBKEY(pub.get(), key.get()) == 1, "write public");
  out.public_pem = bio_string(pub.get());
  out.public_file = write_temp_file(file, out.public_pem);
  return out;
}

}  // namespace

const key_pair& rsa_key() {
  static const key_pair k = make_pair(EVP_RSA_gen(2048), "rsa.pem");
  return k;
}
const key_pair& other_rsa_key() {
  static const key_pair k = make_pair(EVP_RSA_gen(2048), "rsa2.pem");
  return k;
}
const key_pair& ec_key() {
  static const key_pair k = make_pair(EVP_EC_gen("P-256"), "ec.pem");
  return k;
}
const key_pair& other_ec_key() {
  static const key_pair k = make_pair(EVP_EC_gen("P-256"), "ec2.pem");
  return k;
}
const key_pair& p384_key() {
  static const key_pair k = make_pair(EVP_EC_gen("P-384"), "p384.pem");
  return k;
}
const key_pair& small_rsa_key() {
  static const key_pair k = make_pair(EVP_RSA_gen(1024), "rsa1024.pem");
  return k;
}
const key_pair& ed25519_key() {
  static const key_pair k =
      make_pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), "ed25519.pem");
  return k;
}

std::string write_temp_file(std::string_view name, std::string_view content) {
  const std::filesystem::path p = dir().path / std::string(name);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  check(out.good(), "write temp file");
  return p.string();
}

std::string self_signed_cert(const key_pair& k) {
  const pkey_ptr key = private_key(k);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("herald-test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  bio_ptr out(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(out.get(), cert.get()) == 1, "write cert");
  return bio_string(out.get());
}

std::string base64url(std::string_view bytes) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (bytes.size() - i == 1) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
  }
  return out;
}

std::string mint(jwt_alg_t alg, std::string_view key, std::string_view claims_json,
                 std::string_view extra_headers_json) {
  jwt_t* raw = nullptr;
  check(jwt_new(&raw) == 0, "jwt_new");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  if (!claims_json.empty()) {
    check(jwt_add_grants_json(jwt.get(), std::string(claims_json).c_str()) == 0, "grants");
  }
  if (!extra_headers_json.empty()) {
    check(jwt_add_headers_json(jwt.get(), std::string(extra_headers_json).c_str()) == 0, "headers");
  }
  const std::string k(key);
  check(jwt_set_alg(jwt.get(), alg,
                    k.empty() ? nullptr : reinterpret_cast<const unsigned char*>(k.data()),
                    static_cast<int>(k.size())) == 0,
        "jwt_set_alg");
  char* token = jwt_encode_str(jwt.get());
  check(token != nullptr, "jwt_encode_str");
  std::string out(token);
  std::free(token);
  return out;
}

std::string mint_hs256_raw(std::string_view header_json, std::string_view payload_json,
                           std::string_view secret) {
  const std::string input = base64url(header_json) + "." + base64url(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
             &len) != nullptr,
        "HMAC");
  return input + "." + base64url(std::string_view(reinterpret_cast<char*>(mac), len));
}

std::string mint_es256_openssl(const key_pair& k, std::string_view payload_json,
                               bool der_signature) {
  const std::string input =
      base64url(R"({"alg":"ES256","typ":"JWT"})") + "." + base64url(payload_json);
  const pkey_ptr key = private_key(k);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  check(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1, "sign init");
  std::size_t len = 0;
  check(EVP_DigestSign(ctx.get(), nullptr, &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1,
        "sign size");
  std::string der(len, '\0');
  check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1,
        "sign");
  der.resize(len);
  if (der_signature) return input + "." + base64url(der);

  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), ECDSA_SIG_free);
  check(sig != nullptr, "d2i_ECDSA_SIG");
  std::string rs(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(rs.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(rs.data()) + 32, 32);
  return input + "." + base64url(rs);
}

}  // namespace herald::auth::test

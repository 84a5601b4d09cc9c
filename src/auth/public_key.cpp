// PEM public-key loading with OpenSSL 3 (see public_key.hpp).
#include "auth/public_key.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace herald::auth::detail {
namespace {

constexpr long max_key_file_bytes = 1 << 20;  // a PEM key is a few KiB
constexpr int min_rsa_bits = 2048;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("auth.jwt.public_key_file: " + path + ": " + why);
}

[[noreturn]] void fail_read(const std::string& path, int err) {
  throw std::runtime_error("auth.jwt.public_key_file: cannot read " + path + ": " +
                           std::generic_category().message(err));
}

struct bio_deleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct pkey_deleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;

bio_ptr memory_bio(std::string_view text) {
  return bio_ptr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

pkey_ptr read_key(std::string_view pem_text) {
  if (auto bio = memory_bio(pem_text)) {
    if (EVP_PKEY* k = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)) return pkey_ptr(k);
  }
  if (auto bio = memory_bio(pem_text)) {
    std::unique_ptr<X509, x509_deleter> cert(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert) return pkey_ptr(X509_get_pubkey(cert.get()));
  }
  return nullptr;
}

std::string to_pem(EVP_PKEY* key) {
  bio_ptr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

}  // namespace

public_key parse_public_key(std::string_view pem_text, const std::string& path) {
  if (pem_text.size() > static_cast<std::size_t>(max_key_file_bytes)) fail(path, "file too large");
  // A private key here means the server holds signing power it should not:
  // say so rather than "not a public key".
  if (pem_text.find("PRIVATE KEY-----") != std::string_view::npos) {
    fail(path, "contains a private key; configure the issuer's public key instead");
  }
  const pkey_ptr key = read_key(pem_text);
  if (!key) fail(path, "not a PEM public key or certificate");

  public_key out;
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA: {
      const int bits = EVP_PKEY_get_bits(key.get());
      if (bits < min_rsa_bits) {
        fail(path, "RSA key has " + std::to_string(bits) + " bits; at least " +
                       std::to_string(min_rsa_bits) + " are required");
      }
      out.alg = jwt_algorithm::rs256;
      break;
    }
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &len) != 1 ||
          OBJ_sn2nid(group) != NID_X9_62_prime256v1) {
        fail(path, "EC key must be on curve P-256 (ES256)");
      }
      out.alg = jwt_algorithm::es256;
      break;
    }
    default: fail(path, "unsupported key type; use RSA (RS256) or EC P-256 (ES256)");
  }
  out.pem = to_pem(key.get());
  if (out.pem.empty()) fail(path, "cannot re-encode the public key");
  return out;
}

public_key load_public_key(const std::string& path) {
  errno = 0;
  const std::unique_ptr<std::FILE, file_closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) fail_read(path, errno);
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) {
    text.append(buf, n);
    if (text.size() > static_cast<std::size_t>(max_key_file_bytes)) fail(path, "file too large");
  }
  if (std::ferror(file.get())) fail_read(path, errno);
  return parse_public_key(text, path);
}

}  // namespace herald::auth::detail

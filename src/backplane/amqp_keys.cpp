#include "backplane/amqp_keys.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace herald::backplane {

std::string amqp_routing_key(std::string_view channel) {
  if (channel.size() <= amqp_max_routing_key) return std::string(channel);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(channel.data(), channel.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");  // only without memory
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string key(amqp_hashed_key_prefix);
  for (unsigned int i = 0; i < len; ++i) {
    key += hex[digest[i] >> 4];
    key += hex[digest[i] & 0xf];
  }
  return key;
}

}  // namespace herald::backplane

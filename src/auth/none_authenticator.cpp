// The development authenticator (see none_authenticator.hpp).
#include "auth/none_authenticator.hpp"

#include <openssl/rand.h>

#include <array>
#include <random>

namespace herald::auth {
namespace {

// 48 random bits: anonymous principals must not collide, or two clients
// would receive each other's /user messages. OpenSSL's RAND is thread-safe;
// std::random_device is the fallback if it is somehow not seeded.
std::string anonymous_name() {
  std::array<unsigned char, 6> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  constexpr char hex[] = "0123456789abcdef";
  std::string name = "anonymous-";
  for (const unsigned char b : bytes) {
    name.push_back(hex[b >> 4]);
    name.push_back(hex[b & 0x0F]);
  }
  return name;
}

}  // namespace

auth_result none_authenticator::authenticate(const credentials& creds) const {
  auth_result result;
  result.ok = true;
  result.who.user = creds.login.empty() ? anonymous_name() : creds.login;
  return result;
}

}  // namespace herald::auth

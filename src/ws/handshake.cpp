#include "ws/handshake.hpp"

#include <openssl/sha.h>

#include <array>

namespace herald::ws {

namespace {

constexpr std::string_view magic = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3
constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const unsigned char* p, std::size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (std::size_t i = 0; i < n; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (i + 1 < n ? std::uint32_t{p[i + 1]} << 8 : 0) |
                            (i + 2 < n ? std::uint32_t{p[i + 2]} : 0);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < n ? alphabet[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < n ? alphabet[v & 63] : '=');
  }
  return out;
}

}  // namespace

bool valid_client_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (std::size_t i = 0; i < 22; ++i) {
    if (alphabet.find(key[i]) == std::string_view::npos) return false;
  }
  // The last character carries 2 bits of data and 4 of padding: zero.
  return (alphabet.find(key[21]) & 0x0F) == 0;
}

std::string accept_key(std::string_view client_key) {
  std::string in;
  in.reserve(client_key.size() + magic.size());
  in.append(client_key);
  in.append(magic);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest.data());
  return base64(digest.data(), digest.size());
}

std::string switching_response(std::string_view client_key, std::string_view server, std::string_view protocol) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out += accept_key(client_key);
  out += "\r\nServer: ";
  out += server;
  if (!protocol.empty()) {
    out += "\r\nSec-WebSocket-Protocol: ";
    out += protocol;
  }
  out += "\r\n\r\n";
  return out;
}

}  // namespace herald::ws

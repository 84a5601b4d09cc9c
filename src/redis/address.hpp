// Where a Redis server is and how to log in: parsed from
// redis://[user:password@]host[:port][/db] (rediss:// for TLS).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::redis {

struct address {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string user;      // empty: AUTH with the password alone (or no AUTH)
  std::string password;  // empty: no AUTH
  unsigned db = 0;
  bool tls = false;
};

// nullopt with *error set to a reason naming what is wrong.
std::optional<address> parse_url(std::string_view url, std::string* error);
// "host:port" (as in a cluster node list); IPv6 as "[::1]:7000".
std::optional<address> parse_host_port(std::string_view text, std::string* error);

}  // namespace herald::redis

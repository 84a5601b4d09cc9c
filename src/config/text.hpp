// Text conversions shared by the config layers (key table setters, env,
// command line, validation). Internal to herald_config; startup only.
// Parsers throw config_error naming `key` so every layer reports the same
// message for the same mistake.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::config::text {

// Decimal digits only: signs, spaces and suffixes are rejected so that
// "-1" or "64k" cannot silently become something else.
std::uint32_t parse_u32(std::string_view key, std::string_view value);
// A finite decimal number such as "1.5".
double parse_double(std::string_view key, std::string_view value);

// Comma-separated list (env vars and --set): items are trimmed and empty
// items dropped, so "" is the empty list and "a, b," is {a, b}.
std::vector<std::string> split_list(std::string_view value);
std::string join_list(const std::vector<std::string>& items);

// Shortest text that reads back to the same double ("1.5", not "1.500000").
std::string format_double(double value);

// Quotes a user value for error messages: "abc" with \" and control bytes
// escaped, so odd input cannot break the message.
std::string quote(std::string_view value);

// Splits "host:port" / "[v6]:port" at the last ':'. The host keeps its
// brackets; returns false when there is no ':'.
bool split_host_port(std::string_view listen, std::string_view& host, std::string_view& port);

}  // namespace herald::config::text

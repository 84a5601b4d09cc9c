// Redis Cluster key slots: CRC16 (XMODEM) of the key modulo 16384, where a
// key holding a non-empty {hash tag} hashes by the tag alone, so related
// keys ("{user1}.a", "{user1}.b") land in one slot. No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

inline constexpr std::uint16_t slot_count = 16384;

// CRC16/XMODEM (polynomial 0x1021, initial value 0), as in the Redis
// Cluster specification.
std::uint16_t crc16(std::string_view bytes);

// The part of the key that is hashed: the first {tag} when it is
// non-empty, otherwise the whole key.
std::string_view hash_tag(std::string_view key);

// 0 .. slot_count-1.
std::uint16_t key_slot(std::string_view key);

// The key that routes a command in a cluster: args[1] as a rule (GET key,
// SPUBLISH channel, ...); for EVAL/EVALSHA/FCALL (and their _RO forms)
// the first key after numkeys. nullopt: the command names no key (PING,
// EVAL with 0 keys) and any master will do.
std::optional<std::string_view> routing_key(const std::vector<std::string>& args);

}  // namespace herald::redis

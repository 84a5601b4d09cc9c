// Which master serves which hash slot of a Redis Cluster, built from a
// CLUSTER SLOTS reply and patched by MOVED redirects; and the parsing of
// MOVED/ASK errors. Pure values and functions: no I/O, so they are unit
// tested on their own (tests/unit/redis/cluster_map_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/address.hpp"
#include "redis/reply.hpp"
#include "redis/slot.hpp"

namespace herald::redis {

// "host:port" ("[v6]:port"): how nodes are told apart.
std::string endpoint(const address& a);

class cluster_map {
 public:
  static constexpr int unserved = -1;

  cluster_map() : owner_(slot_count, unserved) {}

  // Every master that serves at least one slot, in order of first mention.
  const std::vector<address>& masters() const { return masters_; }
  // Index into masters(), or unserved.
  int owner(std::uint16_t slot) const { return owner_[slot]; }
  const address* master_for(std::uint16_t slot) const {
    auto i = owner_[slot];
    return i == unserved ? nullptr : &masters_[static_cast<std::size_t>(i)];
  }
  std::size_t served() const { return served_; }
  bool complete() const { return served_ == slot_count; }
  bool empty() const { return served_ == 0; }

  // Slots first..last (inclusive) are served by `where`.
  void assign(std::uint16_t first, std::uint16_t last, const address& where);
  // One slot moved (a MOVED redirect); masters left without a slot are
  // dropped. false: it was already so.
  bool move(std::uint16_t slot, const address& where);

  // Same owner (by endpoint) for every slot.
  bool operator==(const cluster_map& o) const;

 private:
  int index_of(const address& where);
  void drop_idle_masters();

  std::vector<address> masters_;
  std::vector<int> owner_;
  std::size_t served_ = 0;
};

// Parses a CLUSTER SLOTS reply. `asked` is the node that answered: a node
// reported without a usable host (nil, "" or "?") is on the host it was
// reached through, and every master inherits its credentials (and TLS).
// nullopt with *error set when the reply is not a CLUSTER SLOTS answer.
std::optional<cluster_map> parse_cluster_slots(const reply& r, const address& asked, std::string* error);

// "-MOVED 3999 127.0.0.1:6381" / "-ASK 3999 127.0.0.1:6381" (as the error
// text, without the dash). An empty host means the host of `from`, whose
// credentials the target inherits. nullopt: not a redirect.
struct redirect {
  bool ask = false;
  std::uint16_t slot = 0;
  address where;
};
std::optional<redirect> parse_redirect(std::string_view error, const address& from);

}  // namespace herald::redis

#include "redis/cluster_map.hpp"

#include <charconv>

namespace herald::redis {

std::string endpoint(const address& a) {
  std::string out;
  if (a.host.find(':') != std::string::npos) {
    out = "[" + a.host + "]";
  } else {
    out = a.host;
  }
  out += ':';
  out += std::to_string(a.port);
  return out;
}

namespace {

bool same_node(const address& a, const address& b) { return a.host == b.host && a.port == b.port; }

// A node as the cluster reports it, reached like `asked` (credentials,
// TLS); always database 0 (a cluster has no other).
address node_like(const address& asked, std::string host, std::uint16_t port) {
  address a = asked;
  if (!host.empty() && host != "?") a.host = std::move(host);
  a.port = port;
  a.db = 0;
  return a;
}

}  // namespace

int cluster_map::index_of(const address& where) {
  for (std::size_t i = 0; i < masters_.size(); ++i) {
    if (same_node(masters_[i], where)) return static_cast<int>(i);
  }
  masters_.push_back(where);
  return static_cast<int>(masters_.size() - 1);
}

void cluster_map::assign(std::uint16_t first, std::uint16_t last, const address& where) {
  const int i = index_of(where);
  bool taken = false;  // from another master, which may now serve nothing
  for (std::uint32_t s = first; s <= last && s < slot_count; ++s) {
    if (owner_[s] == unserved) {
      ++served_;
    } else if (owner_[s] != i) {
      taken = true;
    }
    owner_[s] = i;
  }
  if (taken) drop_idle_masters();
}

bool cluster_map::move(std::uint16_t slot, const address& where) {
  if (slot >= slot_count) return false;
  if (auto* m = master_for(slot); m && same_node(*m, where)) return false;
  assign(slot, slot, where);
  return true;
}

void cluster_map::drop_idle_masters() {
  std::vector<int> slots(masters_.size(), 0);
  for (int o : owner_) {
    if (o != unserved) ++slots[static_cast<std::size_t>(o)];
  }
  bool idle = false;
  for (int n : slots) idle |= n == 0;
  if (!idle) return;
  std::vector<int> renumber(masters_.size(), unserved);
  std::vector<address> kept;
  for (std::size_t i = 0; i < masters_.size(); ++i) {
    if (slots[i] == 0) continue;
    renumber[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(masters_[i]));
  }
  masters_ = std::move(kept);
  for (int& o : owner_) {
    if (o != unserved) o = renumber[static_cast<std::size_t>(o)];
  }
}

bool cluster_map::operator==(const cluster_map& o) const {
  if (served_ != o.served_ || masters_.size() != o.masters_.size()) return false;
  // Masters may be listed in another order: compare slot by slot, through
  // a translation of this map's indices into the other's.
  std::vector<int> to_other(masters_.size(), unserved);
  for (std::size_t i = 0; i < masters_.size(); ++i) {
    for (std::size_t j = 0; j < o.masters_.size(); ++j) {
      if (same_node(masters_[i], o.masters_[j])) to_other[i] = static_cast<int>(j);
    }
    if (to_other[i] == unserved) return false;
  }
  for (std::size_t s = 0; s < slot_count; ++s) {
    const int a = owner_[s], b = o.owner_[s];
    if ((a == unserved) != (b == unserved)) return false;
    if (a != unserved && to_other[static_cast<std::size_t>(a)] != b) return false;
  }
  return true;
}

std::optional<cluster_map> parse_cluster_slots(const reply& r, const address& asked, std::string* error) {
  if (r.is_error()) {
    *error = r.str;
    return std::nullopt;
  }
  if (r.type != reply::kind::array) {
    *error = "CLUSTER SLOTS did not answer an array";
    return std::nullopt;
  }
  cluster_map map;
  for (const auto& range : r.elements) {
    // [first, last, [host, port, id, ...] (the master), replicas...]
    if (range.type != reply::kind::array || range.elements.size() < 3) {
      *error = "a CLUSTER SLOTS range is not [first, last, master, ...]";
      return std::nullopt;
    }
    const auto& first = range.elements[0];
    const auto& last = range.elements[1];
    const auto& master = range.elements[2];
    if (first.type != reply::kind::integer || last.type != reply::kind::integer || first.integer < 0 ||
        last.integer < first.integer || last.integer >= slot_count) {
      *error = "a CLUSTER SLOTS range has bad slot numbers";
      return std::nullopt;
    }
    if (master.type != reply::kind::array || master.elements.size() < 2 ||
        master.elements[1].type != reply::kind::integer || master.elements[1].integer <= 0 ||
        master.elements[1].integer > 65535) {
      *error = "a CLUSTER SLOTS master is not [host, port, ...]";
      return std::nullopt;
    }
    const auto& host = master.elements[0];
    if (host.type != reply::kind::string && host.type != reply::kind::nil && host.type != reply::kind::status) {
      *error = "a CLUSTER SLOTS master has no host";
      return std::nullopt;
    }
    map.assign(static_cast<std::uint16_t>(first.integer), static_cast<std::uint16_t>(last.integer),
               node_like(asked, host.str, static_cast<std::uint16_t>(master.elements[1].integer)));
  }
  return map;
}

std::optional<redirect> parse_redirect(std::string_view error, const address& from) {
  redirect out;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    out.ask = true;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  auto space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto slot_text = error.substr(0, space);
  auto where = error.substr(space + 1);
  unsigned slot = 0;
  auto [p, ec] = std::from_chars(slot_text.data(), slot_text.data() + slot_text.size(), slot);
  if (ec != std::errc{} || p != slot_text.data() + slot_text.size() || slot >= slot_count) return std::nullopt;
  out.slot = static_cast<std::uint16_t>(slot);
  // host:port, the host possibly empty (unknown endpoint) or an IPv6
  // address without brackets: the port follows the last colon.
  auto colon = where.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto port_text = where.substr(colon + 1);
  unsigned port = 0;
  auto [q, ec2] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec2 != std::errc{} || q != port_text.data() + port_text.size() || port == 0 || port > 65535) return std::nullopt;
  auto host = where.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  out.where = node_like(from, std::string(host), static_cast<std::uint16_t>(port));
  return out;
}

}  // namespace herald::redis

// The outage buffer's bound, shared by the networked brokers: a publish is
// admitted while fewer than `limit` are pending (accepted, not yet
// confirmed by the backplane); past it the caller is told (503) rather
// than anything growing.
#pragma once

#include <cstdint>

#include "core/broker.hpp"

namespace herald::backplane {

inline bool admit_publish(core::broker_stats& s, std::uint32_t limit) {
  if (s.pending.fetch_add(1, std::memory_order_relaxed) >= static_cast<std::int64_t>(limit)) {
    s.pending.fetch_sub(1, std::memory_order_relaxed);
    s.rejected.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  s.published.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace herald::backplane

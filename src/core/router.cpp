#include "core/router.hpp"

#include <bit>
#include <mutex>
#include <stdexcept>

namespace herald::core {

std::string_view to_string(broker_state s) {
  switch (s) {
    case broker_state::connecting: return "connecting";
    case broker_state::ready: return "ready";
    case broker_state::degraded: return "degraded";
    case broker_state::stopped: return "stopped";
  }
  return "unknown";
}

router::router(broker& b, std::size_t workers, dispatch_fn dispatch)
    : broker_(b), dispatch_(std::move(dispatch)) {
  if (workers == 0 || workers > 64) throw std::invalid_argument("threads: must be between 1 and 64");
}

void router::interest(std::size_t worker, const std::string& channel, bool gained) {
  const std::uint64_t bit = std::uint64_t{1} << worker;
  bool subscribe = false, unsubscribe = false;
  {
    std::unique_lock lock(mu_);
    auto& mask = interest_[channel];
    const bool was_empty = mask == 0;
    mask = gained ? (mask | bit) : (mask & ~bit);
    subscribe = was_empty && mask != 0;
    unsubscribe = !was_empty && mask == 0;
    if (mask == 0) interest_.erase(channel);
  }
  if (subscribe) broker_.subscribe(channel);
  if (unsubscribe) broker_.unsubscribe(channel);
}

void router::on_message(const std::string& channel, const message_ptr& m) {
  std::uint64_t mask;
  {
    std::shared_lock lock(mu_);
    auto it = interest_.find(channel);
    if (it == interest_.end()) return;
    mask = it->second;
  }
  while (mask) {
    auto w = static_cast<std::size_t>(std::countr_zero(mask));
    mask &= mask - 1;
    dispatch_(w, channel, m);
  }
}

std::size_t router::channels() const {
  std::shared_lock lock(mu_);
  return interest_.size();
}

}  // namespace herald::core

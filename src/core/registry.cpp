#include "core/registry.hpp"

namespace herald::core {

bool registry::try_add(const std::string& user, std::uint32_t limit) {
  {
    std::lock_guard lock(mu_);
    auto& n = per_user_[user];
    if (limit != 0 && n >= limit) {
      if (n == 0) per_user_.erase(user);
      return false;
    }
    ++n;
    ++sessions_;
    changed(user);
  }
  if (on_change_) on_change_();
  return true;
}

void registry::remove(const std::string& user) {
  {
    std::lock_guard lock(mu_);
    auto it = per_user_.find(user);
    if (it == per_user_.end()) return;
    if (--it->second == 0) per_user_.erase(it);
    --sessions_;
    changed(user);
  }
  if (on_change_) on_change_();
}

std::uint32_t registry::sessions_of(const std::string& user) const {
  std::lock_guard lock(mu_);
  auto it = per_user_.find(user);
  return it == per_user_.end() ? 0 : it->second;
}

std::size_t registry::users() const {
  std::lock_guard lock(mu_);
  return per_user_.size();
}

std::size_t registry::sessions() const {
  std::lock_guard lock(mu_);
  return sessions_;
}

void registry::changed(const std::string& user) {
  if (tracking_) changed_.insert(user);
}

std::vector<std::pair<std::string, std::uint32_t>> registry::snapshot() const {
  std::lock_guard lock(mu_);
  return {per_user_.begin(), per_user_.end()};
}

std::vector<std::pair<std::string, std::uint32_t>> registry::take_changes() {
  std::vector<std::pair<std::string, std::uint32_t>> out;
  std::lock_guard lock(mu_);
  out.reserve(changed_.size());
  for (const auto& user : changed_) {
    auto it = per_user_.find(user);
    out.emplace_back(user, it == per_user_.end() ? 0 : it->second);
  }
  changed_.clear();
  return out;
}

}  // namespace herald::core

#include "core/hub.hpp"

#include <algorithm>

#include "core/channels.hpp"

namespace herald::core {

void hub::add_topic(const std::string& destination, topic_sub& sub) {
  auto [it, inserted] = topics_.try_emplace(destination);
  auto& list = it->second;
  sub.list_ = &list;  // unordered_map values never move on rehash
  sub.key_ = &it->first;
  sub.slot_ = static_cast<std::uint32_t>(list.size());
  list.push_back(&sub);
  ++topic_subs_;
  if (inserted && on_interest_) on_interest_(topic_channel(destination), true);
}

void hub::remove_topic(topic_sub& sub) {
  if (!sub.list_) return;
  auto& list = *sub.list_;
  // Swap-and-pop keeps removal O(1) on hot topics; order among
  // subscriptions of one topic carries no meaning.
  topic_sub* last = list.back();
  list[sub.slot_] = last;
  last->slot_ = sub.slot_;
  list.pop_back();
  --topic_subs_;
  if (list.empty()) {
    std::string dest = *sub.key_;
    topics_.erase(dest);
    if (on_interest_) on_interest_(topic_channel(dest), false);
  }
  sub.list_ = nullptr;
  sub.key_ = nullptr;
}

void hub::add_user_session(const std::string& user, subscriber& s) {
  auto [it, inserted] = users_.try_emplace(user);
  it->second.push_back(&s);
  if (inserted && on_interest_) on_interest_(user_channel(user), true);
}

void hub::remove_user_session(const std::string& user, subscriber& s) {
  auto it = users_.find(user);
  if (it == users_.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), &s), v.end());
  if (v.empty()) {
    users_.erase(it);
    if (on_interest_) on_interest_(user_channel(user), false);
  }
}

void hub::deliver(const std::string& channel, const message_ptr& m) {
  if (is_user_channel(channel)) {
    auto it = users_.find(std::string(channel_user(channel)));
    if (it == users_.end()) return;
    for (subscriber* s : it->second) s->deliver_user(m);
    return;
  }
  auto it = topics_.find(channel);
  if (it == topics_.end()) return;
  for (topic_sub* sub : it->second) sub->owner->deliver_topic(*sub, m);
}

std::vector<subscriber*> hub::sessions_of(const std::string& user) const {
  auto it = users_.find(user);
  if (it == users_.end()) return {};
  return it->second;
}

}  // namespace herald::core

// A worker's local subscription index: topic destination → subscriptions,
// user → sessions. One hub per worker thread, touched only by that thread;
// not thread-safe, and it needs no locks because nothing else touches it.
//
// The hub stores raw pointers to subscriptions and sessions; their owners
// (sessions) must remove them before they die. Delivery never mutates the
// hub: a subscriber that wants to close during a fan-out defers it to the
// next turn of the event loop, so the lists being iterated stay valid.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/message.hpp"

namespace herald::core {

class subscriber;

// Embedded in a session's subscription; the hub fills the bookkeeping.
struct topic_sub {
  subscriber* owner = nullptr;
  std::vector<topic_sub*>* list_ = nullptr;
  std::uint32_t slot_ = 0;
  const std::string* key_ = nullptr;
};

class subscriber {
 public:
  virtual void deliver_topic(topic_sub& sub, const message_ptr& m) = 0;
  virtual void deliver_user(const message_ptr& m) = 0;
  // Close with an ERROR frame carrying reason (logout, ban, …); deferred.
  virtual void kick(const std::string& reason) = 0;

 protected:
  ~subscriber() = default;
};

class hub {
 public:
  // Called when this worker gains its first or loses its last local
  // interest in a channel; the node turns that into broker subscriptions.
  using interest_fn = std::function<void(const std::string& channel, bool gained)>;

  explicit hub(interest_fn on_interest) : on_interest_(std::move(on_interest)) {}
  hub(const hub&) = delete;
  hub& operator=(const hub&) = delete;

  void add_topic(const std::string& destination, topic_sub& sub);
  void remove_topic(topic_sub& sub);

  void add_user_session(const std::string& user, subscriber& s);
  void remove_user_session(const std::string& user, subscriber& s);

  // Delivers to every local subscription of the channel.
  void deliver(const std::string& channel, const message_ptr& m);

  // For kicks and info; a copy because kicking may end sessions later.
  std::vector<subscriber*> sessions_of(const std::string& user) const;

  std::size_t topic_count() const { return topics_.size(); }
  std::size_t topic_subscriptions() const { return topic_subs_; }
  std::size_t user_count() const { return users_.size(); }

 private:
  std::unordered_map<std::string, std::vector<topic_sub*>> topics_;
  std::unordered_map<std::string, std::vector<subscriber*>> users_;
  std::size_t topic_subs_ = 0;
  interest_fn on_interest_;
};

}  // namespace herald::core

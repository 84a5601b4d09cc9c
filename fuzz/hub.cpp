// libFuzzer target for core::hub (src/core/hub.cpp). The input is a program:
// each operation is two bytes (opcode, operand) acting on a few fake
// subscribers, a fixed pool of topic subscriptions over a handful of
// destinations, and a few users. A simple model (sets) runs alongside, and
// after every step the hub must agree with it:
// - interest callbacks alternate gained/lost per channel, starting with
//   gained, and the channels currently "gained" are exactly those with at
//   least one local subscriber;
// - deliver() reaches exactly the subscribed set, each once, with the
//   message it was given; nothing else is called;
// - the counters and sessions_of() match.
// The program stays within the hub's contract: a subscription is added only
// while not in the hub, and a session registers once per user. At the end
// everything is removed and no interest may remain. Links herald_core.
// Single-threaded.
#include "core/hub.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/channels.hpp"
#include "core/message.hpp"

namespace {

using namespace herald::core;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

constexpr std::size_t n_subscribers = 4;
constexpr std::size_t subs_per_subscriber = 3;
constexpr std::size_t n_slots = n_subscribers * subs_per_subscriber;
// Includes a prefix of another destination and a destination that looks
// like a user channel's user part; none starts with "u:" (destinations
// always start with '/').
const std::array<std::string, 5> destinations{"/topic/a", "/topic/b", "/topic/a/b", "/queue/x", "/u:alice"};
const std::array<std::string, 3> users{"alice", "bob", "u:alice"};

// Every call a subscriber received since the last reset.
struct call_log {
  std::vector<std::pair<std::size_t, const topic_sub*>> topic;  // (subscriber, sub)
  std::vector<std::size_t> user;                                // subscriber
  const message* last = nullptr;
  bool wrong_message = false;
  std::size_t kicks = 0;
};

class fake_subscriber final : public subscriber {
 public:
  fake_subscriber(std::size_t id, call_log& log) : id_(id), log_(log) {}

  void deliver_topic(topic_sub& sub, const message_ptr& m) override {
    FUZZ_CHECK(sub.owner == this);
    if (m.get() != log_.last) log_.wrong_message = true;
    log_.topic.emplace_back(id_, &sub);
  }
  void deliver_user(const message_ptr& m) override {
    if (m.get() != log_.last) log_.wrong_message = true;
    log_.user.push_back(id_);
  }
  void kick(const std::string&) override { ++log_.kicks; }

 private:
  std::size_t id_;
  call_log& log_;
};

struct harness {
  call_log log;
  std::vector<std::unique_ptr<fake_subscriber>> subscribers;
  std::array<topic_sub, n_slots> slots{};
  // Model.
  std::array<int, n_slots> slot_dest{};  // -1: not in the hub
  std::array<std::set<std::size_t>, users.size()> sessions;
  // Interest as reported by the callbacks.
  std::map<std::string, bool> interest;
  // One message for every delivery: the hub only passes it on.
  const message_ptr msg = make_message(message_fields{.destination = "/topic/a", .body = "x"}, "fuzz-1");
  hub h;

  harness()
      : h([this](const std::string& channel, bool gained) {
          bool& state = interest[channel];
          FUZZ_CHECK(state != gained);  // gained and lost alternate, gained first
          state = gained;
        }) {
    for (std::size_t i = 0; i < n_subscribers; ++i) subscribers.push_back(std::make_unique<fake_subscriber>(i, log));
    for (std::size_t i = 0; i < n_slots; ++i) {
      slots[i].owner = subscribers[i / subs_per_subscriber].get();
      slot_dest[i] = -1;
    }
  }

  std::set<std::string> expected_channels() const {
    std::set<std::string> out;
    for (int d : slot_dest) {
      if (d >= 0) out.insert(topic_channel(destinations[static_cast<std::size_t>(d)]));
    }
    for (std::size_t u = 0; u < users.size(); ++u) {
      if (!sessions[u].empty()) out.insert(user_channel(users[u]));
    }
    return out;
  }

  void check_consistent() const {
    std::set<std::string> gained;
    for (const auto& [channel, on] : interest) {
      if (on) gained.insert(channel);
    }
    FUZZ_CHECK(gained == expected_channels());

    std::set<int> live;
    std::size_t subs = 0;
    for (int d : slot_dest) {
      if (d >= 0) {
        live.insert(d);
        ++subs;
      }
    }
    FUZZ_CHECK(h.topic_count() == live.size());
    FUZZ_CHECK(h.topic_subscriptions() == subs);
    std::size_t user_count = 0;
    for (std::size_t u = 0; u < users.size(); ++u) {
      if (!sessions[u].empty()) ++user_count;
      std::vector<subscriber*> got = h.sessions_of(users[u]);
      std::vector<subscriber*> want;
      for (std::size_t s : sessions[u]) want.push_back(subscribers[s].get());
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      FUZZ_CHECK(got == want);
    }
    FUZZ_CHECK(h.user_count() == user_count);
    for (std::size_t i = 0; i < n_slots; ++i) FUZZ_CHECK((slots[i].list_ != nullptr) == (slot_dest[i] >= 0));
  }

  void add_topic(std::size_t slot, std::size_t dest) {
    if (slot_dest[slot] >= 0) return;  // contract: not while already in the hub
    h.add_topic(destinations[dest], slots[slot]);
    slot_dest[slot] = static_cast<int>(dest);
  }

  void remove_topic(std::size_t slot) {
    // Removing a subscription that is not in the hub is allowed (no-op).
    h.remove_topic(slots[slot]);
    slot_dest[slot] = -1;
  }

  void add_user(std::size_t user, std::size_t s) {
    if (sessions[user].count(s)) return;  // contract: once per user
    h.add_user_session(users[user], *subscribers[s]);
    sessions[user].insert(s);
  }

  void remove_user(std::size_t user, std::size_t s) {
    // Allowed when not registered (no-op).
    h.remove_user_session(users[user], *subscribers[s]);
    sessions[user].erase(s);
  }

  void deliver(const std::string& channel) {
    const message_ptr m = msg;
    log = call_log{};
    log.last = m.get();
    h.deliver(channel, m);
    FUZZ_CHECK(!log.wrong_message && log.kicks == 0);

    using delivery_set = std::multiset<std::pair<std::size_t, const topic_sub*>>;
    delivery_set want_topic;
    std::multiset<std::size_t> want_user;
    for (std::size_t i = 0; i < n_slots; ++i) {
      if (slot_dest[i] >= 0 && topic_channel(destinations[static_cast<std::size_t>(slot_dest[i])]) == channel) {
        want_topic.emplace(i / subs_per_subscriber, &slots[i]);
      }
    }
    for (std::size_t u = 0; u < users.size(); ++u) {
      if (user_channel(users[u]) == channel) want_user.insert(sessions[u].begin(), sessions[u].end());
    }
    FUZZ_CHECK(delivery_set(log.topic.begin(), log.topic.end()) == want_topic);
    FUZZ_CHECK(std::multiset<std::size_t>(log.user.begin(), log.user.end()) == want_user);
  }

  void step(std::uint8_t op, std::uint8_t arg) {
    switch (op % 6) {
      case 0:
        add_topic(arg % n_slots, (arg / n_slots) % destinations.size());
        break;
      case 1:
        remove_topic(arg % n_slots);
        break;
      case 2:
        add_user(arg % users.size(), (arg / users.size()) % n_subscribers);
        break;
      case 3:
        remove_user(arg % users.size(), (arg / users.size()) % n_subscribers);
        break;
      case 4:
        deliver(topic_channel(destinations[arg % destinations.size()]));
        break;
      case 5:
        // Known users, plus channels nobody holds.
        if (arg % 5 < users.size()) {
          deliver(user_channel(users[arg % 5]));
        } else {
          deliver(arg % 5 == 3 ? user_channel("nobody") : topic_channel("/topic/none"));
        }
        break;
    }
    check_consistent();
  }

  void teardown() {
    for (std::size_t i = 0; i < n_slots; ++i) remove_topic(i);
    for (std::size_t u = 0; u < users.size(); ++u) {
      for (std::size_t s = 0; s < n_subscribers; ++s) remove_user(u, s);
    }
    check_consistent();
    for (const auto& [channel, on] : interest) FUZZ_CHECK(!on);
    FUZZ_CHECK(h.topic_count() == 0 && h.topic_subscriptions() == 0 && h.user_count() == 0);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  harness t;
  for (std::size_t i = 0; i + 1 < size; i += 2) t.step(data[i], data[i + 1]);
  t.teardown();
  return 0;
}

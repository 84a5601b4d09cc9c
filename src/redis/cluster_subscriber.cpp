#include "redis/cluster_subscriber.hpp"

#include <set>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "redis/slot.hpp"

namespace herald::redis {

namespace {
// Channels per SSUBSCRIBE (all of one slot): large enough to batch, small
// enough that one reply burst stays modest.
constexpr std::size_t max_batch = 512;
// A refused SSUBSCRIBE (CLUSTERDOWN during a failover, say) is tried again.
constexpr std::chrono::milliseconds retry_after{1000};
}  // namespace

cluster_subscriber::cluster_subscriber(boost::asio::io_context& ioc, std::vector<address> seeds, link_options o,
                                       std::chrono::milliseconds linger, message_fn on_message,
                                       std::function<void(bool)> on_state, cluster_timing timing)
    : ioc_(ioc),
      o_(std::move(o)),
      linger_(linger),
      on_message_(std::move(on_message)),
      on_state_(std::move(on_state)),
      topology_(ioc, std::move(seeds), o_, [this](const cluster_map& m) { on_map(m); }, timing),
      linger_timer_(ioc),
      retry_(ioc) {}

cluster_subscriber::~cluster_subscriber() { stop(); }

void cluster_subscriber::start() { topology_.start(); }

void cluster_subscriber::stop() {
  if (stopped_) return;
  stopped_ = true;
  topology_.stop();
  linger_timer_.cancel();
  retry_.cancel();
  placed_.clear();
  owners_.clear();
  auto shards = std::move(shards_);
  shards_.clear();
  for (auto& [_, s] : shards) s->node->stop();
  boost::asio::post(ioc_, [shards = std::make_shared<decltype(shards)>(std::move(shards))] {});
}

// ---------------------------------------------------------------------------
// The wanted set (as in subscriber)

void cluster_subscriber::subscribe(const std::string& channel) {
  if (leaving_.erase(channel)) return;  // still subscribed on Redis
  if (!wanted_.insert(channel).second) return;
  if (on_channels_) on_channels_(wanted_.size());
  to_add_.push_back(channel);
  schedule_flush();
}

void cluster_subscriber::unsubscribe(const std::string& channel) {
  if (!wanted_.contains(channel)) return;
  leaving_[channel] = std::chrono::steady_clock::now() + linger_;
  arm_linger();
}

void cluster_subscriber::arm_linger() {
  if (linger_armed_ || leaving_.empty() || stopped_) return;
  linger_armed_ = true;
  linger_timer_.expires_after(linger_);
  linger_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // stopped (perhaps destroyed)
    linger_armed_ = false;
    const auto now = std::chrono::steady_clock::now();
    for (auto it = leaving_.begin(); it != leaving_.end();) {
      if (it->second <= now) {
        wanted_.erase(it->first);
        to_remove_.push_back(it->first);
        it = leaving_.erase(it);
      } else {
        ++it;
      }
    }
    if (on_channels_) on_channels_(wanted_.size());
    schedule_flush();
    arm_linger();
  });
}

void cluster_subscriber::schedule_flush() {
  if (flush_posted_ || stopped_) return;
  flush_posted_ = true;
  // One loop turn collects every change made meanwhile.
  boost::asio::post(ioc_, [this, life = std::weak_ptr<char>(life_)] {
    if (life.expired()) return;
    flush_posted_ = false;
    if (!stopped_) flush();
  });
}

void cluster_subscriber::flush() {
  batch b;
  // Removals first; a channel dropped and wanted again meanwhile stays.
  for (auto& ch : to_remove_) {
    if (wanted_.contains(ch)) continue;
    auto it = placed_.find(ch);
    if (it == placed_.end()) continue;
    auto* s = it->second;
    placed_.erase(it);
    if (s->node->ready()) b[s].first[key_slot(ch)].push_back(std::move(ch));
  }
  to_remove_.clear();
  for (const auto& ch : to_add_) {
    if (wanted_.contains(ch)) place(ch, b);
  }
  to_add_.clear();
  send(b);
}

// ---------------------------------------------------------------------------
// Placing channels on the shards that serve them

cluster_subscriber::shard* cluster_subscriber::owner_of(std::string_view channel) const {
  const auto& m = topology_.map();
  if (!m) return nullptr;
  const int owner = m->owner(key_slot(channel));
  if (owner == cluster_map::unserved) return nullptr;
  auto* s = owners_[static_cast<std::size_t>(owner)];
  return s->node->ready() ? s : nullptr;
}

void cluster_subscriber::place(const std::string& channel, batch& b) {
  shard* target = owner_of(channel);
  auto it = placed_.find(channel);
  shard* current = it == placed_.end() ? nullptr : it->second;
  if (current == target) return;
  const auto slot = key_slot(channel);
  if (current) {
    // Its slot is served elsewhere now; let the old owner go of it (it
    // has, if it gave the slot away: then this is answered with MOVED).
    placed_.erase(it);
    if (current->node->ready()) b[current].first[slot].push_back(channel);
  }
  if (target) {
    placed_[channel] = target;
    b[target].second[slot].push_back(channel);
  }
  // No ready owner: placed when one is (on_ready, on_map).
}

void cluster_subscriber::send(batch& b) {
  auto out = [](shard& s, bool subscribe, slot_groups& groups) {
    for (auto& [slot, channels] : groups) {
      // SSUBSCRIBE takes channels of one slot only (else CROSSSLOT).
      for (std::size_t i = 0; i < channels.size(); i += max_batch) {
        shard::pending p{subscribe, {}, 0};
        std::vector<std::string> args{subscribe ? "SSUBSCRIBE" : "SUNSUBSCRIBE"};
        for (std::size_t j = i; j < channels.size() && j < i + max_batch; ++j) {
          args.push_back(channels[j]);
          p.channels.push_back(std::move(channels[j]));
        }
        s.node->conn().command(args);
        s.sent.push_back(std::move(p));
      }
    }
  };
  for (auto& [s, groups] : b) {
    if (!s->node->ready()) continue;
    out(*s, false, groups.first);
    out(*s, true, groups.second);
  }
  b.clear();
}

void cluster_subscriber::schedule_reconcile() {
  if (reconcile_posted_ || stopped_) return;
  reconcile_posted_ = true;
  boost::asio::post(ioc_, [this, life = std::weak_ptr<char>(life_)] {
    if (life.expired()) return;
    reconcile_posted_ = false;
    if (!stopped_) reconcile();
  });
}

void cluster_subscriber::reconcile() {
  // Every wanted channel onto the master serving it now. O(channels), on
  // map changes and (re)connects only.
  batch b;
  for (const auto& ch : wanted_) place(ch, b);
  send(b);
}

void cluster_subscriber::retry_later() {
  if (retry_armed_ || stopped_) return;
  retry_armed_ = true;
  retry_.expires_after(retry_after);
  retry_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    retry_armed_ = false;
    topology_.refresh();
    reconcile();
  });
}

// ---------------------------------------------------------------------------
// Shards

cluster_subscriber::shard& cluster_subscriber::shard_for(const address& a) {
  auto key = endpoint(a);
  if (auto it = shards_.find(key); it != shards_.end()) return *it->second;
  auto& s = shards_[key];
  s = std::make_unique<shard>();
  auto* raw = s.get();
  cluster_node::events ev;
  ev.ready = [this, raw] { on_ready(*raw); };
  ev.down = [this, raw](const std::string&) { on_down(*raw); };
  ev.push = [this, raw](reply r) { on_push(*raw, std::move(r)); };
  s->node = std::make_unique<cluster_node>(ioc_, a, o_, true, std::move(ev));
  s->node->start();
  return *s;
}

void cluster_subscriber::on_map(const cluster_map& m) {
  if (stopped_) return;
  std::set<std::string> masters;
  owners_.clear();
  for (const auto& a : m.masters()) {
    masters.insert(endpoint(a));
    owners_.push_back(&shard_for(a));
  }
  for (auto it = shards_.begin(); it != shards_.end();) {
    if (masters.contains(it->first)) {
      ++it;
      continue;
    }
    spdlog::info("redis cluster node {} ({}): no longer a master; disconnecting", it->first, o_.client_name);
    auto* gone = it->second.get();
    for (auto p = placed_.begin(); p != placed_.end();) {
      p = p->second == gone ? placed_.erase(p) : std::next(p);
    }
    auto keep = std::shared_ptr<shard>(std::move(it->second));
    it = shards_.erase(it);
    keep->node->stop();
    boost::asio::post(ioc_, [keep] {});
  }
  schedule_reconcile();
  update_state();
}

void cluster_subscriber::on_ready(shard& s) {
  s.sent.clear();
  spdlog::debug("redis cluster node {} ({}): subscriber ready", s.node->name(), o_.client_name);
  schedule_reconcile();
  update_state();
}

void cluster_subscriber::on_down(shard& s) {
  s.sent.clear();
  // What it held must be subscribed again, there once it is back or on
  // the master that replaces it.
  for (auto p = placed_.begin(); p != placed_.end();) {
    p = p->second == &s ? placed_.erase(p) : std::next(p);
  }
  topology_.refresh();
  update_state();
}

bool cluster_subscriber::confirm(shard& s, bool subscribe, const std::string& channel) {
  if (s.sent.empty()) return false;
  auto& front = s.sent.front();
  if (front.subscribe != subscribe || front.confirmed >= front.channels.size() ||
      front.channels[front.confirmed] != channel) {
    return false;
  }
  if (++front.confirmed == front.channels.size()) s.sent.pop_front();
  return true;
}

void cluster_subscriber::on_push(shard& s, reply r) {
  if (stopped_) return;
  if (r.is_error()) return on_error(s, r.str);
  if (r.type != reply::kind::array || r.elements.size() < 2) return;
  const auto& kind = r.elements[0].str;
  const auto& channel = r.elements[1].str;
  if (kind == "smessage" && r.elements.size() == 3) {
    on_message_(channel, r.elements[2].str);
    return;
  }
  if (kind == "ssubscribe") {
    confirm(s, true, channel);
    return;
  }
  if (kind == "sunsubscribe") {
    if (confirm(s, false, channel)) return;
    // Not asked for: the node no longer serves the channel's slot (moved
    // by a resharding, or the node became a replica).
    auto it = placed_.find(channel);
    if (it == placed_.end() || it->second != &s) return;
    placed_.erase(it);
    if (!wanted_.contains(channel)) return;
    spdlog::debug("redis cluster node {} ({}): dropped '{}'; subscribing where its slot is now", s.node->name(),
                  o_.client_name, channel);
    topology_.refresh();
    // Subscribes again on the master the map names; should that still be
    // this node, its MOVED answer tells the new owner.
    schedule_reconcile();
  }
}

void cluster_subscriber::on_error(shard& s, const std::string& error) {
  // An error answers the oldest command awaiting its confirmations.
  std::optional<shard::pending> failed;
  if (!s.sent.empty()) {
    failed = std::move(s.sent.front());
    s.sent.pop_front();
  }
  if (failed && failed->subscribe) {
    // Not subscribed there after all.
    for (const auto& ch : failed->channels) {
      auto it = placed_.find(ch);
      if (it != placed_.end() && it->second == &s) placed_.erase(it);
    }
  }
  if (auto rd = parse_redirect(error, s.node->where()); rd && !rd->ask && endpoint(rd->where) != s.node->name()) {
    topology_.moved(rd->slot, rd->where);
    schedule_reconcile();
    return;
  }
  spdlog::warn("redis cluster node {} ({}): {}{}; retrying", s.node->name(), o_.client_name,
               failed ? (failed->subscribe ? "SSUBSCRIBE: " : "SUNSUBSCRIBE: ") : "", error);
  if (failed && failed->subscribe) retry_later();
  topology_.refresh();
}

void cluster_subscriber::update_state() {
  if (stopped_) return;
  bool now = false;
  if (const auto& m = topology_.map(); m && m->complete()) {
    now = true;
    for (auto* s : owners_) now = now && s->node->ready();
  }
  topology_.set_degraded(!now);
  if (now == up_) return;
  up_ = now;
  if (now) {
    if (ever_up_) ++reconnects_;
    ever_up_ = true;
    spdlog::info("redis cluster ({}): ready, {} masters, {} channels", o_.client_name,
                 topology_.map()->masters().size(), wanted_.size());
  } else {
    spdlog::warn("redis cluster ({}): some slots cannot be served now", o_.client_name);
  }
  if (on_state_) on_state_(now);
}

}  // namespace herald::redis

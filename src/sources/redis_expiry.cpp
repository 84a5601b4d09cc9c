#include "sources/redis_expiry.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

#include "backplane/loop.hpp"
#include "redis/client.hpp"
#include "redis/subscriber.hpp"
#include "sources/expiry_keys.hpp"
#include "sources/mapping.hpp"

namespace herald::sources {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Entries past their time looked at per sweep; the rest wait a turn.
constexpr int sweep_batch = 256;
constexpr int scan_count = 500;

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// notify-keyspace-events needs E (keyevent channels) and x (expired), or
// A (all classes, x included). The flags to add to `current`; empty: none.
std::string missing_flags(const std::string& current) {
  std::string add;
  if (current.find('E') == std::string::npos) add += 'E';
  if (current.find('x') == std::string::npos && current.find('A') == std::string::npos) add += 'x';
  return add;
}

}  // namespace

struct redis_expiry::impl {
  impl(const config::source& c, sink& s)
      : cfg(c), out(s), keys(c.expiry), sweep_timer(loop.context()), scan_timer(loop.context()) {
    std::string why;
    redis::link_options o;
    o.where = *redis::parse_url(c.url, &why);  // checked at load
    o.client_name = "herald-" + s.node_id() + "-expiry";
    channel = "__keyevent@" + std::to_string(o.where.db) + "__:expired";
    lock_prefix = c.expiry.lock_prefix;
    tracked = lock_prefix + "!tracked";
    cmd = std::make_unique<redis::client>(loop.context(), o, [this](bool up) { on_command_state(up); });
    sub = std::make_unique<redis::subscriber>(
        loop.context(), o, milliseconds(0), false,
        [this](std::string_view, std::string_view key) { on_expired_event(key); },
        [this](bool up) {
          sub_up = up;
          publish_state();
        });
  }

  // --- connection state -------------------------------------------------

  void on_command_state(bool up) {
    cmd_up = up;
    if (up) {
      check_events();
    } else {
      events_ok = false;
      stats.reconnects.fetch_add(1, std::memory_order_relaxed);
    }
    publish_state();
  }

  void publish_state() {
    const bool up = cmd_up && sub_up && events_ok;
    if (up != stats.up.load()) {
      if (up) {
        spdlog::info("source {}: watching {} on {} for keys under '{}'", cfg.name, channel, endpoint(), cfg.expiry.key_prefix);
      } else if (ever_up) {
        spdlog::warn("source {}: Redis link lost; expiries meanwhile are {}", cfg.name,
                     sweeping() ? "found by the sweeper later" : "missed (tracking: events)");
      }
      ever_up = ever_up || up;
    }
    stats.up = up;
  }

  std::string endpoint() const {
    std::string why;
    auto a = redis::parse_url(cfg.url, &why);
    return a->host + ":" + std::to_string(a->port);
  }

  // Keyspace events are off by default in Redis: turn them on, or refuse.
  void check_events() {
    cmd->command({"CONFIG", "GET", "notify-keyspace-events"}, [this](redis::reply r) {
      if (r.is_error() || r.elements.size() != 2) {
        spdlog::warn("source {}: cannot read notify-keyspace-events ({}); it must contain 'Ex'", cfg.name,
                     r.is_error() ? r.str : "unexpected reply");
        return events_ready();
      }
      const std::string current = r.elements[1].str;
      const std::string add = missing_flags(current);
      if (add.empty()) return events_ready();
      const std::string wanted = current + add;
      if (!cfg.expiry.configure_events) {
        return out.fatal("source " + cfg.name + ": Redis has notify-keyspace-events '" + current +
                         "', without expiry events; set `notify-keyspace-events " + wanted +
                         "` in redis.conf (or CONFIG SET), or allow sources[].configure_events");
      }
      cmd->command({"CONFIG", "SET", "notify-keyspace-events", wanted}, [this, wanted](redis::reply set) {
        if (set.is_error()) {
          return out.fatal("source " + cfg.name + ": cannot enable expiry events (CONFIG SET notify-keyspace-events " +
                           wanted + " answered " + set.str + "); set it in redis.conf");
        }
        spdlog::info("source {}: enabled keyspace expiry events (notify-keyspace-events {})", cfg.name, wanted);
        events_ready();
      });
    });
  }

  void events_ready() {
    events_ok = true;
    publish_state();
    // Tracking starts with a scan as soon as Redis is there.
    if (sweeping()) on_one_node("!scan", cfg.expiry.scan_ms, [this] { scan("0"); });
  }

  // --- expiries ----------------------------------------------------------

  void on_expired_event(std::string_view key) {
    auto user = keys.user_of(key);
    if (!user) return;
    expired(std::string(key), *user, false);
  }

  // One node acts per expiry: the first to take its lock.
  void expired(const std::string& key, const std::string& user, bool swept) {
    stats.received.fetch_add(1, std::memory_order_relaxed);
    const bool sent = cmd->command(
        {"SET", lock_prefix + key, out.node_id(), "NX", "PX", std::to_string(cfg.expiry.lock_ttl_ms)},
        [this, key, user, swept](redis::reply r) {
          if (r.is_error()) {
            spdlog::warn("source {}: expiry of '{}' not notified: lock failed ({})", cfg.name, key, r.str);
            return;
          }
          if (sweeping()) cmd->command({"ZREM", tracked, key});
          if (r.is_nil()) {
            stats.locks_lost.fetch_add(1, std::memory_order_relaxed);
            return;
          }
          stats.locks_won.fetch_add(1, std::memory_order_relaxed);
          if (swept) stats.swept.fetch_add(1, std::memory_order_relaxed);
          notify(user);
        });
    if (!sent) spdlog::warn("source {}: expiry of '{}' dropped: Redis queue full", cfg.name, key);
  }

  void notify(const std::string& user) {
    auto m = map_user_event(cfg.map, user, fill_user(cfg.expiry.notice, user));
    if (!m.error.empty()) {
      stats.unmapped.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("source {}: expiry of user '{}' not mapped: {}", cfg.name, user, m.error);
      return;
    }
    bool ok = true;
    for (auto& f : m.publishes) {
      auto r = out.publish(std::move(f), sink::scope::cluster);
      if (r.status == core::publish_status::ok) continue;
      ok = false;
      if (r.status == core::publish_status::unavailable) {
        stats.unavailable.fetch_add(1, std::memory_order_relaxed);
      } else {
        stats.unmapped.fetch_add(1, std::memory_order_relaxed);
      }
      spdlog::warn("source {}: notice for user '{}' not published: {}", cfg.name, user, r.error);
    }
    if (ok) stats.published.fetch_add(1, std::memory_order_relaxed);
    if (cfg.expiry.close_sessions == config::expiry_close::user) out.close_sessions(user, "session expired");
  }

  // --- sweep mode --------------------------------------------------------

  bool sweeping() const { return cfg.expiry.tracking == config::expiry_tracking::sweep; }

  // Runs fn on one node per period: whoever takes the lock.
  void on_one_node(const std::string& lock, std::uint32_t period_ms, std::function<void()> fn) {
    if (!cmd_up) return;
    cmd->command({"SET", lock_prefix + lock, out.node_id(), "NX", "PX", std::to_string(period_ms)},
                 [fn = std::move(fn)](redis::reply r) {
                   if (r.type == redis::reply::kind::status) fn();
                 });
  }

  void arm_scan() {
    scan_timer.expires_after(milliseconds(cfg.expiry.scan_ms));
    scan_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      on_one_node("!scan", cfg.expiry.scan_ms, [this] { scan("0"); });
      arm_scan();
    });
  }

  // Records every watched key's expiry time; a renewed token moves.
  void scan(const std::string& cursor) {
    cmd->command({"SCAN", cursor, "MATCH", keys.scan_pattern(), "COUNT", std::to_string(scan_count)},
                 [this](redis::reply r) {
                   if (r.is_error() || r.elements.size() != 2) return;
                   for (const auto& k : r.elements[1].elements) {
                     if (!keys.user_of(k.str)) continue;
                     cmd->command({"PEXPIRETIME", k.str}, [this, key = k.str](redis::reply t) {
                       if (t.type == redis::reply::kind::integer && t.integer > 0) {
                         cmd->command({"ZADD", tracked, std::to_string(t.integer), key});
                       }
                     });
                   }
                   if (r.elements[0].str != "0") scan(r.elements[0].str);
                 });
  }

  void arm_sweep() {
    sweep_timer.expires_after(milliseconds(cfg.expiry.sweep_ms));
    sweep_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      on_one_node("!sweep", cfg.expiry.sweep_ms, [this] { sweep(); });
      arm_sweep();
    });
  }

  void sweep() {
    cmd->command({"ZRANGEBYSCORE", tracked, "-inf", std::to_string(now_unix_ms()), "LIMIT", "0", std::to_string(sweep_batch)},
                 [this](redis::reply r) {
                   for (const auto& k : r.elements) check_tracked(k.str);
                 });
  }

  void check_tracked(const std::string& key) {
    cmd->command({"PEXPIRETIME", key}, [this, key](redis::reply t) {
      if (t.type != redis::reply::kind::integer) return;
      if (t.integer == -2) {  // gone, and no event told us (or it is on its way: the lock decides)
        auto user = keys.user_of(key);
        if (user) return expired(key, *user, true);
        cmd->command({"ZREM", tracked, key});
      } else if (t.integer == -1) {  // persisted: no longer expires
        cmd->command({"ZREM", tracked, key});
      } else if (t.integer > now_unix_ms()) {  // renewed
        cmd->command({"ZADD", tracked, std::to_string(t.integer), key});
      }
    });
  }

  // --- lifetime ----------------------------------------------------------

  void start() {
    asio::post(loop.context(), [this] {
      cmd->start();
      sub->subscribe(channel);
      sub->start();
      if (sweeping()) {
        arm_scan();
        arm_sweep();
      }
    });
    loop.start();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    asio::post(loop.context(), [this] {
      scan_timer.cancel();
      sweep_timer.cancel();
      sub->stop();
      cmd->stop();
    });
    loop.join();
    stats.up = false;
  }

  const config::source& cfg;
  sink& out;
  expiry_keys keys;
  std::string channel, lock_prefix, tracked;
  source_stats stats;
  backplane::loop loop;
  std::unique_ptr<redis::client> cmd;
  std::unique_ptr<redis::subscriber> sub;
  asio::steady_timer sweep_timer, scan_timer;
  bool cmd_up = false, sub_up = false, events_ok = false, ever_up = false, stopped = false;
};

redis_expiry::redis_expiry(const config::source& cfg, sink& out) : impl_(std::make_unique<impl>(cfg, out)) {}
redis_expiry::~redis_expiry() { stop(); }
void redis_expiry::start() { impl_->start(); }
void redis_expiry::stop() { impl_->stop(); }
const std::string& redis_expiry::name() const { return impl_->cfg.name; }
const source_stats& redis_expiry::stats() const { return impl_->stats; }

}  // namespace herald::sources

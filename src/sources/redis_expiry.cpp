#include "sources/redis_expiry.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>

#include "backplane/loop.hpp"
#include "redis/client.hpp"
#include "redis/cluster_map.hpp"
#include "redis/cluster_topology.hpp"
#include "redis/make_links.hpp"
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

// One Redis server whose expiry events are watched (the server, or each
// master of a cluster): a subscriber to its keyevent channel and a client
// for CONFIG and SCAN there.
struct server_watch {
  std::unique_ptr<redis::client> cmd;
  std::unique_ptr<redis::subscriber> sub;
  bool cmd_up = false, sub_up = false, events_ok = false, retired = false;
  bool scanning = false;  // one SCAN walk at a time
  bool up() const { return cmd_up && sub_up && events_ok; }
};

struct redis_expiry::impl {
  impl(const config::source& c, sink& s) : cfg(c), out(s), keys(c.expiry), sweep_timer(loop.context()), scan_timer(loop.context()) {
    std::string why;
    base.where = *redis::parse_url(c.url, &why);  // checked at load
    base.client_name = "herald-" + s.node_id() + "-expiry";
    channel = "__keyevent@" + std::to_string(base.where.db) + "__:expired";
    lock_prefix = c.expiry.lock_prefix;
    tracked = lock_prefix + "!tracked";
    redis::topology t;
    t.server = base.where;
    for (const auto& seed : c.expiry.cluster_nodes) {
      auto a = *redis::parse_host_port(seed, &why);
      // Cluster nodes share the credentials given in the URL.
      a.user = base.where.user;
      a.password = base.where.password;
      t.cluster_seeds.push_back(std::move(a));
    }
    // Locks and the tracked set: routed by key on a cluster.
    cmd = redis::make_command_link(loop.context(), t, base, [this](bool up) { on_lock_link(up); });
    if (t.is_cluster()) {
      topo = std::make_unique<redis::cluster_topology>(loop.context(), t.cluster_seeds, base,
                                                      [this](const redis::cluster_map& m) { on_map(m); });
    }
  }

  // --- connection state -------------------------------------------------

  void on_lock_link(bool up) {
    if (!up && cmd_up) stats.reconnects.fetch_add(1, std::memory_order_relaxed);
    cmd_up = up;
    publish_state();
  }

  // Keyspace events are per server: on a cluster, every master is watched,
  // and the set follows failovers and resharding.
  void on_map(const redis::cluster_map& m) {
    std::map<std::string, redis::address> now;
    for (const auto& a : m.masters()) now.emplace(endpoint(a), a);
    for (auto it = watches.begin(); it != watches.end();) {
      if (now.contains(it->first)) {
        ++it;
        continue;
      }
      spdlog::info("source {}: {} is no longer a master; not watched", cfg.name, it->first);
      // Out of the map first: stopping reports state, which walks the map.
      auto gone = std::move(it->second);
      it = watches.erase(it);
      retire(std::move(gone));
    }
    for (const auto& [name, a] : now) {
      if (!watches.contains(name)) watch(a);
    }
    publish_state();
  }

  void watch(const redis::address& where) {
    auto w = std::make_unique<server_watch>();
    auto* raw = w.get();
    redis::link_options o = base;
    o.where = where;
    w->cmd = std::make_unique<redis::client>(loop.context(), o, [this, raw](bool up) {
      raw->cmd_up = up;
      if (up) {
        check_events(*raw);
      } else {
        raw->events_ok = false;
        // Maybe a failover: learn the new master soon, not in 10 s.
        if (topo && !raw->retired) topo->refresh();
      }
      publish_state();
    });
    w->sub = std::make_unique<redis::subscriber>(
        loop.context(), o, milliseconds(0), false,
        [this](std::string_view, std::string_view key) { on_expired_event(key); },
        [this, raw](bool up) {
          raw->sub_up = up;
          publish_state();
        });
    w->cmd->start();
    w->sub->subscribe(channel);
    w->sub->start();
    watches.emplace(endpoint(where), std::move(w));
  }

  // A watch may be reporting from inside its own handlers: stop it now,
  // free it once they unwind.
  void retire(std::unique_ptr<server_watch> w) {
    w->retired = true;
    w->sub->stop();
    w->cmd->stop();
    asio::post(loop.context(), [w = std::move(w)] {});
  }

  void publish_state() {
    bool up = cmd_up && !watches.empty();
    for (const auto& [_, w] : watches) up = up && w->up();
    if (up != stats.up.load()) {
      if (up) {
        spdlog::info("source {}: watching {} on {} server(s) for keys under '{}'", cfg.name, channel, watches.size(),
                     cfg.expiry.key_prefix);
      } else if (ever_up) {
        spdlog::warn("source {}: a Redis link is down; expiries meanwhile are {}", cfg.name,
                     sweeping() ? "found by the sweeper later" : "missed (tracking: events)");
      }
      ever_up = ever_up || up;
    }
    stats.up = up;
    if (topo) topo->set_degraded(!up);
  }

  static std::string endpoint(const redis::address& a) { return a.host + ":" + std::to_string(a.port); }

  // Keyspace events are off by default in Redis: turn them on, or refuse.
  // A reply made up locally (the connection dropped, the watch retired or
  // stopping) says nothing about the server; the next connect asks again.
  bool from_server(const server_watch& w, const redis::reply& r) const {
    return !stopped && !w.retired && !(r.is_error() && r.str.starts_with("connection lost"));
  }

  void check_events(server_watch& w) {
    w.cmd->command({"CONFIG", "GET", "notify-keyspace-events"}, [this, &w](redis::reply r) {
      if (!from_server(w, r)) return;
      if (r.is_error() || r.elements.size() != 2) {
        spdlog::warn("source {}: cannot read notify-keyspace-events ({}); it must contain 'Ex'", cfg.name,
                     r.is_error() ? r.str : "unexpected reply");
        return events_ready(w);
      }
      const std::string current = r.elements[1].str;
      const std::string add = missing_flags(current);
      if (add.empty()) return events_ready(w);
      const std::string wanted = current + add;
      if (!cfg.expiry.configure_events) {
        return out.fatal("source " + cfg.name + ": Redis has notify-keyspace-events '" + current +
                         "', without expiry events; set `notify-keyspace-events " + wanted +
                         "` in redis.conf (or CONFIG SET), or allow sources[].configure_events");
      }
      w.cmd->command({"CONFIG", "SET", "notify-keyspace-events", wanted}, [this, &w, wanted](redis::reply set) {
        if (!from_server(w, set)) return;
        if (set.is_error()) {
          return out.fatal("source " + cfg.name + ": cannot enable expiry events (CONFIG SET notify-keyspace-events " +
                           wanted + " answered " + set.str + "); set it in redis.conf");
        }
        spdlog::info("source {}: enabled keyspace expiry events (notify-keyspace-events {})", cfg.name, wanted);
        events_ready(w);
      });
    });
  }

  void events_ready(server_watch& w) {
    w.events_ok = true;
    publish_state();
    // Tracking starts with a scan as soon as Redis is there.
    if (sweeping()) on_one_node("!scan", cfg.expiry.scan_ms, [this] { scan_all(); });
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
          if (r.is_nil()) {
            stats.locks_lost.fetch_add(1, std::memory_order_relaxed);
            if (sweeping()) cmd->command({"ZREM", tracked, key});
            return;
          }
          stats.locks_won.fetch_add(1, std::memory_order_relaxed);
          if (swept) stats.swept.fetch_add(1, std::memory_order_relaxed);
          if (notify(user)) {
            if (sweeping()) cmd->command({"ZREM", tracked, key});
          } else {
            // Not published (backplane outage): give the expiry back, so
            // the sweeper (tracking: sweep) tries again.
            cmd->command({"DEL", lock_prefix + key});
          }
        });
    if (!sent) spdlog::warn("source {}: expiry of '{}' dropped: Redis queue full", cfg.name, key);
  }

  // false: not published now, worth another try.
  bool notify(const std::string& user) {
    auto m = map_user_event(cfg.map, user, fill_user(cfg.expiry.notice, user));
    if (!m.error.empty()) {
      stats.unmapped.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("source {}: expiry of user '{}' not mapped: {}", cfg.name, user, m.error);
      return true;  // a retry maps no better
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
    if (!ok) return false;
    stats.published.fetch_add(1, std::memory_order_relaxed);
    if (cfg.expiry.close_sessions == config::expiry_close::user) out.close_sessions(user, "session expired");
    return true;
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
      on_one_node("!scan", cfg.expiry.scan_ms, [this] { scan_all(); });
      arm_scan();
    });
  }

  // SCAN walks one server's keys: every master of a cluster.
  void scan_all() {
    for (auto& [_, w] : watches) {
      if (w->cmd_up && !w->scanning) {
        w->scanning = true;
        scan(*w, "0");
      }
    }
  }

  // Records every watched key's expiry time; a renewed token moves. The
  // watch outlives the walk: a retired one is freed only after its stop(),
  // which answers pending commands with errors first.
  void scan(server_watch& w, const std::string& cursor) {
    w.cmd->command({"SCAN", cursor, "MATCH", keys.scan_pattern(), "COUNT", std::to_string(scan_count)},
               [this, &w](redis::reply r) {
                 if (r.is_error() || r.elements.size() != 2 || w.retired) {
                   w.scanning = false;
                   return;
                 }
                 for (const auto& k : r.elements[1].elements) {
                   if (!keys.user_of(k.str)) continue;
                   cmd->command({"PEXPIRETIME", k.str}, [this, key = k.str](redis::reply t) {
                     if (t.type == redis::reply::kind::integer && t.integer > 0) {
                       cmd->command({"ZADD", tracked, std::to_string(t.integer), key});
                     }
                   });
                 }
                 if (r.elements[0].str != "0") return scan(w, r.elements[0].str);
                 w.scanning = false;
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
      if (topo) {
        topo->start();
      } else {
        watch(base.where);
      }
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
      if (topo) topo->stop();
      for (auto& [_, w] : watches) {
        w->sub->stop();
        w->cmd->stop();
      }
      cmd->stop();
    });
    loop.join();
    stats.up = false;
  }

  const config::source& cfg;
  sink& out;
  expiry_keys keys;
  redis::link_options base;
  std::string channel, lock_prefix, tracked;
  source_stats stats;
  backplane::loop loop;
  std::unique_ptr<redis::command_link> cmd;
  std::unique_ptr<redis::cluster_topology> topo;
  std::map<std::string, std::unique_ptr<server_watch>> watches;  // by host:port
  asio::steady_timer sweep_timer, scan_timer;
  bool cmd_up = false, ever_up = false, stopped = false;
};

redis_expiry::redis_expiry(const config::source& cfg, sink& out) : impl_(std::make_unique<impl>(cfg, out)) {}
redis_expiry::~redis_expiry() { stop(); }
void redis_expiry::start() { impl_->start(); }
void redis_expiry::stop() { impl_->stop(); }
const std::string& redis_expiry::name() const { return impl_->cfg.name; }
const source_stats& redis_expiry::stats() const { return impl_->stats; }

}  // namespace herald::sources

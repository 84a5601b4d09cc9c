#include "backplane/redis_directory.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <unordered_set>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace herald::backplane {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Fields per HSET/HDEL: one command per batch, bounded in size.
constexpr std::size_t batch = 500;

// Online/offline detection, atomic in Redis: a set per online user holds
// the nodes with a session of theirs; the first node in and the last one
// out are told (1).
constexpr const char* join_script =
    "if redis.call('SADD', KEYS[1], ARGV[1]) == 1 and redis.call('SCARD', KEYS[1]) == 1 then return 1 end return 0";
constexpr const char* leave_script =
    "if redis.call('SREM', KEYS[1], ARGV[1]) == 1 and redis.call('SCARD', KEYS[1]) == 0 then return 1 end return 0";

// A dead node's presence outlives its registry entry this many times over,
// so the node that notices the death can still read whom it held.
constexpr int presence_ttl_factor = 3;

std::string to_json(const core::node_entry& n) {
  return json::serialize(json::object{{"id", n.id},
                                      {"version", n.version},
                                      {"listen", n.listen},
                                      {"started_unix_ms", n.started_unix_ms},
                                      {"connections", n.connections},
                                      {"sessions", n.sessions},
                                      {"users", n.users}});
}

std::optional<core::node_entry> from_json(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  core::node_entry n;
  auto str = [&](const char* k, std::string& out) {
    if (auto* p = o.if_contains(k); p && p->is_string()) out = std::string(p->as_string());
  };
  auto num = [&](const char* k, std::int64_t& out) {
    if (auto* p = o.if_contains(k); p && p->is_int64()) out = p->as_int64();
  };
  str("id", n.id);
  str("version", n.version);
  str("listen", n.listen);
  num("started_unix_ms", n.started_unix_ms);
  num("connections", n.connections);
  num("sessions", n.sessions);
  num("users", n.users);
  if (n.id.empty()) return std::nullopt;
  return n;
}

std::uint32_t count_of(const std::string& s) {
  try {
    auto v = std::stoll(s);
    return v > 0 ? static_cast<std::uint32_t>(v) : 0;
  } catch (...) {
    return 0;
  }
}

}  // namespace

redis_directory::redis_directory(loop& l, redis_directory_options o, core::registry& r,
                                 std::function<core::node_entry()> self)
    : loop_(l),
      o_(std::move(o)),
      registry_(r),
      self_(std::move(self)),
      heartbeat_timer_(l.context()) {
  auto link = o_.link;
  link.client_name = "herald-" + o_.node_id + "-directory";
  client_ = redis::make_command_link(l.context(), o_.where, std::move(link), [this](bool up) { on_link(up); });
  // Presence reaches Redis one loop turn after a CONNECT, not a timer tick
  // later: the cluster-wide per-user limit reads it.
  registry_.track_changes([this] {
    if (flush_posted_.exchange(true)) return;
    asio::post(loop_.context(), [this] {
      flush_posted_ = false;
      if (!stopped_) flush_changes();
    });
  });
}

redis_directory::~redis_directory() = default;

void redis_directory::start() {
  asio::post(loop_.context(), [this] {
    client_->start();
    arm(heartbeat_timer_, o_.heartbeat, &redis_directory::heartbeat);
  });
}

void redis_directory::stop() {
  auto left = std::make_shared<std::promise<void>>();
  auto done = left->get_future();
  asio::post(loop_.context(), [this, left] {
    if (stopped_) return left->set_value();
    stopped_ = true;
    heartbeat_timer_.cancel();
    if (!client_->up()) {
      client_->stop();
      return left->set_value();
    }
    // Leave at once rather than after the TTL: a drained node is gone.
    client_->command({"SREM", nodes_key(), o_.node_id});
    client_->command({"DEL", node_key(o_.node_id), presence_key(o_.node_id)}, [this, left](redis::reply) {
      client_->stop();
      left->set_value();
    });
  });
  // Bounded: a Redis that does not answer must not hold up the exit; the
  // entries then expire on their own.
  done.wait_for(std::chrono::seconds(1));
}

void redis_directory::arm(asio::steady_timer& t, std::chrono::milliseconds every, void (redis_directory::*tick)()) {
  t.expires_after(every);
  t.async_wait([this, &t, every, tick](boost::system::error_code ec) {
    if (ec || stopped_) return;
    (this->*tick)();
    arm(t, every, tick);
  });
}

void redis_directory::on_link(bool up) {
  if (up && !stopped_) resync();
}

void redis_directory::heartbeat() {
  if (!client_->up()) return;
  client_->command({"SET", node_key(o_.node_id), to_json(self_()), "PX", std::to_string(o_.node_ttl.count())});
  client_->command({"SADD", nodes_key(), o_.node_id});
  client_->command({"PEXPIRE", presence_key(o_.node_id), presence_ttl()});
  sweep();
}

std::string redis_directory::presence_ttl() const {
  return std::to_string(presence_ttl_factor * o_.node_ttl.count());
}

void redis_directory::sweep() {
  // Nodes whose entry lapsed: one node (whoever removes the id first) ends
  // their users' presence, telling who went offline with them.
  client_->command({"SMEMBERS", nodes_key()}, [this](redis::reply ids) {
    if (ids.type != redis::reply::kind::array || ids.elements.empty()) return;
    std::vector<std::string> args{"MGET"};
    for (const auto& id : ids.elements) args.push_back(node_key(id.str));
    client_->command(std::move(args), [this, ids = std::move(ids)](redis::reply nodes) {
      if (nodes.type != redis::reply::kind::array || nodes.elements.size() != ids.elements.size()) return;
      for (std::size_t i = 0; i < ids.elements.size(); ++i) {
        if (nodes.elements[i].is_nil()) bury(ids.elements[i].str);
      }
    });
  });
}

void redis_directory::bury(const std::string& dead) {
  client_->command({"SREM", nodes_key(), dead}, [this, dead](redis::reply won) {
    if (won.integer != 1) return;
    client_->command({"HKEYS", presence_key(dead)}, [this, dead](redis::reply users) {
      if (users.type == redis::reply::kind::array) {
        for (const auto& u : users.elements) leave(u.str, dead);
      }
      client_->command({"DEL", presence_key(dead)});
    });
  });
}

void redis_directory::join(const std::string& user, bool tell) {
  if (!o_.on_presence) return;
  client_->command({"EVAL", join_script, "1", where_key(user), o_.node_id}, [this, user, tell](redis::reply r) {
    if (tell && r.integer == 1) o_.on_presence(user, true);
  });
}

void redis_directory::leave(const std::string& user, const std::string& node) {
  if (!o_.on_presence) return;
  client_->command({"EVAL", leave_script, "1", where_key(user), node}, [this, user](redis::reply r) {
    if (r.integer == 1) o_.on_presence(user, false);
  });
}

void redis_directory::resync() {
  // Changes recorded so far are part of the snapshot; later ones flush.
  registry_.take_changes();
  auto all = registry_.snapshot();
  // Users an earlier run of this node left behind (a restart under the
  // same node.id) are offline unless they are here now. Users here now are
  // marked present without an event: after a Redis restart they were
  // online all along.
  if (o_.on_presence) {
    auto here = std::make_shared<std::unordered_set<std::string>>();
    for (const auto& [user, n] : all) here->insert(user);
    client_->command({"HKEYS", presence_key(o_.node_id)}, [this, here](redis::reply old) {
      if (old.type != redis::reply::kind::array) return;
      for (const auto& u : old.elements) {
        if (!here->contains(u.str)) leave(u.str, o_.node_id);
      }
    });
    for (const auto& [user, n] : all) join(user, false);
  }
  client_->command({"DEL", presence_key(o_.node_id)});
  for (std::size_t i = 0; i < all.size(); i += batch) {
    std::vector<std::string> args{"HSET", presence_key(o_.node_id)};
    for (std::size_t j = i; j < all.size() && j < i + batch; ++j) {
      args.push_back(all[j].first);
      args.push_back(std::to_string(all[j].second));
    }
    client_->command(std::move(args));
  }
  heartbeat();
}

void redis_directory::flush_changes() {
  if (!client_->up()) return;  // the resync after reconnecting covers them
  auto changes = registry_.take_changes();
  if (changes.empty()) return;
  std::vector<std::string> set{"HSET", presence_key(o_.node_id)}, del{"HDEL", presence_key(o_.node_id)};
  auto send = [this](std::vector<std::string>& args) {
    if (args.size() > 2) client_->command(args);
    args.resize(2);
  };
  for (auto& [user, n] : changes) {
    if (n) {
      set.push_back(user);
      set.push_back(std::to_string(n));
    } else {
      del.push_back(user);
    }
    if (set.size() >= 2 + 2 * batch) send(set);
    if (del.size() >= 2 + batch) send(del);
  }
  send(set);
  send(del);
  // A hash created by this HSET has no TTL yet.
  client_->command({"PEXPIRE", presence_key(o_.node_id), presence_ttl()});
  for (const auto& [user, n] : changes) n ? join(user, true) : leave(user, o_.node_id);
}

template <class T, class F>
void redis_directory::with_nodes(done_fn<T> done, F f) {
  asio::post(loop_.context(), [this, done = std::move(done), f = std::move(f)]() mutable {
    // Fail fast rather than queue a query behind a reconnect.
    if (!client_->up() || stopped_) return done(std::nullopt);
    client_->command({"SMEMBERS", nodes_key()}, [done = std::move(done), f = std::move(f)](redis::reply r) mutable {
      if (r.type != redis::reply::kind::array) return done(std::nullopt);
      std::vector<std::string> ids;
      for (auto& e : r.elements) ids.push_back(std::move(e.str));
      std::sort(ids.begin(), ids.end());
      f(std::move(ids), std::move(done));
    });
  });
}

void redis_directory::nodes(done_fn<std::vector<core::node_entry>> done) {
  with_nodes(std::move(done), [this](std::vector<std::string> ids, done_fn<std::vector<core::node_entry>> done) {
    if (ids.empty()) return done(std::vector<core::node_entry>{});
    std::vector<std::string> args{"MGET"};
    for (const auto& id : ids) args.push_back(node_key(id));
    client_->command(std::move(args), [this, ids, done = std::move(done)](redis::reply r) {
      if (r.type != redis::reply::kind::array || r.elements.size() != ids.size()) return done(std::nullopt);
      std::vector<core::node_entry> out;
      // Lapsed entries are nodes that died; sweep() buries them.
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (auto n = r.elements[i].is_nil() ? std::nullopt : from_json(r.elements[i].str)) out.push_back(std::move(*n));
      }
      done(std::move(out));
    });
  });
}

void redis_directory::presence(const std::string& user, done_fn<core::user_presence> done) {
  with_nodes(std::move(done), [this, user](std::vector<std::string> ids, done_fn<core::user_presence> done) {
    struct gather {
      core::user_presence p;
      std::size_t left;
      bool failed = false;
      done_fn<core::user_presence> done;
    };
    auto g = std::make_shared<gather>(gather{{user, 0, {}}, ids.size(), false, std::move(done)});
    if (ids.empty()) return g->done(std::move(g->p));
    for (const auto& id : ids) {
      client_->command({"HGET", presence_key(id), user}, [g, id](redis::reply r) {
        if (r.is_error()) g->failed = true;
        if (auto n = r.type == redis::reply::kind::string ? count_of(r.str) : 0) {
          g->p.nodes.emplace_back(id, n);
          g->p.sessions += n;
        }
        if (--g->left == 0) g->failed ? g->done(std::nullopt) : g->done(std::move(g->p));
      });
    }
  });
}

void redis_directory::presence_page(const std::string& after, std::size_t limit, done_fn<core::presence_page> done) {
  with_nodes(std::move(done), [this, after, limit](std::vector<std::string> ids, done_fn<core::presence_page> done) {
    struct gather {
      std::map<std::string, core::user_presence> users;
      std::size_t left;
      bool failed = false;
      done_fn<core::presence_page> done;
    };
    auto g = std::make_shared<gather>(gather{{}, ids.size(), false, std::move(done)});
    auto finish = [after, limit](gather& g) {
      if (g.failed) return g.done(std::nullopt);
      std::vector<core::user_presence> sorted;
      sorted.reserve(g.users.size());
      for (auto& [_, p] : g.users) sorted.push_back(std::move(p));
      g.done(core::page_of(std::move(sorted), after, limit));
    };
    if (ids.empty()) return finish(*g);
    for (const auto& id : ids) {
      client_->command({"HGETALL", presence_key(id)}, [g, id, finish](redis::reply r) {
        if (r.type != redis::reply::kind::array) {
          g->failed = true;
        } else {
          for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
            auto n = count_of(r.elements[i + 1].str);
            if (!n) continue;
            auto& p = g->users[r.elements[i].str];
            p.user = r.elements[i].str;
            p.sessions += n;
            p.nodes.emplace_back(id, n);
          }
        }
        if (--g->left == 0) finish(*g);
      });
    }
  });
}

void redis_directory::claim_sockjs(const std::string& session, done_fn<std::string> done) {
  asio::post(loop_.context(), [this, session, done = std::move(done)] {
    if (!client_->up() || stopped_) return done(std::nullopt);
    const auto ttl = std::to_string(o_.sockjs_ttl.count());
    // SET NX GET would do it in one step (Redis 7); two keep Redis 6 usable.
    client_->command({"SET", sockjs_key(session), o_.node_id, "NX", "PX", ttl}, [this, session, done](redis::reply r) {
      if (r.is_error()) return done(std::nullopt);
      if (!r.is_nil()) return done(o_.node_id);
      client_->command({"GET", sockjs_key(session)}, [this, done](redis::reply owner) {
        if (owner.is_error()) return done(std::nullopt);
        // Lapsed between the two commands: ours to take next time.
        done(owner.is_nil() ? o_.node_id : owner.str);
      });
    });
  });
}

void redis_directory::locate_sockjs(const std::string& session, done_fn<std::string> done) {
  asio::post(loop_.context(), [this, session, done = std::move(done)] {
    if (!client_->up() || stopped_) return done(std::nullopt);
    client_->command({"GET", sockjs_key(session)}, [done](redis::reply r) {
      if (r.is_error()) return done(std::nullopt);
      done(r.is_nil() ? std::string() : r.str);
    });
  });
}

void redis_directory::touch_sockjs(const std::string& session) {
  asio::post(loop_.context(), [this, session] {
    if (!client_->up() || stopped_) return;
    client_->command({"SET", sockjs_key(session), o_.node_id, "PX", std::to_string(o_.sockjs_ttl.count())});
  });
}

void redis_directory::release_sockjs(const std::string& session) {
  asio::post(loop_.context(), [this, session] {
    if (!client_->up() || stopped_) return;
    client_->command({"DEL", sockjs_key(session)});
  });
}

}  // namespace herald::backplane

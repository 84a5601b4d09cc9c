// The cluster directory kept in Redis. Each node owns two keys, both
// expiring unless refreshed every heartbeat, so a node that dies takes
// its entries with it after cluster.node_ttl_ms:
//   <prefix>node:<id>      JSON: id, version, listen, started, counts
//   <prefix>presence:<id>  hash: user -> sessions on that node (TTL 3× longer,
//                          so whoever buries a dead node can read it)
// and belongs to the set <prefix>nodes (pruned lazily by readers). Local
// registry changes are mirrored in batches, one loop turn after they happen; after every (re)connect the
// whole local state is written afresh, so a Redis restart heals itself.
// Everything runs on the backplane loop; queries answer there.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "backplane/loop.hpp"
#include "core/directory.hpp"
#include "core/registry.hpp"
#include "redis/links.hpp"
#include "redis/make_links.hpp"

namespace herald::backplane {

struct redis_directory_options {
  redis::topology where;
  redis::link_options link;
  std::string prefix = "herald:";
  std::string node_id;
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds node_ttl{5000};
  std::chrono::milliseconds sockjs_ttl{60000};  // a SockJS session key lapses unless touched
  // Told when a user's first session in the cluster opens (true) or the
  // last one closes (false), on the loop thread; empty: not tracked.
  std::function<void(const std::string& user, bool online)> on_presence{};
};

class redis_directory final : public core::directory {
 public:
  redis_directory(loop& l, redis_directory_options o, core::registry& r, std::function<core::node_entry()> self);
  ~redis_directory() override;

  void start() override;
  // Removes this node's entries and closes the link; waits up to a
  // second for Redis. Not on the loop's thread.
  void stop() override;

  void nodes(done_fn<std::vector<core::node_entry>> done) override;
  void presence(const std::string& user, done_fn<core::user_presence> done) override;
  void presence_page(const std::string& after, std::size_t limit, done_fn<core::presence_page> done) override;
  void claim_sockjs(const std::string& session, done_fn<std::string> done) override;
  void locate_sockjs(const std::string& session, done_fn<std::string> done) override;
  void touch_sockjs(const std::string& session) override;
  void release_sockjs(const std::string& session) override;

 private:
  void on_link(bool up);
  void heartbeat();
  void flush_changes();
  void resync();
  std::string presence_ttl() const;
  // Ends the entries of nodes that died; runs with every heartbeat.
  void sweep();
  void bury(const std::string& dead);
  // A user's first session on this node (tell: report an online event),
  // and the last one on `node`.
  void join(const std::string& user, bool tell);
  void leave(const std::string& user, const std::string& node);
  void arm(boost::asio::steady_timer& t, std::chrono::milliseconds every, void (redis_directory::*tick)());
  // SMEMBERS of the node set, then f(ids) — or done(nullopt) on failure.
  template <class T, class F>
  void with_nodes(done_fn<T> done, F f);

  // On a Redis Cluster the directory's keys share one hash slot ("{prefix}")
  // so that MGET and multi-key DEL stay legal.
  std::string key(std::string_view rest) const {
    return (o_.where.is_cluster() ? "{" + o_.prefix + "}" : o_.prefix) + std::string(rest);
  }
  std::string node_key(const std::string& id) const { return key("node:" + id); }
  std::string presence_key(const std::string& id) const { return key("presence:" + id); }
  std::string nodes_key() const { return key("nodes"); }
  // One set per online user (the nodes holding them), when events are on.
  std::string where_key(const std::string& user) const { return key("where:" + user); }
  // Not hash-tagged: one key per session, spread over the cluster's slots.
  std::string sockjs_key(const std::string& session) const { return o_.prefix + "sockjs:" + session; }

  loop& loop_;
  redis_directory_options o_;
  core::registry& registry_;
  std::function<core::node_entry()> self_;
  std::unique_ptr<redis::command_link> client_;
  boost::asio::steady_timer heartbeat_timer_;
  std::atomic<bool> flush_posted_{false};
  bool stopped_ = false;
};

}  // namespace herald::backplane

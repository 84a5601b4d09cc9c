// A command link to a Redis Cluster: one connection per master, each
// command sent to the master serving the slot of its key (args[1], or the
// first key of EVAL/EVALSHA/FCALL: routing_key(); a command without one
// goes to any ready master). MOVED updates the slot
// map and resends, ASK resends once after ASKING, TRYAGAIN resends a
// little later — at most max_redirects times, then the error is the
// reply. CLUSTERDOWN (refused, not run: a failover under way) is retried
// every retry_every for up to clusterdown_budget. Commands wait in one
// bounded queue while their master is unknown or unreachable, and go out
// when it is back or the map names a new one (a failover). Commands in
// flight when a connection dies get an error reply (at-most-once), as
// with the single-server client.
//
// up(): the map covers all 16384 slots and every master's connection is
// ready — every key can be served now. on_state is told each change.
// Used only on its loop's thread.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/cluster_node.hpp"
#include "redis/cluster_topology.hpp"
#include "redis/links.hpp"
#include "redis/options.hpp"

namespace herald::redis {

class cluster_client final : public command_link {
 public:
  static constexpr int max_redirects = 5;
  static constexpr std::chrono::milliseconds retry_every{100};
  static constexpr std::chrono::milliseconds clusterdown_budget{5000};

  cluster_client(boost::asio::io_context& ioc, std::vector<address> seeds, link_options o,
                 std::function<void(bool up)> on_state = {}, cluster_timing timing = {});
  ~cluster_client() override;

  void start() override;
  void stop() override;
  bool command(std::vector<std::string> args, reply_fn done = {}) override;
  bool up() const override { return up_; }
  std::uint64_t reconnects() const override { return reconnects_; }
  std::size_t queued() const { return waiting_.size() + retrying_.size(); }

 private:
  struct request {
    std::vector<std::string> args;
    reply_fn done;
    int redirects = 0;
    std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
    std::optional<address> ask;  // send once to this node, after ASKING
  };
  using request_ptr = std::shared_ptr<request>;
  enum class outcome { sent, wait, full };

  outcome try_send(const request_ptr& r);
  void on_reply(const request_ptr& r, const address& from, reply rep);
  void resend(const request_ptr& r);
  void fail(const request_ptr& r, reply rep);
  void drain();
  void on_map(const cluster_map& m);
  cluster_node& node_for(const address& a);
  void update_state();
  void retry_later(const request_ptr& r);

  boost::asio::io_context& ioc_;
  link_options o_;
  std::function<void(bool)> on_state_;
  cluster_topology topology_;
  std::map<std::string, std::unique_ptr<cluster_node>> nodes_;  // by endpoint
  std::vector<cluster_node*> owners_;  // by index of the map's masters()
  std::deque<request_ptr> waiting_;
  std::vector<request_ptr> retrying_;  // TRYAGAIN, CLUSTERDOWN: resent when retry_ fires
  boost::asio::steady_timer retry_;
  std::uint64_t reconnects_ = 0;
  std::size_t next_any_ = 0;
  bool stopped_ = false, up_ = false, ever_up_ = false, retry_armed_ = false;
};

}  // namespace herald::redis

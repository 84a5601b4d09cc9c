// The slot map of a Redis Cluster, kept current: CLUSTER SLOTS asked of
// the known masters, then of the seed nodes, until one answers (over one
// connection kept open while its node is a master); asked
// again every 10 s, every second while the owner is degraded (a master
// unreachable: a failover is likely under way), and on demand (a MOVED, a
// lost connection) at most every 250 ms. MOVED redirects patch the map at
// once. Each link (command or pub/sub) keeps its own. Used only on its
// loop's thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/cluster_map.hpp"
#include "redis/connection.hpp"
#include "redis/options.hpp"

namespace herald::redis {

struct cluster_timing {
  std::chrono::milliseconds every{10000};       // while healthy
  std::chrono::milliseconds degraded{1000};     // while set_degraded(true)
  std::chrono::milliseconds min_interval{250};  // between two asks
};

class cluster_topology {
 public:
  // Told every new map (one that differs from the last).
  using map_fn = std::function<void(const cluster_map&)>;

  cluster_topology(boost::asio::io_context& ioc, std::vector<address> seeds, link_options o, map_fn on_map,
                   cluster_timing timing = {});
  ~cluster_topology();
  cluster_topology(const cluster_topology&) = delete;
  cluster_topology& operator=(const cluster_topology&) = delete;

  void start();
  void stop();

  // Ask again soon (at most every min_interval).
  void refresh();
  // A MOVED redirect: the slot is served by `where` from now on; tells
  // on_map when that changes the map. A refresh follows.
  void moved(std::uint16_t slot, const address& where);
  // Asks every `degraded` period rather than every `every`.
  void set_degraded(bool degraded);

  const std::optional<cluster_map>& map() const { return map_; }

 private:
  void ask_round();
  void ask(std::size_t i);
  void ask_kept();
  void arm_deadline(std::uint64_t id, std::size_t i);
  void drop_connection();
  void answered(std::size_t i, const reply& r);
  void failed(std::size_t i, const std::string& why);
  void round_failed();
  void schedule(std::chrono::milliseconds after);
  void publish(cluster_map m);

  boost::asio::io_context& ioc_;
  std::vector<address> seeds_;
  link_options o_;
  map_fn on_map_;
  cluster_timing timing_;
  backoff backoff_;
  boost::asio::steady_timer next_, deadline_;
  std::optional<cluster_map> map_;
  std::vector<address> candidates_;
  std::shared_ptr<connection> conn_;  // kept open after an answer
  address kept_;                      // where conn_ goes
  std::uint64_t attempt_ = 0;  // callbacks of older attempts are ignored
  std::chrono::steady_clock::time_point last_ask_{};
  std::chrono::steady_clock::time_point next_at_ = std::chrono::steady_clock::time_point::max();
  std::string last_error_;
  unsigned failed_rounds_ = 0;
  bool asking_ = false, again_ = false, degraded_ = false, stopped_ = false, started_ = false;
  std::shared_ptr<char> life_ = std::make_shared<char>();  // posted work checks it
};

}  // namespace herald::redis

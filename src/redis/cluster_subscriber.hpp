// A pub/sub link to a Redis Cluster with sharded pub/sub (Redis 7): each
// channel is SSUBSCRIBEd on the master serving its slot, over one
// subscriber connection per master. Same contract as subscriber: a wanted
// set, changes batched per loop turn (one SSUBSCRIBE per slot, as Redis
// requires), unsubscribes lingering. The link follows the cluster: when a
// slot moves (resharding: the old owner sends "sunsubscribe"; or a
// failover: the old owner's connection drops and the map names a new
// one) its channels are subscribed again where they are served now; a
// refused SSUBSCRIBE (MOVED, CLUSTERDOWN) is retried. Messages come as
// "smessage".
//
// up(): the map covers all 16384 slots and every master's connection is
// ready. Used only on its loop's thread.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/cluster_node.hpp"
#include "redis/cluster_topology.hpp"
#include "redis/links.hpp"
#include "redis/options.hpp"

namespace herald::redis {

class cluster_subscriber final : public pubsub_link {
 public:
  cluster_subscriber(boost::asio::io_context& ioc, std::vector<address> seeds, link_options o,
                     std::chrono::milliseconds linger, message_fn on_message,
                     std::function<void(bool up)> on_state = {}, cluster_timing timing = {});
  ~cluster_subscriber() override;

  void start() override;
  void stop() override;
  void subscribe(const std::string& channel) override;
  void unsubscribe(const std::string& channel) override;
  bool up() const override { return up_; }
  std::size_t channels() const override { return wanted_.size(); }
  std::uint64_t reconnects() const override { return reconnects_; }
  void on_channels(std::function<void(std::size_t)> f) override { on_channels_ = std::move(f); }

  // Channels subscribed (or being subscribed) on some master right now.
  std::size_t placed() const { return placed_.size(); }

 private:
  // A master and the (S)SUBSCRIBE commands sent on its current connection
  // whose per-channel confirmations are still due, in order: errors and
  // confirmations are told apart from Redis' own "sunsubscribe" pushes.
  struct shard {
    struct pending {
      bool subscribe;
      std::vector<std::string> channels;
      std::size_t confirmed = 0;
    };
    std::unique_ptr<cluster_node> node;
    std::deque<pending> sent;
  };
  // Per shard: channels to SUNSUBSCRIBE and to SSUBSCRIBE, by slot.
  using slot_groups = std::map<std::uint16_t, std::vector<std::string>>;
  using batch = std::map<shard*, std::pair<slot_groups, slot_groups>>;

  shard& shard_for(const address& a);
  shard* owner_of(std::string_view channel) const;
  void place(const std::string& channel, batch& b);
  void send(batch& b);
  void on_map(const cluster_map& m);
  void on_ready(shard& s);
  void on_down(shard& s);
  void on_push(shard& s, reply r);
  void on_error(shard& s, const std::string& error);
  bool confirm(shard& s, bool subscribe, const std::string& channel);
  void schedule_flush();
  void flush();
  void schedule_reconcile();
  void reconcile();
  void retry_later();
  void arm_linger();
  void update_state();

  boost::asio::io_context& ioc_;
  link_options o_;
  std::chrono::milliseconds linger_;
  message_fn on_message_;
  std::function<void(bool)> on_state_;
  std::function<void(std::size_t)> on_channels_;
  cluster_topology topology_;
  std::map<std::string, std::unique_ptr<shard>> shards_;  // by endpoint
  std::vector<shard*> owners_;                           // by index of the map's masters()
  boost::asio::steady_timer linger_timer_, retry_;

  std::unordered_set<std::string> wanted_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> leaving_;
  std::vector<std::string> to_add_, to_remove_;
  std::unordered_map<std::string, shard*> placed_;  // channel -> where it is SSUBSCRIBEd
  bool flush_posted_ = false, reconcile_posted_ = false, linger_armed_ = false, retry_armed_ = false;
  bool stopped_ = false, up_ = false, ever_up_ = false;
  std::uint64_t reconnects_ = 0;
  std::shared_ptr<char> life_ = std::make_shared<char>();  // posted work checks it
};

}  // namespace herald::redis

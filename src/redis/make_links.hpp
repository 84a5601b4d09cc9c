// Builds the links for the configured topology: one Redis server, or a
// Redis Cluster reached through its seed nodes (commands routed by slot,
// sharded pub/sub).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "redis/links.hpp"
#include "redis/options.hpp"

namespace herald::redis {

struct topology {
  address server;                      // single server (when seeds is empty)
  std::vector<address> cluster_seeds;  // non-empty: Redis Cluster
  bool is_cluster() const { return !cluster_seeds.empty(); }
};

std::unique_ptr<command_link> make_command_link(boost::asio::io_context& ioc, const topology& t, link_options o,
                                                std::function<void(bool up)> on_state = {});

std::unique_ptr<pubsub_link> make_pubsub_link(boost::asio::io_context& ioc, const topology& t, link_options o,
                                              std::chrono::milliseconds linger, pubsub_link::message_fn on_message,
                                              std::function<void(bool up)> on_state = {});

}  // namespace herald::redis

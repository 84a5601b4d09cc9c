#include "redis/make_links.hpp"

#include "redis/client.hpp"
#include "redis/cluster_client.hpp"
#include "redis/cluster_subscriber.hpp"
#include "redis/subscriber.hpp"

namespace herald::redis {

std::unique_ptr<command_link> make_command_link(boost::asio::io_context& ioc, const topology& t, link_options o,
                                                std::function<void(bool)> on_state) {
  if (t.is_cluster()) return std::make_unique<cluster_client>(ioc, t.cluster_seeds, std::move(o), std::move(on_state));
  o.where = t.server;
  return std::make_unique<client>(ioc, std::move(o), std::move(on_state));
}

std::unique_ptr<pubsub_link> make_pubsub_link(boost::asio::io_context& ioc, const topology& t, link_options o,
                                              std::chrono::milliseconds linger, pubsub_link::message_fn on_message,
                                              std::function<void(bool)> on_state) {
  if (t.is_cluster()) {
    return std::make_unique<cluster_subscriber>(ioc, t.cluster_seeds, std::move(o), linger, std::move(on_message),
                                                std::move(on_state));
  }
  o.where = t.server;
  return std::make_unique<subscriber>(ioc, std::move(o), linger, false, std::move(on_message), std::move(on_state));
}

}  // namespace herald::redis

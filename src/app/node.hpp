// The composition root: owns the config, the broker, the router, the
// publisher, the registry and the workers, wires them, runs until a signal
// and drains. Constructed and run on the main thread; the node_view
// methods are called by workers (thread-safe: they read atomics and
// thread-safe services only).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "api/node_view.hpp"
#include "backplane/loop.hpp"
#include "backplane/redis_auth.hpp"
#include "session/connect_services.hpp"
#include "redis/make_links.hpp"
#include "metrics/prometheus.hpp"
#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "core/broker.hpp"
#include "core/channels.hpp"
#include "core/directory.hpp"
#include "core/destinations.hpp"
#include "core/publisher.hpp"
#include "core/registry.hpp"
#include "core/router.hpp"
#include "net/shared.hpp"
#include "net/worker.hpp"
#include "sources/source.hpp"

namespace herald::app {

class node final : public api::node_view, public sources::sink {
 public:
  explicit node(config::config cfg);
  ~node() override;

  // Blocks until SIGINT/SIGTERM and the drain; returns the exit code.
  int run();

  std::string info_json() const override;
  std::string metrics_text() const override;
  bool ready() const override;
  void kick_user(const std::string& user, const std::string& reason) override;
  std::uint32_t local_sessions_of(const std::string& user) const override { return registry_.sessions_of(user); }
  core::directory& directory() override { return *directory_; }
  std::vector<std::pair<std::string, bool>> source_states() const override;

  // sources::sink
  core::publish_outcome publish(core::message_fields f, scope s) override;
  void close_sessions(const std::string& user, const std::string& reason) override;
  bool backplane_ready() const override { return broker_->state() == core::broker_state::ready; }
  const std::string& node_id() const override { return cfg_.node.id; }
  void fatal(const std::string& why) override;

 private:
  std::uint32_t effective_max_connections() const;
  boost::json::object broker_json() const;
  void write_backplane_metrics(metrics::text_writer& t) const;
  void on_backplane(const std::string& channel, const core::message_ptr& m);
  void on_control(const core::message& m);
  void publish_presence(const std::string& user, bool online);
  // A kick for every node; from: the node that applied it already (skips it).
  void publish_kick(const std::string& user, const std::string& reason, const std::string& from);
  redis::topology redis_topology() const;
  redis::link_options redis_link() const;
  std::unique_ptr<core::broker> make_broker();
  std::unique_ptr<core::directory> make_directory();
  core::node_entry self_entry() const;
  std::size_t thread_count() const;

  config::config cfg_;
  core::destination_rules rules_;
  std::unique_ptr<auth::authenticator> auth_;
  // Declared before the broker: the broker's Redis links live on its loop.
  backplane::loop backplane_loop_;
  std::unique_ptr<core::broker> broker_;
  std::vector<std::unique_ptr<net::worker>> workers_;
  std::unique_ptr<core::directory> directory_;
  std::unique_ptr<backplane::redis_auth> redis_auth_;
  std::unique_ptr<session::connect_services> services_;
  std::unique_ptr<core::router> router_;
  std::unique_ptr<core::publisher> publisher_;
  core::registry registry_;
  std::unique_ptr<net::node_shared> shared_;
  core::broker::message_handler local_delivery_;  // to this node's router, bypassing the broker
  std::vector<std::unique_ptr<sources::source>> sources_;
  std::atomic<int> exit_code_{0};
  std::vector<std::thread> threads_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point started_wall_ = std::chrono::system_clock::now();
  std::string listen_address_;  // host:port once bound
  std::string own_channel_ = core::node_channel(cfg_.node.id);  // messages for this node alone
};

}  // namespace herald::app

// What every worker shares with the node: read-only config and rules, and
// the thread-safe node-wide services. Owned by app::node, outlives workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/node_view.hpp"
#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "core/destinations.hpp"
#include "core/publisher.hpp"
#include "core/registry.hpp"
#include "core/directory.hpp"
#include "core/router.hpp"
#include "session/connect_services.hpp"

namespace herald::net {

struct node_shared {
  const config::config& cfg;
  const core::destination_rules& rules;
  const auth::authenticator& auth;
  core::publisher& publisher;
  core::registry& registry;
  core::router& router;
  api::node_view& node;
  std::uint32_t max_connections;  // effective: config clamped to RLIMIT_NOFILE
  std::atomic<std::uint32_t> connections{0};
  std::atomic<bool> draining{false};
  std::atomic<std::uint32_t> sockjs_sessions{0};  // HTTP-transport SockJS sessions, bounded by sockjs.max_sessions
  // Every worker, by index; filled before any runs. SockJS requests move
  // to the worker that owns their session.
  std::vector<class worker*> workers{};
  // Asynchronous CONNECT steps (auth.mode redis, cluster-wide per-user
  // limit); null when every CONNECT is decided locally.
  session::connect_services* services = nullptr;
  // A cluster: SockJS sessions may live on other nodes; find them here and
  // reach them with relay (a message on that node's channel).
  core::directory* sockjs_directory = nullptr;
  std::function<void(const std::string& node, core::message_ptr m)> relay{};
};

}  // namespace herald::net

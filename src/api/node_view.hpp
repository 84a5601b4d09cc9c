// What the HTTP API may ask of the running node. Implemented by app::node;
// every method is safe to call from any worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/directory.hpp"

namespace herald::api {

class node_view {
 public:
  virtual ~node_view() = default;
  virtual std::string info_json() const = 0;
  virtual std::string metrics_text() const = 0;
  // Ready: the backplane is up and the node is not draining.
  virtual bool ready() const = 0;
  // Asks every node of the cluster to close the user's sessions with an
  // ERROR carrying reason; returns before they are closed.
  virtual void kick_user(const std::string& user, const std::string& reason) = 0;
  // The user's sessions on this node alone, known without the backplane.
  virtual std::uint32_t local_sessions_of(const std::string& user) const = 0;
  // Nodes and presence, cluster-wide.
  virtual core::directory& directory() = 0;
  // Event sources by name: connected and consuming or not. Reported by
  // /readyz, which they do not gate: a RabbitMQ outage must not take the
  // node's clients away.
  virtual std::vector<std::pair<std::string, bool>> source_states() const { return {}; }
};

}  // namespace herald::api

// What the HTTP API may ask of the running node. Implemented by app::node;
// every method is safe to call from any worker thread.
#pragma once

#include <cstddef>
#include <string>

namespace herald::api {

class node_view {
 public:
  virtual ~node_view() = default;
  virtual std::string info_json() const = 0;
  virtual std::string metrics_text() const = 0;
  // Ready: the backplane is up and the node is not draining.
  virtual bool ready() const = 0;
  // Closes every local session of the user with an ERROR carrying reason;
  // returns how many sessions were asked to close.
  virtual std::size_t kick_user(const std::string& user, const std::string& reason) = 0;
};

}  // namespace herald::api

// Where each server expects subscribers and publishes, so scenarios stay
// server-agnostic: "subscriber i" and "a message to user k" become a STOMP
// destination or an nchan channel URL here and nowhere else.
#pragma once

#include "options.hpp"

#include <string>
#include <string_view>

namespace herald::bench {

enum class audience { one_topic, own_destination };

struct subscriber_spec {
  std::string ws_path;
  std::string login;
  std::string destination;  // empty for raw WebSocket (nchan)
};

class targets {
 public:
  explicit targets(const options& opts) : opts_(opts) {}

  bool stomp() const { return opts_.server != server_kind::nchan; }
  subscriber_spec subscriber(unsigned index, audience who) const;

  // Appends one publish of `body` as an HTTP request (herald's API, nchan's
  // publisher location) ...
  void append_http_publish(std::string& out, audience who, unsigned user, std::string_view body) const;
  // ... or returns the destination of a STOMP SEND.
  std::string send_destination(audience who, unsigned user) const;

  std::string host_header() const;

 private:
  const options& opts_;
};

}  // namespace herald::bench

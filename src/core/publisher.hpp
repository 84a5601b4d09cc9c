// The one entry point for everything that publishes: the HTTP API, client
// SENDs, the application webhook's replies and (later) event sources. It
// validates the request against the destination rules, encodes the message
// once and hands it to the broker. Thread-safe: any worker may call it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/broker.hpp"
#include "core/destinations.hpp"
#include "core/message.hpp"

namespace herald::core {

enum class publish_status { ok, bad_request, unavailable };

struct publish_outcome {
  publish_status status = publish_status::ok;
  std::string error;  // client-facing reason when not ok
  std::string message_id;
};

struct publish_stats {
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> unavailable{0};
};

class publisher {
 public:
  publisher(broker& b, const destination_rules& rules, std::string node_id);

  // Topic messages: destination must lie under a broker prefix.
  // User messages: destination is relative to the user and may be any
  // well-formed path.
  publish_outcome publish(message_fields fields);
  // The same checks and encoding, but handed to `local` (this node's
  // router) instead of the broker: for events every node receives a copy
  // of, which must not travel the backplane again.
  publish_outcome publish_local(message_fields fields, const broker::message_handler& local);

  const publish_stats& stats() const { return stats_; }

 private:
  std::string next_id();
  publish_outcome deliver(message_fields f, const broker::message_handler* local);

  broker& broker_;
  const destination_rules& rules_;
  std::string id_prefix_;
  std::atomic<std::uint64_t> seq_{0};
  publish_stats stats_;
};

// Header names and values that would corrupt a frame are refused rather
// than silently rewritten.
bool valid_header(std::string_view name, std::string_view value);

}  // namespace herald::core

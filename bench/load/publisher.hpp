// The publishing side of a round: M messages at a fixed rate or flat out,
// each stamped with its send time, through herald's or nchan's HTTP
// endpoint (keep-alive, up to `pipeline` requests in flight) or as STOMP
// SENDs over one WebSocket. Runs on its own io_context and thread so that
// subscriber work never delays a send.
#pragma once

#include "options.hpp"
#include "targets.hpp"

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

namespace herald::bench {

struct publish_job {
  std::uint32_t round = 0;
  std::uint64_t messages = 0;
  double rate = 0;  // messages/s, 0 = flat out
  std::size_t body_bytes = 0;
  audience who = audience::one_topic;
  unsigned users = 0;  // own_destination: targets are drawn uniformly from [0, users)
  unsigned window = 64;
};

struct publish_outcome {
  std::uint64_t sent = 0;
  std::uint64_t errors = 0;  // non-2xx answers, ERROR frames
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;  // last answer (HTTP) or last write (STOMP)
  std::string first_error;
};

class publisher {
 public:
  virtual ~publisher() = default;
  // Both callbacks run on the publisher's io_context.
  virtual void connect(std::function<void(std::string error)> done) = 0;
  virtual void run(const publish_job& job, std::function<void(publish_outcome)> done) = 0;
};

std::shared_ptr<publisher> make_http_publisher(boost::asio::io_context& ctx, const options& opts, const targets& where);
std::shared_ptr<publisher> make_stomp_publisher(boost::asio::io_context& ctx, const options& opts,
                                                const targets& where);

}  // namespace herald::bench

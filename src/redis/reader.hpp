// Incremental RESP parser over hiredis' reader: feed bytes as they arrive,
// take complete replies out. A protocol error is sticky: the connection
// that fed the bytes must be dropped.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "redis/reply.hpp"

struct redisReader;

namespace herald::redis {

class reader {
 public:
  reader();
  ~reader();
  reader(const reader&) = delete;
  reader& operator=(const reader&) = delete;

  // false on a protocol error (see error()).
  bool feed(std::string_view bytes);
  // The next complete reply, nullopt when more bytes are needed or on a
  // protocol error (error() is then non-empty).
  std::optional<reply> next();
  const std::string& error() const { return error_; }

 private:
  redisReader* r_;
  std::string error_;
};

}  // namespace herald::redis

// What a STOMP session needs from the connection carrying it. Each
// transport (WebSocket today; SockJS later) implements it, so one protocol
// engine serves every transport. Called only on the connection's worker
// thread.
#pragma once

#include <chrono>

#include "core/close_reason.hpp"

namespace herald::session {

class transport {
 public:
  // The session's outbox gained frames: start writing if not already.
  virtual void flush() = 0;
  // Write what is queued (an ERROR frame, a RECEIPT), then close. Idempotent.
  // May be called in the middle of a hub fan-out, so the transport must
  // defer tearing the session down to a later turn of its event loop.
  virtual void close(core::close_reason reason) = 0;
  // Replace the single pending deadline; the transport calls
  // session::on_timer when it passes.
  virtual void arm_timer(std::chrono::steady_clock::time_point at) = 0;

 protected:
  ~transport() = default;
};

}  // namespace herald::session

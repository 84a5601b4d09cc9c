#include "sockjs/session_state.hpp"

namespace herald::sockjs {

session_state::session_state(timing t, clock::time_point now)
    : t_(t), heartbeat_at_(now + t.heartbeat), expires_at_(now + t.disconnect_delay) {}

session_state::attach_result session_state::attach(clock::time_point now) {
  if (!opened_) {
    // Even a session closed before anyone listened opens first (the close
    // handler): the client gets "o", then the close frame.
    opened_ = true;
    attached_ = true;
    heartbeat_at_ = now + t_.heartbeat;
    return attach_result::open;
  }
  // A late receiver of a closed session learns why, even while the receiver
  // that carried the close frame is still winding down; the session still
  // expires on schedule. Before the close frame went out, a receiver
  // attaches as usual and carries what was queued (a RECEIPT, an ERROR)
  // and then the close frame.
  if (close_sent_) return attach_result::closed;
  if (attached_) return attach_result::busy;
  attached_ = true;
  return attach_result::attached;
}

void session_state::detach(clock::time_point now) {
  if (!attached_) return;
  attached_ = false;
  expires_at_ = now + t_.disconnect_delay;
}

void session_state::close(int code, std::string reason) {
  if (closed()) return;
  close_code_ = code;
  close_reason_ = std::move(reason);
}

}  // namespace herald::sockjs

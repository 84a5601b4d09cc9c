// The lifecycle of one SockJS session, apart from any socket: whether a
// receiving request may attach, when the server owes a heart-beat, when an
// abandoned session expires. net/sockjs_session drives it with real time;
// unit tests with made-up time.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace herald::sockjs {

using clock = std::chrono::steady_clock;

struct timing {
  std::chrono::milliseconds heartbeat{25000};
  std::chrono::milliseconds disconnect_delay{5000};
};

class session_state {
 public:
  enum class attach_result {
    open,     // first receiver (even of a closed session): send "o" before anything else
    attached, // send pending messages, or wait for some
    busy,     // another receiver is attached: answer c[2010,...]
    closed,   // the close frame went out already: answer with close_frame()
  };

  session_state(timing t, clock::time_point now);

  attach_result attach(clock::time_point now);
  // The receiver finished (poll answered, stream recycled, client gone):
  // the session now lives disconnect_delay without one.
  void detach(clock::time_point now);
  bool attached() const { return attached_; }

  // A frame went out: the next heart-beat is due a full interval later.
  void sent(clock::time_point now) { heartbeat_at_ = now + t_.heartbeat; }
  bool heartbeat_due(clock::time_point now) const { return attached_ && now >= heartbeat_at_; }

  // Closing keeps the session until it expires like any abandoned one: a
  // receiver that attaches before the close frame went out gets what was
  // queued and then the close frame; later ones get the close frame alone.
  void close(int code, std::string reason);
  bool closed() const { return close_code_ != 0; }
  void mark_close_sent() { close_sent_ = true; }
  bool close_sent() const { return close_sent_; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }

  // No receiver and the disconnect delay has passed: free the session.
  bool expired(clock::time_point now) const { return !attached_ && now >= expires_at_; }
  // The next moment something is due (a heart-beat or the expiry).
  clock::time_point next_deadline() const { return attached_ ? heartbeat_at_ : expires_at_; }

 private:
  timing t_;
  bool opened_ = false;
  bool attached_ = false;
  clock::time_point heartbeat_at_;
  clock::time_point expires_at_;
  int close_code_ = 0;
  std::string close_reason_;
  bool close_sent_ = false;
};

}  // namespace herald::sockjs

#include "net/sockjs_session.hpp"

#include <spdlog/spdlog.h>

#include "sockjs/frames.hpp"

namespace herald::net {

namespace {
// Messages packed into one a[...] frame. A poll takes everything queued up
// to this; a stream sends the rest in the next frame.
constexpr std::size_t frame_budget = 256 * 1024;

sockjs::timing timing_of(const config::config& cfg) {
  return {std::chrono::milliseconds(cfg.sockjs.heartbeat_ms), std::chrono::milliseconds(cfg.sockjs.disconnect_delay_ms)};
}
}  // namespace

sockjs_session::sockjs_session(worker::impl& w, std::string id, const config::endpoint& ep,
                               session::connection_info info, bool registered)
    : w_(w),
      id_(std::move(id)),
      handler_(ep.handler),
      registered_(registered),
      state_(timing_of(w.shared.cfg), std::chrono::steady_clock::now()),
      timer_(w.ioc) {
  w_.sockjs_live.insert(this);
  // The node-wide count was taken by the creator, against sockjs.max_sessions.
  if (registered_) w_.metrics.sockjs_sessions.add();
  switch (handler_) {
    case config::endpoint_handler::stomp:
      stomp_.emplace(w_.env, *this, std::move(info));
      break;
    case config::endpoint_handler::echo:
      break;
    case config::endpoint_handler::close:
      // Opens, then closes at once: the first receiver gets "o" and the close frame.
      state_.close(sockjs::go_away_code, std::string(sockjs::go_away_reason));
      break;
  }
}

sockjs_session::~sockjs_session() {
  teardown();
  w_.sockjs_live.erase(this);
}

std::shared_ptr<sockjs_session> find_sockjs_session(worker::impl& w, std::string_view id) {
  auto it = w.sockjs_sessions.find(id);
  return it == w.sockjs_sessions.end() ? nullptr : it->second;
}

sockjs::session_state::attach_result sockjs_session::attach(sockjs_receiver& r) {
  using result = sockjs::session_state::attach_result;
  if (torn_down_) return result::closed;
  auto res = state_.attach(std::chrono::steady_clock::now());
  if (res == result::open || res == result::attached) {
    // Other nodes find the session through its key, which lapses unless
    // the session keeps being used.
    if (registered_ && w_.shared.sockjs_directory) w_.shared.sockjs_directory->touch_sockjs(id_);
    receiver_ = &r;
    sending_ = false;
    open_pending_ = res == result::open;
    // Deferred: the receiver finishes setting up before frames flow.
    boost::asio::post(w_.ioc, [self = weak_from_this()] {
      if (auto s = self.lock()) s->pump();
    });
    rearm();
  }
  return res;
}

void sockjs_session::detach(sockjs_receiver& r) {
  if (receiver_ != &r) return;
  auto self = weak_from_this().lock();  // teardown may drop the table's reference
  receiver_ = nullptr;
  sending_ = false;
  state_.detach(std::chrono::steady_clock::now());
  if (state_.close_sent()) end_application();
  if (!registered_ || (shutting_down_ && state_.close_sent())) return teardown();
  rearm();
}

std::string sockjs_session::close_frame() const { return sockjs::close_frame(state_.close_code(), state_.close_reason()); }

void sockjs_session::on_frame_sent() {
  auto self = weak_from_this().lock();  // finishing a WebSocket may release the last reference
  sending_ = false;
  if (state_.close_sent()) {
    // The close frame is out: the receiver ends, and the application with it.
    end_application();
    if (receiver_) receiver_->finish();
    return;
  }
  pump();
  rearm();  // heart-beats were left out of the deadline while the frame was in flight
}

void sockjs_session::pump() {
  if (!receiver_ || sending_ || torn_down_ || state_.close_sent()) return;
  const auto now = std::chrono::steady_clock::now();
  std::string frame;
  if (open_pending_) {
    open_pending_ = false;
    frame = sockjs::open_frame;
  } else if (fill_messages(frame)) {
  } else if (state_.closed()) {
    frame = close_frame();
    state_.mark_close_sent();
  } else if (state_.heartbeat_due(now)) {
    frame = sockjs::heartbeat_frame;
    // A long stream re-attaches rarely: its heart-beats keep the key.
    if (registered_ && w_.shared.sockjs_directory) w_.shared.sockjs_directory->touch_sockjs(id_);
  } else {
    return;
  }
  sending_ = true;
  state_.sent(now);
  receiver_->send_frame(std::move(frame));
}

bool sockjs_session::fill_messages(std::string& frame) {
  sockjs::array_frame a(frame);
  if (stomp_) {
    auto& out = stomp_->outbox();
    while (!out.empty() && frame.size() < frame_budget) {
      out.begin_write();
      const auto& o = out.front();
      a.begin_message();
      for (auto piece : o.pieces()) a.piece(piece);
      a.end_message();
      stomp_->on_written(o);
      out.pop_front();
    }
  } else {
    std::size_t taken = 0;
    while (taken < echo_.size() && frame.size() < frame_budget) {
      a.begin_message();
      a.piece(echo_[taken]);
      a.end_message();
      echo_bytes_ -= echo_[taken].size();
      ++taken;
    }
    echo_.erase(echo_.begin(), echo_.begin() + static_cast<std::ptrdiff_t>(taken));
  }
  return a.finish();
}

void sockjs_session::on_messages(std::vector<std::string>& messages) {
  if (torn_down_ || state_.closed()) return;
  for (auto& m : messages) {
    if (stomp_) {
      stomp_->on_bytes(m);
      if (state_.closed() || torn_down_) return;
    } else if (handler_ == config::endpoint_handler::echo) {
      echo_bytes_ += m.size();
      echo_.push_back(std::move(m));
      if (echo_bytes_ > w_.shared.cfg.limits.max_pending_bytes) {
        // A client that sends without receiving: bounded like a STOMP outbox.
        echo_.clear();
        echo_bytes_ = 0;
        return close(core::close_reason::slow_consumer);
      }
    }
  }
  pump();
}

void sockjs_session::flush() { pump(); }

void sockjs_session::close(core::close_reason reason) {
  if (state_.closed() || torn_down_) return;
  reason_ = reason;
  state_.close(sockjs::go_away_code, std::string(sockjs::go_away_reason));
  // A receiver that cannot take the rest (a client that stopped reading)
  // gets this long before it is dropped, like ws_session's close grace.
  close_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  rearm();
  // pump() sends what is queued first, then the close frame. Deferred: a
  // STOMP session may close in the middle of a hub fan-out.
  boost::asio::post(w_.ioc, [self = weak_from_this()] {
    if (auto s = self.lock()) s->pump();
  });
}

void sockjs_session::shut_down() {
  shutting_down_ = true;
  close(core::close_reason::server_shutdown);
  if (!receiver_) teardown();
}

void sockjs_session::end_application() {
  if (!stomp_ || app_ended_) return;
  app_ended_ = true;
  // Leaves the hub and the registry now, not when the session expires: the
  // user is offline once the close frame is out.
  stomp_->on_transport_closed();
}

void sockjs_session::teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  timer_.cancel();
  // A poll still pending is answered with the close frame, not c[0,""].
  if (!state_.closed()) state_.close(sockjs::go_away_code, std::string(sockjs::go_away_reason));
  w_.metrics.closed(reason_);
  if (stomp_ && reason_ != core::close_reason::transport_closed && reason_ != core::close_reason::client_disconnect) {
    spdlog::debug("sockjs session {} of '{}' closed: {}", id_, stomp_->user(), core::to_string(reason_));
  }
  end_application();
  if (receiver_) {
    auto* r = receiver_;
    receiver_ = nullptr;
    r->finish();
  }
  if (registered_) {
    if (w_.shared.sockjs_directory) w_.shared.sockjs_directory->release_sockjs(id_);
    w_.shared.sockjs_sessions.fetch_sub(1, std::memory_order_relaxed);  // taken by the creator
    w_.metrics.sockjs_sessions.sub();
    // Last: the table may hold the last reference to this session.
    auto it = w_.sockjs_sessions.find(id_);
    if (it != w_.sockjs_sessions.end() && it->second.get() == this) {
      auto keep = std::move(it->second);
      w_.sockjs_sessions.erase(it);
      boost::asio::post(w_.ioc, [keep = std::move(keep)] {});
    }
  }
}

void sockjs_session::arm_timer(std::chrono::steady_clock::time_point at) {
  stomp_deadline_ = at;
  rearm();
}

void sockjs_session::rearm() {
  // Not from the constructor (the STOMP session arms its CONNECT deadline
  // there): no shared_ptr owns this yet, so the wait could never call
  // back. attach() arms once the session is owned.
  if (torn_down_ || weak_from_this().expired()) return;
  // While a write is in flight no heart-beat can go out: leave it out, or a
  // stalled receiver would make the timer fire in a loop.
  const bool heartbeat_blocked = receiver_ && (sending_ || state_.close_sent());
  auto at = heartbeat_blocked ? std::chrono::steady_clock::time_point::max() : state_.next_deadline();
  if (stomp_deadline_ && *stomp_deadline_ < at) at = *stomp_deadline_;
  if (close_deadline_ && *close_deadline_ < at) at = *close_deadline_;
  if (at == std::chrono::steady_clock::time_point::max()) return;
  // A later deadline waits for the armed one to fire and re-arm: fewer
  // timer operations than re-arming on every frame.
  if (armed_ && *armed_ <= at) return;
  armed_ = at;
  timer_.expires_at(at);
  timer_.async_wait([self = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto s = self.lock()) s->on_timer();
  });
}

void sockjs_session::on_timer() {
  armed_.reset();
  if (torn_down_) return;
  const auto now = std::chrono::steady_clock::now();
  if (stomp_deadline_ && now >= *stomp_deadline_) {
    stomp_deadline_.reset();
    stomp_->on_timer(now);
    if (torn_down_) return;
  }
  if (close_deadline_ && now >= *close_deadline_) {
    close_deadline_.reset();
    if (receiver_ && (sending_ || !state_.close_sent())) {
      // The close frame could not get out: drop the connection and the session.
      auto* r = receiver_;
      receiver_ = nullptr;
      r->abort();
      return teardown();
    }
  }
  if (!receiver_ && state_.expired(now)) {
    if (!state_.closed()) reason_ = core::close_reason::transport_closed;
    return teardown();
  }
  pump();
  rearm();
}

}  // namespace herald::net

#include "net/sockjs_relay.hpp"

#include <boost/asio/post.hpp>

#include <charconv>

#include "sockjs/frames.hpp"
#include "sockjs/incoming.hpp"

namespace herald::net {

namespace asio = boost::asio;

namespace {

std::string_view header(const core::message& m, std::string_view name) {
  for (const auto& [k, v] : m.headers) {
    if (k == name) return v;
  }
  return {};
}

// Silence from the owner this long means it is gone: it sends a heart-beat
// frame to every attached receiver each sockjs.heartbeat_ms.
std::chrono::milliseconds owner_silence(const config::config& cfg) {
  return std::chrono::milliseconds(cfg.sockjs.heartbeat_ms + cfg.sockjs.disconnect_delay_ms);
}

bool to_owner(std::string_view op) { return op == "attach" || op == "detach" || op == "send"; }

}  // namespace

std::string next_rid(worker::impl& w) {
  return w.shared.cfg.node.id + "/" + std::to_string(w.index) + "/" + std::to_string(++w.relay_seq);
}

void send_relay(worker::impl& w, const std::string& node, core::header_list headers, std::string body) {
  core::message_fields f;
  f.destination = "/sockjs";
  f.headers = std::move(headers);
  f.body = std::move(body);
  w.shared.relay(node, core::make_message(std::move(f), "relay"));
}

std::size_t relay_worker(const core::message& m, std::size_t workers) {
  if (to_owner(header(m, "op"))) return sockjs_owner(header(m, "session"), workers);
  // rid = node/worker/n; the node id may itself hold '/'-free text only.
  auto rid = header(m, "rid");
  auto first = rid.find('/');
  auto second = rid.find('/', first == std::string_view::npos ? rid.size() : first + 1);
  std::size_t index = 0;
  if (first != std::string_view::npos && second != std::string_view::npos) {
    std::from_chars(rid.data() + first + 1, rid.data() + second, index);
  }
  return index < workers ? index : 0;
}

// ---------------------------------------------------------------------------
// The requesting side.

remote_session::remote_session(worker::impl& w, std::string owner, std::string session, bool poll)
    : w_(w), owner_(std::move(owner)), session_(std::move(session)), rid_(next_rid(w)), poll_(poll), silence_(w.ioc) {}

remote_session::~remote_session() = default;

sockjs::session_state::attach_result remote_session::attach(sockjs_receiver& r) {
  receiver_ = &r;
  w_.relays_out.emplace(rid_, shared_from_this());
  send_relay(w_, owner_,
             {{"op", "attach"}, {"rid", rid_}, {"session", session_}, {"from", w_.shared.cfg.node.id},
              {"poll", poll_ ? "1" : "0"}});
  arm();
  // What the session says (open, busy, closed) arrives as frames.
  return sockjs::session_state::attach_result::attached;
}

void remote_session::detach(sockjs_receiver& r) {
  if (receiver_ != &r) return;
  receiver_ = nullptr;
  if (!ended_) send_relay(w_, owner_, {{"op", "detach"}, {"rid", rid_}, {"session", session_}});
  ended_ = true;
  forget();
}

void remote_session::on_frame_sent() {
  in_flight_ = false;
  deliver();
}

std::string remote_session::close_frame() const {
  return sockjs::close_frame(sockjs::go_away_code, sockjs::go_away_reason);
}

void remote_session::on_frame(std::string frame) {
  if (ended_) return;
  frames_.push_back(std::move(frame));
  arm();
  deliver();
}

void remote_session::on_end() {
  ended_ = true;
  silence_.cancel();
  deliver();
}

void remote_session::on_abort() {
  ended_ = true;
  auto self = shared_from_this();
  if (auto* r = std::exchange(receiver_, nullptr)) r->abort();
  forget();
}

void remote_session::deliver() {
  auto self = shared_from_this();  // a poll's receiver detaches inside send_frame
  if (!receiver_ || in_flight_) return;
  if (!frames_.empty()) {
    in_flight_ = true;
    auto frame = std::move(frames_.front());
    frames_.pop_front();
    return receiver_->send_frame(std::move(frame));
  }
  if (ended_) {
    auto* r = std::exchange(receiver_, nullptr);
    forget();
    r->finish();
  }
}

void remote_session::arm() {
  silence_.expires_after(owner_silence(w_.shared.cfg));
  silence_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->ended_) return;
    // The owner went away: the client is told the session is over.
    self->on_frame(self->close_frame());
    self->on_end();
  });
}

void remote_session::forget() {
  silence_.cancel();
  w_.relays_out.erase(rid_);
}

// ---------------------------------------------------------------------------
// The owning side.

relay_receiver::relay_receiver(worker::impl& w, std::string requester, std::string rid, bool poll)
    : w_(w), requester_(std::move(requester)), rid_(std::move(rid)), poll_(poll), lifetime_(w.ioc) {}

relay_receiver::~relay_receiver() {
  if (session_ && attached_) session_->detach(*this);
}

void relay_receiver::start(std::shared_ptr<sockjs_session> session) {
  session_ = std::move(session);
  using result = sockjs::session_state::attach_result;
  switch (session_->attach(*this)) {
    case result::busy:
      reply("frame", sockjs::close_frame(sockjs::another_connection_code, "Another connection still open"));
      return end("end");
    case result::closed:
      reply("frame", session_->close_frame());
      return end("end");
    case result::open:
    case result::attached:
      attached_ = true;
      w_.relays_in.emplace(rid_, shared_from_this());
      break;
  }
  if (poll_) return;  // ends with its first frame, a heart-beat at the latest
  // A relayed stream ends after two heart-beat intervals (the client opens
  // the next one): should the requesting node die, the session is freed
  // without waiting for streaming_bytes of heart-beats.
  lifetime_.expires_after(2 * std::chrono::milliseconds(w_.shared.cfg.sockjs.heartbeat_ms));
  lifetime_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->finish();
  });
}

void relay_receiver::send_frame(std::string frame) {
  if (ended_) return;
  sent_bytes_ += frame.size();
  reply("frame", std::move(frame));
  // A poll answers once; a stream is recycled past its byte budget, as on
  // the requesting node's own receivers.
  if (poll_ || sent_bytes_ >= w_.shared.cfg.sockjs.streaming_bytes) return finish();
  // Not from inside the session's pump, which called us.
  asio::post(w_.ioc, [weak = weak_from_this()] {
    auto self = weak.lock();
    if (self && self->attached_ && !self->ended_) self->session_->on_frame_sent();
  });
}

void relay_receiver::finish() { end("end"); }

void relay_receiver::abort() { end("abort"); }

void relay_receiver::on_detach() {
  if (ended_) return;
  ended_ = true;
  lifetime_.cancel();
  auto self = shared_from_this();
  if (attached_) {
    attached_ = false;
    session_->detach(*this);
  }
  w_.relays_in.erase(rid_);
}

void relay_receiver::reply(const char* op, std::string body) {
  send_relay(w_, requester_, {{"op", op}, {"rid", rid_}}, std::move(body));
}

void relay_receiver::end(const char* op) {
  if (ended_) return;
  ended_ = true;
  lifetime_.cancel();
  auto self = shared_from_this();
  if (attached_) {
    attached_ = false;
    session_->detach(*this);
  }
  reply(op);
  w_.relays_in.erase(rid_);
}

// ---------------------------------------------------------------------------

void on_relay_message(worker::impl& w, const core::message& m) {
  const auto op = header(m, "op");
  const std::string rid(header(m, "rid"));
  if (op == "attach") {
    auto r = std::make_shared<relay_receiver>(w, std::string(header(m, "from")), rid, header(m, "poll") == "1");
    if (auto s = find_sockjs_session(w, header(m, "session"))) return r->start(std::move(s));
    // Gone meanwhile (expired, or this node restarted): the client starts over.
    send_relay(w, std::string(header(m, "from")), {{"op", "frame"}, {"rid", rid}},
               sockjs::close_frame(sockjs::go_away_code, sockjs::go_away_reason));
    return send_relay(w, std::string(header(m, "from")), {{"op", "end"}, {"rid", rid}});
  }
  if (op == "detach") {
    if (auto it = w.relays_in.find(rid); it != w.relays_in.end()) it->second->on_detach();
    return;
  }
  if (op == "send") {
    const std::string from(header(m, "from"));
    auto s = find_sockjs_session(w, header(m, "session"));
    if (!s) return send_relay(w, from, {{"op", "sent"}, {"rid", rid}, {"status", "404"}}, "Session not found\n");
    auto in = sockjs::parse_messages(m.body, false);
    if (!in.error.empty()) return send_relay(w, from, {{"op", "sent"}, {"rid", rid}, {"status", "400"}}, in.error + "\n");
    s->on_messages(in.messages);
    return send_relay(w, from, {{"op", "sent"}, {"rid", rid}, {"status", "204"}});
  }
  if (op == "sent") {
    auto it = w.pending_sends.find(rid);
    if (it == w.pending_sends.end()) return;
    auto done = std::move(it->second);
    w.pending_sends.erase(it);
    int status = 404;
    auto text = header(m, "status");
    std::from_chars(text.data(), text.data() + text.size(), status);
    return done(status, m.body);
  }
  auto it = w.relays_out.find(rid);
  if (it == w.relays_out.end()) return;
  auto remote = it->second;
  if (op == "frame") return remote->on_frame(m.body);
  if (op == "end") return remote->on_end();
  if (op == "abort") return remote->on_abort();
}

}  // namespace herald::net

#include "session/session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "stomp/encoder.hpp"
#include "stomp/heartbeat.hpp"
#include "stomp/version.hpp"

namespace herald::session {
namespace {

stomp::parser_limits parser_limits_from(const config::limits& l) {
  stomp::parser_limits p;
  p.max_frame_bytes = l.max_frame_bytes;
  p.max_headers = l.max_headers;
  p.max_header_bytes = l.max_header_bytes;
  return p;
}

// Header names are case-sensitive in STOMP, but browsers' Spring clients
// send "Authorization" while others send "authorization".
const std::string* find_authorization(const stomp::frame& f) {
  if (auto* v = f.find("Authorization")) return v;
  return f.find("authorization");
}

// Frames a client may send after CONNECT before CONNECTED arrives.
constexpr std::size_t max_early_frames = 64;

}  // namespace

session::session(environment& env, transport& t, connection_info info)
    : env_(env),
      transport_(t),
      info_(std::move(info)),
      parser_(parser_limits_from(env.cfg.limits)),
      out_(env.cfg.limits.max_pending_bytes) {
  const auto now = env_.now();
  connect_deadline_ = now + std::chrono::milliseconds(env_.cfg.limits.connect_timeout_ms);
  last_read_ = last_write_ = now;
  rearm();
}

session::~session() { *alive_ = false; }

void session::on_bytes(std::string_view data) {
  if (state_ == state::closing) return;
  last_read_ = env_.now();
  env_.metrics.bytes_in.add(data.size());
  parser_.feed(data);
  stomp::frame f;
  std::error_code ec;
  while (state_ != state::closing) {
    auto st = parser_.next(f, ec);
    if (st == stomp::parse_status::need_more) break;
    if (st == stomp::parse_status::error) {
      fail(core::close_reason::protocol_error, ec.message());
      break;
    }
    env_.metrics.frames_in.add();
    handle(f);
    f = stomp::frame{};
  }
  parser_.release_idle_memory();
}

void session::handle(stomp::frame& f) {
  using stomp::command;
  if (state_ == state::admitting) {
    // Bounded: a client may pipeline a few frames behind CONNECT, not a
    // stream.
    if (early_.size() >= max_early_frames) {
      return fail(core::close_reason::protocol_error, "too many frames before CONNECTED", &f);
    }
    early_.push_back(std::move(f));
    return;
  }
  if (state_ == state::awaiting_connect) {
    if (f.cmd == command::connect || f.cmd == command::stomp) return on_connect(f);
    return fail(core::close_reason::protocol_error, "expected CONNECT or STOMP as the first frame", &f);
  }
  switch (f.cmd) {
    case command::send: return on_send(f);
    case command::subscribe: return on_subscribe(f);
    case command::unsubscribe: return on_unsubscribe(f);
    case command::ack: return on_ack(f, true);
    case command::nack: return on_ack(f, false);
    case command::begin: return on_begin(f);
    case command::commit: return on_end_transaction(f, true);
    case command::abort: return on_end_transaction(f, false);
    case command::disconnect: return on_disconnect(f);
    case command::connect:
    case command::stomp:
      return fail(core::close_reason::protocol_error, "already connected", &f);
    default:
      return fail(core::close_reason::protocol_error,
                  fmt::format("{} is a server frame; clients may not send it", stomp::to_string(f.cmd)), &f);
  }
}

void session::on_connect(stomp::frame& f) {
  auto v = stomp::negotiate_version(f.find("accept-version"), info_.subprotocol);
  if (!v) {
    // Not through fail() (this ERROR has its own headers): counted here.
    env_.metrics.protocol_errors.add();
    // §"Protocol Negotiation": tell the client which versions we speak.
    std::string frame = "ERROR\nversion:1.0,1.1,1.2\ncontent-type:text/plain\nmessage:unsupported protocol version\n\n"
                        "Supported protocol versions are 1.0 1.1 1.2";
    frame.push_back('\0');
    send_control(std::move(frame));
    state_ = state::closing;
    transport_.close(core::close_reason::protocol_error);
    return;
  }
  version_ = *v;

  auth::credentials cred;
  if (auto* a = find_authorization(f)) cred.authorization = *a;
  if (auto* l = f.find("login")) cred.login = *l;
  if (auto* p = f.find("passcode")) cred.passcode = *p;
  // Moved out: the session has no further use for the raw tokens.
  cred.query_token = std::move(info_.query_token);
  cred.cookie_token = std::move(info_.cookie_token);
  connect_frame_ = std::move(f);
  if (env_.services && env_.services->authenticates()) {
    state_ = state::admitting;
    return env_.services->authenticate(cred, guarded([this](auth::auth_result r, std::string token) {
      token_ = std::move(token);
      admit(std::move(r));
    }));
  }
  admit(env_.auth.authenticate(cred));
}

void session::admit(auth::auth_result result) {
  if (state_ == state::closing) return;
  const stomp::frame* f = &*connect_frame_;
  if (!result.ok) {
    env_.metrics.auth_failures.add();
    return fail(core::close_reason::auth_failed, result.error, f);
  }
  // The principal is echoed in CONNECTED (never escaped) and keys user
  // routing, so whatever an authenticator accepted must be plain text.
  if (result.who.user.empty() || result.who.user.size() > 256 ||
      std::any_of(result.who.user.begin(), result.who.user.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ':'; })) {
    env_.metrics.auth_failures.add();
    return fail(core::close_reason::auth_failed, "invalid user name", f);
  }
  const auto limit = env_.cfg.limits.max_connections_per_user;
  if (limit != 0 && env_.services && env_.services->limits_cluster_wide()) return check_cluster_limit(std::move(result.who));
  complete_connect(std::move(result.who), limit);
}

void session::check_cluster_limit(auth::identity who) {
  state_ = state::admitting;
  auto user = who.user;
  env_.services->sessions_elsewhere(user, guarded([this, who = std::move(who)](std::optional<std::uint32_t> elsewhere) mutable {
    if (state_ == state::closing) return;
    const auto limit = env_.cfg.limits.max_connections_per_user;
    // What the other nodes hold leaves this much room here; unknown
    // (directory unreachable): the local limit alone.
    const auto others = elsewhere.value_or(0);
    if (others >= limit) {
      return fail(core::close_reason::limit_exceeded, "too many sessions for this user", &*connect_frame_);
    }
    complete_connect(std::move(who), limit - others);
  }));
}

void session::complete_connect(auth::identity who, std::uint32_t local_limit) {
  const stomp::frame& f = *connect_frame_;
  if (!env_.registry.try_add(who.user, local_limit)) {
    return fail(core::close_reason::limit_exceeded, "too many sessions for this user", &f);
  }
  registered_ = true;
  user_ = std::move(who.user);
  id_ = env_.next_session_id();
  env_.hub.add_user_session(user_, *this);
  env_.metrics.sessions[static_cast<std::size_t>(info_.kind)].add();

  const auto now = env_.now();
  if (who.expires) {
    auto left = *who.expires - std::chrono::system_clock::now();
    token_deadline_ = now + std::chrono::duration_cast<clock::duration>(left);
  }
  if (env_.services && !token_.empty()) {
    if (auto every = env_.services->recheck_every(); every.count() > 0) recheck_at_ = now + every;
  }

  stomp::negotiated_heartbeat hb;
  if (auto* h = f.find("heart-beat")) {
    auto client = stomp::parse_heartbeat(*h);
    if (!client) {
      return fail(core::close_reason::protocol_error, "heart-beat header must be two integers 'cx,cy'", &f);
    }
    hb = stomp::negotiate(*client, env_.cfg.heartbeat.send_ms, env_.cfg.heartbeat.receive_ms);
  }
  send_every_ = std::chrono::milliseconds(hb.send_ms);
  silence_limit_ = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(hb.receive_ms) * env_.cfg.heartbeat.grace));

  parser_.set_version(version_);
  state_ = state::connected;

  // CONNECTED is never escaped (§"Value Encoding").
  std::string c = "CONNECTED\n";
  auto add = [&](std::string_view k, std::string_view val) {
    stomp::append_header(c, k, val, version_, stomp::command::connected);
  };
  add("version", stomp::to_string(version_));
  add("heart-beat", fmt::format("{},{}", env_.cfg.heartbeat.send_ms, env_.cfg.heartbeat.receive_ms));
  add("server", "herald/" HERALD_VERSION);
  add("session", id_);
  add("user-name", user_);
  c += "\n";
  c.push_back('\0');
  connect_frame_.reset();
  send_control(std::move(c));
  last_read_ = now;
  // Frames the client pipelined behind CONNECT, in order.
  auto early = std::move(early_);
  early_.clear();
  for (auto& e : early) {
    if (state_ != state::connected) break;
    handle(e);
  }
  rearm();
}

void session::recheck_token() {
  recheck_at_.reset();
  recheck_in_flight_ = true;
  env_.services->still_valid(token_, guarded([this](bool valid) {
    recheck_in_flight_ = false;
    if (state_ == state::closing) return;
    if (!valid) return fail(core::close_reason::token_expired, "session token is no longer valid");
    recheck_at_ = env_.now() + env_.services->recheck_every();
    rearm();
  }));
}

void session::on_disconnect(stomp::frame& f) {
  receipt(f);
  state_ = state::closing;
  transport_.close(core::close_reason::client_disconnect);
}

void session::receipt(const stomp::frame& f) {
  auto* r = f.find("receipt");
  if (!r) return;
  std::string out = "RECEIPT\n";
  stomp::append_header(out, "receipt-id", *r, version_, stomp::command::receipt);
  out += "\n";
  out.push_back('\0');
  send_control(std::move(out));
}

void session::send_control(std::string frame) {
  if (out_.push_control(std::move(frame)) == core::push_result::overflow) {
    // A client that floods receipts without reading them is a slow consumer.
    state_ = state::closing;
    transport_.close(core::close_reason::slow_consumer);
    return;
  }
  last_write_ = env_.now();
  transport_.flush();
}

void session::fail(core::close_reason r, std::string_view message, const stomp::frame* cause) {
  if (state_ == state::closing) return;
  // Counted here, once per ERROR, whichever check found the violation.
  if (r == core::close_reason::protocol_error) env_.metrics.protocol_errors.add();
  std::string e = "ERROR\n";
  const auto cmd = stomp::command::error;
  stomp::append_header(e, "message", message, version_, cmd);
  if (cause) {
    if (auto* rc = cause->find("receipt")) stomp::append_header(e, "receipt-id", *rc, version_, cmd);
  }
  stomp::append_header(e, "content-type", "text/plain", version_, cmd);
  stomp::append_header(e, "content-length", std::to_string(message.size()), version_, cmd);
  e += "\n";
  e += message;
  e.push_back('\0');
  // The ERROR must reach the client even past the bound: drop what is
  // queued behind the in-flight frame rather than the explanation.
  if (out_.push_control(e) == core::push_result::overflow) {
    out_.drop_queued();
    out_.push_forced(std::move(e));
  }
  state_ = state::closing;
  transport_.flush();
  transport_.close(r);
}

void session::kick(const std::string& reason) {
  fail(core::close_reason::kicked, reason.empty() ? "session closed by the server" : reason);
}

void session::on_timer(clock::time_point now) {
  armed_.reset();
  if (state_ == state::closing) return;
  if (state_ == state::awaiting_connect || state_ == state::admitting) {
    if (now >= connect_deadline_) {
      return fail(core::close_reason::connect_timeout, "no CONNECT frame received in time");
    }
    return rearm();
  }
  if (token_deadline_ && now >= *token_deadline_) {
    return fail(core::close_reason::token_expired, "token expired");
  }
  if (recheck_at_ && now >= *recheck_at_ && !recheck_in_flight_) recheck_token();
  if (silence_limit_.count() > 0 && now - last_read_ >= silence_limit_) {
    return fail(core::close_reason::heartbeat_timeout, "no heart-beat received from the client in time");
  }
  if (send_every_.count() > 0 && now - last_write_ >= send_every_) {
    send_control("\n");  // §"Heart-beating": an EOL is a heart-beat
  }
  rearm();
}

std::optional<clock::time_point> session::next_deadline() const {
  if (state_ == state::awaiting_connect || state_ == state::admitting) return connect_deadline_;
  std::optional<clock::time_point> d = token_deadline_;
  if (recheck_at_ && (!d || *recheck_at_ < *d)) d = recheck_at_;
  auto consider = [&](clock::time_point t) {
    if (!d || t < *d) d = t;
  };
  if (silence_limit_.count() > 0) consider(last_read_ + silence_limit_);
  if (send_every_.count() > 0) consider(last_write_ + send_every_);
  return d;
}

void session::rearm() {
  auto d = next_deadline();
  if (!d || state_ == state::closing) return;
  // Deadlines only move later between firings (reads and writes push them
  // out), so a timer already armed earlier is still correct: it fires,
  // finds nothing due and re-arms. That keeps timer syscalls off the
  // per-frame path.
  if (armed_ && *armed_ <= *d) return;
  armed_ = *d;
  transport_.arm_timer(*d);
}

void session::on_transport_closed() {
  state_ = state::closing;
  for (auto& s : subs_) {
    if (!s->is_user) env_.hub.remove_topic(*s);
  }
  env_.metrics.subscriptions.sub(static_cast<std::int64_t>(subs_.size()));
  subs_.clear();
  subs_.shrink_to_fit();
  if (registered_) {
    env_.hub.remove_user_session(user_, *this);
    env_.registry.remove(user_);
    env_.metrics.sessions[static_cast<std::size_t>(info_.kind)].sub();
    registered_ = false;
  }
  out_.drop_queued();
}

void session::on_written(const core::outbound& o) {
  env_.metrics.frames_out.add();
  env_.metrics.bytes_out.add(o.wire_size());
  if (o.msg) {
    const auto now = env_.now();
    last_write_ = now;
    env_.metrics.deliveries.add();
    env_.metrics.publish_to_write.observe(now - o.msg->published_at);
  }
}

session::subscription* session::find_subscription(std::string_view id) {
  for (auto& s : subs_) {
    if (s->id == id) return s.get();
  }
  return nullptr;
}

}  // namespace herald::session

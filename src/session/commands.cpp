// Client frames after CONNECT: SEND, SUBSCRIBE, UNSUBSCRIBE, ACK/NACK,
// BEGIN/COMMIT/ABORT, and delivery into the outbox.
#include <fmt/format.h>

#include "core/limits.hpp"
#include "session/session.hpp"
#include "stomp/encoder.hpp"

namespace herald::session {
namespace {

bool is_frame_header(std::string_view name) {
  return name == "destination" || name == "receipt" || name == "transaction" || name == "content-length";
}

core::header_list application_headers(const stomp::frame& f) {
  core::header_list out;
  for (const auto& h : f.headers) {
    if (is_frame_header(h.name) || core::is_reserved_header(h.name)) continue;
    bool seen = false;  // first occurrence wins (§"Repeated Header Entries")
    for (const auto& [n, v] : out) seen = seen || n == h.name;
    if (!seen) out.emplace_back(h.name, h.value);
  }
  return out;
}

std::size_t buffered_size(const stomp::frame& f) {
  std::size_t size = f.body.size();
  for (const auto& h : f.headers) size += h.name.size() + h.value.size() + 2;
  return size;
}

}  // namespace

void session::on_send(stomp::frame& f) {
  auto* dest = f.find("destination");
  if (!dest) {
    return fail(core::close_reason::protocol_error, "SEND requires a destination header", &f);
  }
  if (buffer_in_transaction(f)) return;
  publish_send(f);
}

bool session::buffer_in_transaction(stomp::frame& f) {
  auto* tx = f.find("transaction");
  if (!tx) return false;
  auto it = transactions_.find(*tx);
  if (it == transactions_.end()) {
    fail(core::close_reason::protocol_error, fmt::format("unknown transaction '{}'", *tx), &f);
    return true;
  }
  const std::size_t size = buffered_size(f);
  // Buffered frames are memory the outbox bound does not see: give them
  // a bound of the same size.
  if (it->second.size() >= core::max_frames_per_transaction ||
      tx_bytes_ + size > env_.cfg.limits.max_pending_bytes) {
    fail(core::close_reason::limit_exceeded, "transaction too large", &f);
    return true;
  }
  tx_bytes_ += size;
  receipt(f);
  it->second.push_back(std::move(f));
  return true;
}

void session::publish_send(stomp::frame& f) {
  const std::string dest = *f.find("destination");
  auto c = env_.rules.classify(dest);
  if (c.kind == core::dest_kind::app) {
    if (!env_.app) {
      return fail(core::close_reason::protocol_error,
                  fmt::format("no application handler is configured for '{}' (set app.webhook)", dest), &f);
    }
    const auto& app = env_.cfg.app;
    // Each SEND waiting for the webhook holds a call (a connection, or a
    // place in the worker's queue): a client may not pile them up.
    if (app_pending_ >= app.max_in_flight_per_session) {
      return fail(core::close_reason::limit_exceeded,
                  fmt::format("too many SENDs to '{}' awaiting the application webhook (limit {})",
                              env_.rules.app_prefix(), app.max_in_flight_per_session),
                  &f);
    }
    app_request req{user_, id_, dest, application_headers(f), std::move(f.body)};
    std::string receipt_id;
    if (auto* r = f.find("receipt")) receipt_id = *r;
    ++app_pending_;
    std::weak_ptr<bool> alive = alive_;
    const bool accepted = env_.app_calls.submit(
        *env_.app, app.max_connections_per_thread, app.max_queued_per_thread, std::move(req),
        [this, alive, receipt_id](std::string error) {
          if (alive.expired()) return;
          --app_pending_;
          if (state_ != state::connected) return;
          stomp::frame cause;
          if (!receipt_id.empty()) cause.add("receipt", receipt_id);
          if (!error.empty()) return fail(core::close_reason::protocol_error, error, &cause);
          receipt(cause);
        });
    if (!accepted) {
      --app_pending_;
      return fail(core::close_reason::limit_exceeded,
                  fmt::format("application webhook busy: {} calls already wait for a connection (limit {})",
                              env_.app_calls.waiting(), app.max_queued_per_thread),
                  &f);
    }
    return;
  }
  if (c.kind == core::dest_kind::invalid || !env_.rules.client_may_send(dest)) {
    return fail(core::close_reason::protocol_error,
                fmt::format("sending to '{}' is not allowed (see destinations.client_send)", dest), &f);
  }
  core::message_fields m;
  if (c.kind == core::dest_kind::user) {
    m.kind = core::target_kind::user;
    m.user = c.user.empty() ? user_ : c.user;
    m.destination = c.relative;
  } else {
    m.kind = core::target_kind::topic;
    m.destination = dest;
  }
  m.headers = application_headers(f);
  m.body = std::move(f.body);
  auto outcome = env_.publisher.publish(std::move(m));
  if (outcome.status != core::publish_status::ok) {
    return fail(core::close_reason::protocol_error, outcome.error, &f);
  }
  receipt(f);
}

void session::on_subscribe(stomp::frame& f) {
  auto* dest = f.find("destination");
  auto* idp = f.find("id");
  if (!dest) return fail(core::close_reason::protocol_error, "SUBSCRIBE requires a destination header", &f);
  // STOMP 1.0 made id optional; the destination then names the subscription.
  if (!idp && version_ != stomp::version::v1_0) {
    return fail(core::close_reason::protocol_error, "SUBSCRIBE requires an id header", &f);
  }
  std::string id = idp ? *idp : *dest;
  if (id.empty() || id.size() > core::max_id_length) {
    return fail(core::close_reason::protocol_error, "subscription id is empty or too long", &f);
  }
  if (find_subscription(id)) {
    return fail(core::close_reason::protocol_error, fmt::format("subscription id '{}' is already in use", id), &f);
  }
  if (subs_.size() >= env_.cfg.limits.max_subscriptions) {
    return fail(core::close_reason::limit_exceeded,
                fmt::format("too many subscriptions (limit {})", env_.cfg.limits.max_subscriptions), &f);
  }
  ack_mode mode = ack_mode::auto_;
  if (auto* a = f.find("ack")) {
    if (*a == "client") mode = ack_mode::client;
    else if (*a == "client-individual") mode = ack_mode::client_individual;
    else if (*a != "auto") {
      return fail(core::close_reason::protocol_error, fmt::format("unknown ack mode '{}'", *a), &f);
    }
  }
  auto target = env_.rules.subscribe(*dest, user_);
  switch (target.verdict) {
    case core::subscribe_verdict::refused_other_user:
      return fail(core::close_reason::protocol_error,
                  fmt::format("'{}' belongs to another user; subscribe to your own user destinations only", *dest),
                  &f);
    case core::subscribe_verdict::refused_invalid:
      return fail(core::close_reason::protocol_error,
                  fmt::format("cannot subscribe to '{}': not a broker or user destination", *dest), &f);
    default: break;
  }
  auto s = std::make_unique<subscription>();
  s->owner = this;
  s->id = id;
  s->destination = *dest;
  s->ack = mode;
  std::string prefix = "MESSAGE\n";
  stomp::append_header(prefix, "destination", *dest, version_, stomp::command::message);
  stomp::append_header(prefix, "subscription", id, version_, stomp::command::message);
  s->prefix = std::make_shared<const std::string>(std::move(prefix));
  auto* raw = s.get();
  subs_.push_back(std::move(s));
  if (target.verdict == core::subscribe_verdict::user) {
    raw->is_user = true;
    raw->user_key = target.key;
  } else {
    env_.hub.add_topic(target.key, *raw);
  }
  env_.metrics.subscriptions.add();
  receipt(f);
}

void session::remove_subscription(subscription& s) {
  if (!s.is_user) env_.hub.remove_topic(s);
  env_.metrics.subscriptions.sub();
  std::erase_if(subs_, [&s](const auto& p) { return p.get() == &s; });
}

void session::on_unsubscribe(stomp::frame& f) {
  auto* idp = f.find("id");
  if (!idp && version_ == stomp::version::v1_0) idp = f.find("destination");
  if (!idp) return fail(core::close_reason::protocol_error, "UNSUBSCRIBE requires an id header", &f);
  // Unknown ids are not an error: the client may race its own cleanup.
  if (auto* s = find_subscription(*idp)) remove_subscription(*s);
  receipt(f);
}

void session::on_ack(stomp::frame& f, bool positive) {
  // 1.2 acks by the MESSAGE's ack header (we use the message-id for it);
  // 1.0/1.1 by message-id.
  auto* idp = version_ == stomp::version::v1_2 ? f.find("id") : f.find("message-id");
  if (!idp) {
    return fail(core::close_reason::protocol_error,
                version_ == stomp::version::v1_2 ? "ACK/NACK requires an id header"
                                                 : "ACK/NACK requires a message-id header",
                &f);
  }
  if (buffer_in_transaction(f)) return;
  // NACK: herald keeps no copy to redeliver, so NACK only settles the
  // message like ACK does (documented in the README).
  (void)positive;
  for (auto& s : subs_) {
    if (s->ack == ack_mode::auto_) continue;
    auto& q = s->unacked;
    for (auto it = q.begin(); it != q.end(); ++it) {
      if (*it != *idp) continue;
      if (s->ack == ack_mode::client) {
        q.erase(q.begin(), it + 1);  // cumulative (§"SUBSCRIBE ack Header")
      } else {
        q.erase(it);
      }
      receipt(f);
      return;
    }
  }
  receipt(f);  // unknown or already settled: harmless
}

void session::on_begin(stomp::frame& f) {
  auto* tx = f.find("transaction");
  if (!tx || tx->empty()) return fail(core::close_reason::protocol_error, "BEGIN requires a transaction header", &f);
  if (tx->size() > core::max_id_length) {
    return fail(core::close_reason::protocol_error, "transaction name too long", &f);
  }
  if (transactions_.count(*tx)) {
    return fail(core::close_reason::protocol_error, fmt::format("transaction '{}' is already open", *tx), &f);
  }
  if (transactions_.size() >= core::max_transactions) {
    return fail(core::close_reason::limit_exceeded, "too many open transactions", &f);
  }
  transactions_.emplace(*tx, std::vector<stomp::frame>{});
  receipt(f);
}

void session::on_end_transaction(stomp::frame& f, bool commit) {
  auto* tx = f.find("transaction");
  if (!tx) {
    return fail(core::close_reason::protocol_error,
                commit ? "COMMIT requires a transaction header" : "ABORT requires a transaction header", &f);
  }
  auto it = transactions_.find(*tx);
  if (it == transactions_.end()) {
    return fail(core::close_reason::protocol_error, fmt::format("unknown transaction '{}'", *tx), &f);
  }
  auto frames = std::move(it->second);
  transactions_.erase(it);
  for (const auto& tf : frames) tx_bytes_ -= buffered_size(tf);
  if (commit) {
    for (auto& tf : frames) {
      if (state_ != state::connected) return;
      // Receipts for these frames were sent when they were buffered.
      for (auto h = tf.headers.begin(); h != tf.headers.end();) {
        h = (h->name == "receipt" || h->name == "transaction") ? tf.headers.erase(h) : h + 1;
      }
      if (tf.cmd == stomp::command::send) publish_send(tf);
      else on_ack(tf, tf.cmd == stomp::command::ack);
    }
  }
  if (state_ == state::connected) receipt(f);
}

void session::deliver_topic(core::topic_sub& sub, const core::message_ptr& m) {
  deliver(static_cast<subscription&>(sub), m);
}

void session::deliver_user(const core::message_ptr& m) {
  // A session has a handful of subscriptions: a scan beats a hash table,
  // whose buckets every idle session would carry.
  for (auto& s : subs_) {
    if (s->is_user && s->user_key == m->destination) deliver(*s, m);
  }
}

void session::deliver(subscription& s, const core::message_ptr& m) {
  if (state_ != state::connected) return;
  const auto policy = s.is_user ? env_.cfg.slow_consumer.user : env_.cfg.slow_consumer.topic;
  const bool drop_policy = policy == config::slow_policy::drop_oldest;
  core::outbound o;
  o.prefix = s.prefix;
  o.msg = m;
  o.version = version_;
  // A client-ack delivery is tracked in `unacked`, so the outbox must not
  // evict it behind our back; its bound is max_unacked instead.
  o.droppable = drop_policy && s.ack == ack_mode::auto_;
  if (s.ack != ack_mode::auto_) {
    if (s.unacked.size() >= env_.cfg.limits.max_unacked) {
      if (drop_policy) {
        // Dropped like an eviction: the next MESSAGE tells the client.
        out_.note_dropped();
        env_.metrics.dropped.add();
        return;
      }
      return fail(core::close_reason::slow_consumer,
                  fmt::format("too many unacknowledged messages (limit {})", env_.cfg.limits.max_unacked));
    }
    if (version_ == stomp::version::v1_2) {
      stomp::append_header(o.extra, "ack", m->id, version_, stomp::command::message);
    }
  }
  const auto dropped_before = out_.dropped_total();
  auto r = out_.push(std::move(o));
  env_.metrics.dropped.add(out_.dropped_total() - dropped_before);
  switch (r) {
    case core::push_result::queued:
      if (s.ack != ack_mode::auto_) s.unacked.push_back(m->id);
      transport_.flush();
      return;
    case core::push_result::dropped_new: return;
    case core::push_result::overflow:
      return fail(core::close_reason::slow_consumer,
                  fmt::format("slow consumer: more than {} bytes pending", env_.cfg.limits.max_pending_bytes));
  }
}

}  // namespace herald::session

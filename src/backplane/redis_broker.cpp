#include "backplane/redis_broker.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "backplane/admission.hpp"
#include "backplane/wire.hpp"
#include "core/channels.hpp"

namespace herald::backplane {

namespace asio = boost::asio;

redis_broker::redis_broker(loop& l, redis_broker_options o)
    : loop_(l), o_(std::move(o)), settle_timer_(l.context()) {
  auto pub_link = o_.link;
  pub_link.client_name = "herald-" + o_.node_id + "-pub";
  pub_ = redis::make_command_link(loop_.context(), o_.where, pub_link, [this](bool) { update_state(); });
  auto sub_link = o_.link;
  sub_link.client_name = "herald-" + o_.node_id + "-sub";
  sub_ = redis::make_pubsub_link(
      loop_.context(), o_.where, sub_link, o_.unsubscribe_delay,
      [this](std::string_view channel, std::string_view payload) { on_payload(channel, payload); },
      [this](bool) { update_state(); });
  sub_->on_channels([this](std::size_t n) { stats_.channels.store(static_cast<std::int64_t>(n), std::memory_order_relaxed); });
}

redis_broker::~redis_broker() = default;

void redis_broker::start(message_handler on_message) {
  on_message_ = std::move(on_message);
  asio::post(loop_.context(), [this] {
    pub_->start();
    sub_->start();
  });
}

void redis_broker::stop() {
  asio::post(loop_.context(), [this] {
    stopped_ = true;
    settle_timer_.cancel();
    pub_->stop();
    sub_->stop();
    state_ = core::broker_state::stopped;
  });
}

void redis_broker::update_state() {
  if (stopped_) return;
  stats_.reconnects.store(pub_->reconnects() + sub_->reconnects(), std::memory_order_relaxed);
  if (pub_->up() && sub_->up()) {
    state_ = core::broker_state::ready;
    if (!flowing_ && !settling_) settle();
    return;
  }
  if (state_.load() != core::broker_state::connecting) state_ = core::broker_state::degraded;
  flowing_ = settling_ = false;
  settle_timer_.cancel();
}

void redis_broker::settle() {
  // Held messages wait until every node is back: each retries within
  // reconnect_max of Redis returning, so flushing earlier would publish to
  // channels nobody has resubscribed yet.
  settling_ = true;
  const auto wait = held_.empty() ? std::chrono::milliseconds(0) : o_.link.backoff_max;
  settle_timer_.expires_after(wait);
  settle_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_ || !settling_) return;
    settling_ = false;
    flowing_ = true;
    auto held = std::move(held_);
    held_.clear();
    for (auto& args : held) send(std::move(args));
  });
}

void redis_broker::send(std::vector<std::string> args) {
  auto settled = [this](redis::reply) { stats_.pending.fetch_sub(1, std::memory_order_relaxed); };
  if (!flowing_) return held_.push_back(std::move(args));
  if (!pub_->command(std::move(args), settled)) settled({});
}

bool redis_broker::publish(const std::string& channel, const core::message_ptr& m) {
  // While Redis is away publishes wait here, up to the buffer.
  if (!admit_publish(stats_, o_.buffer_messages)) return false;
  // Sharded pub/sub on a cluster: classic PUBLISH would be broadcast to
  // every shard.
  std::vector<std::string> args{o_.where.is_cluster() ? "SPUBLISH" : "PUBLISH", o_.prefix + channel,
                                encode(*m, o_.node_id)};
  asio::post(loop_.context(), [this, args = std::move(args)]() mutable {
    if (stopped_) return void(stats_.pending.fetch_sub(1, std::memory_order_relaxed));
    send(std::move(args));
  });
  return true;
}

void redis_broker::subscribe(const std::string& channel) {
  asio::post(loop_.context(), [this, ch = o_.prefix + channel] {
    if (stopped_) return;
    sub_->subscribe(ch);
  });
}

void redis_broker::unsubscribe(const std::string& channel) {
  asio::post(loop_.context(), [this, ch = o_.prefix + channel] {
    if (stopped_) return;
    sub_->unsubscribe(ch);
  });
}

void redis_broker::on_payload(std::string_view channel, std::string_view payload) {
  if (!channel.starts_with(o_.prefix)) return;
  channel.remove_prefix(o_.prefix.size());
  std::string error;
  auto d = decode(payload, &error);
  if (!d) {
    stats_.malformed.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("backplane: dropped an undecodable message on '{}': {}", channel, error);
    return;
  }
  auto& received = channel == core::control_channel  ? stats_.received_control
                   : core::is_user_channel(channel) ? stats_.received_user
                                                     : stats_.received_topic;
  received.fetch_add(1, std::memory_order_relaxed);
  on_message_(std::string(channel), d->message);
}

}  // namespace herald::backplane

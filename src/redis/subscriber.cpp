#include "redis/subscriber.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace herald::redis {

namespace {
// Channels per SUBSCRIBE command: large enough to batch, small enough that
// one reply burst stays modest.
constexpr std::size_t batch = 512;
}  // namespace

subscriber::subscriber(boost::asio::io_context& ioc, link_options o, std::chrono::milliseconds linger, bool sharded,
                       message_fn on_message, std::function<void(bool)> on_state)
    : ioc_(ioc),
      o_(std::move(o)),
      linger_(linger),
      sharded_(sharded),
      on_message_(std::move(on_message)),
      on_state_(std::move(on_state)),
      backoff_(o_),
      retry_(ioc),
      linger_timer_(ioc) {}

subscriber::~subscriber() { stop(); }

void subscriber::start() { connect(); }

void subscriber::stop() {
  stopped_ = true;
  retry_.cancel();
  linger_timer_.cancel();
  if (conn_) conn_->close("stopping");
  conn_.reset();
}

void subscriber::connect() {
  if (stopped_) return;
  connection::callbacks cb;
  cb.ready = [this] {
    spdlog::info("redis {}:{} ({}): connected; subscribing {} channels", o_.where.host, o_.where.port,
                 o_.client_name, wanted_.size());
    if (ever_up_) ++reconnects_;
    backoff_.reset();
    ever_up_ = up_ = true;
    conn_->enter_subscriber_mode();
    // Everything wanted, afresh: the pending batch is part of it.
    to_add_.clear();
    to_remove_.clear();
    std::vector<std::string> all(wanted_.begin(), wanted_.end());
    send(sharded_ ? "SSUBSCRIBE" : "SUBSCRIBE", all);
    if (on_state_) on_state_(true);
  };
  cb.down = [this](const std::string& why) { on_down(why); };
  cb.push = [this](reply r) { on_push(std::move(r)); };
  conn_ = connection::create(ioc_, o_.where, std::move(cb), o_.connect_timeout, o_.client_name);
  conn_->start();
}

void subscriber::on_down(const std::string& why) {
  if (stopped_) return;
  const bool was_up = up_;
  up_ = false;
  auto delay = backoff_.next();
  if (backoff_.attempts() == 1 || backoff_.attempts() % 20 == 0) {
    spdlog::warn("redis {}:{} ({}): {}; retrying in {} ms", o_.where.host, o_.where.port, o_.client_name, why,
                 delay.count());
  }
  boost::asio::post(ioc_, [c = std::move(conn_)] {});
  if (was_up && on_state_) on_state_(false);
  retry_.expires_after(delay);
  retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
}

void subscriber::on_push(reply r) {
  if (r.type != reply::kind::array || r.elements.empty()) return;
  const auto& kind = r.elements[0].str;
  if ((kind == "message" || kind == "smessage") && r.elements.size() == 3) {
    on_message_(r.elements[1].str, r.elements[2].str);
  }
  // subscribe/unsubscribe confirmations need no action: the wanted set is
  // the truth, and a reconnect replays it.
}

void subscriber::subscribe(const std::string& channel) {
  if (leaving_.erase(channel)) return;  // still subscribed on Redis
  if (!wanted_.insert(channel).second) return;
  if (on_channels_) on_channels_(wanted_.size());
  to_add_.push_back(channel);
  schedule_flush();
}

void subscriber::unsubscribe(const std::string& channel) {
  if (!wanted_.contains(channel)) return;
  leaving_[channel] = std::chrono::steady_clock::now() + linger_;
  arm_linger();
}

void subscriber::arm_linger() {
  if (linger_armed_ || leaving_.empty()) return;
  linger_armed_ = true;
  linger_timer_.expires_after(linger_);
  linger_timer_.async_wait([this](boost::system::error_code ec) {
    linger_armed_ = false;
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    for (auto it = leaving_.begin(); it != leaving_.end();) {
      if (it->second <= now) {
        wanted_.erase(it->first);
        to_remove_.push_back(it->first);
        it = leaving_.erase(it);
      } else {
        ++it;
      }
    }
    if (on_channels_) on_channels_(wanted_.size());
    schedule_flush();
    arm_linger();
  });
}

void subscriber::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  // One loop turn collects every change made meanwhile into one command.
  boost::asio::post(ioc_, [this] {
    flush_posted_ = false;
    flush();
  });
}

void subscriber::flush() {
  if (!up()) return;  // the reconnect sends the whole wanted set
  // Removals first: a channel dropped and wanted again within one batch
  // must end up subscribed.
  send(sharded_ ? "SUNSUBSCRIBE" : "UNSUBSCRIBE", to_remove_);
  send(sharded_ ? "SSUBSCRIBE" : "SUBSCRIBE", to_add_);
}

void subscriber::send(const char* verb, std::vector<std::string>& channels) {
  for (std::size_t i = 0; i < channels.size(); i += batch) {
    std::vector<std::string> args;
    args.reserve(1 + std::min(batch, channels.size() - i));
    args.emplace_back(verb);
    for (std::size_t j = i; j < channels.size() && j < i + batch; ++j) args.push_back(std::move(channels[j]));
    conn_->command(args);
  }
  channels.clear();
}

}  // namespace herald::redis

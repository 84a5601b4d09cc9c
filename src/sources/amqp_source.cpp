#include "sources/amqp_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sources/amqp_connection.hpp"
#include "sources/mapping.hpp"

namespace herald::sources {
namespace {

using std::chrono::milliseconds;

// How long one wait for a delivery lasts: the bound on stop()'s latency.
constexpr milliseconds poll{200};
// Each step of connecting (TCP, handshake, every declare) gives up after this.
constexpr milliseconds connect_timeout{3000};
constexpr milliseconds first_backoff{100};
// While the backplane refuses publishes, requeued messages come straight
// back: wait a little longer each time, up to this.
constexpr milliseconds max_unavailable_pause{2000};
constexpr milliseconds unmapped_log_interval{1000};

}  // namespace

amqp_source::amqp_source(config::source cfg, std::uint64_t max_body, sink& out)
    : cfg_(std::move(cfg)), max_body_(max_body), out_(out) {}

amqp_source::~amqp_source() { stop(); }

void amqp_source::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void amqp_source::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool amqp_source::stopping() const {
  std::lock_guard lk(mu_);
  return stop_;
}

bool amqp_source::pause(milliseconds d) {
  std::unique_lock lk(mu_);
  return !wake_.wait_for(lk, d, [this] { return stop_; });
}

void amqp_source::run() {
  unsigned failures = 0;
  while (!stopping()) {
    try {
      consume_once();
      failures = 0;  // returned: stopping
    } catch (const std::exception& e) {
      // A connection that got as far as consuming starts the backoff afresh.
      failures = stats_.up.exchange(false) ? 0 : failures;
      connection_failed(e.what());
    }
    if (stopping()) break;
    // Jittered exponential backoff, so that nodes restarted together do
    // not reconnect in lockstep.
    const auto ceiling = milliseconds(cfg_.amqp.reconnect_max_ms);
    const milliseconds delay = std::min(ceiling, milliseconds(first_backoff.count() << std::min(failures, 16u)));
    std::uniform_int_distribution<milliseconds::rep> jitter(delay.count() / 2, delay.count());
    ++failures;
    if (!pause(milliseconds(jitter(rng_)))) break;
  }
  stats_.up = false;
}

void amqp_source::consume_once() {
  amqp_connection c(cfg_.url, connect_timeout);
  amqp_topology t;
  t.exchange = cfg_.amqp.exchange;
  t.routing_key = cfg_.amqp.routing_key;
  t.queue = cfg_.amqp.mode == config::amqp_mode::group ? cfg_.amqp.queue : std::string();
  t.dead_letter_exchange = cfg_.amqp.dead_letter_exchange;
  t.prefetch = static_cast<std::uint16_t>(cfg_.amqp.prefetch);
  const std::string queue = c.consume(t);

  const char* mode = cfg_.amqp.mode == config::amqp_mode::group ? "group" : "fanout";
  if (ever_up_) {
    stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("source {}: reconnected, consuming queue {} bound to exchange {} ({} mode)", cfg_.name, queue,
                 t.exchange, mode);
  } else {
    spdlog::info("source {}: consuming queue {} bound to exchange {} with key {} ({} mode)", cfg_.name, queue,
                 t.exchange, t.routing_key, mode);
  }
  ever_up_ = true;
  lost_logged_ = false;
  stats_.up = true;

  while (!stopping()) {
    auto got = c.next(poll, max_body_);
    auto* d = std::get_if<amqp_delivery>(&got);
    if (!d) continue;
    const auto wait = handle(c, *d);
    if (wait.count() > 0 && !pause(wait)) break;
  }
  stats_.up = false;
}

void amqp_source::connection_failed(const std::string& why) {
  // One line per outage; the retries behind it stay at debug level.
  if (lost_logged_) {
    spdlog::debug("source {}: still down: {}", cfg_.name, why);
    return;
  }
  lost_logged_ = true;
  spdlog::warn("source {}: {}: {}; retrying with backoff up to {} ms", cfg_.name,
               ever_up_ ? "connection lost" : "cannot consume", why, cfg_.amqp.reconnect_max_ms);
}

milliseconds amqp_source::handle(amqp_connection& c, amqp_delivery& d) {
  stats_.received.fetch_add(1, std::memory_order_relaxed);
  if (d.oversize) {
    unmapped(c, d.tag,
             "the message has " + std::to_string(d.body_size) + " bytes, more than " + std::to_string(max_body_) +
                 " (limits.max_frame_bytes)");
    return milliseconds(0);
  }
  auto m = map_json_event(cfg_.map, d.body);
  if (!m.error.empty()) {
    unmapped(c, d.tag, m.error);
    return milliseconds(0);
  }
  // A fanout queue gives every node its own copy: deliver it here only.
  const bool group = cfg_.amqp.mode == config::amqp_mode::group;
  const auto scope = group ? sink::scope::cluster : sink::scope::local;
  for (auto& f : m.publishes) {
    // The shared queue keeps a message safer than the outage buffer, whose
    // contents a stopping node drops: leave it there until the backplane is back.
    auto r = group && !out_.backplane_ready()
                 ? core::publish_outcome{core::publish_status::unavailable, "backplane not ready", {}}
                 : out_.publish(std::move(f), scope);
    if (r.status == core::publish_status::unavailable) {
      // Back to the queue: another node, or this one once the backplane is
      // back, takes it. (A user publish already made before a refused topic
      // publish is then made again: at least once, never lost.)
      c.requeue(d.tag);
      stats_.unavailable.fetch_add(1, std::memory_order_relaxed);
      if (unavailable_pause_.count() == 0) {
        spdlog::warn("source {}: the backplane refuses publishes ({}); requeueing messages until it is back",
                     cfg_.name, r.error);
      }
      unavailable_pause_ = std::clamp(unavailable_pause_ * 2, poll, max_unavailable_pause);
      return unavailable_pause_;
    }
    if (r.status == core::publish_status::bad_request) {
      unmapped(c, d.tag, "the publish was refused: " + r.error);
      return milliseconds(0);
    }
  }
  c.ack(d.tag);
  stats_.published.fetch_add(1, std::memory_order_relaxed);
  if (unavailable_pause_.count() != 0) {
    spdlog::info("source {}: the backplane takes publishes again", cfg_.name);
    unavailable_pause_ = milliseconds(0);
  }
  return milliseconds(0);
}

void amqp_source::unmapped(amqp_connection& c, std::uint64_t tag, const std::string& why) {
  c.reject(tag);
  stats_.unmapped.fetch_add(1, std::memory_order_relaxed);
  const bool dead_lettered = !cfg_.amqp.dead_letter_exchange.empty();
  if (dead_lettered) stats_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
  // A producer sending garbage sends a lot of it: a line a second at most.
  const auto now = std::chrono::steady_clock::now();
  if (now < next_unmapped_log_) {
    ++unmapped_quiet_;
    return;
  }
  next_unmapped_log_ = now + unmapped_log_interval;
  const std::string more = unmapped_quiet_ ? " (" + std::to_string(unmapped_quiet_) + " more not logged)" : "";
  unmapped_quiet_ = 0;
  spdlog::warn("source {}: unmappable message {}: {}{}", cfg_.name,
               dead_lettered ? "dead-lettered to " + cfg_.amqp.dead_letter_exchange : std::string("dropped"), why, more);
}

}  // namespace herald::sources

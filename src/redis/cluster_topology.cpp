#include "redis/cluster_topology.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace herald::redis {

using clock = std::chrono::steady_clock;

cluster_topology::cluster_topology(boost::asio::io_context& ioc, std::vector<address> seeds, link_options o,
                                   map_fn on_map, cluster_timing timing)
    : ioc_(ioc),
      seeds_(std::move(seeds)),
      o_(std::move(o)),
      on_map_(std::move(on_map)),
      timing_(timing),
      backoff_(o_),
      next_(ioc),
      deadline_(ioc) {}

cluster_topology::~cluster_topology() { stop(); }

void cluster_topology::start() {
  if (started_ || stopped_) return;
  started_ = true;
  ask_round();
}

void cluster_topology::stop() {
  if (stopped_) return;
  stopped_ = true;
  ++attempt_;
  next_.cancel();
  deadline_.cancel();
  drop_connection();
}

void cluster_topology::refresh() {
  if (!started_ || stopped_) return;
  if (asking_) {
    again_ = true;
    return;
  }
  auto earliest = last_ask_ + timing_.min_interval;
  auto now = clock::now();
  schedule(earliest > now ? std::chrono::duration_cast<std::chrono::milliseconds>(earliest - now)
                          : std::chrono::milliseconds(0));
}

void cluster_topology::set_degraded(bool degraded) {
  if (degraded == degraded_) return;
  degraded_ = degraded;
  if (degraded_ && started_ && !stopped_ && !asking_) schedule(timing_.degraded);
}

void cluster_topology::moved(std::uint16_t slot, const address& where) {
  if (stopped_) return;
  if (!map_) map_.emplace();
  if (map_->move(slot, where)) {
    spdlog::debug("redis cluster ({}): slot {} moved to {}", o_.client_name, slot, endpoint(where));
    on_map_(*map_);
  }
  refresh();
}

void cluster_topology::schedule(std::chrono::milliseconds after) {
  if (stopped_) return;
  auto at = clock::now() + after;
  if (next_at_ <= at) return;  // an earlier ask is already planned
  next_at_ = at;
  next_.expires_at(at);
  next_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // stopped, or re-armed for an earlier time
    next_at_ = clock::time_point::max();
    ask_round();
  });
}

void cluster_topology::ask_round() {
  if (stopped_) return;
  if (asking_) {
    again_ = true;
    return;
  }
  asking_ = true;
  again_ = false;
  last_ask_ = clock::now();
  // The masters known last first (they are the cluster now), then the
  // configured seeds.
  candidates_.clear();
  auto add = [this](const address& a) {
    for (const auto& c : candidates_) {
      if (c.host == a.host && c.port == a.port) return;
    }
    candidates_.push_back(a);
  };
  if (map_) {
    for (const auto& m : map_->masters()) add(m);
  }
  // The connection of the last answer stays open between asks (no new
  // connection every few seconds), while its node is still a master.
  if (conn_ && conn_->is_ready()) {
    for (std::size_t i = 0; map_ && i < map_->masters().size(); ++i) {
      const auto& m = candidates_[i];
      if (m.host != kept_.host || m.port != kept_.port) continue;
      std::rotate(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(i),
                  candidates_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      for (const auto& s : seeds_) add(s);
      return ask_kept();
    }
  }
  drop_connection();
  for (const auto& s : seeds_) add(s);
  ask(0);
}

void cluster_topology::ask_kept() {
  const auto id = ++attempt_;
  conn_->command({"CLUSTER", "SLOTS"}, [this, id](reply r) {
    if (id == attempt_) answered(0, r);
  });
  arm_deadline(id, 0);
}

void cluster_topology::arm_deadline(std::uint64_t id, std::size_t i) {
  // The connection times out its own handshake; this bounds the answer.
  deadline_.expires_after(o_.connect_timeout * 2);
  deadline_.async_wait([this, id, i](boost::system::error_code ec) {
    if (!ec && id == attempt_) failed(i, "no answer to CLUSTER SLOTS");
  });
}

void cluster_topology::drop_connection() {
  if (!conn_) return;
  conn_->close("done");
  // It may be reporting from inside its own handlers: let them unwind.
  boost::asio::post(ioc_, [c = std::move(conn_)] {});
}

void cluster_topology::ask(std::size_t i) {
  if (stopped_) return;
  if (i >= candidates_.size()) return round_failed();
  const auto id = ++attempt_;
  connection::callbacks cb;
  cb.ready = [this, id, i] {
    if (id != attempt_) return;
    conn_->command({"CLUSTER", "SLOTS"}, [this, id, i](reply r) {
      if (id == attempt_) answered(i, r);
    });
  };
  cb.down = [this, id, i](const std::string& why) {
    if (id == attempt_) failed(i, why);
  };
  drop_connection();
  conn_ = connection::create(ioc_, candidates_[i], std::move(cb), o_.connect_timeout, o_.client_name);
  conn_->start();
  arm_deadline(id, i);
}

void cluster_topology::failed(std::size_t i, const std::string& why) {
  ++attempt_;
  deadline_.cancel();
  drop_connection();
  last_error_ = endpoint(candidates_[i]) + ": " + why;
  // Next candidate from a fresh stack: this runs inside the connection.
  boost::asio::post(ioc_, [this, life = std::weak_ptr<char>(life_), id = attempt_, i] {
    if (!life.expired() && id == attempt_) ask(i + 1);
  });
}

void cluster_topology::answered(std::size_t i, const reply& r) {
  std::string error;
  auto map = parse_cluster_slots(r, candidates_[i], &error);
  if (map && map->empty()) {
    map.reset();
    error = "serves no slots (is the cluster set up?)";
  }
  if (!map) return failed(i, error);
  ++attempt_;
  deadline_.cancel();
  kept_ = candidates_[i];  // and its connection, for the next ask
  asking_ = false;
  if (failed_rounds_ > 0) spdlog::info("redis cluster ({}): slot map read from {}", o_.client_name, endpoint(candidates_[i]));
  failed_rounds_ = 0;
  backoff_.reset();
  publish(std::move(*map));
  if (stopped_) return;
  schedule(again_ ? timing_.min_interval : degraded_ ? timing_.degraded : timing_.every);
}

void cluster_topology::round_failed() {
  asking_ = false;
  ++failed_rounds_;
  auto delay = backoff_.next();
  if (degraded_) delay = std::min(delay, timing_.degraded);
  if (failed_rounds_ == 1 || failed_rounds_ % 20 == 0) {
    spdlog::warn("redis cluster ({}): no node answered CLUSTER SLOTS (last: {}); retrying in {} ms", o_.client_name,
                 last_error_, delay.count());
  }
  schedule(delay);
}

void cluster_topology::publish(cluster_map m) {
  if (map_ && *map_ == m) return;
  map_ = std::move(m);
  std::string masters;
  for (const auto& a : map_->masters()) masters += (masters.empty() ? "" : ", ") + endpoint(a);
  spdlog::info("redis cluster ({}): {} of {} slots served by {}", o_.client_name, map_->served(), slot_count, masters);
  on_map_(*map_);
}

}  // namespace herald::redis

#include "redis/cluster_client.hpp"

#include <set>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "redis/slot.hpp"

namespace herald::redis {

cluster_client::cluster_client(boost::asio::io_context& ioc, std::vector<address> seeds, link_options o,
                               std::function<void(bool)> on_state, cluster_timing timing)
    : ioc_(ioc),
      o_(std::move(o)),
      on_state_(std::move(on_state)),
      topology_(ioc, std::move(seeds), o_, [this](const cluster_map& m) { on_map(m); }, timing),
      retry_(ioc) {}

cluster_client::~cluster_client() { stop(); }

void cluster_client::start() { topology_.start(); }

void cluster_client::stop() {
  if (stopped_) return;
  stopped_ = true;
  topology_.stop();
  retry_.cancel();
  // Like the single-server client: queued commands are dropped, those in
  // flight are answered with an error by their connection.
  waiting_.clear();
  retrying_.clear();
  owners_.clear();
  auto nodes = std::move(nodes_);
  nodes_.clear();
  for (auto& [_, n] : nodes) n->stop();
  boost::asio::post(ioc_, [nodes = std::make_shared<decltype(nodes)>(std::move(nodes))] {});
}

bool cluster_client::command(std::vector<std::string> args, reply_fn done) {
  if (stopped_) return false;
  auto r = std::make_shared<request>();
  r->args = std::move(args);
  r->done = std::move(done);
  switch (try_send(r)) {
    case outcome::sent:
      return true;
    case outcome::full:
      return false;
    case outcome::wait:
      break;
  }
  if (queued() >= o_.max_queued) return false;
  waiting_.push_back(std::move(r));
  return true;
}

cluster_client::outcome cluster_client::try_send(const request_ptr& r) {
  cluster_node* n = nullptr;
  if (r->ask) {
    n = &node_for(*r->ask);
  } else if (!topology_.map()) {
    return outcome::wait;
  } else if (auto key = routing_key(r->args); !key) {
    // No key (PING and the like): any ready master, in turn.
    std::vector<cluster_node*> ready;
    for (auto& [_, node] : nodes_) {
      if (node->ready()) ready.push_back(node.get());
    }
    if (ready.empty()) return outcome::wait;
    n = ready[next_any_++ % ready.size()];
  } else {
    const int owner = topology_.map()->owner(key_slot(*key));
    if (owner == cluster_map::unserved) return outcome::wait;  // the map will change
    n = owners_[static_cast<std::size_t>(owner)];
  }
  if (!n->ready()) return outcome::wait;
  auto& c = n->conn();
  if (c.unsent_bytes() > o_.max_unsent_bytes) return outcome::full;
  if (r->ask) {
    // ASKING holds for the next command on this connection only.
    c.command({"ASKING"});
    r->ask.reset();
  }
  c.command(r->args, [this, r, from = n->where()](reply rep) { on_reply(r, from, std::move(rep)); });
  return outcome::sent;
}

void cluster_client::on_reply(const request_ptr& r, const address& from, reply rep) {
  if (stopped_ || !rep.is_error()) {
    if (r->done) r->done(std::move(rep));
    return;
  }
  const auto& error = rep.str;
  if (auto rd = parse_redirect(error, from); rd && r->redirects < max_redirects) {
    ++r->redirects;
    if (rd->ask) {
      r->ask = rd->where;
    } else {
      r->ask.reset();
      topology_.moved(rd->slot, rd->where);  // a refresh follows
    }
    return resend(r);
  }
  if (error.starts_with("TRYAGAIN") && r->redirects < max_redirects) {
    // A multi-key command while its slot migrates: the keys are split
    // between two nodes for a moment.
    ++r->redirects;
    return retry_later(r);
  }
  if (error.starts_with("CLUSTERDOWN")) {
    // Refused before running: the cluster lost a master and is failing
    // over (or lost its quorum). Held a while, as while disconnected.
    topology_.refresh();
    if (std::chrono::steady_clock::now() - r->since < clusterdown_budget) {
      spdlog::debug("redis cluster ({}): {} answered {}; retrying", o_.client_name, endpoint(from), error);
      return retry_later(r);
    }
  }
  if (error.starts_with("connection lost")) topology_.refresh();
  if (r->done) r->done(std::move(rep));
}

void cluster_client::resend(const request_ptr& r) {
  switch (try_send(r)) {
    case outcome::sent:
      return;
    case outcome::full:
      return fail(r, reply::make_error("send buffer full"));
    case outcome::wait:
      if (queued() >= o_.max_queued) return fail(r, reply::make_error("queue full"));
      waiting_.push_back(r);
      return;
  }
}

void cluster_client::fail(const request_ptr& r, reply rep) {
  if (r->done) r->done(std::move(rep));
}

void cluster_client::retry_later(const request_ptr& r) {
  retrying_.push_back(r);
  if (retry_armed_) return;
  retry_armed_ = true;
  retry_.expires_after(retry_every);
  retry_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // stopped (perhaps destroyed)
    retry_armed_ = false;
    auto again = std::move(retrying_);
    retrying_.clear();
    for (auto& r : again) resend(r);
  });
}

void cluster_client::drain() {
  if (waiting_.empty() || stopped_) return;
  auto queued = std::move(waiting_);
  waiting_.clear();
  for (auto& r : queued) {
    switch (try_send(r)) {
      case outcome::sent:
        break;
      case outcome::wait:
        waiting_.push_back(std::move(r));
        break;
      case outcome::full:
        fail(r, reply::make_error("send buffer full"));
        break;
    }
  }
}

cluster_node& cluster_client::node_for(const address& a) {
  auto key = endpoint(a);
  if (auto it = nodes_.find(key); it != nodes_.end()) return *it->second;
  cluster_node::events ev;
  ev.ready = [this] {
    drain();
    update_state();
  };
  ev.down = [this](const std::string&) {
    // A master gone may be failing over: learn who serves its slots now.
    topology_.refresh();
    update_state();
  };
  auto& n = nodes_[key];
  n = std::make_unique<cluster_node>(ioc_, a, o_, false, std::move(ev));
  n->start();
  return *n;
}

void cluster_client::on_map(const cluster_map& m) {
  if (stopped_) return;
  std::set<std::string> masters;
  owners_.clear();
  for (const auto& a : m.masters()) {
    masters.insert(endpoint(a));
    owners_.push_back(&node_for(a));  // connects to a new master at once
  }
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (masters.contains(it->first)) {
      ++it;
      continue;
    }
    // Serves no slot any more (a failed-over master, a node removed).
    spdlog::info("redis cluster node {} ({}): no longer a master; disconnecting", it->first, o_.client_name);
    auto gone = std::shared_ptr<cluster_node>(std::move(it->second));
    it = nodes_.erase(it);
    gone->stop();
    boost::asio::post(ioc_, [gone] {});
  }
  drain();
  update_state();
}

void cluster_client::update_state() {
  if (stopped_) return;
  bool now = false;
  if (const auto& m = topology_.map(); m && m->complete()) {
    now = true;
    for (auto* n : owners_) now = now && n->ready();
  }
  topology_.set_degraded(!now);
  if (now == up_) return;
  up_ = now;
  if (now) {
    if (ever_up_) ++reconnects_;
    ever_up_ = true;
    spdlog::info("redis cluster ({}): ready, {} masters", o_.client_name, topology_.map()->masters().size());
  } else {
    spdlog::warn("redis cluster ({}): some slots cannot be served now", o_.client_name);
  }
  if (on_state_) on_state_(now);
}

}  // namespace herald::redis

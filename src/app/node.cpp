#include "app/node.hpp"

#include <sys/resource.h>

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "backplane/amqp_broker.hpp"
#include "backplane/redis_broker.hpp"
#include "backplane/redis_directory.hpp"
#include "app/cluster_services.hpp"
#include "core/local_directory.hpp"
#include "core/channels.hpp"
#include "core/memory_broker.hpp"
#include "net/sockjs_relay.hpp"
#include "redis/address.hpp"
#include "sources/make_sources.hpp"
#include "util/log.hpp"

namespace herald::app {

namespace {
// File descriptors kept back from max_connections for listeners, logs,
// backplane and webhook connections.
constexpr std::uint32_t reserved_fds = 64;
}  // namespace

node::node(config::config cfg) : cfg_(std::move(cfg)), rules_(cfg_.destinations) {
  auth_ = auth::make_authenticator(cfg_.auth);
  if (cfg_.auth.mode == config::auth_mode::none) {
    spdlog::warn("auth.mode is 'none': any client may connect as any user (development only)");
  }
  for (const auto& o : cfg_.allowed_origins) {
    if (o == "*") spdlog::warn("allowed_origins contains '*': any web page may open sessions with its users' cookies");
  }
  broker_ = make_broker();
  directory_ = make_directory();
  if (cfg_.auth.mode == config::auth_mode::redis) {
    redis_auth_ = std::make_unique<backplane::redis_auth>(backplane_loop_, redis_topology(), redis_link(),
                                                          cfg_.auth.redis, cfg_.node.id);
  }
  const auto n = thread_count();
  router_ = std::make_unique<core::router>(*broker_, n,
                                           [this](std::size_t w, const std::string& channel, const core::message_ptr& m) {
                                             workers_[w]->deliver(channel, m);
                                           });
  publisher_ = std::make_unique<core::publisher>(*broker_, rules_, cfg_.node.id);
  shared_.reset(new net::node_shared{cfg_, rules_, *auth_, *publisher_, registry_, *router_, *this,
                                     effective_max_connections()});
  services_ = std::make_unique<cluster_services>(cfg_, redis_auth_.get(), *directory_);
  if (services_->authenticates() || services_->limits_cluster_wide()) shared_->services = services_.get();
  if (cfg_.broker.type == config::broker_type::redis) {
    shared_->sockjs_directory = directory_.get();
    shared_->relay = [this](const std::string& node, core::message_ptr m) {
      broker_->publish(core::node_channel(node), m);
    };
  }
  for (std::size_t i = 0; i < n; ++i) workers_.push_back(std::make_unique<net::worker>(i, *shared_));
  for (auto& w : workers_) shared_->workers.push_back(w.get());
  local_delivery_ = [this](const std::string& channel, const core::message_ptr& m) { router_->on_message(channel, m); };
  sources_ = sources::make_sources(cfg_, *this);
}

core::publish_outcome node::publish(core::message_fields f, scope s) {
  return s == scope::local ? publisher_->publish_local(std::move(f), local_delivery_) : publisher_->publish(std::move(f));
}

void node::fatal(const std::string& why) {
  spdlog::critical("{}; stopping", why);
  exit_code_ = 2;
  // The main thread's signal handler drains and stops.
  std::raise(SIGTERM);
}

std::vector<std::pair<std::string, bool>> node::source_states() const {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& s : sources_) out.emplace_back(s->name(), s->stats().up.load());
  return out;
}

redis::topology node::redis_topology() const {
  const auto& r = cfg_.broker.redis;
  std::string error;  // validated at load
  redis::topology t;
  t.server = *redis::parse_url(r.url, &error);
  for (const auto& seed : r.cluster_nodes) {
    auto a = *redis::parse_host_port(seed, &error);
    // Cluster nodes share the credentials given in the URL.
    a.user = t.server.user;
    a.password = t.server.password;
    t.cluster_seeds.push_back(std::move(a));
  }
  return t;
}

redis::link_options node::redis_link() const {
  redis::link_options o;
  o.connect_timeout = std::chrono::milliseconds(cfg_.broker.redis.connect_timeout_ms);
  o.backoff_max = std::chrono::milliseconds(cfg_.broker.redis.reconnect_max_ms);
  return o;
}

std::unique_ptr<core::broker> node::make_broker() {
  if (cfg_.broker.type == config::broker_type::memory) return std::make_unique<core::memory_broker>();
  if (cfg_.broker.type == config::broker_type::amqp) {
    const auto& a = cfg_.broker.amqp;
    backplane::amqp_broker_options o;
    o.url = a.url;
    o.exchange = a.exchange;
    o.node_id = cfg_.node.id;
    o.buffer_messages = a.buffer_messages;
    o.reconnect_max = std::chrono::milliseconds(a.reconnect_max_ms);
    return std::make_unique<backplane::amqp_broker>(std::move(o));
  }
  const auto& r = cfg_.broker.redis;
  backplane::redis_broker_options o;
  o.where = redis_topology();
  o.link = redis_link();
  o.prefix = r.prefix;
  o.node_id = cfg_.node.id;
  o.buffer_messages = r.buffer_messages;
  o.unsubscribe_delay = std::chrono::milliseconds(r.unsubscribe_delay_ms);
  return std::make_unique<backplane::redis_broker>(backplane_loop_, std::move(o));
}

std::unique_ptr<core::directory> node::make_directory() {
  auto self = [this] { return self_entry(); };
  // RabbitMQ has no shared store for presence and the node registry: with
  // the amqp broker, as with memory, they cover this node only (and SockJS
  // sessions are not relayed, see the constructor).
  if (cfg_.broker.type != config::broker_type::redis) return std::make_unique<core::local_directory>(registry_, self);
  backplane::redis_directory_options o;
  o.where = redis_topology();
  o.link = redis_link();
  o.prefix = cfg_.broker.redis.prefix;
  o.node_id = cfg_.node.id;
  o.heartbeat = std::chrono::milliseconds(cfg_.cluster.heartbeat_ms);
  o.node_ttl = std::chrono::milliseconds(cfg_.cluster.node_ttl_ms);
  // Outlives a session between its requests, with room for a slow client.
  o.sockjs_ttl = 2 * std::chrono::milliseconds(cfg_.sockjs.heartbeat_ms + cfg_.sockjs.disconnect_delay_ms);
  if (!cfg_.cluster.presence_topic.empty()) {
    o.on_presence = [this](const std::string& user, bool online) { publish_presence(user, online); };
  }
  return std::make_unique<backplane::redis_directory>(backplane_loop_, std::move(o), registry_, self);
}

core::node_entry node::self_entry() const {
  core::node_entry e;
  e.id = cfg_.node.id;
  e.version = HERALD_VERSION;
  e.listen = listen_address_;
  e.started_unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(started_wall_.time_since_epoch()).count();
  e.connections = shared_->connections.load();
  e.sessions = static_cast<std::int64_t>(registry_.sessions());
  e.users = static_cast<std::int64_t>(registry_.users());
  return e;
}

void node::publish_presence(const std::string& user, bool online) {
  core::message_fields f;
  f.destination = cfg_.cluster.presence_topic;
  f.headers = {{"content-type", "application/json"}};
  f.body = boost::json::serialize(boost::json::object{{"user", user}, {"online", online}});
  auto out = publisher_->publish(std::move(f));
  if (out.status != core::publish_status::ok) {
    spdlog::warn("presence event for '{}' not published: {}", user, out.error);
  }
}

void node::on_backplane(const std::string& channel, const core::message_ptr& m) {
  if (channel == core::control_channel) return on_control(*m);
  if (channel == own_channel_) return workers_[net::relay_worker(*m, workers_.size())]->relay(m);
  router_->on_message(channel, m);
}

node::~node() {
  for (auto& s : sources_) s->stop();
  for (auto& w : workers_) w->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  // The loop's handlers use the broker; end them before members go.
  backplane_loop_.join();
  // Workers (and the connections their loops still hold) count themselves
  // out of shared_ as they go, so they must go first.
  workers_.clear();
}

std::size_t node::thread_count() const {
  std::size_t n = cfg_.threads ? cfg_.threads : std::max(1u, std::thread::hardware_concurrency());
  if (n > 64) throw std::invalid_argument("threads: at most 64 worker threads are supported");
  return n;
}

std::uint32_t node::effective_max_connections() const {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return cfg_.limits.max_connections;
  // Raise the soft limit to the hard one: connections are what we are for.
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  const auto fit = rl.rlim_cur > reserved_fds ? static_cast<std::uint32_t>(rl.rlim_cur - reserved_fds) : 1u;
  if (cfg_.limits.max_connections > fit) {
    spdlog::warn("limits.max_connections={} does not fit the open-file limit {} (RLIMIT_NOFILE); using {}",
                 cfg_.limits.max_connections, rl.rlim_cur, fit);
    return fit;
  }
  return cfg_.limits.max_connections;
}

int node::run() {
  // Signals are caught from before the listening line on: a supervisor may
  // send SIGTERM as soon as it sees that line.
  boost::asio::io_context main;
  boost::asio::signal_set signals(main, SIGINT, SIGTERM, SIGHUP);
  boost::asio::steady_timer drain_timer(main);
  std::chrono::steady_clock::time_point drain_deadline;

  std::uint16_t port = cfg_.listen_port();
  for (auto& w : workers_) port = w->listen(cfg_.listen_host(), port);
  listen_address_ = cfg_.listen_host() + ":" + std::to_string(port);
  broker_->start([this](const std::string& channel, const core::message_ptr& m) { on_backplane(channel, m); });
  broker_->subscribe(std::string(core::control_channel));
  broker_->subscribe(own_channel_);
  directory_->start();
  if (redis_auth_) redis_auth_->start();
  backplane_loop_.start();
  for (auto& w : workers_) {
    threads_.emplace_back([&w] { w->run(); });
  }
  std::string paths;
  for (const auto& ep : cfg_.endpoints) {
    paths += (paths.empty() ? "" : ", ") + ep.path + (ep.sockjs ? " (SockJS)" : "");
  }
  // Tests and supervisors wait for this line; keep its shape.
  spdlog::info("herald {} node '{}' listening on http://{}:{} ({} threads; STOMP endpoints: {}; broker: {})",
               HERALD_VERSION, cfg_.node.id, cfg_.listen_host(), port, workers_.size(), paths, broker_->name());
  // After that line: a source's fatal error then reads as what stopped a
  // running node.
  for (auto& s : sources_) s->start();

  std::function<void()> poll_drain = [&] {
    if (shared_->connections.load() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      spdlog::info("stopped ({} connections left)", shared_->connections.load());
      main.stop();
      return;
    }
    // Connections end on their own threads; check again shortly.
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](boost::system::error_code) { poll_drain(); });
  };
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        util::reopen_logs();
        return wait_signal();
      }
      spdlog::info("signal {}: draining for up to {} ms", sig, cfg_.drain_ms);
      shared_->draining = true;
      // Sources first: what they took but could not publish goes back to
      // its queue while the broker can still take what they did.
      for (auto& s : sources_) s->stop();
      broker_->stop();
      for (auto& w : workers_) w->begin_shutdown();
      drain_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg_.drain_ms);
      poll_drain();
    });
  };
  wait_signal();
  main.run();
  for (auto& w : workers_) w->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  directory_->stop();
  if (redis_auth_) redis_auth_->stop();
  backplane_loop_.join();
  return exit_code_.load();
}

bool node::ready() const {
  return !shared_->draining.load() && broker_->state() == core::broker_state::ready;
}

void node::kick_user(const std::string& user, const std::string& reason) {
  // Here at once, even while the backplane is away; the other nodes
  // through it.
  for (auto& w : workers_) w->kick_user(user, reason);
  publish_kick(user, reason, cfg_.node.id);
}

void node::close_sessions(const std::string& user, const std::string& reason) {
  // Through the backplane only, this node included: the kick then follows
  // the source's notice, published just before on the same link, to every
  // session — a local kick at once could overtake it.
  publish_kick(user, reason, {});
}

void node::publish_kick(const std::string& user, const std::string& reason, const std::string& from) {
  core::message_fields f;
  f.kind = core::target_kind::user;
  f.user = user;
  f.destination = "/kick";
  f.headers = {{"op", "kick"}, {"reason", reason}};
  if (!from.empty()) f.headers.emplace_back("from", from);
  if (!broker_->publish(std::string(core::control_channel), core::make_message(std::move(f), "control"))) {
    spdlog::warn("kick of '{}' not sent to the other nodes: the backplane's outage buffer is full", user);
  }
}

void node::on_control(const core::message& m) {
  auto header = [&](std::string_view name) -> std::string {
    for (const auto& [k, v] : m.headers) {
      if (k == name) return v;
    }
    return {};
  };
  if (header("from") == cfg_.node.id) return;  // applied when sent
  if (header("op") == "kick") {
    const auto reason = header("reason");
    for (auto& w : workers_) w->kick_user(m.user, reason);
  }
}

}  // namespace herald::app

#include "net/worker.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/http_session.hpp"
#include "net/sockjs_relay.hpp"
#include "net/sockjs_session.hpp"
#include "net/ws_session.hpp"

namespace herald::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

worker::impl::impl(std::size_t i, node_shared& s)
    : index(i),
      shared(s),
      hub([this](const std::string& channel, bool gained) { shared.router.interest(index, channel, gained); }),
      env{s.cfg, s.rules, s.auth, hub, s.publisher, s.registry, metrics} {
  if (!s.cfg.app.webhook.empty()) {
    webhook.emplace(ioc, s.cfg.app.webhook, s.cfg.app.webhook_timeout_ms, s.publisher);
    env.app = &*webhook;
  }
  if (s.services) {
    services.emplace(ioc, *s.services);
    env.services = &*services;
  }
  env.next_session_id = [this] {
    return shared.cfg.node.id + "-" + std::to_string(index) + "-" + std::to_string(++session_seq);
  };
}

worker::impl::~impl() {
  // Sessions still referenced by pending handlers are destroyed with the
  // io_context, after the hub: end them now. Copy: teardown edits the table.
  std::vector<sockjs_session*> live(sockjs_live.begin(), sockjs_live.end());
  for (auto* s : live) s->teardown();
  sockjs_sessions.clear();
}

void worker::impl::schedule_flush(std::shared_ptr<flushable> f) {
  if (flush_list.empty()) {
    asio::post(ioc, [this] {
      // Swap out first: writing may queue more (a pong, a close frame).
      auto batch = std::move(flush_list);
      flush_list.clear();
      for (auto& f : batch) f->write_now();
    });
  }
  flush_list.push_back(std::move(f));
}

std::size_t sockjs_owner(std::string_view id, std::size_t workers) {
  return std::hash<std::string_view>{}(id) % workers;
}

void worker::impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || shutting_down) return;
      // EMFILE and friends: log, back off by one loop turn, keep serving.
      spdlog::warn("accept failed on worker {}: {}", index, ec.message());
      return asio::post(ioc, [this] { accept(); });
    }
    metrics.connections_accepted.add();
    auto n = shared.connections.fetch_add(1, std::memory_order_relaxed) + 1;
    metrics.connections.add();
    connection_slot slot(shared, metrics.connections);
    if (n > shared.max_connections) {
      metrics.connections_refused.add();
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<http_session>(*this, std::move(socket), std::move(slot))->run();
    }
    accept();
  });
}

worker::worker(std::size_t index, node_shared& shared) : impl_(std::make_unique<impl>(index, shared)) {}

worker::~worker() = default;

std::uint16_t worker::listen(const std::string& host, std::uint16_t port) {
  auto& a = impl_->acceptor;
  tcp::endpoint ep(asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host), port);
  a.open(ep.protocol());
  a.set_option(tcp::acceptor::reuse_address(true));
  // Every worker binds the same port; the kernel spreads connections.
  int one = 1;
  if (::setsockopt(a.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    throw std::system_error(errno, std::generic_category(), "SO_REUSEPORT");
  }
  a.bind(ep);
  a.listen(asio::socket_base::max_listen_connections);
  impl_->accept();
  return a.local_endpoint().port();
}

void worker::run() {
  auto guard = asio::make_work_guard(impl_->ioc);
  impl_->ioc.run();
}

void worker::deliver(const std::string& channel, const core::message_ptr& m) {
  asio::post(impl_->ioc, [this, channel, m] { impl_->hub.deliver(channel, m); });
}

void worker::relay(const core::message_ptr& m) {
  asio::post(impl_->ioc, [this, m] { on_relay_message(*impl_, *m); });
}

void worker::kick_user(const std::string& user, const std::string& reason) {
  asio::post(impl_->ioc, [this, user, reason] {
    for (auto* s : impl_->hub.sessions_of(user)) s->kick(reason);
  });
}

void worker::begin_shutdown() {
  asio::post(impl_->ioc, [this] {
    impl_->shutting_down = true;
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    // Copy: closing may erase from the set.
    std::vector<ws_session*> all(impl_->sessions.begin(), impl_->sessions.end());
    for (auto* s : all) s->close(core::close_reason::server_shutdown);
    std::vector<std::shared_ptr<sockjs_session>> sockjs;
    for (auto* s : impl_->sockjs_live) {
      if (auto p = s->weak_from_this().lock()) sockjs.push_back(std::move(p));
    }
    for (auto& s : sockjs) s->shut_down();
    std::vector<http_session*> http(impl_->http_sessions.begin(), impl_->http_sessions.end());
    for (auto* h : http) h->close_if_idle();
  });
}

void worker::stop() { impl_->ioc.stop(); }

const metrics::worker_metrics& worker::metrics() const { return impl_->metrics; }

std::size_t worker::index() const { return impl_->index; }

}  // namespace herald::net

// The node's reports: /api/info (JSON) and /metrics (Prometheus text),
// summing the per-worker cells at read time.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "app/node.hpp"
#include "metrics/prometheus.hpp"
#include "sources/metrics.hpp"

namespace herald::app {

namespace json = boost::json;

json::object node::broker_json() const {
  const auto& b = broker_->stats();
  auto v = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  return json::object{{"type", broker_->name()},
                      {"state", core::to_string(broker_->state())},
                      {"channels", v(b.channels)},
                      {"pending", v(b.pending)},
                      {"published", v(b.published)},
                      {"rejected", v(b.rejected)},
                      {"received", json::object{{"topic", v(b.received_topic)},
                                                {"user", v(b.received_user)},
                                                {"control", v(b.received_control)}}},
                      {"reconnects", v(b.reconnects)}};
}

std::string node::info_json() const {
  using namespace std::chrono;
  json::array threads;
  std::int64_t subs = 0;
  std::int64_t sockjs = 0;
  for (const auto& w : workers_) {
    const auto& m = w->metrics();
    subs += m.subscriptions.value();
    sockjs += m.sockjs_sessions.value();
    std::int64_t sessions = 0;
    for (const auto& g : m.sessions) sessions += g.value();
    threads.push_back(json::object{{"index", w->index()},
                                   {"connections", m.connections.value()},
                                   {"sessions", sessions},
                                   {"sockjs_sessions", m.sockjs_sessions.value()},
                                   {"subscriptions", m.subscriptions.value()},
                                   {"deliveries", m.deliveries.value()}});
  }
  json::object o{{"node", cfg_.node.id},
                 {"version", HERALD_VERSION},
                 {"uptime_seconds", duration_cast<seconds>(steady_clock::now() - started_).count()},
                 {"connections", shared_->connections.load()},
                 {"max_connections", shared_->max_connections},
                 {"sessions", registry_.sessions()},
                 {"users", registry_.users()},
                 {"sockjs_sessions", sockjs},
                 {"subscriptions", subs},
                 {"channels", router_->channels()},
                 {"broker", broker_json()},
                 {"threads", std::move(threads)}};
  return json::serialize(o);
}

std::string node::metrics_text() const {
  metrics::text_writer t;
  auto sum = [&](auto pick) {
    double s = 0;
    for (const auto& w : workers_) s += static_cast<double>(pick(w->metrics()));
    return s;
  };
  auto counter = [&](std::string_view name, std::string_view help, auto pick) {
    t.family(name, "counter", help);
    t.sample(name, sum(pick));
  };
  auto gauge = [&](std::string_view name, std::string_view help, auto pick) {
    t.family(name, "gauge", help);
    t.sample(name, sum(pick));
  };
  using wm = metrics::worker_metrics;
  t.family("herald_node_info", "gauge", "Always 1; the labels name this node");
  t.sample("herald_node_info", 1, fmt::format("node=\"{}\",version=\"{}\"", metrics::escape_label(cfg_.node.id), HERALD_VERSION));
  gauge("herald_connections", "Open TCP connections", [](const wm& m) { return m.connections.value(); });
  counter("herald_connections_accepted_total", "Connections accepted",
          [](const wm& m) { return m.connections_accepted.value(); });
  counter("herald_connections_refused_total", "Connections refused over limits.max_connections",
          [](const wm& m) { return m.connections_refused.value(); });
  t.family("herald_sessions", "gauge", "Open STOMP sessions by transport");
  for (std::size_t k = 0; k < metrics::transport_kind_count; ++k) {
    t.sample("herald_sessions", sum([k](const wm& m) { return m.sessions[k].value(); }),
             fmt::format("transport=\"{}\"", metrics::to_string(static_cast<metrics::transport_kind>(k))));
  }
  gauge("herald_sockjs_sessions", "SockJS sessions over HTTP transports (attached or between requests)",
        [](const wm& m) { return m.sockjs_sessions.value(); });
  gauge("herald_subscriptions", "Active subscriptions", [](const wm& m) { return m.subscriptions.value(); });
  counter("herald_frames_in_total", "STOMP frames received", [](const wm& m) { return m.frames_in.value(); });
  counter("herald_frames_out_total", "STOMP frames written", [](const wm& m) { return m.frames_out.value(); });
  counter("herald_bytes_in_total", "STOMP bytes received", [](const wm& m) { return m.bytes_in.value(); });
  counter("herald_bytes_out_total", "STOMP bytes written", [](const wm& m) { return m.bytes_out.value(); });
  counter("herald_deliveries_total", "MESSAGE frames written to subscribers",
          [](const wm& m) { return m.deliveries.value(); });
  counter("herald_dropped_total", "Messages dropped for slow consumers (drop_oldest policy)",
          [](const wm& m) { return m.dropped.value(); });
  counter("herald_auth_failures_total", "CONNECTs refused by authentication",
          [](const wm& m) { return m.auth_failures.value(); });
  counter("herald_protocol_errors_total", "Sessions ended by a protocol violation",
          [](const wm& m) { return m.protocol_errors.value(); });
  counter("herald_http_requests_total", "HTTP requests served", [](const wm& m) { return m.http_requests.value(); });
  t.family("herald_closes_total", "counter", "Connections closed, by reason");
  for (std::size_t r = 0; r < core::close_reason_count; ++r) {
    t.sample("herald_closes_total", sum([r](const wm& m) { return m.closes[r].value(); }),
             fmt::format("reason=\"{}\"", core::to_string(static_cast<core::close_reason>(r))));
  }
  const auto& ps = publisher_->stats();
  t.family("herald_publishes_total", "counter", "Messages published, by outcome");
  t.sample("herald_publishes_total", static_cast<double>(ps.published.load()), "outcome=\"ok\"");
  t.sample("herald_publishes_total", static_cast<double>(ps.rejected.load()), "outcome=\"rejected\"");
  t.sample("herald_publishes_total", static_cast<double>(ps.unavailable.load()), "outcome=\"unavailable\"");
  t.family("herald_broker_up", "gauge", "1 when the backplane is ready");
  t.sample("herald_broker_up", broker_->state() == core::broker_state::ready ? 1 : 0,
           fmt::format("broker=\"{}\"", broker_->name()));
  write_backplane_metrics(t);
  sources::write_metrics(t, sources_);
  t.family("herald_publish_to_write_seconds", "histogram", "Time from publish to the socket write of a delivery");
  std::vector<const metrics::latency_histogram*> parts;
  for (const auto& w : workers_) parts.push_back(&w->metrics().publish_to_write);
  t.histogram("herald_publish_to_write_seconds", parts.data(), parts.size());
  return t.take();
}

void node::write_backplane_metrics(metrics::text_writer& t) const {
  const auto& b = broker_->stats();
  auto v = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  t.family("herald_backplane_published_total", "counter", "Messages handed to the backplane");
  t.sample("herald_backplane_published_total", v(b.published));
  t.family("herald_backplane_rejected_total", "counter", "Publishes refused because the outage buffer was full");
  t.sample("herald_backplane_rejected_total", v(b.rejected));
  t.family("herald_backplane_received_total", "counter",
           "Messages received from the backplane, by channel kind (interest-based routing: a node receives only "
           "channels it has subscribers for)");
  t.sample("herald_backplane_received_total", v(b.received_topic), "kind=\"topic\"");
  t.sample("herald_backplane_received_total", v(b.received_user), "kind=\"user\"");
  t.sample("herald_backplane_received_total", v(b.received_control), "kind=\"control\"");
  t.family("herald_backplane_malformed_total", "counter", "Undecodable backplane payloads dropped");
  t.sample("herald_backplane_malformed_total", v(b.malformed));
  t.family("herald_backplane_reconnects_total", "counter", "Reconnections to the backplane");
  t.sample("herald_backplane_reconnects_total", v(b.reconnects));
  t.family("herald_backplane_channels", "gauge", "Channels this node is subscribed to on the backplane");
  t.sample("herald_backplane_channels", v(b.channels));
  t.family("herald_backplane_pending", "gauge", "Publishes accepted but not yet confirmed by the backplane");
  t.sample("herald_backplane_pending", v(b.pending));
}

}  // namespace herald::app

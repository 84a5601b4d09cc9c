// The node's reports: /api/info (JSON) and /metrics (Prometheus text),
// summing the per-worker cells at read time.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "app/node.hpp"
#include "metrics/prometheus.hpp"

namespace herald::app {

namespace json = boost::json;

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
                 {"broker", json::object{{"type", broker_->name()}, {"state", core::to_string(broker_->state())}}},
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
  t.family("herald_publish_to_write_seconds", "histogram", "Time from publish to the socket write of a delivery");
  std::vector<const metrics::latency_histogram*> parts;
  for (const auto& w : workers_) parts.push_back(&w->metrics().publish_to_write);
  t.histogram("herald_publish_to_write_seconds", parts.data(), parts.size());
  return t.take();
}

}  // namespace herald::app

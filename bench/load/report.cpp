#include "report.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace herald::bench {

namespace json = boost::json;

namespace {

const char* scenario_name(scenario s) {
  switch (s) {
    case scenario::idle: return "idle";
    case scenario::broadcast: return "broadcast";
    case scenario::users: return "users";
  }
  return "?";
}

const char* server_name(server_kind s) {
  switch (s) {
    case server_kind::herald: return "herald";
    case server_kind::rabbitmq: return "rabbitmq";
    case server_kind::nchan: return "nchan";
  }
  return "?";
}

// Median and range over the measured (non-warm-up) rounds.
json::object spread(std::vector<double> values) {
  json::object o;
  if (values.empty()) return o;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  o["median"] = median;
  o["min"] = values.front();
  o["max"] = values.back();
  return o;
}

json::object params(const options& opts) {
  json::object p;
  p["connections"] = opts.connections;
  p["threads"] = opts.threads;
  p["source_ips"] = opts.source_ips;
  p["messages"] = opts.messages;
  p["body_bytes"] = opts.body_bytes;
  p["rate"] = opts.rate;
  p["pipeline"] = opts.pipeline;
  p["warmup"] = opts.warmup;
  p["repeat"] = opts.repeat;
  p["publish_via"] = opts.via == publish_via::http ? "http" : "stomp";
  p["protocol"] = opts.server == server_kind::nchan ? "websocket" : "stomp-over-websocket";
  return p;
}

json::object head(const options& opts) {
  json::object o;
  o["scenario"] = scenario_name(opts.scenario);
  o["server"] = server_name(opts.server);
  o["label"] = opts.label.empty() ? server_name(opts.server) : opts.label;
  o["params"] = params(opts);
  return o;
}

double us(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

json::object latency_json(const histogram& h) {
  json::object o;
  o["count"] = h.count();
  o["mean"] = h.mean() / 1000.0;
  o["p50"] = us(h.percentile(50));
  o["p90"] = us(h.percentile(90));
  o["p99"] = us(h.percentile(99));
  o["p99.9"] = us(h.percentile(99.9));
  o["max"] = us(h.max());
  return o;
}

json::object connect_json(const connect_result& c) {
  json::object o;
  o["requested"] = c.requested;
  o["ready"] = c.ready;
  o["failed"] = c.failed;
  o["seconds"] = c.seconds;
  o["per_second"] = c.seconds > 0 ? static_cast<double>(c.ready) / c.seconds : 0.0;
  if (!c.first_error.empty()) o["first_error"] = c.first_error;
  return o;
}

}  // namespace

std::string delivery_report(const options& opts, const connect_result& connect,
                            const std::vector<delivery_round>& rounds) {
  json::object out = head(opts);
  out["connect"] = connect_json(connect);
  json::array list;
  std::vector<double> rate, p50, p90, p99, p999, max, lost, bench_cores, server_cores, publish_rate;
  for (const auto& r : rounds) {
    json::object o;
    o["warmup"] = r.warmup;
    o["published"] = r.published;
    o["publish_errors"] = r.publish_errors;
    o["expected"] = r.expected;
    o["delivered"] = r.delivered;
    o["lost"] = r.expected - std::min(r.expected, r.delivered);
    o["stale"] = r.stale;
    o["dropped_connections"] = r.dropped_connections;
    o["publish_s"] = r.publish_s;
    o["duration_s"] = r.duration_s;
    o["publish_per_s"] = r.publish_s > 0 ? static_cast<double>(r.published) / r.publish_s : 0.0;
    o["deliveries_per_s"] = r.deliveries_per_s;
    o["latency_us"] = latency_json(r.latency);
    o["bench_cpu_s"] = r.bench_cpu_s;
    o["server_cpu_s"] = r.server_cpu_s;
    if (!r.first_error.empty()) o["first_error"] = r.first_error;
    list.push_back(std::move(o));
    if (r.warmup) continue;
    rate.push_back(r.deliveries_per_s);
    publish_rate.push_back(r.publish_s > 0 ? static_cast<double>(r.published) / r.publish_s : 0.0);
    p50.push_back(us(r.latency.percentile(50)));
    p90.push_back(us(r.latency.percentile(90)));
    p99.push_back(us(r.latency.percentile(99)));
    p999.push_back(us(r.latency.percentile(99.9)));
    max.push_back(us(r.latency.max()));
    lost.push_back(static_cast<double>(r.expected - std::min(r.expected, r.delivered)));
    // Cores used while the round ran: shows whether the generator kept up.
    bench_cores.push_back(r.duration_s > 0 ? r.bench_cpu_s / r.duration_s : 0.0);
    server_cores.push_back(r.duration_s > 0 ? r.server_cpu_s / r.duration_s : 0.0);
  }
  out["rounds"] = std::move(list);
  json::object summary;
  summary["deliveries_per_s"] = spread(rate);
  summary["publish_per_s"] = spread(publish_rate);
  json::object lat;
  lat["p50"] = spread(p50);
  lat["p90"] = spread(p90);
  lat["p99"] = spread(p99);
  lat["p99.9"] = spread(p999);
  lat["max"] = spread(max);
  summary["latency_us"] = std::move(lat);
  summary["lost"] = spread(lost);
  summary["bench_cores"] = spread(bench_cores);
  summary["server_cores"] = spread(server_cores);
  out["summary"] = std::move(summary);
  return json::serialize(out);
}

std::string idle_report(const options& opts, const std::vector<idle_round>& rounds) {
  json::object out = head(opts);
  json::array list;
  std::vector<double> per_conn, rate, rss;
  for (const auto& r : rounds) {
    json::object o;
    o["connect"] = connect_json(r.connect);
    o["rss_before"] = r.rss_before;
    o["rss_after"] = r.rss_after;
    const double bytes = r.connect.ready && r.rss_after > r.rss_before
                             ? static_cast<double>(r.rss_after - r.rss_before) / static_cast<double>(r.connect.ready)
                             : 0.0;
    o["bytes_per_connection"] = bytes;
    json::array steps;
    for (const auto& st : r.steps) steps.push_back(json::array{st.connections, st.rss});
    o["rss_steps"] = std::move(steps);
    o["bench_cpu_s"] = r.bench_cpu_s;
    o["server_cpu_s"] = r.server_cpu_s;
    list.push_back(std::move(o));
    per_conn.push_back(bytes);
    rate.push_back(r.connect.seconds > 0 ? static_cast<double>(r.connect.ready) / r.connect.seconds : 0.0);
    rss.push_back(static_cast<double>(r.rss_after));
  }
  out["rounds"] = std::move(list);
  json::object summary;
  summary["bytes_per_connection"] = spread(per_conn);
  summary["connects_per_s"] = spread(rate);
  summary["rss_after"] = spread(rss);
  out["summary"] = std::move(summary);
  return json::serialize(out);
}

}  // namespace herald::bench

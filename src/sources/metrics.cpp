#include "sources/metrics.hpp"

#include <string>

namespace herald::sources {

void write_metrics(metrics::text_writer& t, const std::vector<std::unique_ptr<source>>& all) {
  if (all.empty()) return;
  auto v = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  auto label = [](const source& s, const char* key = nullptr, const char* value = nullptr) {
    std::string l = "source=\"" + metrics::escape_label(s.name()) + "\",type=\"" + s.type() + "\"";
    if (key) l += std::string(",") + key + "=\"" + value + "\"";
    return l;
  };
  t.family("herald_source_up", "gauge", "1 while the source is connected and consuming");
  for (const auto& s : all) t.sample("herald_source_up", s->stats().up.load() ? 1 : 0, label(*s));
  t.family("herald_source_events_total", "counter",
           "Events by outcome: received, published, unmapped (failed the mapping), unavailable (publish refused "
           "during a backplane outage), dead_lettered");
  for (const auto& s : all) {
    const auto& st = s->stats();
    t.sample("herald_source_events_total", v(st.received), label(*s, "result", "received"));
    t.sample("herald_source_events_total", v(st.published), label(*s, "result", "published"));
    t.sample("herald_source_events_total", v(st.unmapped), label(*s, "result", "unmapped"));
    t.sample("herald_source_events_total", v(st.unavailable), label(*s, "result", "unavailable"));
    t.sample("herald_source_events_total", v(st.dead_lettered), label(*s, "result", "dead_lettered"));
  }
  t.family("herald_source_locks_total", "counter",
           "Key expiries by who acted: won (this node took the lock and notified), lost (another node had it)");
  for (const auto& s : all) {
    t.sample("herald_source_locks_total", v(s->stats().locks_won), label(*s, "result", "won"));
    t.sample("herald_source_locks_total", v(s->stats().locks_lost), label(*s, "result", "lost"));
  }
  t.family("herald_source_swept_total", "counter", "Key expiries found by the sweeper that no event announced");
  for (const auto& s : all) t.sample("herald_source_swept_total", v(s->stats().swept), label(*s));
  t.family("herald_source_reconnects_total", "counter", "Reconnections of the source");
  for (const auto& s : all) t.sample("herald_source_reconnects_total", v(s->stats().reconnects), label(*s));
}

}  // namespace herald::sources

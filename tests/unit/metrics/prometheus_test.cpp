// Prometheus text exposition: families, samples, cumulative histograms and
// label escaping.
#include "metrics/prometheus.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace herald::metrics {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(TextWriter, FamilyAndSamples) {
  text_writer w;
  w.family("herald_connections", "gauge", "Open connections.");
  w.sample("herald_connections", 3);
  w.sample("herald_closes_total", 7, "reason=\"kicked\"");
  w.sample("herald_ratio", 0.5);
  EXPECT_EQ(w.take(),
            "# HELP herald_connections Open connections.\n"
            "# TYPE herald_connections gauge\n"
            "herald_connections 3\n"
            "herald_closes_total{reason=\"kicked\"} 7\n"
            "herald_ratio 0.5\n");
}

TEST(TextWriter, TakeEmptiesTheWriter) {
  text_writer w;
  w.sample("a", 1);
  EXPECT_EQ(w.take(), "a 1\n");
  EXPECT_EQ(w.take(), "");
}

TEST(TextWriter, LargeCountersStayIntegral) {
  text_writer w;
  w.sample("big", 123456789.0);
  EXPECT_EQ(w.take(), "big 123456789\n");
}

TEST(TextWriter, HistogramIsCumulativeAcrossBucketsAndWorkers) {
  latency_histogram a, b;
  a.observe(10us);   // bucket 0
  a.observe(3ms);    // bucket 6 (0.005)
  b.observe(3ms);    // bucket 6
  b.observe(10s);    // +Inf
  const latency_histogram* parts[] = {&a, &b};
  text_writer w;
  w.histogram("lat", parts, 2);
  auto ls = lines(w.take());
  ASSERT_EQ(ls.size(), latency_histogram::bounds.size() + 1 + 2);
  EXPECT_EQ(ls[0], "lat_bucket{le=\"5e-05\"} 1");
  EXPECT_EQ(ls[4], "lat_bucket{le=\"0.001\"} 1");
  EXPECT_EQ(ls[6], "lat_bucket{le=\"0.005\"} 3");
  EXPECT_EQ(ls[14], "lat_bucket{le=\"2.5\"} 3");
  EXPECT_EQ(ls[15], "lat_bucket{le=\"+Inf\"} 4");
  EXPECT_EQ(ls[17], "lat_count 4");
  EXPECT_EQ(ls[16].rfind("lat_sum 10.006", 0), 0u) << ls[16];
  // Monotone: every bucket holds at least the previous one.
  std::uint64_t prev = 0;
  for (std::size_t i = 0; i <= latency_histogram::bounds.size(); ++i) {
    auto v = std::stoull(ls[i].substr(ls[i].rfind(' ') + 1));
    EXPECT_GE(v, prev) << ls[i];
    prev = v;
  }
}

TEST(TextWriter, EmptyHistogram) {
  latency_histogram a;
  const latency_histogram* parts[] = {&a};
  text_writer w;
  w.histogram("lat", parts, 1);
  auto ls = lines(w.take());
  EXPECT_EQ(ls[15], "lat_bucket{le=\"+Inf\"} 0");
  EXPECT_EQ(ls[16], "lat_sum 0");
  EXPECT_EQ(ls[17], "lat_count 0");
}

TEST(EscapeLabel, EscapesBackslashQuoteNewline) {
  EXPECT_EQ(escape_label("plain"), "plain");
  EXPECT_EQ(escape_label(""), "");
  EXPECT_EQ(escape_label("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_label("say \"hi\""), "say \\\"hi\\\"");
  EXPECT_EQ(escape_label("l1\nl2"), "l1\\nl2");
  EXPECT_EQ(escape_label("tab\there"), "tab\there");
}

}  // namespace
}  // namespace herald::metrics

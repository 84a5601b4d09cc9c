#include "metrics/prometheus.hpp"

#include <fmt/format.h>

namespace herald::metrics {

void text_writer::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void text_writer::sample(std::string_view name, double value, std::string_view labels) {
  if (labels.empty()) {
    fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
  } else {
    fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
  }
}

void text_writer::histogram(std::string_view name, const latency_histogram* const* parts, std::size_t n) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= latency_histogram::bounds.size(); ++i) {
    for (std::size_t p = 0; p < n; ++p) cumulative += parts[p]->bucket(i);
    std::string le = i < latency_histogram::bounds.size() ? fmt::format("{}", latency_histogram::bounds[i]) : "+Inf";
    fmt::format_to(std::back_inserter(out_), "{}_bucket{{le=\"{}\"}} {}\n", name, le, cumulative);
  }
  double sum = 0;
  std::uint64_t count = 0;
  for (std::size_t p = 0; p < n; ++p) {
    sum += parts[p]->sum_seconds();
    count += parts[p]->count();
  }
  fmt::format_to(std::back_inserter(out_), "{}_sum {}\n{}_count {}\n", name, sum, name, count);
}

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

}  // namespace herald::metrics

// Prometheus text exposition format 0.0.4, written by hand: a few lines of
// formatting do not justify a dependency. Used by the scrape handler only.
#pragma once

#include <string>
#include <string_view>

#include "metrics/counters.hpp"

namespace herald::metrics {

class text_writer {
 public:
  // Emits HELP and TYPE once per family; call families in one block each.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, double value, std::string_view labels = {});
  void histogram(std::string_view name, const latency_histogram* const* parts, std::size_t n);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Label values escape backslash, quote and newline (exposition format spec).
std::string escape_label(std::string_view v);

}  // namespace herald::metrics

#include "metrics/counters.hpp"

namespace herald::metrics {

void latency_histogram::observe(std::chrono::nanoseconds d) {
  const double s = std::chrono::duration<double>(d).count();
  std::size_t i = 0;
  while (i < bounds.size() && s > bounds[i]) ++i;
  buckets_[i].add();
  count_.add();
  sum_ns_.add(static_cast<std::uint64_t>(d.count() < 0 ? 0 : d.count()));
}

}  // namespace herald::metrics

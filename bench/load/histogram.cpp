#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace herald::bench {

// Values below 2 * sub_count are their own bucket; above, a value with
// `shift` extra bits keeps its top sub_bits + 1 bits.
std::size_t histogram::index_of(std::uint64_t value) {
  const int width = std::bit_width(value);
  const int shift = std::max(0, width - (sub_bits + 1));
  return sub_count * static_cast<std::uint64_t>(shift) + (value >> shift);
}

std::uint64_t histogram::highest_equivalent(std::size_t index) {
  if (index < 2 * sub_count) return index;
  const std::uint64_t shift = index / sub_count - 1;
  const std::uint64_t mantissa = index - sub_count * shift;
  return ((mantissa + 1) << shift) - 1;
}

void histogram::record(std::uint64_t value) {
  ++buckets_[index_of(value)];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(highest_equivalent(i), max_);
  }
  return max_;
}

}  // namespace herald::bench

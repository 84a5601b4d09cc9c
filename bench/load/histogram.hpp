// Log-linear latency histogram in the manner of HdrHistogram: each power of
// two is split into 64 linear sub-buckets, so any recorded value is known to
// within 1/64 (~1.6 %) whatever its magnitude, in a fixed 30 KiB array.
// Owned by one thread; merge copies to combine threads.
#pragma once

#include <array>
#include <cstdint>

namespace herald::bench {

class histogram {
 public:
  void record(std::uint64_t value);
  void merge(const histogram& other);
  void reset() { *this = histogram{}; }

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // The highest value equivalent to the one at percentile p (0 < p <= 100),
  // as HdrHistogram reports it: a percentile is never understated.
  std::uint64_t percentile(double p) const;

 private:
  static constexpr int sub_bits = 6;
  static constexpr std::uint64_t sub_count = 1u << sub_bits;
  static constexpr std::size_t bucket_count = sub_count * (64 - sub_bits) + 2 * sub_count;

  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t highest_equivalent(std::size_t index);

  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace herald::bench

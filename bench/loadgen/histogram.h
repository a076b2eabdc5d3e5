#pragma once

#include <cstdint>
#include <vector>

namespace strata::loadgen {

// A log-linear latency histogram in the manner of HdrHistogram: values are
// integers (the load generator records nanoseconds); each power-of-two range
// is split into `sub_bucket_count` equal buckets, so a value is kept with a
// relative error of at most relative_error() = 1 / sub_bucket_count whatever
// its magnitude. With 3 significant digits that is 2048 sub-buckets (an error
// below 0.05 %), with 4 digits 32768 (below 0.004 %). Values below
// sub_bucket_count are kept exactly.
//
// Count, min, max and mean are exact; percentiles are exact to within
// relative_error() of the value at rank ceil(p/100 * count) of the sorted
// samples (the midpoint of that value's bucket is reported, clamped to
// [min, max]).
//
// Memory: about 27 k counters (216 KiB) for 3 digits up to the default
// highest value (2^36 ns, 68.7 s); 393 k counters (3 MiB) for 4 digits.
// Recording is O(1) and allocation-free. Not thread-safe: one per thread,
// merged with Add().
class Histogram {
 public:
  static constexpr std::int64_t kDefaultHighest = (std::int64_t{1} << 36) - 1;

  // `significant_digits` in 1..5. Values above `highest` are recorded as
  // `highest` and counted in saturated().
  explicit Histogram(int significant_digits = 3, std::int64_t highest = kDefaultHighest);

  // Records one value; a negative value is recorded as 0.
  void Record(std::int64_t value);
  // Adds every sample of `other`, which must have the same digits and highest.
  void Add(const Histogram& other);

  // The value at percentile `p` (0..100): 0 when empty; max() for 100.
  std::int64_t ValueAtPercentile(double p) const;

  std::uint64_t count() const { return count_; }
  std::int64_t min() const { return count_ == 0 ? 0 : min_; }
  std::int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_); }
  std::uint64_t saturated() const { return saturated_; }
  double relative_error() const { return 1.0 / static_cast<double>(sub_bucket_count_); }

 private:
  std::size_t IndexOf(std::int64_t value) const;
  // The midpoint of the values that share bucket `index`.
  std::int64_t MidpointOf(std::size_t index) const;

  int sub_bucket_bits_;          // log2(sub_bucket_count_)
  std::int64_t sub_bucket_count_;
  std::int64_t highest_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t saturated_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace strata::loadgen

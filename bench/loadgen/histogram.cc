#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace strata::loadgen {

Histogram::Histogram(int significant_digits, std::int64_t highest) : highest_(highest) {
  if (significant_digits < 1 || significant_digits > 5 || highest < 1) {
    throw std::invalid_argument("histogram: digits must be 1..5 and highest positive");
  }
  // Enough sub-buckets that two adjacent ones differ by less than one unit in
  // the last significant digit, everywhere in the top half of a power of two.
  const auto largest_single_unit = static_cast<std::uint64_t>(2 * std::pow(10, significant_digits));
  sub_bucket_bits_ = static_cast<int>(std::bit_width(largest_single_unit - 1));
  sub_bucket_count_ = std::int64_t{1} << sub_bucket_bits_;
  counts_.assign(IndexOf(highest_) + 1, 0);
}

// Bucket b >= 1 holds [sub_bucket_count << (b-1), sub_bucket_count << b) in
// steps of 2^b; bucket 0 holds [0, sub_bucket_count) in steps of 1. The lower
// half of every bucket but the first overlaps the one below, so only the upper
// half gets counters: bucket b's sub-bucket s (half <= s < count) lands at
// (b << (bits - 1)) + s, right after bucket b-1.
std::size_t Histogram::IndexOf(std::int64_t value) const {
  const auto v = static_cast<std::uint64_t>(value);
  const int bucket = std::max(0, static_cast<int>(std::bit_width(v)) - sub_bucket_bits_);
  const std::uint64_t sub = v >> bucket;
  return (static_cast<std::size_t>(bucket) << (sub_bucket_bits_ - 1)) + sub;
}

std::int64_t Histogram::MidpointOf(std::size_t index) const {
  const auto count = static_cast<std::size_t>(sub_bucket_count_);
  if (index < count) {
    return static_cast<std::int64_t>(index);  // bucket 0: exact
  }
  const std::size_t bucket = (index >> (sub_bucket_bits_ - 1)) - 1;
  const std::size_t sub = index - (bucket << (sub_bucket_bits_ - 1));
  const std::int64_t low = static_cast<std::int64_t>(sub) << bucket;
  const std::int64_t width = std::int64_t{1} << bucket;
  return low + (width - 1) / 2;
}

void Histogram::Record(std::int64_t value) {
  value = std::max<std::int64_t>(value, 0);
  if (value > highest_) {
    value = highest_;
    ++saturated_;
  }
  ++counts_[IndexOf(value)];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
  ++count_;
}

void Histogram::Add(const Histogram& other) {
  if (other.counts_.size() != counts_.size() || other.sub_bucket_bits_ != sub_bucket_bits_) {
    throw std::invalid_argument("histogram: Add() needs the same layout");
  }
  if (other.count_ == 0) {
    return;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
  saturated_ += other.saturated_;
}

std::int64_t Histogram::ValueAtPercentile(double p) const {
  if (count_ == 0) {
    return 0;
  }
  if (p >= 100.0) {
    return max_;
  }
  // ceil(p/100 * count), less a hair so that 99.9 % of 1000 is rank 999, not
  // 1000 for a rounding error in the last bit.
  const double exact = std::max(p, 0.0) * static_cast<double>(count_) / 100.0;
  const double wanted = std::ceil(exact * (1 - 1e-12));
  const std::uint64_t rank = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(wanted), 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::clamp(MidpointOf(i), min_, max_);
    }
  }
  return max_;
}

}  // namespace strata::loadgen

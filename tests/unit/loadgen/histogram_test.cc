#include "loadgen/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace strata::loadgen {
namespace {

constexpr double kPercentiles[] = {0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};

// The value at the rank ValueAtPercentile() promises: ceil(p/100 * n), 1-based.
std::int64_t Exact(const std::vector<std::int64_t>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size()) / 100.0 - 1e-9));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// Records `values` at `digits` and checks every percentile, count, min, max
// and mean against the sorted values.
void ExpectMatchesExact(std::vector<std::int64_t> values, int digits) {
  Histogram histogram(digits);
  for (const std::int64_t v : values) {
    histogram.Record(v);
  }
  std::sort(values.begin(), values.end());
  ASSERT_EQ(histogram.count(), values.size());
  EXPECT_EQ(histogram.min(), values.front());
  EXPECT_EQ(histogram.max(), values.back());
  long double sum = 0;
  for (const std::int64_t v : values) {
    sum += v;
  }
  EXPECT_NEAR(histogram.mean(), static_cast<double>(sum / values.size()), 1e-6 * histogram.mean());
  for (const double p : kPercentiles) {
    const auto exact = static_cast<double>(Exact(values, p));
    const auto got = static_cast<double>(histogram.ValueAtPercentile(p));
    EXPECT_LE(std::abs(got - exact), exact * histogram.relative_error())
        << "p" << p << " digits " << digits << ": " << got << " vs exact " << exact;
  }
}

TEST(HistogramTest, DocumentedErrorBounds) {
  EXPECT_DOUBLE_EQ(Histogram(3).relative_error(), 1.0 / 2048);
  EXPECT_DOUBLE_EQ(Histogram(4).relative_error(), 1.0 / 32768);
  EXPECT_LT(Histogram(3).relative_error(), 0.0005);
}

TEST(HistogramTest, EmptyReportsZeros) {
  const Histogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 0);
  EXPECT_EQ(histogram.max(), 0);
  EXPECT_EQ(histogram.mean(), 0.0);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram histogram;
  for (std::int64_t v = 0; v < 2048; ++v) {
    histogram.Record(v);
  }
  EXPECT_EQ(histogram.ValueAtPercentile(50), 1023);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 2047);
  EXPECT_EQ(histogram.ValueAtPercentile(0), 0);
}

TEST(HistogramTest, UniformMatchesSortedValuesWithinTheBound) {
  std::mt19937_64 random(1);
  std::uniform_int_distribution<std::int64_t> nanos(1'000, 1'000'000'000);  // 1 µs .. 1 s
  std::vector<std::int64_t> values(200'000);
  for (std::int64_t& v : values) {
    v = nanos(random);
  }
  ExpectMatchesExact(values, 3);
  ExpectMatchesExact(values, 4);
}

TEST(HistogramTest, BimodalMatchesSortedValuesWithinTheBound) {
  // 90 % fast answers around 50 µs, 10 % slow ones around 5 ms: p90 sits on the edge.
  std::mt19937_64 random(2);
  std::normal_distribution<double> fast(50'000, 5'000);
  std::normal_distribution<double> slow(5'000'000, 500'000);
  std::bernoulli_distribution is_slow(0.1);
  std::vector<std::int64_t> values(200'000);
  for (std::int64_t& v : values) {
    v = std::max<std::int64_t>(1, static_cast<std::int64_t>(is_slow(random) ? slow(random) : fast(random)));
  }
  ExpectMatchesExact(values, 3);
  ExpectMatchesExact(values, 4);
}

TEST(HistogramTest, LongTailMatchesSortedValuesWithinTheBound) {
  // Log-normal around 100 µs with a tail reaching into seconds.
  std::mt19937_64 random(3);
  std::lognormal_distribution<double> tail(std::log(100'000.0), 1.5);
  std::vector<std::int64_t> values(200'000);
  for (std::int64_t& v : values) {
    v = std::min<std::int64_t>(static_cast<std::int64_t>(tail(random)), Histogram::kDefaultHighest);
  }
  ExpectMatchesExact(values, 3);
  ExpectMatchesExact(values, 4);
}

TEST(HistogramTest, OneOutlierInAThousandIsP999) {
  Histogram histogram;
  for (int i = 0; i < 999; ++i) {
    histogram.Record(40'000);
  }
  histogram.Record(60'000'000'000);  // 60 s
  EXPECT_NEAR(histogram.ValueAtPercentile(99.9), 40'000, 40'000 * histogram.relative_error());
  EXPECT_EQ(histogram.ValueAtPercentile(99.95), 60'000'000'000);
  EXPECT_EQ(histogram.max(), 60'000'000'000);
}

TEST(HistogramTest, ValuesAboveTheHighestAreClampedAndCounted) {
  Histogram histogram(3, 1'000'000);
  histogram.Record(5'000'000);
  histogram.Record(-7);
  EXPECT_EQ(histogram.saturated(), 1u);
  EXPECT_EQ(histogram.max(), 1'000'000);
  EXPECT_EQ(histogram.min(), 0);
}

TEST(HistogramTest, AddIsTheSameAsRecordingEverythingInOne) {
  std::mt19937_64 random(4);
  std::uniform_int_distribution<std::int64_t> nanos(0, 10'000'000);
  Histogram a, b, both;
  for (int i = 0; i < 10'000; ++i) {
    const std::int64_t v = nanos(random);
    (i % 3 == 0 ? a : b).Record(v);
    both.Record(v);
  }
  a.Add(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  EXPECT_NEAR(a.mean(), both.mean(), 1e-6);
  for (const double p : kPercentiles) {
    EXPECT_EQ(a.ValueAtPercentile(p), both.ValueAtPercentile(p)) << p;
  }
  EXPECT_THROW(a.Add(Histogram(4)), std::invalid_argument);
}

}  // namespace
}  // namespace strata::loadgen

#include "observability/metrics.h"

#include <thread>

#include <gtest/gtest.h>

namespace strata::observability {
namespace {

TEST(MetricsTest, CountersRenderInPrometheusTextFormatWithEscapedLabels) {
  Registry registry;
  auto& requests = registry.AddCounter("test_requests_total", "Requests.", {"route", "status"});
  requests.With({"/v1/chat", "200"}).Increment();
  requests.With({"/v1/chat", "200"}).Increment(2);
  requests.With({"we\"ird\\path\n", "500"}).Increment();
  const std::string text = registry.Render();
  EXPECT_NE(text.find("# HELP test_requests_total Requests.\n# TYPE test_requests_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("test_requests_total{route=\"/v1/chat\",status=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("test_requests_total{route=\"we\\\"ird\\\\path\\n\",status=\"500\"} 1\n"), std::string::npos);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry registry;
  auto& latency = registry.AddHistogram("test_seconds", "Latency.", {}, {0.1, 1});
  auto& histogram = latency.With({});
  histogram.Observe(0.05);
  histogram.Observe(0.5);
  histogram.Observe(5);
  const std::string text = registry.Render();
  EXPECT_NE(text.find("test_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_seconds_sum 5.55\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_seconds_count 3\n"), std::string::npos) << text;
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry registry;
  Counter& counter = registry.AddCounter("test_total", "t").With({});
  Gauge& gauge = registry.AddGauge("test_gauge", "g").With({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.Increment();
        gauge.Add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40000);
  EXPECT_EQ(gauge.value(), 40000);
}

}  // namespace
}  // namespace strata::observability

namespace strata::observability {
namespace {

TEST(MetricsTest, CachedLookupsReachTheSameChildFromEveryThread) {
  Registry registry;
  auto& family = registry.AddCounter("test_cached_total", "t", {"route"});
  auto& other = registry.AddCounter("test_other_total", "t", {"route"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) family.WithCached({i % 2 == 0 ? "/a" : "/b"}).Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  // Same labels, another family: another child. (On a thread that ends, as
  // the cache must not outlive this test's registry.)
  std::thread([&] { other.WithCached({"/a"}).Increment(7); }).join();
  EXPECT_EQ(family.With({"/a"}).value(), 2000);
  EXPECT_EQ(family.With({"/b"}).value(), 2000);
  EXPECT_EQ(other.With({"/a"}).value(), 7);
}

}  // namespace
}  // namespace strata::observability

#include "observability/metrics.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

namespace strata::observability {
namespace {

TEST(MetricsTest, CachedLookupsOfARegistryAtAReusedAddressFindTheNewFamily) {
  // Per-thread caches are keyed by family id, not address: a registry built
  // where a destroyed one was must not be handed the old one's children.
  for (int round = 0; round < 3; ++round) {
    auto registry = std::make_unique<Registry>();
    auto& family = registry->AddCounter("test_reused_total", "t", {"route"});
    family.WithCached({"/a"}).Increment();
    EXPECT_EQ(family.With({"/a"}).value(), 1) << "round " << round;
  }
}

TEST(MetricsTest, CollectorsRunBeforeEachRender) {
  Registry registry;
  Gauge& gauge = registry.AddGauge("test_collected", "Set at scrape time.").With({});
  int calls = 0;
  registry.AddCollector([&] { gauge.Set(++calls * 10); });
  EXPECT_NE(registry.Render().find("test_collected 10\n"), std::string::npos);
  EXPECT_NE(registry.Render().find("test_collected 20\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
}

TEST(BoundedLabelTest, PassesTheFirstValuesThenAnswersOther) {
  BoundedLabel tenants(2);
  EXPECT_EQ(tenants.Admit("acme"), "acme");
  EXPECT_EQ(tenants.Admit("globex"), "globex");
  EXPECT_EQ(tenants.Admit("initech"), "other");
  EXPECT_EQ(tenants.Admit("umbrella"), "other");
  // Values already admitted keep their own series.
  EXPECT_EQ(tenants.Admit("acme"), "acme");
  EXPECT_EQ(tenants.admitted(), 2u);
}

TEST(BoundedLabelTest, AnswersOutliveTheCallersString) {
  BoundedLabel tenants(4);
  std::string_view answer;
  {
    std::string value = "tenant-with-a-long-name-beyond-small-string-size";
    answer = tenants.Admit(value);
    value.assign(value.size(), 'x');
  }
  EXPECT_EQ(answer, "tenant-with-a-long-name-beyond-small-string-size");
}

TEST(BoundedLabelTest, EveryThreadGetsTheSameDecisions) {
  BoundedLabel tenants(10);
  constexpr int kThreads = 4;
  constexpr int kValues = 50;
  std::vector<std::vector<std::string>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < kValues; ++i) {
          const std::string answer(tenants.Admit("tenant-" + std::to_string((i + t * 7) % kValues)));
          if (round == 2) seen[t].push_back(answer);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(tenants.admitted(), 10u);
  std::set<std::string> passed;
  for (int t = 0; t < kThreads; ++t) {
    for (const std::string& answer : seen[t]) {
      if (answer != "other") passed.insert(answer);
    }
  }
  EXPECT_EQ(passed.size(), 10u);  // the same ten on every thread, nothing else
  for (int t = 0; t < kThreads; ++t) {
    // Each thread saw every value once in its last round: 10 passed, 40 other.
    EXPECT_EQ(std::count(seen[t].begin(), seen[t].end(), "other"), kValues - 10) << "thread " << t;
  }
}

TEST(BoundedLabelTest, ManyRefusedValuesDoNotGrowWithoutBound) {
  // The per-thread cache forgets refused values past a bound; the answers
  // stay the same afterwards.
  BoundedLabel tenants(1);
  EXPECT_EQ(tenants.Admit("first"), "first");
  for (int i = 0; i < 10000; ++i) EXPECT_EQ(tenants.Admit("t" + std::to_string(i)), "other");
  EXPECT_EQ(tenants.Admit("first"), "first");
  EXPECT_EQ(tenants.admitted(), 1u);
}

}  // namespace
}  // namespace strata::observability

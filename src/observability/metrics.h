#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace strata::observability {

// Metrics in the Prometheus data model, rendered in the text exposition format.
// Every metric object is thread-safe and lock-free to update; looking up a
// labelled child takes a mutex, so hot paths look a child up once and keep the
// reference (children live as long as the registry).

class Counter {
 public:
  void Increment(double by = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// Default latency buckets in seconds, 50 µs to 60 s.
const std::vector<double>& LatencyBuckets();

// A metric name with fixed label names; children per label-value tuple.
template <class Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});
  // The child for these label values (same count and order as the label names).
  // Takes the family's mutex: for per-request use, prefer WithCached.
  Metric& With(std::initializer_list<std::string_view> label_values);
  Metric& With(const std::vector<std::string>& label_values);
  // The same child, found through a cache private to the calling thread, so
  // the request path takes no lock shared across workers once a label set has
  // been seen. Children are never removed, so cached references stay valid.
  // Precondition: the registry outlives every thread that calls this (true of
  // DefaultRegistry(), which is never destroyed).
  Metric& WithCached(std::initializer_list<std::string_view> label_values);

  void Render(std::string& out, std::string_view type) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

// Owns metric families; renders them all for /metrics.
class Registry {
 public:
  Family<Counter>& AddCounter(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help, std::vector<std::string> labels = {},
                                  std::vector<double> bounds = LatencyBuckets());
  std::string Render() const;

 private:
  mutable std::mutex mutex_;
  std::deque<Family<Counter>> counters_;
  std::deque<Family<Gauge>> gauges_;
  std::deque<Family<Histogram>> histograms_;
};

// The process-wide registry that /metrics serves.
Registry& DefaultRegistry();

}  // namespace strata::observability

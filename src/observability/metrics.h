#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
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
  // been seen, and builds no string (the lookup key is written into a buffer
  // the thread reuses). Children are never removed, so cached references stay
  // valid. Precondition: the family outlives every use of the references
  // returned (true of DefaultRegistry(), which is never destroyed).
  Metric& WithCached(std::initializer_list<std::string_view> label_values);

  void Render(std::string& out, std::string_view type) const;
  const std::string& name() const { return name_; }

 private:
  const std::uint64_t id_;  // tells families apart in the per-thread caches (addresses get reused)
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
  // `collect` runs at the start of every Render(), before any family is
  // written: for gauges whose value lives elsewhere and is cheap to read then
  // (breaker states, say) rather than kept current on the hot path. It runs
  // under the registry's lock, on the thread that renders: it must not add
  // families or collectors, and must not block.
  void AddCollector(std::function<void()> collect);
  std::string Render() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::function<void()>> collectors_;
  std::deque<Family<Counter>> counters_;
  std::deque<Family<Gauge>> gauges_;
  std::deque<Family<Histogram>> histograms_;
};

// The process-wide registry that /metrics serves.
Registry& DefaultRegistry();

// Bounds the distinct values one label may take, for labels whose values are
// not fixed by config (tenant ids are created through the admin API): the
// first `max_values` distinct values pass through, every later one comes back
// as `overflow` ("other"). A decision never changes once made, so a value's
// series never switches between its own name and "other". Use one instance
// for every family that carries the label, so the same values pass everywhere.
//
// Thread-safe. A value this thread has seen before costs one lookup in a
// per-thread cache; a new one takes a mutex once per thread.
class BoundedLabel {
 public:
  explicit BoundedLabel(std::size_t max_values, std::string overflow = "other");
  BoundedLabel(const BoundedLabel&) = delete;
  BoundedLabel& operator=(const BoundedLabel&) = delete;

  // `value` itself (a view of this object's copy) or the overflow value.
  // Valid as long as this object.
  std::string_view Admit(std::string_view value);
  // Values admitted so far (at most max_values).
  std::size_t admitted() const;
  std::size_t max_values() const { return max_values_; }
  const std::string& overflow() const { return overflow_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  // Value -> what Admit answers for it. Node-based: views of keys stay valid.
  using Map = std::unordered_map<std::string, std::string_view, Hash, std::equal_to<>>;

  std::string_view Decide(std::string_view value);

  const std::uint64_t id_;  // keys the per-thread caches (addresses get reused)
  const std::size_t max_values_;
  const std::string overflow_;
  mutable std::mutex mutex_;
  Map admitted_;  // at most max_values_ entries, never removed
};

}  // namespace strata::observability

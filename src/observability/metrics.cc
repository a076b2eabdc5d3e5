#include "observability/metrics.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

namespace strata::observability {
namespace {

void AddTo(std::atomic<double>& target, double by) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return fmt::format("{}", value);
}

// Label values are escaped as the text format requires: backslash, quote, newline.
void AppendLabels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  auto append = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    for (char c : value) {
      if (c == '\\') out += "\\\\";
      else if (c == '"') out += "\\\"";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += '"';
  };
  for (std::size_t i = 0; i < names.size(); ++i) append(names[i], values[i]);
  if (!extra_name.empty()) append(extra_name, extra_value);
  out += '}';
}

void RenderSample(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Counter& metric) {
  out += name;
  AppendLabels(out, label_names, values);
  out += ' ' + FormatNumber(metric.value()) + '\n';
}

void RenderSample(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Gauge& metric) {
  out += name;
  AppendLabels(out, label_names, values);
  out += ' ' + FormatNumber(metric.value()) + '\n';
}

void RenderSample(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Histogram& metric) {
  const Histogram::Snapshot snapshot = metric.Read();
  const auto& bounds = metric.bounds();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    out += name + "_bucket";
    const double bound = i < bounds.size() ? bounds[i] : INFINITY;
    AppendLabels(out, label_names, values, "le", FormatNumber(bound));
    out += ' ' + std::to_string(snapshot.cumulative[i]) + '\n';
  }
  out += name + "_sum";
  AppendLabels(out, label_names, values);
  out += ' ' + FormatNumber(snapshot.sum) + '\n';
  out += name + "_count";
  AppendLabels(out, label_names, values);
  out += ' ' + std::to_string(snapshot.count) + '\n';
}

std::uint64_t NextId() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

template <class Metric>
std::unique_ptr<Metric> MakeMetric(const std::vector<double>& bounds) {
  if constexpr (std::is_same_v<Metric, Histogram>) {
    return std::make_unique<Histogram>(bounds);
  } else {
    return std::make_unique<Metric>();
  }
}

}  // namespace

void Counter::Increment(double by) { AddTo(value_, by); }
void Gauge::Add(double by) { AddTo(value_, by); }

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  const auto index = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  AddTo(sum_, value);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                               0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,
                                               10,      30,     60};
  return kBuckets;
}

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> bounds)
    : id_(NextId()), name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

template <class Metric>
Metric& Family<Metric>::With(std::initializer_list<std::string_view> label_values) {
  std::vector<std::string> key(label_values.begin(), label_values.end());
  return With(key);
}

template <class Metric>
Metric& Family<Metric>::With(const std::vector<std::string>& label_values) {
  std::lock_guard lock(mutex_);
  auto it = children_.find(label_values);
  if (it == children_.end()) {
    it = children_.emplace(label_values, MakeMetric<Metric>(bounds_)).first;
  }
  return *it->second;
}

template <class Metric>
Metric& Family<Metric>::WithCached(std::initializer_list<std::string_view> label_values) {
  // One map per thread for all families of this metric type; the key starts
  // with the family's id so families never collide. The key is written into a
  // buffer the thread keeps, so a hit allocates nothing.
  thread_local std::unordered_map<std::string, Metric*> cache;
  thread_local std::string key;
  key.assign(reinterpret_cast<const char*>(&id_), sizeof(id_));
  for (std::string_view value : label_values) {
    key += '\xff';  // cannot occur inside UTF-8 label values
    key += value;
  }
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, &With(label_values)).first;
  return *it->second;
}

template <class Metric>
void Family<Metric>::Render(std::string& out, std::string_view type) const {
  out += "# HELP " + name_ + ' ' + help_ + '\n';
  out += "# TYPE " + name_ + ' ' + std::string(type) + '\n';
  std::lock_guard lock(mutex_);
  for (const auto& [values, metric] : children_) RenderSample(out, name_, label_names_, values, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::AddCounter(std::string name, std::string help, std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  return counters_.emplace_back(std::move(name), std::move(help), std::move(labels));
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help, std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  return gauges_.emplace_back(std::move(name), std::move(help), std::move(labels));
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help, std::vector<std::string> labels,
                                          std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  return histograms_.emplace_back(std::move(name), std::move(help), std::move(labels), std::move(bounds));
}

void Registry::AddCollector(std::function<void()> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& collect : collectors_) collect();
  for (const auto& family : counters_) family.Render(out, "counter");
  for (const auto& family : gauges_) family.Render(out, "gauge");
  for (const auto& family : histograms_) family.Render(out, "histogram");
  return out;
}

Registry& DefaultRegistry() {
  static Registry* registry = new Registry();  // never destroyed: metrics may be bumped during exit
  return *registry;
}

BoundedLabel::BoundedLabel(std::size_t max_values, std::string overflow)
    : id_(NextId()), max_values_(max_values), overflow_(std::move(overflow)) {}

std::string_view BoundedLabel::Admit(std::string_view value) {
  // Answers never change, so each thread may remember them. The cache holds
  // refused values too; it is emptied when it grows past a bound, so a stream
  // of distinct refused values cannot grow it forever.
  thread_local std::unordered_map<std::uint64_t, Map> caches;
  Map& cache = caches[id_];
  if (auto it = cache.find(value); it != cache.end()) return it->second;
  if (cache.size() >= 4 * max_values_ + 64) cache.clear();
  const std::string_view answer = Decide(value);
  cache.emplace(std::string(value), answer);
  return answer;
}

std::string_view BoundedLabel::Decide(std::string_view value) {
  std::lock_guard lock(mutex_);
  if (auto it = admitted_.find(value); it != admitted_.end()) return it->second;
  if (admitted_.size() >= max_values_) return overflow_;
  auto it = admitted_.emplace(std::string(value), std::string_view()).first;
  it->second = it->first;
  return it->second;
}

std::size_t BoundedLabel::admitted() const {
  std::lock_guard lock(mutex_);
  return admitted_.size();
}

}  // namespace strata::observability

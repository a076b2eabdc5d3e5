#include "routing/strategies.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace strata::routing {

Ewma::Ewma(double alpha) : alpha_(std::isnan(alpha) ? kDefaultAlpha : std::clamp(alpha, 1e-6, 1.0)) {}

Ewma Ewma::WithHalfLife(double samples) {
  if (!(samples > 0)) return Ewma(1.0);
  return Ewma(1.0 - std::exp2(-1.0 / samples));
}

void Ewma::Add(double sample) {
  value_ = samples_ == 0 ? sample : value_ + alpha_ * (sample - value_);
  ++samples_;
}

std::optional<Strategy> ParseStrategy(std::string_view name) {
  if (name == "weighted_random") return Strategy::kWeightedRandom;
  if (name == "least_outstanding") return Strategy::kLeastOutstanding;
  if (name == "lowest_latency") return Strategy::kLowestLatency;
  if (name == "priority") return Strategy::kPriority;
  return std::nullopt;
}

std::string_view StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kWeightedRandom: return "weighted_random";
    case Strategy::kLeastOutstanding: return "least_outstanding";
    case Strategy::kLowestLatency: return "lowest_latency";
    case Strategy::kPriority: return "priority";
  }
  return "weighted_random";
}

DeploymentSelector::DeploymentSelector(std::uint64_t seed) : random_(seed) {}

std::vector<DeploymentStats*> DeploymentSelector::Order(Strategy strategy,
                                                        std::span<DeploymentStats* const> candidates,
                                                        Clock::time_point now) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();

  struct Ranked {
    bool standby;
    double primary;  // the strategy's key, lower first
    double tie;      // weighted random key, lower first
    std::size_t index;
    DeploymentStats* deployment;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(candidates.size());

  double measured_sum = 0;
  int measured = 0;
  for (DeploymentStats* deployment : candidates) {
    if (deployment != nullptr && !deployment->health->latency_ms.empty()) {
      measured_sum += deployment->health->latency_ms.value();
      ++measured;
    }
  }
  const double measured_average = measured == 0 ? 0 : measured_sum / measured;

  for (std::size_t i = 0; i < candidates.size(); ++i) {
    DeploymentStats* deployment = candidates[i];
    if (deployment == nullptr || !deployment->IsAvailable(now)) continue;
    const bool standby = !(deployment->weight > 0);
    // Efraimidis–Spirakis: an exponential draw with rate `weight`. Sorting by it
    // is weighted sampling without replacement: the smallest key belongs to
    // deployment i with probability weight_i / Σ weight.
    const double tie = standby ? kInfinity : -std::log1p(-UniformUnit(random_)) / deployment->weight;
    double primary = 0;
    switch (strategy) {
      case Strategy::kWeightedRandom:
        break;
      case Strategy::kLeastOutstanding:
        primary = deployment->health->outstanding;
        break;
      case Strategy::kLowestLatency:
        if (!deployment->health->latency_ms.empty()) {
          primary = deployment->health->latency_ms.value();
        } else {
          // Explore a new deployment with one request at a time, so a burst of
          // traffic does not all land on something nobody has measured yet.
          primary = deployment->health->outstanding == 0 ? -kInfinity : measured_average;
        }
        break;
      case Strategy::kPriority:
        primary = deployment->priority;
        break;
    }
    ranked.push_back({standby, primary, tie, i, deployment});
  }

  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return std::tie(a.standby, a.primary, a.tie, a.index) < std::tie(b.standby, b.primary, b.tie, b.index);
  });
  std::vector<DeploymentStats*> ordered;
  ordered.reserve(ranked.size());
  for (const Ranked& entry : ranked) ordered.push_back(entry.deployment);
  return ordered;
}

}  // namespace strata::routing

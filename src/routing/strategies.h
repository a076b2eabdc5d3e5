#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "routing/circuit_breaker.h"
#include "routing/random.h"

namespace strata::routing {

// An exponentially weighted moving average: each new sample moves the value
// `alpha` of the way towards it. The first sample is taken as is.
class Ewma {
 public:
  static constexpr double kDefaultAlpha = 0.2;

  // `alpha` in (0, 1]: 1 keeps only the last sample. Out-of-range values are clamped.
  explicit Ewma(double alpha = kDefaultAlpha);
  // The alpha at which a sample's weight halves after `samples` newer ones:
  // alpha = 1 - 0.5^(1 / samples). WithHalfLife(3) ≈ alpha 0.21.
  static Ewma WithHalfLife(double samples);

  void Add(double sample);
  bool empty() const { return samples_ == 0; }
  double value() const { return value_; }  // 0 while empty
  std::uint64_t samples() const { return samples_; }
  double alpha() const { return alpha_; }

 private:
  double alpha_;
  double value_ = 0;
  std::uint64_t samples_ = 0;
};

// A deployment's live state as one worker sees it, from that worker's traffic
// only. Shared by every alias that lists the deployment (by name), so a
// deployment that fails under one alias is avoided under all of them.
struct DeploymentHealth {
  unsigned max_concurrency = 0;  // outstanding requests allowed at once; 0: no cap
  unsigned outstanding = 0;      // requests sent and not yet finished
  Ewma latency_ms;               // of successful attempts; what it measures is the caller's choice
  CircuitBreaker breaker;

  bool AtCapacity() const { return max_concurrency != 0 && outstanding >= max_concurrency; }
  // Whether a request could be sent now: breaker willing and under the cap.
  bool IsAvailable(Clock::time_point now) const { return !AtCapacity() && breaker.IsAvailable(now); }
};

// A deployment as one alias lists it: the alias's routing settings for it
// (from config) and the deployment's shared live state. The gateway keeps one
// per alias entry per worker, at a stable address (the plan holds pointers),
// and replaces the whole table on config reload.
struct DeploymentStats {
  std::string name;
  double weight = 1.0;  // share under weighted choices; 0: standby, see below
  int priority = 0;     // lower is tried first by kPriority
  std::shared_ptr<DeploymentHealth> health = std::make_shared<DeploymentHealth>();

  bool IsAvailable(Clock::time_point now) const { return health->IsAvailable(now); }
};

// How to order an alias's deployments. Whatever the strategy:
//  - deployments that cannot take a request now (breaker refusing, or at
//    max_concurrency) are left out, not put last: an open breaker exists to
//    fail fast, and a capped deployment is at the limit its operator set;
//  - weight 0 marks a standby: ordered after every deployment with weight > 0,
//    standbys in the order given;
//  - remaining ties are broken at random in proportion to weight.
enum class Strategy {
  kWeightedRandom,    // at random, in proportion to weight
  kLeastOutstanding,  // fewest requests in flight (from this worker) first
  kLowestLatency,     // lowest latency EWMA first; unmeasured ones explored first
  kPriority,          // lowest priority number first; by weight within a priority
};

// "weighted_random", "least_outstanding", "lowest_latency", "priority" (config
// spelling), or nullopt for anything else.
std::optional<Strategy> ParseStrategy(std::string_view name);
std::string_view StrategyName(Strategy strategy);

// Orders candidate deployments for one request. Holds the random source, so a
// fixed seed makes every choice reproducible (tests).
//
// Not thread-safe by design: one per gateway worker, like the DeploymentStats
// it reads (shared-nothing; outstanding counts and latencies are per worker).
class DeploymentSelector {
 public:
  explicit DeploymentSelector(std::uint64_t seed);

  // The candidates that can take a request now, best first. Changes nothing
  // but the random state: committing to one (AllowRequest, outstanding) is the
  // caller's job. kLowestLatency: a deployment with no latency sample yet goes
  // first, to be measured, unless it already has a request in flight; then it
  // ranks at the average of the measured candidates (or ties with all, if none is).
  std::vector<DeploymentStats*> Order(Strategy strategy, std::span<DeploymentStats* const> candidates,
                                      Clock::time_point now);

  Random& random() { return random_; }

 private:
  Random random_;
};

}  // namespace strata::routing

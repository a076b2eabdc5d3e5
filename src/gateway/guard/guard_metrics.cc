#include "gateway/guard/guard_metrics.h"

#include "observability/metrics.h"

namespace strata::gateway {
namespace {

using observability::Counter;
using observability::Family;

struct GuardMetrics {
  Family<Counter>& findings;
  Family<Counter>& reviews;

  static GuardMetrics& Get() {
    static GuardMetrics* metrics = [] {
      auto& registry = observability::DefaultRegistry();
      return new GuardMetrics{
          registry.AddCounter("strata_guardrails_findings_total",
                              "Guardrail findings in prompts (input) and answers (output), by entity type and the "
                              "action the policy took.",
                              {"direction", "type", "action"}),
          registry.AddCounter("strata_reviews_total",
                              "Exchanges filed for human review, by mode (blocking, queued) and their status when "
                              "the request ended (pending, approved, rejected).",
                              {"mode", "status"}),
      };
    }();
    return *metrics;
  }
};

}  // namespace

void CountGuard(const RequestGuard& guard) {
  GuardMetrics& metrics = GuardMetrics::Get();
  guard.ForEachFinding([&](policy::Direction direction, guardrails::EntityType type, policy::Action action) {
    metrics.findings
        .WithCached({direction == policy::Direction::kInput ? "input" : "output", guardrails::EntityName(type),
                     policy::ActionName(action)})
        .Increment();
  });
  if (!guard.review_status().empty()) {
    metrics.reviews.WithCached({policy::ReviewModeName(guard.effect().review), guard.review_status()}).Increment();
  }
}

}  // namespace strata::gateway

#pragma once

#include "gateway/guard/request_guard.h"

namespace strata::gateway {

// Counts one exchange's guardrail findings and review (docs/METRICS.md):
// strata_guardrails_findings_total{direction, type, action} and
// strata_reviews_total{mode, status}.
void CountGuard(const RequestGuard& guard);

}  // namespace strata::gateway

#pragma once

#include <vector>

#include "guardrails/finding.h"

namespace strata::guardrails::internal {

// Reduces candidates to a set of findings that do not overlap, so that each
// byte is redacted at most once. Rule: the higher score wins; at equal score
// the longer span; then the earlier one. Candidates are taken in that order
// and each is kept only if it overlaps none kept before. Returns the kept
// findings sorted by `begin`. Deterministic whatever the input order.
std::vector<Finding> ResolveOverlaps(std::vector<Finding> candidates);

}  // namespace strata::guardrails::internal

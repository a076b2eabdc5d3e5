#include "guardrails/internal/overlaps.h"

#include <algorithm>
#include <tuple>

namespace strata::guardrails::internal {

std::vector<Finding> ResolveOverlaps(std::vector<Finding> candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const Finding& a, const Finding& b) {
    return std::make_tuple(-a.score, -static_cast<long long>(a.size()), a.begin, a.type) <
           std::make_tuple(-b.score, -static_cast<long long>(b.size()), b.begin, b.type);
  });
  std::vector<Finding> kept;  // sorted by begin, pairwise disjoint
  for (const Finding& candidate : candidates) {
    auto next = std::lower_bound(kept.begin(), kept.end(), candidate.begin,
                                 [](const Finding& f, std::size_t begin) { return f.begin < begin; });
    const bool overlaps_next = next != kept.end() && next->begin < candidate.end;
    const bool overlaps_previous = next != kept.begin() && std::prev(next)->end > candidate.begin;
    if (!overlaps_next && !overlaps_previous) kept.insert(next, candidate);
  }
  return kept;
}

}  // namespace strata::guardrails::internal

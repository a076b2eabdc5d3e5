#include "guardrails/internal/pattern.h"

namespace strata::guardrails::internal {

std::vector<PatternSpec> AllPatterns() {
  std::vector<PatternSpec> all;
  for (auto family : {ContactPatterns, FinancialPatterns, PersonalPatterns, SecretPatterns,
                      InjectionPatterns, AddressPatterns}) {
    std::vector<PatternSpec> patterns = family();
    all.insert(all.end(), patterns.begin(), patterns.end());
  }
  return all;
}

}  // namespace strata::guardrails::internal

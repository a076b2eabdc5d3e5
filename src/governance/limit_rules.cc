#include "governance/limit_rules.h"

#include <cmath>

namespace strata::governance {

std::string Counter(std::string_view kind, std::string_view scope_type, std::string_view scope_id) {
  std::string counter;
  counter.reserve(kind.size() + scope_type.size() + scope_id.size() + 2);
  counter.append(kind).append(":").append(scope_type).append(":").append(scope_id);
  return counter;
}

limits::BudgetRule BudgetRuleFor(const store::BudgetRow& row, std::int64_t spent_before_nano_usd) {
  limits::BudgetRule rule;
  rule.counter = Counter(row.period == "day" ? "budget-day" : "budget-month", row.scope_type, row.scope_id);
  rule.period = row.period == "day" ? limits::Period::kDay : limits::Period::kMonth;
  rule.limit_nano_usd = row.limit_nano_usd;
  rule.soft_nano_usd =
      row.soft_ratio > 0 ? static_cast<std::int64_t>(std::llround(row.soft_ratio * row.limit_nano_usd)) : 0;
  rule.spent_before_nano_usd = spent_before_nano_usd;
  return rule;
}

}  // namespace strata::governance

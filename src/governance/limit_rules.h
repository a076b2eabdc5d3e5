#pragma once

#include <string>

#include "limits/limits.h"
#include "store/governance_store.h"

namespace strata::governance {

// How configured limits become the limits module's rules. The counter names
// are the contract between the admit stage, the admin API's live budget view
// and a shared Redis: "<kind>:<scope_type>:<scope_id>".
std::string Counter(std::string_view kind, std::string_view scope_type, std::string_view scope_id);

// The budget rule of `row`, starting from `spent_before` (the snapshot's SpentAtLoad).
limits::BudgetRule BudgetRuleFor(const store::BudgetRow& row, std::int64_t spent_before_nano_usd);

}  // namespace strata::governance

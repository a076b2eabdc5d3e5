#pragma once

#include <boost/json/object.hpp>

#include "store/governance_store.h"

namespace strata::admin {

// The admin API's JSON for each governance row. Times are Unix seconds (null
// when unset), money is USD as a number; secrets and password hashes never
// appear (a user says only whether it has a password).
boost::json::object TenantJson(const store::TenantRow& row);
boost::json::object TeamJson(const store::TeamRow& row);
boost::json::object UserJson(const store::UserRow& row);
boost::json::object KeyJson(const store::ApiKeyRow& row);
boost::json::object RateLimitJson(const store::RateLimitRow& row);
boost::json::object BudgetJson(const store::BudgetRow& row);
boost::json::object SpendJson(const store::SpendRow& row);

// USD ↔ nano-USD, rounded to the nearest nano-dollar.
double Usd(std::int64_t nano_usd);
std::int64_t NanoUsd(double usd);

}  // namespace strata::admin

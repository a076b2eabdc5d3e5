#pragma once

#include "core/result.h"
#include "store/record_store.h"

namespace strata::store::sqlite {

class Connection;

// Adds `row` to spend_daily (migration 2): inserts it, or sums it into the row
// with the same (tenant, team, key, model, day). Shared by SqliteRecordStore
// (spend carried by records) and SqliteGovernanceStore::AddSpend, so both
// write the rollup the same way. Does not validate `row`: callers that take
// outside input check it first. REQUIRES: the caller holds `connection`, inside
// its own transaction.
core::Status UpsertSpend(Connection& connection, const SpendRow& row);

}  // namespace strata::store::sqlite

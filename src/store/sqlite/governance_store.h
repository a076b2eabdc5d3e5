#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/governance_store.h"

namespace strata::store::sqlite {

class Database;

// Where "now" comes from: created_at_ms of new rows, and the current budget
// period in LoadEverything(). Tests pass a fixed one.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

// A new row id: `prefix` + "_" + 26 lowercase Crockford base32 characters,
// 10 for the Unix milliseconds `now_ms` and 16 for 80 random bits (the ULID
// layout). Ids sort as strings in the order they were made: strictly
// increasing within a process, even within one millisecond or when the clock
// steps back; across processes, by millisecond. Not secret (std::mt19937_64).
// Thread-safe.
std::string NewGovernanceId(std::string_view prefix, std::int64_t now_ms);

// GovernanceStore over the tables of migration 2 (docs/STORE.md), plus the
// spend rollup it shares with SqliteRecordStore.
//
// Thread-safe: calls are serialized on the Database's connection. Blocking.
// Every write runs in one transaction (BEGIN IMMEDIATE) that also bumps
// governance_version; existence and uniqueness are checked inside it, so a
// duplicate name or a broken reference is kInvalidRequest, never a constraint
// failure. An empty tenant_id argument to Get/Delete/Revoke means "any tenant"
// (platform admins); a caller acting for one tenant always passes its id.
//
// Deleting, beyond the foreign keys' cascades: a tenant also takes its spend
// rows; a team takes its keys, and the rate limits and budgets set on the team
// and on those keys; a user takes the keys it owns and their limits and budgets
// (and its team membership goes when its team does).
class SqliteGovernanceStore final : public GovernanceStore {
 public:
  // `database` must outlive this object and be migrated to version >= 2.
  // `clock` defaults to std::chrono::system_clock::now.
  explicit SqliteGovernanceStore(Database& database, WallClock clock = {});

  core::Result<std::int64_t> Version() override;

  core::Result<TenantRow> CreateTenant(TenantRow row) override;
  core::Result<TenantRow> GetTenant(std::string_view id) override;
  core::Result<TenantRow> UpdateTenant(const TenantRow& row) override;
  core::Status DeleteTenant(std::string_view id) override;
  core::Result<Page<TenantRow>> ListTenants(const ListQuery& query) override;

  core::Result<TeamRow> CreateTeam(TeamRow row) override;
  core::Result<TeamRow> GetTeam(std::string_view tenant_id, std::string_view id) override;
  core::Status DeleteTeam(std::string_view tenant_id, std::string_view id) override;
  core::Result<Page<TeamRow>> ListTeams(const ListQuery& query) override;

  core::Result<UserRow> CreateUser(UserRow row) override;
  core::Result<UserRow> GetUser(std::string_view tenant_id, std::string_view id) override;
  core::Result<std::optional<UserRow>> FindUserByEmail(std::string_view email) override;
  core::Result<std::optional<UserRow>> FindUserByOidc(std::string_view issuer, std::string_view subject) override;
  core::Result<UserRow> UpdateUser(const UserRow& row) override;
  core::Status DeleteUser(std::string_view tenant_id, std::string_view id) override;
  core::Result<Page<UserRow>> ListUsers(const ListQuery& query) override;

  core::Result<ApiKeyRow> CreateKey(ApiKeyRow row) override;
  core::Result<ApiKeyRow> GetKey(std::string_view tenant_id, std::string_view id) override;
  core::Status RevokeKey(std::string_view tenant_id, std::string_view id, std::int64_t at_ms) override;
  core::Result<Page<ApiKeyRow>> ListKeys(const ListQuery& query) override;

  core::Result<RateLimitRow> PutRateLimit(RateLimitRow row) override;
  core::Status DeleteRateLimit(std::string_view tenant_id, std::string_view id) override;
  core::Result<Page<RateLimitRow>> ListRateLimits(const ListQuery& query) override;

  core::Result<BudgetRow> PutBudget(BudgetRow row) override;
  core::Status DeleteBudget(std::string_view tenant_id, std::string_view id) override;
  core::Result<Page<BudgetRow>> ListBudgets(const ListQuery& query) override;

  core::Status AddSpend(const std::vector<SpendRow>& rows) override;
  core::Result<std::vector<SpendRow>> QuerySpend(const SpendQuery& query) override;

  core::Result<Everything> LoadEverything() override;

 private:
  std::chrono::system_clock::time_point Now() const;
  std::int64_t NowMs() const;

  Database& database_;
  WallClock clock_;
};

}  // namespace strata::store::sqlite

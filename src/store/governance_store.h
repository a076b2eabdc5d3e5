#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "store/record_store.h"

namespace strata::store {

// The governance aggregate: tenants (organisations), their teams, users and
// service accounts, virtual API keys, rate limits and budgets, and the daily
// spend rollup. Plain rows; meaning (roles, permissions, snapshots) lives in
// src/governance. Times are Unix milliseconds; money is nano-USD (1e-9 USD),
// like pricing::Cost.
//
// Members default to {} so that designated initializers may leave any out
// (-Wmissing-field-initializers).
//
// Ids are opaque strings made by the store ("ten_…", "team_…", "usr_…",
// "key_…", "lim_…", "bud_…"), never reused.

struct TenantRow {
  std::string id{};
  std::string name{};            // unique, [a-z0-9-]{1,64}
  std::string display_name{};
  std::string metadata_json = "{}";  // a JSON object, opaque to Strata
  std::int64_t created_at_ms = 0;
  bool disabled = false;       // a disabled tenant's keys are refused

  bool operator==(const TenantRow&) const = default;
};

struct TeamRow {
  std::string id{};
  std::string tenant_id{};
  std::string name{};  // unique within the tenant, [a-z0-9-]{1,64}
  std::string metadata_json = "{}";
  std::int64_t created_at_ms = 0;

  bool operator==(const TeamRow&) const = default;
};

// A person (kind "user") or a service account (kind "service", no password,
// no OIDC subject: it only owns keys).
struct UserRow {
  std::string id{};
  std::string tenant_id{};        // empty: a platform user (role "admin" only)
  std::string team_id{};          // empty: not in a team
  std::string kind = "user";    // "user" | "service"
  std::string email{};            // unique among users; empty for service accounts
  std::string display_name{};
  std::string role{};             // a governance::Role name ("developer", ...)
  std::string password_hash{};    // argon2id string (libsodium), empty: no local password
  std::string oidc_issuer{};      // with oidc_subject: the identity that signs in
  std::string oidc_subject{};
  std::int64_t created_at_ms = 0;
  bool disabled = false;

  bool operator==(const UserRow&) const = default;
};

// A virtual API key. The secret is never stored: only its SHA-256 digest
// (lowercase hex) and a short, non-secret prefix to recognise it by.
struct ApiKeyRow {
  std::string id{};
  std::string tenant_id{};
  std::string team_id{};        // empty: tenant-wide
  std::string owner_id{};       // the user or service account it acts for; may be empty
  std::string name{};
  std::string prefix{};         // e.g. "sk-strata-Ab12Cd" (shown in lists)
  std::string digest_hex{};     // SHA-256 of the whole secret; unique
  std::string role{};           // what the key may do; "developer" for gateway-only keys
  std::vector<std::string> allowed_models{};  // aliases or patterns; empty: every model
  std::string metadata_json = "{}";
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // 0: never
  std::int64_t revoked_at_ms = 0;  // 0: not revoked

  bool operator==(const ApiKeyRow&) const = default;
};

// Requests and tokens per minute and concurrent requests for one scope.
// A value of 0 means "no limit" for that dimension.
struct RateLimitRow {
  std::string id{};
  std::string tenant_id{};   // the tenant the scope belongs to
  std::string scope_type{};  // "tenant" | "team" | "key"
  std::string scope_id{};    // the tenant, team or key id
  std::int64_t requests_per_minute = 0;
  std::int64_t tokens_per_minute = 0;
  std::int64_t max_concurrent = 0;
  std::int64_t created_at_ms = 0;

  bool operator==(const RateLimitRow&) const = default;
};

// A spending limit in USD over calendar periods (UTC).
struct BudgetRow {
  std::string id{};
  std::string tenant_id{};
  std::string scope_type{};        // "tenant" | "team" | "key"
  std::string scope_id{};
  std::string period{};            // "day" | "month"
  std::int64_t limit_nano_usd = 0;  // hard: requests refused once reached
  double soft_ratio = 0.8;          // alert when spend reaches this share of the limit
  std::int64_t created_at_ms = 0;

  bool operator==(const BudgetRow&) const = default;
};

// Which rows a list returns. Lists are ordered by id (ids sort by creation).
struct ListQuery {
  std::string tenant_id{};     // empty: every tenant (platform admins only; the caller checks)
  std::string after_id{};      // the cursor: rows with id > after_id
  int limit = 50;            // 1..500
  std::string team_id{};       // filters that apply where the row has the field
  std::string scope_type{};
  std::string scope_id{};
  bool include_revoked = false;  // keys
};

template <class Row>
struct Page {
  std::vector<Row> rows{};
  std::string next_after_id{};  // empty: no more rows
};

// Grouping and range of a spend report.
struct SpendQuery {
  std::string tenant_id{};  // empty: every tenant
  std::string team_id{}, key_id{}, model{};  // filters; empty: any
  std::string from_day{}, to_day{};        // inclusive "YYYY-MM-DD"; empty: unbounded
  // The columns rows are summed by, any of "tenant", "team", "key", "model",
  // "day"; the other columns come back empty.
  std::vector<std::string> group_by{};
};

// Blocking and thread-safe, like RecordStore: run it on the BlockingPool.
// Errors: kNotFound for a missing id (never for another tenant's row: the
// caller passes tenant_id and the row is then simply not found), kInvalidRequest
// for a duplicate name or a broken reference, kUnavailable for transient
// database conditions, kInternal otherwise. A tenant_id argument left empty
// means "any tenant", as in ListQuery (platform admins; the caller checks).
//
// Every write bumps Version() in the same transaction, so a snapshot reader
// polling Version() sees every change.
class GovernanceStore {
 public:
  virtual ~GovernanceStore() = default;

  // Monotonic change counter of everything below except spend.
  virtual core::Result<std::int64_t> Version() = 0;

  virtual core::Result<TenantRow> CreateTenant(TenantRow row) = 0;  // id and created_at set by the store
  virtual core::Result<TenantRow> GetTenant(std::string_view id) = 0;
  // display_name, metadata, disabled; an empty display_name or metadata keeps the stored one.
  virtual core::Result<TenantRow> UpdateTenant(const TenantRow& row) = 0;
  virtual core::Status DeleteTenant(std::string_view id) = 0;  // and everything in it
  virtual core::Result<Page<TenantRow>> ListTenants(const ListQuery& query) = 0;  // query.tenant_id: just that one

  virtual core::Result<TeamRow> CreateTeam(TeamRow row) = 0;
  virtual core::Result<TeamRow> GetTeam(std::string_view tenant_id, std::string_view id) = 0;
  virtual core::Status DeleteTeam(std::string_view tenant_id, std::string_view id) = 0;
  virtual core::Result<Page<TeamRow>> ListTeams(const ListQuery& query) = 0;

  virtual core::Result<UserRow> CreateUser(UserRow row) = 0;
  virtual core::Result<UserRow> GetUser(std::string_view tenant_id, std::string_view id) = 0;  // tenant_id empty: any
  virtual core::Result<std::optional<UserRow>> FindUserByEmail(std::string_view email) = 0;
  virtual core::Result<std::optional<UserRow>> FindUserByOidc(std::string_view issuer, std::string_view subject) = 0;
  // display_name, role, team, password, disabled of user row.id (within
  // row.tenant_id when set); kind, email and OIDC identity do not change.
  virtual core::Result<UserRow> UpdateUser(const UserRow& row) = 0;
  virtual core::Status DeleteUser(std::string_view tenant_id, std::string_view id) = 0;
  virtual core::Result<Page<UserRow>> ListUsers(const ListQuery& query) = 0;

  virtual core::Result<ApiKeyRow> CreateKey(ApiKeyRow row) = 0;
  virtual core::Result<ApiKeyRow> GetKey(std::string_view tenant_id, std::string_view id) = 0;
  // Revoking a revoked key keeps the first time (and succeeds).
  virtual core::Status RevokeKey(std::string_view tenant_id, std::string_view id, std::int64_t at_ms) = 0;
  virtual core::Result<Page<ApiKeyRow>> ListKeys(const ListQuery& query) = 0;

  // One row per (scope_type, scope_id): Put replaces the existing one.
  virtual core::Result<RateLimitRow> PutRateLimit(RateLimitRow row) = 0;
  virtual core::Status DeleteRateLimit(std::string_view tenant_id, std::string_view id) = 0;
  virtual core::Result<Page<RateLimitRow>> ListRateLimits(const ListQuery& query) = 0;

  // One row per (scope_type, scope_id, period): Put replaces the existing one.
  virtual core::Result<BudgetRow> PutBudget(BudgetRow row) = 0;
  virtual core::Status DeleteBudget(std::string_view tenant_id, std::string_view id) = 0;
  virtual core::Result<Page<BudgetRow>> ListBudgets(const ListQuery& query) = 0;

  // Adds `rows` to the rollup (upsert, summing), in one transaction. Does not
  // bump Version(). kInvalidRequest for a day that is not YYYY-MM-DD.
  virtual core::Status AddSpend(const std::vector<SpendRow>& rows) = 0;
  virtual core::Result<std::vector<SpendRow>> QuerySpend(const SpendQuery& query) = 0;

  // Everything the request path needs, read in one transaction: for the
  // in-memory snapshot (governance::Snapshot). Revoked and expired keys are
  // included (so they are refused with the right message).
  struct Everything {
    std::int64_t version = 0;
    std::vector<TenantRow> tenants{};
    std::vector<TeamRow> teams{};
    std::vector<ApiKeyRow> keys{};
    std::vector<RateLimitRow> rate_limits{};
    std::vector<BudgetRow> budgets{};
    // Budget id → what its scope spent in the budget's current period (UTC,
    // as of the load), from the spend rollup: where in-memory budgets start.
    std::unordered_map<std::string, std::int64_t> budget_spent_nano_usd{};
  };
  virtual core::Result<Everything> LoadEverything() = 0;
};

}  // namespace strata::store

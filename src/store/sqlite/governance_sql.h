#pragma once

// Private to the SQLite governance store (governance_store.cc and
// governance_limits.cc): column lists, row readers, query helpers, checks.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "store/governance_store.h"
#include "store/sqlite/database.h"

namespace strata::store::sqlite::governance_sql {

// Column lists, in the order the Read* functions expect.
inline constexpr std::string_view kTenantColumns = "id, name, display_name, metadata_json, created_at_ms, disabled";
inline constexpr std::string_view kTeamColumns = "id, tenant_id, name, metadata_json, created_at_ms";
inline constexpr std::string_view kUserColumns =
    "id, tenant_id, team_id, kind, email, display_name, role, password_hash, oidc_issuer, oidc_subject, "
    "created_at_ms, disabled";
inline constexpr std::string_view kKeyColumns =
    "id, tenant_id, team_id, owner_id, name, prefix, digest_hex, role, allowed_models, metadata_json, "
    "created_at_ms, expires_at_ms, revoked_at_ms";
inline constexpr std::string_view kRateLimitColumns =
    "id, tenant_id, scope_type, scope_id, requests_per_minute, tokens_per_minute, max_concurrent, created_at_ms";
inline constexpr std::string_view kBudgetColumns =
    "id, tenant_id, scope_type, scope_id, period, limit_nano_usd, soft_ratio, created_at_ms";

// NULL columns read as "". Only ReadKey can fail (allowed_models that is not
// a JSON array of strings: kInternal, never "every model").
core::Result<TenantRow> ReadTenant(const Statement& statement);
core::Result<TeamRow> ReadTeam(const Statement& statement);
core::Result<UserRow> ReadUser(const Statement& statement);
core::Result<ApiKeyRow> ReadKey(const Statement& statement);
core::Result<RateLimitRow> ReadRateLimit(const Statement& statement);
core::Result<BudgetRow> ReadBudget(const Statement& statement);

// Binds `value`, or NULL when it is empty: optional references are stored as
// NULL so that foreign keys and UNIQUE constraints skip them.
Statement& BindOrNull(Statement& statement, int index, std::string_view value);

// Binds `args` to ?1, ?2, ... in order.
template <class... Args>
Statement& BindAll(Statement& statement, const Args&... args) {
  int index = 0;
  (statement.Bind(++index, args), ...);
  return statement;
}

// Runs a write statement with `args` bound; returns how many rows it changed.
template <class... Args>
core::Result<std::int64_t> RunCounting(Connection& connection, std::string_view sql, const Args&... args) {
  {
    core::Result<Statement> statement = connection.Prepare(sql);
    if (!statement) return statement.error();
    if (core::Status done = BindAll(*statement, args...).Run(); !done) return done.error();
  }  // the statement goes back to the cache before changes() is read
  return connection.changes();
}

// Whether `sql` (with `args` bound) returns a row.
template <class... Args>
core::Result<bool> Exists(Connection& connection, std::string_view sql, const Args&... args) {
  core::Result<Statement> select = connection.Prepare(sql);
  if (!select) {
    return select.error();
  }
  return BindAll(*select, args...).Step();
}

// The first row of `sql` (with `args` bound), read by `read`; nullopt for none.
template <class Row, class... Args>
core::Result<std::optional<Row>> QueryOne(Connection& connection, std::string_view sql,
                                          core::Result<Row> (*read)(const Statement&), const Args&... args) {
  core::Result<Statement> select = connection.Prepare(sql);
  if (!select) {
    return select.error();
  }
  core::Result<bool> found = BindAll(*select, args...).Step();
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return std::optional<Row>();
  }
  core::Result<Row> row = read(*select);
  if (!row) {
    return row.error();
  }
  return std::optional<Row>(std::move(*row));
}

// Every row of `statement` (bound, not yet stepped), each made by `read`
// (a plain reader: one that cannot fail).
template <class Read, class Row = std::invoke_result_t<Read, const Statement&>>
core::Result<std::vector<Row>> ReadRows(Statement& statement, Read read) {
  std::vector<Row> rows;
  for (;;) {
    core::Result<bool> more = statement.Step();
    if (!more) return more.error();
    if (!*more) return rows;
    rows.push_back(read(statement));
  }
}

// Rows of `statement` (bound, not yet stepped; it selects at most limit + 1
// rows) as one page: the extra row only says there are more, and the last
// row's `cursor` is where the next page starts.
template <class Read, class Cursor, class Row = std::invoke_result_t<Read, const Statement&>>
core::Result<Page<Row>> ReadPage(Statement& statement, int limit, Read read, Cursor cursor) {
  Page<Row> page;
  for (;;) {
    core::Result<bool> more = statement.Step();
    if (!more) return more.error();
    if (!*more) return page;
    if (static_cast<int>(page.rows.size()) == limit) {
      page.next_after_id = cursor(page.rows.back());
      return page;
    }
    page.rows.push_back(read(statement));
  }
}

// A page size the stores accept: 1 to 500.
inline core::Status CheckLimit(int limit) {
  if (limit < 1 || limit > 500) return core::Error::InvalidRequest("'limit' must be 1 to 500", "limit");
  return {};
}

// Every row of `statement` (bound, not yet stepped), read by `read`.
template <class Row>
core::Result<std::vector<Row>> ReadAll(Statement& statement, core::Result<Row> (*read)(const Statement&)) {
  std::vector<Row> rows;
  for (;;) {
    core::Result<bool> more = statement.Step();
    if (!more) {
      return more.error();
    }
    if (!*more) {
      return rows;
    }
    core::Result<Row> row = read(statement);
    if (!row) {
      return row.error();
    }
    rows.push_back(std::move(*row));
  }
}

// An equality filter of a list: applied only when `value` is not empty.
struct Filter {
  std::string_view column;
  std::string_view value;
};

// One page of `table` in id order after query.after_id, at most query.limit
// rows, with every non-empty filter and `extra` (literal SQL, or empty) applied.
template <class Row>
core::Result<Page<Row>> ListPage(Connection& connection, std::string_view table, std::string_view columns,
                                 std::initializer_list<Filter> filters, std::string_view extra,
                                 const ListQuery& query, core::Result<Row> (*read)(const Statement&));

// UPDATE governance_version: every governance write calls it in its transaction.
core::Status BumpVersion(Connection& connection);

// Runs `body(connection)` in one write transaction (BEGIN IMMEDIATE) that
// also bumps governance_version; commits only when `body` succeeds, and rolls
// back otherwise. `body` returns core::Result<T>.
template <class T, class Body>
core::Result<T> InWriteTransaction(Database& database, Body&& body) {
  Connection connection = database.Lock();
  core::Result<Transaction> transaction = connection.Begin();
  if (!transaction) {
    return transaction.error();
  }
  core::Result<T> result = body(connection);
  if (!result) {
    return result;
  }
  if (core::Status bumped = BumpVersion(connection); !bumped) {
    return bumped.error();
  }
  if (core::Status committed = transaction->Commit(); !committed) {
    return committed.error();
  }
  return result;
}

// Checks query.limit (1..500): kInvalidRequest otherwise.
core::Status CheckListQuery(const ListQuery& query);


// [a-z0-9-]{1,64}: tenant and team names.
bool IsSlug(std::string_view name);
// "YYYY-MM-DD" with a plausible month and day.
bool IsDay(std::string_view day);
// kInvalidRequest (param `param`) unless `json` is a JSON object.
core::Status CheckJsonObject(std::string_view json, std::string_view param);
std::string ModelsToJson(const std::vector<std::string>& models);

// "tenant" | "team" | "key".
bool IsScopeType(std::string_view scope_type);
// kInvalidRequest unless the scope exists within `tenant_id`: the tenant
// itself, one of its teams, or one of its keys.
core::Status CheckScope(Connection& connection, std::string_view tenant_id, std::string_view scope_type,
                        std::string_view scope_id);
// Deletes the rate limits and budgets set on every key that `key_ids_sql`
// (a SELECT of key ids taking ?1) returns.
core::Status DeleteKeyScopedLimits(Connection& connection, std::string_view key_ids_sql, std::string_view arg);

// --- implementation of the template above ---

std::string ListSql(std::string_view table, std::string_view columns, std::initializer_list<Filter> filters,
                    std::string_view extra);

template <class Row>
core::Result<Page<Row>> ListPage(Connection& connection, std::string_view table, std::string_view columns,
                                 std::initializer_list<Filter> filters, std::string_view extra,
                                 const ListQuery& query, core::Result<Row> (*read)(const Statement&)) {
  if (core::Status valid = CheckListQuery(query); !valid) {
    return valid.error();
  }
  core::Result<Statement> select = connection.Prepare(ListSql(table, columns, filters, extra));
  if (!select) {
    return select.error();
  }
  int index = 1;
  select->Bind(index++, query.after_id);
  for (const Filter& filter : filters) {
    if (!filter.value.empty()) {
      select->Bind(index++, filter.value);
    }
  }
  // One more than asked: whether it comes back says if there is a next page.
  select->Bind(index, query.limit + 1);
  core::Result<std::vector<Row>> rows = ReadAll(*select, read);
  if (!rows) {
    return rows.error();
  }
  Page<Row> page;
  page.rows = std::move(*rows);
  if (page.rows.size() > static_cast<std::size_t>(query.limit)) {
    page.rows.pop_back();
    page.next_after_id = page.rows.back().id;
  }
  return page;
}

}  // namespace strata::store::sqlite::governance_sql

// SqliteGovernanceStore: rate limits, budgets, the spend rollup and
// LoadEverything. Tenants, teams, users and keys are in governance_store.cc.

#include <chrono>
#include <cmath>
#include <cstdio>

#include "store/sqlite/database.h"
#include "store/sqlite/governance_sql.h"
#include "store/sqlite/governance_store.h"
#include "store/sqlite/spend.h"

namespace strata::store::sqlite {

using namespace governance_sql;

namespace {

core::Status CheckTenantExists(Connection& c, std::string_view tenant_id) {
  core::Result<bool> found = Exists(c, "SELECT 1 FROM tenants WHERE id = ?1", tenant_id);
  if (!found) return found.error();
  if (!*found) {
    return core::Error::InvalidRequest("tenant '" + std::string(tenant_id) + "' does not exist", "tenant_id");
  }
  return {};
}

core::Status DeleteInTenant(Connection& c, std::string_view sql, std::string_view what, std::string_view tenant_id,
                            std::string_view id) {
  core::Result<Statement> remove = c.Prepare(sql);
  if (!remove) return remove.error();
  if (core::Status removed = remove->Bind(1, id).Bind(2, tenant_id).Run(); !removed) return removed;
  if (c.changes() == 0) {
    return core::Error::NotFound(std::string(what) + " '" + std::string(id) + "' not found");
  }
  return {};
}

std::string FormatDay(std::chrono::year_month_day day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

// The current period of a budget as days [first, end), "YYYY-MM-DD", UTC.
struct DayRange {
  std::string first;
  std::string end;
};

DayRange CurrentPeriod(std::string_view period, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const sys_days today = floor<days>(now);
  if (period == "day") {
    return {FormatDay(year_month_day(today)), FormatDay(year_month_day(today + days(1)))};
  }
  const year_month_day ymd(today);
  const year_month_day first = ymd.year() / ymd.month() / 1;
  return {FormatDay(first), FormatDay(first + months(1))};
}

// "tenant" → "tenant_id", ...: the spend_daily column a grouping name stands for.
std::string_view SpendColumn(std::string_view group) {
  if (group == "tenant") return "tenant_id";
  if (group == "team") return "team_id";
  if (group == "key") return "key_id";
  if (group == "model") return "model";
  if (group == "day") return "day";
  return {};
}

}  // namespace

// --- rate limits ---

core::Result<RateLimitRow> SqliteGovernanceStore::PutRateLimit(RateLimitRow row) {
  if (row.scope_type == "tenant" && row.scope_id.empty()) row.scope_id = row.tenant_id;
  if (row.requests_per_minute < 0 || row.tokens_per_minute < 0 || row.max_concurrent < 0) {
    return core::Error::InvalidRequest("limits must not be negative (0: no limit)", "requests_per_minute");
  }
  row.created_at_ms = NowMs();
  row.id = NewGovernanceId("lim", row.created_at_ms);
  return InWriteTransaction<RateLimitRow>(database_, [&](Connection& c) -> core::Result<RateLimitRow> {
    if (core::Status ok = CheckTenantExists(c, row.tenant_id); !ok) return ok.error();
    if (core::Status ok = CheckScope(c, row.tenant_id, row.scope_type, row.scope_id); !ok) return ok.error();
    {
      // Replacing keeps the stored row's id and creation time.
      core::Result<Statement> upsert = c.Prepare(
          "INSERT INTO rate_limits(id, tenant_id, scope_type, scope_id, requests_per_minute, tokens_per_minute, "
          "max_concurrent, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
          "ON CONFLICT(scope_type, scope_id) DO UPDATE SET requests_per_minute = excluded.requests_per_minute, "
          "tokens_per_minute = excluded.tokens_per_minute, max_concurrent = excluded.max_concurrent");
      if (!upsert) return upsert.error();
      core::Status done = BindAll(*upsert, row.id, row.tenant_id, row.scope_type, row.scope_id,
                                  row.requests_per_minute, row.tokens_per_minute, row.max_concurrent, row.created_at_ms)
                              .Run();
      if (!done) return done.error();
    }
    static const std::string kSql =
        "SELECT " + std::string(kRateLimitColumns) + " FROM rate_limits WHERE scope_type = ?1 AND scope_id = ?2";
    core::Result<std::optional<RateLimitRow>> stored = QueryOne(c, kSql, &ReadRateLimit, row.scope_type, row.scope_id);
    if (!stored) return stored.error();
    return std::move(**stored);
  });
}

core::Status SqliteGovernanceStore::DeleteRateLimit(std::string_view tenant_id, std::string_view id) {
  return InWriteTransaction<void>(database_, [&](Connection& c) -> core::Status {
    return DeleteInTenant(c, "DELETE FROM rate_limits WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)", "rate limit",
                          tenant_id, id);
  });
}

core::Result<Page<RateLimitRow>> SqliteGovernanceStore::ListRateLimits(const ListQuery& query) {
  Connection connection = database_.Lock();
  return ListPage(connection, "rate_limits", kRateLimitColumns,
                  {{"tenant_id", query.tenant_id}, {"scope_type", query.scope_type}, {"scope_id", query.scope_id}}, "",
                  query, &ReadRateLimit);
}

// --- budgets ---

core::Result<BudgetRow> SqliteGovernanceStore::PutBudget(BudgetRow row) {
  if (row.scope_type == "tenant" && row.scope_id.empty()) row.scope_id = row.tenant_id;
  if (row.period != "day" && row.period != "month") {
    return core::Error::InvalidRequest("period must be 'day' or 'month'", "period");
  }
  if (row.limit_nano_usd < 0) {
    return core::Error::InvalidRequest("a budget's limit must not be negative", "limit_nano_usd");
  }
  if (!(row.soft_ratio >= 0.0 && row.soft_ratio <= 1.0)) {  // NaN fails too
    return core::Error::InvalidRequest("soft_ratio must be between 0 and 1", "soft_ratio");
  }
  row.created_at_ms = NowMs();
  row.id = NewGovernanceId("bud", row.created_at_ms);
  return InWriteTransaction<BudgetRow>(database_, [&](Connection& c) -> core::Result<BudgetRow> {
    if (core::Status ok = CheckTenantExists(c, row.tenant_id); !ok) return ok.error();
    if (core::Status ok = CheckScope(c, row.tenant_id, row.scope_type, row.scope_id); !ok) return ok.error();
    {
      core::Result<Statement> upsert = c.Prepare(
          "INSERT INTO budgets(id, tenant_id, scope_type, scope_id, period, limit_nano_usd, soft_ratio, "
          "created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
          "ON CONFLICT(scope_type, scope_id, period) DO UPDATE SET limit_nano_usd = excluded.limit_nano_usd, "
          "soft_ratio = excluded.soft_ratio");
      if (!upsert) return upsert.error();
      core::Status done = BindAll(*upsert, row.id, row.tenant_id, row.scope_type, row.scope_id, row.period,
                                  row.limit_nano_usd, row.soft_ratio, row.created_at_ms)
                              .Run();
      if (!done) return done.error();
    }
    static const std::string kSql = "SELECT " + std::string(kBudgetColumns) +
                                    " FROM budgets WHERE scope_type = ?1 AND scope_id = ?2 AND period = ?3";
    core::Result<std::optional<BudgetRow>> stored =
        QueryOne(c, kSql, &ReadBudget, row.scope_type, row.scope_id, row.period);
    if (!stored) return stored.error();
    return std::move(**stored);
  });
}

core::Status SqliteGovernanceStore::DeleteBudget(std::string_view tenant_id, std::string_view id) {
  return InWriteTransaction<void>(database_, [&](Connection& c) -> core::Status {
    return DeleteInTenant(c, "DELETE FROM budgets WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)", "budget", tenant_id,
                          id);
  });
}

core::Result<Page<BudgetRow>> SqliteGovernanceStore::ListBudgets(const ListQuery& query) {
  Connection connection = database_.Lock();
  return ListPage(connection, "budgets", kBudgetColumns,
                  {{"tenant_id", query.tenant_id}, {"scope_type", query.scope_type}, {"scope_id", query.scope_id}}, "",
                  query, &ReadBudget);
}

// --- spend ---

core::Status SqliteGovernanceStore::AddSpend(const std::vector<SpendRow>& rows) {
  for (const SpendRow& row : rows) {
    if (!IsDay(row.day)) {
      return core::Error::InvalidRequest("spend day must be YYYY-MM-DD, got '" + row.day + "'", "day");
    }
  }
  if (rows.empty()) {
    return {};
  }
  // Spend is not governance state: no version bump, so the snapshot does not
  // reload for every batch of traffic.
  Connection connection = database_.Lock();
  core::Result<Transaction> transaction = connection.Begin();
  if (!transaction) return transaction.error();
  for (const SpendRow& row : rows) {
    if (core::Status added = UpsertSpend(connection, row); !added) return added;
  }
  return transaction->Commit();
}

core::Result<std::vector<SpendRow>> SqliteGovernanceStore::QuerySpend(const SpendQuery& query) {
  bool grouped[5] = {};
  constexpr std::string_view kGroups[5] = {"tenant", "team", "key", "model", "day"};
  for (const std::string& group : query.group_by) {
    const std::string_view column = SpendColumn(group);
    if (column.empty()) {
      return core::Error::InvalidRequest(
          "group_by takes tenant, team, key, model and day, not '" + group + "'", "group_by");
    }
    for (int i = 0; i < 5; ++i) {
      grouped[i] = grouped[i] || kGroups[i] == group;
    }
  }
  if ((!query.from_day.empty() && !IsDay(query.from_day)) || (!query.to_day.empty() && !IsDay(query.to_day))) {
    return core::Error::InvalidRequest("days must be YYYY-MM-DD", "from_day");
  }

  std::string select = "SELECT ";
  std::string group_by;
  for (int i = 0; i < 5; ++i) {
    const std::string_view column = SpendColumn(kGroups[i]);
    select += grouped[i] ? std::string(column) : std::string("''");
    select += ", ";
    if (grouped[i]) {
      group_by += group_by.empty() ? " GROUP BY " : ", ";
      group_by += column;
    }
  }
  select +=
      "COALESCE(SUM(requests), 0), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
      "COALESCE(SUM(cost_nano_usd), 0), COUNT(*) FROM spend_daily WHERE 1 = 1";
  std::vector<std::string_view> binds;
  const std::pair<std::string_view, const std::string*> filters[] = {
      {" AND tenant_id = ?", &query.tenant_id}, {" AND team_id = ?", &query.team_id},
      {" AND key_id = ?", &query.key_id},       {" AND model = ?", &query.model},
      {" AND day >= ?", &query.from_day},       {" AND day <= ?", &query.to_day},
  };
  for (const auto& [condition, value] : filters) {
    if (!value->empty()) {
      select += condition;
      binds.push_back(*value);
    }
  }
  select += group_by;
  if (!group_by.empty()) {
    select += " ORDER BY " + group_by.substr(std::string_view(" GROUP BY ").size());
  }

  Connection connection = database_.Lock();
  core::Result<Statement> statement = connection.Prepare(select);
  if (!statement) return statement.error();
  for (std::size_t i = 0; i < binds.size(); ++i) {
    statement->Bind(static_cast<int>(i) + 1, binds[i]);
  }
  std::vector<SpendRow> rows;
  for (;;) {
    core::Result<bool> more = statement->Step();
    if (!more) return more.error();
    if (!*more) break;
    if (statement->ColumnInt64(9) == 0) continue;  // no grouping and nothing matched
    rows.push_back(SpendRow{
        .tenant_id = statement->ColumnText(0),
        .team_id = statement->ColumnText(1),
        .key_id = statement->ColumnText(2),
        .model = statement->ColumnText(3),
        .day = statement->ColumnText(4),
        .requests = statement->ColumnInt64(5),
        .input_tokens = statement->ColumnInt64(6),
        .output_tokens = statement->ColumnInt64(7),
        .cost_nano_usd = statement->ColumnInt64(8),
    });
  }
  return rows;
}

// --- the snapshot's read ---

core::Result<GovernanceStore::Everything> SqliteGovernanceStore::LoadEverything() {
  const std::chrono::system_clock::time_point now = Now();
  Connection connection = database_.Lock();
  // One transaction, so the rows agree with each other and with the version
  // even while another process writes to the same file.
  core::Result<Transaction> transaction = connection.Begin();
  if (!transaction) return transaction.error();
  Everything everything;
  {
    core::Result<Statement> version = connection.Prepare("SELECT version FROM governance_version WHERE id = 1");
    if (!version) return version.error();
    core::Result<bool> row = version->Step();
    if (!row) return row.error();
    everything.version = *row ? version->ColumnInt64(0) : 0;
  }
  auto read_all = [&connection]<class Row>(std::string_view columns, std::string_view table,
                                           core::Result<Row> (*read)(const Statement&),
                                           std::vector<Row>& out) -> core::Status {
    core::Result<Statement> select =
        connection.Prepare("SELECT " + std::string(columns) + " FROM " + std::string(table) + " ORDER BY id");
    if (!select) return select.error();
    core::Result<std::vector<Row>> rows = ReadAll(*select, read);
    if (!rows) return rows.error();
    out = std::move(*rows);
    return {};
  };
  if (core::Status s = read_all(kTenantColumns, "tenants", &ReadTenant, everything.tenants); !s) return s.error();
  if (core::Status s = read_all(kTeamColumns, "teams", &ReadTeam, everything.teams); !s) return s.error();
  if (core::Status s = read_all(kKeyColumns, "api_keys", &ReadKey, everything.keys); !s) return s.error();
  if (core::Status s = read_all(kRateLimitColumns, "rate_limits", &ReadRateLimit, everything.rate_limits); !s) {
    return s.error();
  }
  if (core::Status s = read_all(kBudgetColumns, "budgets", &ReadBudget, everything.budgets); !s) return s.error();

  for (const BudgetRow& budget : everything.budgets) {
    std::string_view sql;
    if (budget.scope_type == "tenant") {
      sql = "SELECT COALESCE(SUM(cost_nano_usd), 0) FROM spend_daily WHERE tenant_id = ?1 AND day >= ?2 AND day < ?3";
    } else if (budget.scope_type == "team") {
      sql = "SELECT COALESCE(SUM(cost_nano_usd), 0) FROM spend_daily WHERE team_id = ?1 AND day >= ?2 AND day < ?3";
    } else {
      sql = "SELECT COALESCE(SUM(cost_nano_usd), 0) FROM spend_daily WHERE key_id = ?1 AND day >= ?2 AND day < ?3";
    }
    const DayRange range = CurrentPeriod(budget.period, now);
    core::Result<Statement> sum = connection.Prepare(sql);
    if (!sum) return sum.error();
    core::Result<bool> row = BindAll(*sum, budget.scope_id, range.first, range.end).Step();
    if (!row) return row.error();
    everything.budget_spent_nano_usd[budget.id] = *row ? sum->ColumnInt64(0) : 0;
  }
  if (core::Status committed = transaction->Commit(); !committed) return committed.error();
  return everything;
}

}  // namespace strata::store::sqlite

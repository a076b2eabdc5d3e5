#include "store/sqlite/retention_store.h"

#include <set>

#include "store/sqlite/database.h"
#include "store/sqlite/governance_sql.h"

namespace strata::store::sqlite {
namespace {

RetentionRule ReadRule(const Statement& s) {
  return RetentionRule{.tenant_id = s.ColumnText(0),
                       .kind = s.ColumnText(1),
                       .days = static_cast<int>(s.ColumnInt64(2)),
                       .updated_at_ms = s.ColumnInt64(3)};
}

RetentionRun ReadRun(const Statement& s) {
  return RetentionRun{.id = s.ColumnText(0),
                      .started_at_ms = s.ColumnInt64(1),
                      .finished_at_ms = s.ColumnInt64(2),
                      .status = s.ColumnText(3),
                      .purged_json = s.ColumnText(4),
                      .error = s.ColumnText(5)};
}

core::Result<std::vector<RetentionRule>> ReadRules(Statement& select) {
  return governance_sql::ReadRows(select, ReadRule);
}

}  // namespace

core::Status SqliteRetentionStore::Update(std::string_view tenant, std::span<const RetentionChange> changes,
                                          std::int64_t now_ms) {
  std::set<std::string_view> seen;
  for (const RetentionChange& change : changes) {
    if (!IsRetentionKind(change.kind)) {
      return core::Error::InvalidRequest(
          "retention kind must be one of content, metadata, audit, reviews, feedback (not '" + change.kind + "')",
          change.kind);
    }
    if (!seen.insert(change.kind).second) {
      return core::Error::InvalidRequest("retention kind '" + change.kind + "' named twice", change.kind);
    }
    if (change.days && (*change.days < 1 || *change.days > kMaxRetentionDays)) {
      return core::Error::InvalidRequest(
          "retention days must be 1 to " + std::to_string(kMaxRetentionDays) + " (or null to remove the rule)",
          change.kind);
    }
  }
  Connection c = database_.Lock();
  core::Result<Transaction> transaction = c.Begin();
  if (!transaction) return transaction.error();
  for (const RetentionChange& change : changes) {
    if (change.days) {
      core::Result<Statement> upsert = c.Prepare(
          "INSERT INTO retention_rules(tenant_id, kind, days, updated_at_ms) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT(tenant_id, kind) DO UPDATE SET days = excluded.days, updated_at_ms = excluded.updated_at_ms");
      if (!upsert) return upsert.error();
      upsert->Bind(1, tenant).Bind(2, change.kind).Bind(3, *change.days).Bind(4, now_ms);
      if (core::Status done = upsert->Run(); !done) return done.error();
    } else {
      core::Result<Statement> remove = c.Prepare("DELETE FROM retention_rules WHERE tenant_id = ?1 AND kind = ?2");
      if (!remove) return remove.error();
      if (core::Status done = remove->Bind(1, tenant).Bind(2, change.kind).Run(); !done) return done.error();
    }
  }
  return transaction->Commit();
}

core::Result<std::vector<RetentionRule>> SqliteRetentionStore::List(std::string_view tenant) {
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(
      "SELECT tenant_id, kind, days, updated_at_ms FROM retention_rules WHERE tenant_id = ?1 ORDER BY kind");
  if (!select) return select.error();
  select->Bind(1, tenant);
  return ReadRules(*select);
}

core::Result<std::vector<RetentionRule>> SqliteRetentionStore::ListAll() {
  Connection c = database_.Lock();
  core::Result<Statement> select =
      c.Prepare("SELECT tenant_id, kind, days, updated_at_ms FROM retention_rules ORDER BY tenant_id, kind");
  if (!select) return select.error();
  return ReadRules(*select);
}

core::Status SqliteRetentionStore::AddRun(const RetentionRun& run) {
  if (run.status != "ok" && run.status != "failed") {
    return core::Error::InvalidRequest("retention run status must be 'ok' or 'failed'", "status");
  }
  Connection c = database_.Lock();
  core::Result<Statement> insert = c.Prepare(
      "INSERT INTO retention_runs(id, started_at_ms, finished_at_ms, status, purged_json, error) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert) return insert.error();
  insert->Bind(1, run.id).Bind(2, run.started_at_ms).Bind(3, run.finished_at_ms).Bind(4, run.status);
  insert->Bind(5, run.purged_json.empty() ? std::string_view("{}") : std::string_view(run.purged_json));
  insert->Bind(6, run.error);
  return insert->Run();
}

core::Result<Page<RetentionRun>> SqliteRetentionStore::ListRuns(std::string_view after_id, int limit) {
  if (core::Status valid = governance_sql::CheckLimit(limit); !valid) return valid.error();
  // Keyset pagination over (started_at_ms, id), newest first. An unknown
  // `after_id` yields an empty page rather than the first one.
  static constexpr std::string_view kSql =
      "SELECT id, started_at_ms, finished_at_ms, status, purged_json, error FROM retention_runs "
      "WHERE ?1 = '' OR (started_at_ms, id) < (SELECT started_at_ms, id FROM retention_runs WHERE id = ?1) "
      "ORDER BY started_at_ms DESC, id DESC LIMIT ?2";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  select->Bind(1, after_id).Bind(2, limit + 1);
  return governance_sql::ReadPage(*select, limit, ReadRun, [](const RetentionRun& run) { return run.id; });
}

}  // namespace strata::store::sqlite

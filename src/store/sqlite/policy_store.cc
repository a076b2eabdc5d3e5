#include "store/sqlite/policy_store.h"

#include "store/sqlite/database.h"
#include "store/sqlite/governance_sql.h"

namespace strata::store::sqlite {
namespace {

constexpr std::string_view kColumns = "tenant_id, version, source, created_at_ms, created_by";

PolicyVersion ReadVersion(const Statement& s) {
  return PolicyVersion{.scope = s.ColumnText(0),
                       .version = s.ColumnInt64(1),
                       .source = s.ColumnText(2),
                       .created_at_ms = s.ColumnInt64(3),
                       .created_by = s.ColumnText(4)};
}

// At most one row of a bound statement.
core::Result<std::optional<PolicyVersion>> ReadOne(Statement& statement) {
  core::Result<bool> found = statement.Step();
  if (!found) return found.error();
  if (!*found) return std::optional<PolicyVersion>();
  return std::optional<PolicyVersion>(ReadVersion(statement));
}

}  // namespace

core::Result<PolicyVersion> SqlitePolicyStore::Put(std::string_view scope, std::string_view source,
                                                   std::string_view created_by, std::int64_t now_ms) {
  Connection c = database_.Lock();
  core::Result<Transaction> transaction = c.Begin();
  if (!transaction) return transaction.error();
  PolicyVersion row{.scope = std::string(scope),
                    .version = 0,
                    .source = std::string(source),
                    .created_at_ms = now_ms,
                    .created_by = std::string(created_by)};
  {
    core::Result<Statement> next =
        c.Prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM policy_versions WHERE tenant_id = ?1");
    if (!next) return next.error();
    core::Result<bool> stepped = next->Bind(1, scope).Step();
    if (!stepped) return stepped.error();
    if (!*stepped) return core::Error::Internal("policy store: MAX(version) returned no row");
    row.version = next->ColumnInt64(0);
  }
  {
    core::Result<Statement> insert = c.Prepare(
        "INSERT INTO policy_versions(tenant_id, version, source, created_at_ms, created_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert) return insert.error();
    insert->Bind(1, row.scope).Bind(2, row.version).Bind(3, row.source).Bind(4, row.created_at_ms);
    insert->Bind(5, row.created_by);
    if (core::Status done = insert->Run(); !done) return done.error();
  }
  if (core::Status committed = transaction->Commit(); !committed) return committed.error();
  return row;
}

core::Result<std::optional<PolicyVersion>> SqlitePolicyStore::Latest(std::string_view scope) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM policy_versions WHERE tenant_id = ?1 ORDER BY version DESC LIMIT 1";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  select->Bind(1, scope);
  return ReadOne(*select);
}

core::Result<std::vector<PolicyVersion>> SqlitePolicyStore::LatestOfEveryScope() {
  // '' (the platform) sorts before every tenant id.
  static const std::string kSql =
      "SELECT p.tenant_id, p.version, p.source, p.created_at_ms, p.created_by FROM policy_versions p "
      "JOIN (SELECT tenant_id, MAX(version) AS version FROM policy_versions GROUP BY tenant_id) m "
      "ON p.tenant_id = m.tenant_id AND p.version = m.version ORDER BY p.tenant_id";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  return governance_sql::ReadRows(*select, ReadVersion);
}

core::Result<Page<PolicyVersion>> SqlitePolicyStore::List(std::string_view scope, std::int64_t before_version,
                                                          int limit) {
  if (core::Status valid = governance_sql::CheckLimit(limit); !valid) return valid.error();
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM policy_versions WHERE tenant_id = ?1 AND (?2 <= 0 OR version < ?2) "
                                  "ORDER BY version DESC LIMIT ?3";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  select->Bind(1, scope).Bind(2, before_version).Bind(3, limit + 1);
  return governance_sql::ReadPage(*select, limit, ReadVersion,
                                  [](const PolicyVersion& row) { return std::to_string(row.version); });
}

core::Result<std::optional<PolicyVersion>> SqlitePolicyStore::Get(std::string_view scope, std::int64_t version) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) + " FROM policy_versions WHERE tenant_id = ?1 AND version = ?2";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  select->Bind(1, scope).Bind(2, version);
  return ReadOne(*select);
}

core::Result<std::int64_t> SqlitePolicyStore::Fingerprint() {
  // History is append-only, so the row count and the sum of versions only
  // grow: every Put moves this, and an aggregate over the primary key needs
  // no table rows.
  Connection c = database_.Lock();
  core::Result<Statement> select =
      c.Prepare("SELECT COUNT(*) + COALESCE(SUM(version), 0) FROM policy_versions");
  if (!select) return select.error();
  core::Result<bool> stepped = select->Step();
  if (!stepped) return stepped.error();
  if (!*stepped) return std::int64_t{0};
  return select->ColumnInt64(0);
}

}  // namespace strata::store::sqlite

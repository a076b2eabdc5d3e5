// SqliteGovernanceStore: version, tenants, teams, users and keys. Rate
// limits, budgets, spend and LoadEverything are in governance_limits.cc.

#include "store/sqlite/governance_store.h"

#include "store/sqlite/database.h"
#include "store/sqlite/governance_sql.h"

namespace strata::store::sqlite {

using namespace governance_sql;

namespace {

core::Error NotFound(std::string_view what, std::string_view id) {
  return core::Error::NotFound(std::string(what) + " '" + std::string(id) + "' not found");
}

std::string Select(std::string_view columns, std::string_view table, std::string_view where) {
  std::string sql = "SELECT ";
  sql.append(columns).append(" FROM ").append(table).append(" ").append(where);
  return sql;
}

bool IsLowerHex64(std::string_view text) {
  if (text.size() != 64) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// The checks of a user row that need no database.
core::Status CheckUserFields(const UserRow& row) {
  if (row.kind != "user" && row.kind != "service") {
    return core::Error::InvalidRequest("kind must be 'user' or 'service'", "kind");
  }
  if (row.role.empty()) {
    return core::Error::InvalidRequest("role is required", "role");
  }
  if (row.tenant_id.empty() && row.role != "admin") {
    return core::Error::InvalidRequest("a user outside any tenant must have the role 'admin'", "role");
  }
  if (row.tenant_id.empty() && !row.team_id.empty()) {
    return core::Error::InvalidRequest("a user outside any tenant cannot be in a team", "team_id");
  }
  if (row.oidc_issuer.empty() != row.oidc_subject.empty()) {
    return core::Error::InvalidRequest("oidc_issuer and oidc_subject go together", "oidc_subject");
  }
  if (row.kind == "service") {
    if (!row.email.empty() || !row.password_hash.empty() || !row.oidc_subject.empty()) {
      return core::Error::InvalidRequest("a service account has no email, password or OIDC identity", "kind");
    }
  } else if (row.email.size() > 254 || row.email.find('@') == std::string::npos) {
    return core::Error::InvalidRequest("a user needs a valid email address", "email");
  }
  return {};
}

// That the tenant exists and the team (if any) is one of its own.
core::Status CheckTenantAndTeam(Connection& c, const std::string& tenant_id, const std::string& team_id) {
  if (!tenant_id.empty()) {
    core::Result<bool> tenant = Exists(c, "SELECT 1 FROM tenants WHERE id = ?1", tenant_id);
    if (!tenant) return tenant.error();
    if (!*tenant) return core::Error::InvalidRequest("tenant '" + tenant_id + "' does not exist", "tenant_id");
  }
  if (!team_id.empty()) {
    core::Result<bool> team = Exists(c, "SELECT 1 FROM teams WHERE id = ?1 AND tenant_id = ?2", team_id, tenant_id);
    if (!team) return team.error();
    if (!*team) return core::Error::InvalidRequest("no team '" + team_id + "' in this tenant", "team_id");
  }
  return {};
}

// The checks of a user row against the database. `self_id`: the user being
// updated (excluded from the uniqueness checks), empty on create.
core::Status CheckUserReferences(Connection& c, const UserRow& row, std::string_view self_id) {
  if (core::Status placed = CheckTenantAndTeam(c, row.tenant_id, row.team_id); !placed) return placed;
  if (!row.email.empty()) {
    core::Result<bool> taken = Exists(c, "SELECT 1 FROM users WHERE email = ?1 AND id <> ?2", row.email, self_id);
    if (!taken) return taken.error();
    if (*taken) return core::Error::InvalidRequest("a user with email '" + row.email + "' already exists", "email");
  }
  if (!row.oidc_subject.empty()) {
    core::Result<bool> taken =
        Exists(c, "SELECT 1 FROM users WHERE oidc_issuer = ?1 AND oidc_subject = ?2 AND id <> ?3", row.oidc_issuer,
               row.oidc_subject, self_id);
    if (!taken) return taken.error();
    if (*taken) return core::Error::InvalidRequest("a user with this OIDC identity already exists", "oidc_subject");
  }
  return {};
}

core::Status CheckKeyFields(const ApiKeyRow& row) {
  if (row.name.empty() || row.name.size() > 128) {
    return core::Error::InvalidRequest("key name must be 1-128 characters", "name");
  }
  if (row.prefix.empty()) {
    return core::Error::InvalidRequest("key prefix is required", "prefix");
  }
  if (!IsLowerHex64(row.digest_hex)) {
    return core::Error::InvalidRequest("digest_hex must be 64 lowercase hex characters (SHA-256)", "digest_hex");
  }
  if (row.role.empty()) {
    return core::Error::InvalidRequest("role is required", "role");
  }
  if (row.tenant_id.empty() && !row.team_id.empty()) {
    return core::Error::InvalidRequest("a key outside any tenant cannot belong to a team", "team_id");
  }
  for (const std::string& model : row.allowed_models) {
    if (model.empty()) {
      return core::Error::InvalidRequest("allowed_models cannot hold an empty name", "allowed_models");
    }
  }
  if (row.expires_at_ms < 0 || row.revoked_at_ms < 0) {
    return core::Error::InvalidRequest("times must not be negative", "expires_at_ms");
  }
  return CheckJsonObject(row.metadata_json, "metadata");
}

core::Status CheckKeyReferences(Connection& c, const ApiKeyRow& row) {
  if (core::Status placed = CheckTenantAndTeam(c, row.tenant_id, row.team_id); !placed) return placed;
  if (!row.owner_id.empty()) {
    core::Result<bool> owner =
        Exists(c, "SELECT 1 FROM users WHERE id = ?1 AND COALESCE(tenant_id, '') = ?2", row.owner_id, row.tenant_id);
    if (!owner) return owner.error();
    if (!*owner) return core::Error::InvalidRequest("no user '" + row.owner_id + "' in this tenant", "owner_id");
  }
  core::Result<bool> digest = Exists(c, "SELECT 1 FROM api_keys WHERE digest_hex = ?1", row.digest_hex);
  if (!digest) return digest.error();
  if (*digest) return core::Error::InvalidRequest("a key with this digest already exists", "digest_hex");
  if (row.revoked_at_ms == 0) {
    core::Result<bool> name =
        Exists(c, "SELECT 1 FROM api_keys WHERE COALESCE(tenant_id, '') = ?1 AND name = ?2 AND revoked_at_ms = 0",
               row.tenant_id, row.name);
    if (!name) return name.error();
    if (*name) return core::Error::InvalidRequest("a live key named '" + row.name + "' already exists", "name");
  }
  return {};
}

// Runs `sql` (a DELETE taking ?1 = id, ?2 = tenant or '') and reports
// kNotFound when it deleted nothing.
core::Status DeleteScoped(Connection& c, std::string_view sql, std::string_view what, std::string_view tenant_id,
                          std::string_view id) {
  core::Result<Statement> remove = c.Prepare(sql);
  if (!remove) return remove.error();
  if (core::Status removed = remove->Bind(1, id).Bind(2, tenant_id).Run(); !removed) return removed.error();
  if (c.changes() == 0) return NotFound(what, id);
  return {};
}

}  // namespace

SqliteGovernanceStore::SqliteGovernanceStore(Database& database, WallClock clock)
    : database_(database), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] { return std::chrono::system_clock::now(); };
  }
}

std::chrono::system_clock::time_point SqliteGovernanceStore::Now() const { return clock_(); }

std::int64_t SqliteGovernanceStore::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
}

core::Result<std::int64_t> SqliteGovernanceStore::Version() {
  Connection connection = database_.Lock();
  core::Result<Statement> select = connection.Prepare("SELECT version FROM governance_version WHERE id = 1");
  if (!select) return select.error();
  core::Result<bool> row = select->Step();
  if (!row) return row.error();
  if (!*row) return core::Error::Internal("store: governance_version has no row");
  return select->ColumnInt64(0);
}

// --- tenants ---

core::Result<TenantRow> SqliteGovernanceStore::CreateTenant(TenantRow row) {
  if (!IsSlug(row.name)) {
    return core::Error::InvalidRequest("tenant name must be 1-64 characters of a-z, 0-9 and '-'", "name");
  }
  if (row.metadata_json.empty()) row.metadata_json = "{}";
  if (core::Status ok = CheckJsonObject(row.metadata_json, "metadata"); !ok) return ok.error();
  if (row.display_name.empty()) row.display_name = row.name;
  row.created_at_ms = NowMs();
  row.id = NewGovernanceId("ten", row.created_at_ms);
  return InWriteTransaction<TenantRow>(database_, [&](Connection& c) -> core::Result<TenantRow> {
    core::Result<bool> taken = Exists(c, "SELECT 1 FROM tenants WHERE name = ?1", row.name);
    if (!taken) return taken.error();
    if (*taken) return core::Error::InvalidRequest("a tenant named '" + row.name + "' already exists", "name");
    core::Result<Statement> insert = c.Prepare(
        "INSERT INTO tenants(id, name, display_name, metadata_json, created_at_ms, disabled) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert) return insert.error();
    core::Status inserted =
        BindAll(*insert, row.id, row.name, row.display_name, row.metadata_json, row.created_at_ms, row.disabled)
            .Run();
    if (!inserted) return inserted.error();
    return row;
  });
}

core::Result<TenantRow> SqliteGovernanceStore::GetTenant(std::string_view id) {
  static const std::string kSql = Select(kTenantColumns, "tenants", "WHERE id = ?1");
  Connection connection = database_.Lock();
  core::Result<std::optional<TenantRow>> row = QueryOne(connection, kSql, &ReadTenant, id);
  if (!row) return row.error();
  if (!*row) return NotFound("tenant", id);
  return std::move(**row);
}

core::Result<TenantRow> SqliteGovernanceStore::UpdateTenant(const TenantRow& row) {
  if (!row.metadata_json.empty()) {
    if (core::Status ok = CheckJsonObject(row.metadata_json, "metadata"); !ok) return ok.error();
  }
  return InWriteTransaction<TenantRow>(database_, [&](Connection& c) -> core::Result<TenantRow> {
    {
      // Empty display name or metadata: keep what is stored.
      core::Result<Statement> update = c.Prepare(
          "UPDATE tenants SET display_name = COALESCE(NULLIF(?2, ''), display_name), "
          "metadata_json = COALESCE(NULLIF(?3, ''), metadata_json), disabled = ?4 WHERE id = ?1");
      if (!update) return update.error();
      core::Status updated = BindAll(*update, row.id, row.display_name, row.metadata_json, row.disabled).Run();
      if (!updated) return updated.error();
      if (c.changes() == 0) return NotFound("tenant", row.id);
    }
    static const std::string kSql = Select(kTenantColumns, "tenants", "WHERE id = ?1");
    core::Result<std::optional<TenantRow>> stored = QueryOne(c, kSql, &ReadTenant, row.id);
    if (!stored) return stored.error();
    return std::move(**stored);
  });
}

core::Status SqliteGovernanceStore::DeleteTenant(std::string_view id) {
  return InWriteTransaction<void>(database_, [&](Connection& c) -> core::Status {
    // Foreign keys cascade to teams, users, keys, rate limits and budgets.
    {
      core::Result<Statement> remove = c.Prepare("DELETE FROM tenants WHERE id = ?1");
      if (!remove) return remove.error();
      if (core::Status removed = remove->Bind(1, id).Run(); !removed) return removed;
      if (c.changes() == 0) return NotFound("tenant", id);
    }
    core::Result<Statement> spend = c.Prepare("DELETE FROM spend_daily WHERE tenant_id = ?1");
    if (!spend) return spend.error();
    return spend->Bind(1, id).Run();
  });
}

core::Result<Page<TenantRow>> SqliteGovernanceStore::ListTenants(const ListQuery& query) {
  Connection connection = database_.Lock();
  return ListPage(connection, "tenants", kTenantColumns, {{"id", query.tenant_id}}, "", query, &ReadTenant);
}

// --- teams ---

core::Result<TeamRow> SqliteGovernanceStore::CreateTeam(TeamRow row) {
  if (!IsSlug(row.name)) {
    return core::Error::InvalidRequest("team name must be 1-64 characters of a-z, 0-9 and '-'", "name");
  }
  if (row.metadata_json.empty()) row.metadata_json = "{}";
  if (core::Status ok = CheckJsonObject(row.metadata_json, "metadata"); !ok) return ok.error();
  row.created_at_ms = NowMs();
  row.id = NewGovernanceId("team", row.created_at_ms);
  return InWriteTransaction<TeamRow>(database_, [&](Connection& c) -> core::Result<TeamRow> {
    core::Result<bool> tenant = Exists(c, "SELECT 1 FROM tenants WHERE id = ?1", row.tenant_id);
    if (!tenant) return tenant.error();
    if (!*tenant) return core::Error::InvalidRequest("tenant '" + row.tenant_id + "' does not exist", "tenant_id");
    core::Result<bool> taken =
        Exists(c, "SELECT 1 FROM teams WHERE tenant_id = ?1 AND name = ?2", row.tenant_id, row.name);
    if (!taken) return taken.error();
    if (*taken) return core::Error::InvalidRequest("a team named '" + row.name + "' already exists", "name");
    core::Result<Statement> insert = c.Prepare(
        "INSERT INTO teams(id, tenant_id, name, metadata_json, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert) return insert.error();
    core::Status inserted =
        BindAll(*insert, row.id, row.tenant_id, row.name, row.metadata_json, row.created_at_ms).Run();
    if (!inserted) return inserted.error();
    return row;
  });
}

core::Result<TeamRow> SqliteGovernanceStore::GetTeam(std::string_view tenant_id, std::string_view id) {
  static const std::string kSql = Select(kTeamColumns, "teams", "WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)");
  Connection connection = database_.Lock();
  core::Result<std::optional<TeamRow>> row = QueryOne(connection, kSql, &ReadTeam, id, tenant_id);
  if (!row) return row.error();
  if (!*row) return NotFound("team", id);
  return std::move(**row);
}

core::Status SqliteGovernanceStore::DeleteTeam(std::string_view tenant_id, std::string_view id) {
  return InWriteTransaction<void>(database_, [&](Connection& c) -> core::Status {
    core::Result<bool> found =
        Exists(c, "SELECT 1 FROM teams WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)", id, tenant_id);
    if (!found) return found.error();
    if (!*found) return NotFound("team", id);
    // The team's keys go with it (foreign key); their limits and the team's
    // are not foreign keys (a scope is a tenant, team or key), so go here.
    if (core::Status removed = DeleteKeyScopedLimits(c, "SELECT id FROM api_keys WHERE team_id = ?1", id); !removed) {
      return removed;
    }
    for (std::string_view sql : {"DELETE FROM rate_limits WHERE scope_type = 'team' AND scope_id = ?1",
                                 "DELETE FROM budgets WHERE scope_type = 'team' AND scope_id = ?1"}) {
      core::Result<Statement> remove = c.Prepare(sql);
      if (!remove) return remove.error();
      if (core::Status removed = remove->Bind(1, id).Run(); !removed) return removed;
    }
    return DeleteScoped(c, "DELETE FROM teams WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)", "team", tenant_id, id);
  });
}

core::Result<Page<TeamRow>> SqliteGovernanceStore::ListTeams(const ListQuery& query) {
  Connection connection = database_.Lock();
  return ListPage(connection, "teams", kTeamColumns, {{"tenant_id", query.tenant_id}}, "", query, &ReadTeam);
}

// --- users ---

core::Result<UserRow> SqliteGovernanceStore::CreateUser(UserRow row) {
  if (core::Status ok = CheckUserFields(row); !ok) return ok.error();
  row.created_at_ms = NowMs();
  row.id = NewGovernanceId("usr", row.created_at_ms);
  return InWriteTransaction<UserRow>(database_, [&](Connection& c) -> core::Result<UserRow> {
    if (core::Status ok = CheckUserReferences(c, row, ""); !ok) return ok.error();
    core::Result<Statement> insert = c.Prepare(
        "INSERT INTO users(id, tenant_id, team_id, kind, email, display_name, role, password_hash, oidc_issuer, "
        "oidc_subject, created_at_ms, disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!insert) return insert.error();
    insert->Bind(1, row.id);
    BindOrNull(*insert, 2, row.tenant_id);
    BindOrNull(*insert, 3, row.team_id);
    insert->Bind(4, row.kind);
    BindOrNull(*insert, 5, row.email);
    insert->Bind(6, row.display_name).Bind(7, row.role).Bind(8, row.password_hash);
    BindOrNull(*insert, 9, row.oidc_issuer);
    BindOrNull(*insert, 10, row.oidc_subject);
    if (core::Status inserted = insert->Bind(11, row.created_at_ms).Bind(12, row.disabled).Run(); !inserted) {
      return inserted.error();
    }
    return row;
  });
}

core::Result<UserRow> SqliteGovernanceStore::GetUser(std::string_view tenant_id, std::string_view id) {
  static const std::string kSql = Select(kUserColumns, "users", "WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)");
  Connection connection = database_.Lock();
  core::Result<std::optional<UserRow>> row = QueryOne(connection, kSql, &ReadUser, id, tenant_id);
  if (!row) return row.error();
  if (!*row) return NotFound("user", id);
  return std::move(**row);
}

core::Result<std::optional<UserRow>> SqliteGovernanceStore::FindUserByEmail(std::string_view email) {
  if (email.empty()) return std::optional<UserRow>();
  static const std::string kSql = Select(kUserColumns, "users", "WHERE email = ?1");
  Connection connection = database_.Lock();
  return QueryOne(connection, kSql, &ReadUser, email);
}

core::Result<std::optional<UserRow>> SqliteGovernanceStore::FindUserByOidc(std::string_view issuer,
                                                                           std::string_view subject) {
  if (issuer.empty() || subject.empty()) return std::optional<UserRow>();
  static const std::string kSql = Select(kUserColumns, "users", "WHERE oidc_issuer = ?1 AND oidc_subject = ?2");
  Connection connection = database_.Lock();
  return QueryOne(connection, kSql, &ReadUser, issuer, subject);
}

core::Result<UserRow> SqliteGovernanceStore::UpdateUser(const UserRow& row) {
  return InWriteTransaction<UserRow>(database_, [&](Connection& c) -> core::Result<UserRow> {
    static const std::string kSql = Select(kUserColumns, "users", "WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)");
    core::Result<std::optional<UserRow>> stored = QueryOne(c, kSql, &ReadUser, row.id, row.tenant_id);
    if (!stored) return stored.error();
    if (!*stored) return NotFound("user", row.id);
    UserRow updated = std::move(**stored);
    updated.display_name = row.display_name;
    updated.role = row.role;
    updated.team_id = row.team_id;
    updated.password_hash = row.password_hash;
    updated.disabled = row.disabled;
    if (core::Status ok = CheckUserFields(updated); !ok) return ok.error();
    if (core::Status ok = CheckUserReferences(c, updated, updated.id); !ok) return ok.error();
    core::Result<Statement> update = c.Prepare(
        "UPDATE users SET display_name = ?2, role = ?3, team_id = ?4, password_hash = ?5, disabled = ?6 "
        "WHERE id = ?1");
    if (!update) return update.error();
    update->Bind(1, updated.id).Bind(2, updated.display_name).Bind(3, updated.role);
    BindOrNull(*update, 4, updated.team_id);
    if (core::Status done = update->Bind(5, updated.password_hash).Bind(6, updated.disabled).Run(); !done) {
      return done.error();
    }
    return updated;
  });
}

core::Status SqliteGovernanceStore::DeleteUser(std::string_view tenant_id, std::string_view id) {
  return InWriteTransaction<void>(database_, [&](Connection& c) -> core::Status {
    core::Result<bool> found =
        Exists(c, "SELECT 1 FROM users WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)", id, tenant_id);
    if (!found) return found.error();
    if (!*found) return NotFound("user", id);
    // The keys it owns go with it (foreign key), and their limits here.
    if (core::Status removed = DeleteKeyScopedLimits(c, "SELECT id FROM api_keys WHERE owner_id = ?1", id); !removed) {
      return removed;
    }
    return DeleteScoped(c, "DELETE FROM users WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)", "user", tenant_id, id);
  });
}

core::Result<Page<UserRow>> SqliteGovernanceStore::ListUsers(const ListQuery& query) {
  Connection connection = database_.Lock();
  return ListPage(connection, "users", kUserColumns, {{"tenant_id", query.tenant_id}, {"team_id", query.team_id}}, "",
                  query, &ReadUser);
}

// --- keys ---

core::Result<ApiKeyRow> SqliteGovernanceStore::CreateKey(ApiKeyRow row) {
  if (row.metadata_json.empty()) row.metadata_json = "{}";
  if (core::Status ok = CheckKeyFields(row); !ok) return ok.error();
  row.created_at_ms = NowMs();
  row.id = NewGovernanceId("key", row.created_at_ms);
  return InWriteTransaction<ApiKeyRow>(database_, [&](Connection& c) -> core::Result<ApiKeyRow> {
    if (core::Status ok = CheckKeyReferences(c, row); !ok) return ok.error();
    core::Result<Statement> insert = c.Prepare(
        "INSERT INTO api_keys(id, tenant_id, team_id, owner_id, name, prefix, digest_hex, role, allowed_models, "
        "metadata_json, created_at_ms, expires_at_ms, revoked_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    if (!insert) return insert.error();
    insert->Bind(1, row.id);
    BindOrNull(*insert, 2, row.tenant_id);
    BindOrNull(*insert, 3, row.team_id);
    BindOrNull(*insert, 4, row.owner_id);
    core::Status inserted = insert->Bind(5, row.name)
                                .Bind(6, row.prefix)
                                .Bind(7, row.digest_hex)
                                .Bind(8, row.role)
                                .Bind(9, ModelsToJson(row.allowed_models))
                                .Bind(10, row.metadata_json)
                                .Bind(11, row.created_at_ms)
                                .Bind(12, row.expires_at_ms)
                                .Bind(13, row.revoked_at_ms)
                                .Run();
    if (!inserted) return inserted.error();
    return row;
  });
}

core::Result<ApiKeyRow> SqliteGovernanceStore::GetKey(std::string_view tenant_id, std::string_view id) {
  static const std::string kSql = Select(kKeyColumns, "api_keys", "WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)");
  Connection connection = database_.Lock();
  core::Result<std::optional<ApiKeyRow>> row = QueryOne(connection, kSql, &ReadKey, id, tenant_id);
  if (!row) return row.error();
  if (!*row) return NotFound("key", id);
  return std::move(**row);
}

core::Status SqliteGovernanceStore::RevokeKey(std::string_view tenant_id, std::string_view id, std::int64_t at_ms) {
  if (at_ms <= 0) {
    return core::Error::InvalidRequest("revocation time must be positive", "revoked_at_ms");
  }
  return InWriteTransaction<void>(database_, [&](Connection& c) -> core::Status {
    core::Result<Statement> update = c.Prepare(
        "UPDATE api_keys SET revoked_at_ms = ?3 WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2) AND revoked_at_ms = 0");
    if (!update) return update.error();
    if (core::Status done = BindAll(*update, id, tenant_id, at_ms).Run(); !done) return done;
    if (c.changes() == 1) return {};
    // Revoking twice keeps the first time and is not an error.
    core::Result<bool> found =
        Exists(c, "SELECT 1 FROM api_keys WHERE id = ?1 AND (?2 = '' OR tenant_id = ?2)", id, tenant_id);
    if (!found) return found.error();
    if (!*found) return NotFound("key", id);
    return {};
  });
}

core::Result<Page<ApiKeyRow>> SqliteGovernanceStore::ListKeys(const ListQuery& query) {
  Connection connection = database_.Lock();
  return ListPage(connection, "api_keys", kKeyColumns, {{"tenant_id", query.tenant_id}, {"team_id", query.team_id}},
                  query.include_revoked ? "" : "revoked_at_ms = 0", query, &ReadKey);
}

}  // namespace strata::store::sqlite

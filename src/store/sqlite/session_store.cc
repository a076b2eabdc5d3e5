#include "store/sqlite/session_store.h"

#include "store/sqlite/database.h"
#include "store/sqlite/governance_sql.h"
#include "store/sqlite/governance_store.h"

namespace strata::store::sqlite {

using namespace governance_sql;

namespace {

// kUserColumns, each qualified with "u." for a join.
std::string QualifiedUserColumns() {
  std::string out = "u.";
  for (const char c : kUserColumns) {
    out += c;
    if (c == ' ') out += "u.";
  }
  return out;
}

core::Error Refused(std::string message) {
  return core::Error(core::ErrorCode::kPermissionDenied, "sign-in refused: " + std::move(message));
}

// The tenant's id, for a mapping's tenant name; refusals for a missing or disabled one.
core::Result<std::string> ResolveTenant(Connection& c, std::string_view name) {
  core::Result<Statement> select = c.Prepare("SELECT id, disabled FROM tenants WHERE name = ?1");
  if (!select) return select.error();
  core::Result<bool> found = select->Bind(1, name).Step();
  if (!found) return found.error();
  if (!*found) return Refused("the tenant '" + std::string(name) + "' that the user's groups map to does not exist");
  if (select->ColumnInt64(1) != 0) return Refused("the tenant '" + std::string(name) + "' is disabled");
  return select->ColumnText(0);
}

core::Result<bool> EmailTaken(Connection& c, std::string_view email, std::string_view self_id) {
  return Exists(c, "SELECT 1 FROM users WHERE email = ?1 AND id <> ?2", email, self_id);
}

bool PlausibleEmail(std::string_view email) {
  return !email.empty() && email.size() <= 254 && email.find('@') != std::string_view::npos;
}

}  // namespace

core::Status SqliteSessionStore::CreateSession(const SessionRow& row) {
  Connection c = database_.Lock();
  core::Result<bool> user = Exists(c, "SELECT 1 FROM users WHERE id = ?1", row.user_id);
  if (!user) return user.error();
  if (!*user) return core::Error::InvalidRequest("user '" + row.user_id + "' does not exist", "user_id");
  core::Result<Statement> insert = c.Prepare(
      "INSERT INTO console_sessions(id_digest, user_id, method, credential_digest, created_at_ms, last_seen_at_ms, "
      "expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert) return insert.error();
  return BindAll(*insert, row.id_digest, row.user_id, row.method, row.credential_digest, row.created_at_ms,
                 row.last_seen_at_ms, row.expires_at_ms)
      .Run();
}

core::Result<std::optional<SessionWithUser>> SqliteSessionStore::FindSession(std::string_view id_digest) {
  static const std::string kSql =
      "SELECT " + QualifiedUserColumns() +
      ", s.id_digest, s.user_id, s.method, s.credential_digest, s.created_at_ms, s.last_seen_at_ms, s.expires_at_ms, "
      "COALESCE(t.disabled, 0) FROM console_sessions s JOIN users u ON u.id = s.user_id "
      "LEFT JOIN tenants t ON t.id = u.tenant_id WHERE s.id_digest = ?1";
  Connection c = database_.Lock();
  core::Result<Statement> select = c.Prepare(kSql);
  if (!select) return select.error();
  core::Result<bool> found = select->Bind(1, id_digest).Step();
  if (!found) return found.error();
  if (!*found) return std::optional<SessionWithUser>();
  core::Result<UserRow> user = ReadUser(*select);  // columns 0..11
  if (!user) return user.error();
  SessionWithUser out;
  out.user = std::move(*user);
  out.session = SessionRow{
      .id_digest = select->ColumnText(12),
      .user_id = select->ColumnText(13),
      .method = select->ColumnText(14),
      .credential_digest = select->ColumnText(15),
      .created_at_ms = select->ColumnInt64(16),
      .last_seen_at_ms = select->ColumnInt64(17),
      .expires_at_ms = select->ColumnInt64(18),
  };
  out.tenant_disabled = select->ColumnInt64(19) != 0;
  return std::optional<SessionWithUser>(std::move(out));
}

core::Status SqliteSessionStore::TouchSession(std::string_view id_digest, std::int64_t now_ms) {
  Connection c = database_.Lock();
  core::Result<Statement> update = c.Prepare(
      "UPDATE console_sessions SET last_seen_at_ms = MAX(last_seen_at_ms, ?2) WHERE id_digest = ?1");
  if (!update) return update.error();
  return update->Bind(1, id_digest).Bind(2, now_ms).Run();
}

core::Status SqliteSessionStore::DeleteSession(std::string_view id_digest) {
  Connection c = database_.Lock();
  core::Result<std::int64_t> deleted = RunCounting(c, "DELETE FROM console_sessions WHERE id_digest = ?1", id_digest);
  if (!deleted) return deleted.error();
  return {};
}

core::Result<std::int64_t> SqliteSessionStore::DeleteUserSessions(std::string_view user_id) {
  Connection c = database_.Lock();
  return RunCounting(c, "DELETE FROM console_sessions WHERE user_id = ?1", user_id);
}

core::Result<std::int64_t> SqliteSessionStore::DeleteExpired(std::int64_t now_ms) {
  Connection c = database_.Lock();
  core::Result<std::int64_t> sessions =
      RunCounting(c, "DELETE FROM console_sessions WHERE expires_at_ms <= ?1", now_ms);
  if (!sessions) return sessions.error();
  core::Result<std::int64_t> pending =
      RunCounting(c, "DELETE FROM oidc_pending_logins WHERE expires_at_ms <= ?1", now_ms);
  if (!pending) return pending.error();
  return *sessions + *pending;
}

core::Status SqliteSessionStore::PutPendingLogin(const PendingLoginRow& row) {
  Connection c = database_.Lock();
  core::Result<Statement> insert = c.Prepare(
      "INSERT INTO oidc_pending_logins(handle_digest, sealed, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) return insert.error();
  return BindAll(*insert, row.handle_digest, row.sealed, row.created_at_ms, row.expires_at_ms).Run();
}

core::Result<std::optional<PendingLoginRow>> SqliteSessionStore::TakePendingLogin(std::string_view handle_digest,
                                                                                  std::int64_t now_ms) {
  Connection c = database_.Lock();
  core::Result<Transaction> transaction = c.Begin();
  if (!transaction) return transaction.error();
  std::optional<PendingLoginRow> row;
  {
    core::Result<Statement> select = c.Prepare(
        "SELECT handle_digest, sealed, created_at_ms, expires_at_ms FROM oidc_pending_logins WHERE handle_digest = ?1");
    if (!select) return select.error();
    core::Result<bool> found = select->Bind(1, handle_digest).Step();
    if (!found) return found.error();
    if (*found) {
      row = PendingLoginRow{.handle_digest = select->ColumnText(0),
                            .sealed = select->ColumnText(1),
                            .created_at_ms = select->ColumnInt64(2),
                            .expires_at_ms = select->ColumnInt64(3)};
    }
  }
  if (!row) return row;
  core::Result<std::int64_t> deleted =
      RunCounting(c, "DELETE FROM oidc_pending_logins WHERE handle_digest = ?1", handle_digest);
  if (!deleted) return deleted.error();
  if (core::Status committed = transaction->Commit(); !committed) return committed.error();
  if (row->expires_at_ms <= now_ms) return std::optional<PendingLoginRow>();
  return row;
}

core::Result<UserRow> SqliteSessionStore::SignInOidcUser(const OidcSignIn& in) {
  if (in.issuer.empty() || in.subject.empty()) {
    return core::Error::InvalidRequest("an OIDC sign-in needs an issuer and a subject", "oidc_subject");
  }
  if (in.role.empty() || (in.tenant_name.empty() && in.role != "admin")) {
    return core::Error::InvalidRequest("a user outside any tenant must have the role 'admin'", "role");
  }
  return InWriteTransaction<UserRow>(database_, [&](Connection& c) -> core::Result<UserRow> {
    std::string tenant_id;
    if (!in.tenant_name.empty()) {
      core::Result<std::string> resolved = ResolveTenant(c, in.tenant_name);
      if (!resolved) return resolved.error();
      tenant_id = std::move(*resolved);
    }
    static const std::string kFind =
        "SELECT " + std::string(kUserColumns) + " FROM users WHERE oidc_issuer = ?1 AND oidc_subject = ?2";
    core::Result<std::optional<UserRow>> stored = QueryOne(c, kFind, &ReadUser, in.issuer, in.subject);
    if (!stored) return stored.error();

    if (!*stored) {
      if (!PlausibleEmail(in.email)) return Refused("the identity provider sent no email address for a new user");
      core::Result<bool> taken = EmailTaken(c, in.email, "");
      if (!taken) return taken.error();
      if (*taken) {
        return Refused("another Strata user already has this email address; accounts are never linked by email: "
                       "an administrator must remove or rename that user first");
      }
      UserRow row{.tenant_id = tenant_id,
                  .kind = "user",
                  .email = in.email,
                  .display_name = in.display_name.empty() ? in.email : in.display_name,
                  .role = in.role,
                  .oidc_issuer = in.issuer,
                  .oidc_subject = in.subject,
                  .created_at_ms = in.now_ms};
      row.id = NewGovernanceId("usr", in.now_ms);
      core::Result<Statement> insert = c.Prepare(
          "INSERT INTO users(id, tenant_id, team_id, kind, email, display_name, role, password_hash, oidc_issuer, "
          "oidc_subject, created_at_ms, disabled) VALUES (?1, ?2, NULL, 'user', ?3, ?4, ?5, '', ?6, ?7, ?8, 0)");
      if (!insert) return insert.error();
      insert->Bind(1, row.id);
      BindOrNull(*insert, 2, row.tenant_id);
      if (core::Status done = insert->Bind(3, row.email)
                                  .Bind(4, row.display_name)
                                  .Bind(5, row.role)
                                  .Bind(6, row.oidc_issuer)
                                  .Bind(7, row.oidc_subject)
                                  .Bind(8, row.created_at_ms)
                                  .Run();
          !done) {
        return done.error();
      }
      return row;
    }

    UserRow row = std::move(**stored);
    if (row.disabled) return Refused("this account is disabled");
    if (row.kind != "user") return Refused("a service account cannot sign in");
    if (row.tenant_id != tenant_id) {
      // Moving tenants: the team and the keys belonged to the old one.
      core::Result<Statement> revoke =
          c.Prepare("UPDATE api_keys SET revoked_at_ms = ?2 WHERE owner_id = ?1 AND revoked_at_ms = 0");
      if (!revoke) return revoke.error();
      if (core::Status done = revoke->Bind(1, row.id).Bind(2, in.now_ms).Run(); !done) return done.error();
      row.team_id.clear();
      row.tenant_id = tenant_id;
    }
    row.role = in.role;
    if (!in.display_name.empty()) row.display_name = in.display_name;
    if (PlausibleEmail(in.email) && in.email != row.email) {
      core::Result<bool> taken = EmailTaken(c, in.email, row.id);
      if (!taken) return taken.error();
      if (!*taken) row.email = in.email;
    }
    core::Result<Statement> update = c.Prepare(
        "UPDATE users SET tenant_id = ?2, team_id = ?3, email = ?4, display_name = ?5, role = ?6 WHERE id = ?1");
    if (!update) return update.error();
    update->Bind(1, row.id);
    BindOrNull(*update, 2, row.tenant_id);
    BindOrNull(*update, 3, row.team_id);
    if (core::Status done = update->Bind(4, row.email).Bind(5, row.display_name).Bind(6, row.role).Run(); !done) {
      return done.error();
    }
    return row;
  });
}

}  // namespace strata::store::sqlite

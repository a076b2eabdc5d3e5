#pragma once

#include "store/session_store.h"

namespace strata::store::sqlite {

class Database;

// SessionStore over the tables of migration 3 (console_sessions,
// oidc_pending_logins) and the users table of migration 2.
//
// Thread-safe: calls are serialized on the Database's connection. Blocking.
// Sessions and pending logins are not governance rows: writing them does not
// bump governance_version (nothing in the snapshot depends on them).
// SignInOidcUser writes a user, and does.
class SqliteSessionStore final : public SessionStore {
 public:
  // `database` must outlive this object and be migrated to version >= 3.
  explicit SqliteSessionStore(Database& database) : database_(database) {}

  core::Status CreateSession(const SessionRow& row) override;
  core::Result<std::optional<SessionWithUser>> FindSession(std::string_view id_digest) override;
  core::Status TouchSession(std::string_view id_digest, std::int64_t now_ms) override;
  core::Status DeleteSession(std::string_view id_digest) override;
  core::Result<std::int64_t> DeleteUserSessions(std::string_view user_id) override;
  core::Result<std::int64_t> DeleteExpired(std::int64_t now_ms) override;

  core::Status PutPendingLogin(const PendingLoginRow& row) override;
  core::Result<std::optional<PendingLoginRow>> TakePendingLogin(std::string_view handle_digest,
                                                                std::int64_t now_ms) override;

  core::Result<UserRow> SignInOidcUser(const OidcSignIn& sign_in) override;

 private:
  Database& database_;
};

}  // namespace strata::store::sqlite

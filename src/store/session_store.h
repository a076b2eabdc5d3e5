#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/governance_store.h"

namespace strata::store {

// Console sign-in state (docs/ADMIN_API.md, "Console sessions"): sessions,
// OpenID Connect logins in progress, and the user rows an OIDC sign-in finds
// or creates. Secrets are never stored: a session is kept under the SHA-256
// of its id, a pending login under the SHA-256 of the browser's handle, with
// its own secrets sealed under a key only that handle yields.
//
// Times are Unix milliseconds. Members default to {} (designated initializers).

struct SessionRow {
  std::string id_digest{};          // SHA-256 of the session id, lowercase hex
  std::string user_id{};
  std::string method{};             // "password" | "oidc": how the user signed in
  // For "password" sessions, SHA-256 of the password hash at sign-in: a new
  // password (a different hash) ends every session made with the old one.
  std::string credential_digest{};
  std::int64_t created_at_ms = 0;
  std::int64_t last_seen_at_ms = 0;  // moved forward (coarsely) as the session is used
  std::int64_t expires_at_ms = 0;    // the absolute end

  bool operator==(const SessionRow&) const = default;
};

// A session with its user and whether that user's tenant is disabled, read
// in one query: what deciding "is this session still good" needs.
struct SessionWithUser {
  SessionRow session{};
  UserRow user{};
  bool tenant_disabled = false;
};

struct PendingLoginRow {
  std::string handle_digest{};  // SHA-256 of the handle in the browser's cookie, lowercase hex
  std::string sealed{};         // the login's state, nonce and verifier, encrypted (opaque here)
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
};

// What a verified OIDC sign-in asks of the users table.
struct OidcSignIn {
  std::string issuer{};
  std::string subject{};
  std::string email{};         // from the ID token; required for a new user
  std::string display_name{};  // empty: keep (or, for a new user, use the email)
  std::string role{};          // a governance::Role name, from the group mapping
  std::string tenant_name{};   // the mapping's tenant; empty: a platform user (role admin)
  std::int64_t now_ms = 0;
};

// Blocking and thread-safe, like GovernanceStore: run it on the BlockingPool.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Inserts a session. kInvalidRequest if the user does not exist.
  virtual core::Status CreateSession(const SessionRow& row) = 0;
  // The session stored under `id_digest` with its user; nullopt when there is
  // none. Expiry is the caller's decision: the row is returned as stored.
  virtual core::Result<std::optional<SessionWithUser>> FindSession(std::string_view id_digest) = 0;
  virtual core::Status TouchSession(std::string_view id_digest, std::int64_t now_ms) = 0;
  // Deleting a session that is not there succeeds.
  virtual core::Status DeleteSession(std::string_view id_digest) = 0;
  // Ends every session of a user; returns how many there were.
  virtual core::Result<std::int64_t> DeleteUserSessions(std::string_view user_id) = 0;
  // Deletes sessions and pending logins whose expiry is at or before `now_ms`;
  // returns how many rows went.
  virtual core::Result<std::int64_t> DeleteExpired(std::int64_t now_ms) = 0;

  virtual core::Status PutPendingLogin(const PendingLoginRow& row) = 0;
  // Removes the pending login and returns it: a login is tried once, whatever
  // its outcome. nullopt when there is none, or it expired at `now_ms`.
  virtual core::Result<std::optional<PendingLoginRow>> TakePendingLogin(std::string_view handle_digest,
                                                                        std::int64_t now_ms) = 0;

  // Finds the user with OIDC identity (issuer, subject), never by email, or
  // creates it, and applies the sign-in's role and tenant, in one transaction
  // (which bumps the governance version). On a tenant change the user leaves
  // its team and the keys it owns are revoked: they were minted with the old
  // tenant's authority. The email and display name follow the issuer's, unless
  // the new email belongs to another user (then the stored one is kept).
  // kPermissionDenied, and nothing written, when: the tenant does not exist or
  // is disabled; the user is disabled or is a service account; a new user's
  // email is missing or belongs to another user (accounts are never linked
  // by email: an administrator must resolve it).
  virtual core::Result<UserRow> SignInOidcUser(const OidcSignIn& sign_in) = 0;
};

}  // namespace strata::store

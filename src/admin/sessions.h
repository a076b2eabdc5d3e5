#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "admin/caller.h"
#include "admin/options.h"
#include "core/result.h"
#include "http/server.h"
#include "store/session_store.h"

namespace strata::admin {

// Console sessions (docs/ADMIN_API.md, "Console sessions").
//
// A session id is 32 random bytes (OpenSSL's CSPRNG), base64url, carried in
// the `strata_session` cookie (HttpOnly, SameSite=Lax, Path=/, Secure when
// configured). The store keeps only its SHA-256, so a database leak yields no
// usable session, and sessions survive restarts and work on every node that
// shares the database.
//
// CSRF: a cookie rides along on cross-site requests, so a state-changing admin
// call made with the cookie must also carry `x-strata-csrf`, a token the page
// received at sign-in (or from GET /auth/me) and a cross-site page can neither
// read nor send without a CORS preflight. The token is derived, never stored:
// HMAC-SHA256 keyed by the session id, so it is bound to the session and
// unguessable without the (HttpOnly) id.

inline constexpr std::string_view kSessionCookie = "strata_session";
inline constexpr std::string_view kLoginCookie = "strata_oidc";  // an OIDC login in progress
inline constexpr std::string_view kCsrfHeader = "x-strata-csrf";

// The value of cookie `name` in the request's Cookie header(s), or empty.
std::string_view CookieValue(const http::Request& request, std::string_view name);

// 32 bytes from OpenSSL's CSPRNG as 43 base64url characters. kInternal if the
// generator fails.
core::Result<std::string> RandomToken();
// Whether `text` has the shape RandomToken makes (cheap refusal of junk
// before any lookup).
bool LooksLikeToken(std::string_view text);

// The CSRF token of session `session_id` (see above).
std::string CsrfToken(std::string_view session_id);
// Whether the request's x-strata-csrf header is session `session_id`'s
// token, compared in constant time.
bool CsrfMatches(const http::Request& request, std::string_view session_id);
// POST, PUT, PATCH, DELETE and anything else but GET, HEAD and OPTIONS.
bool ChangesState(http::beast_http::verb method);

// What a browser receives at sign-in.
struct StartedSession {
  std::string id;  // the cookie's value: secret, never logged
  std::string csrf_token;
  std::int64_t expires_at_ms = 0;
};

// A live session and the user it is for.
struct ResumedSession {
  store::UserRow user;
  store::SessionRow session;
};

// Issues, resumes and ends sessions over a SessionStore. Thread-safe; every
// method but the cookie formatters blocks on the store: run them on the
// BlockingPool.
class Sessions {
 public:
  Sessions(store::SessionStore& store, ConsoleOptions options) : store_(store), options_(std::move(options)) {}

  // A new session for `user`, signed in by `method` ("password" | "oidc").
  // Also deletes expired sessions and pending logins (there is no sweeper).
  core::Result<StartedSession> Start(const store::UserRow& user, std::string_view method, std::int64_t now_ms);

  // The session whose id is `id`, if it is live: not past its absolute end,
  // used within the idle timeout, made with the user's current password (for
  // password sessions), its user enabled and in an enabled tenant. A session
  // failing any of these is deleted (re-enabling a user does not revive it).
  // One kUnauthenticated message for every refusal.
  // Records the use (at most once a minute).
  core::Result<ResumedSession> Resume(std::string_view id, std::int64_t now_ms);

  // Deletes session `id` (logout). Unknown ids succeed.
  core::Status End(std::string_view id);

  // Set-Cookie header values.
  std::string SessionCookie(const StartedSession& session) const;
  std::string ClearSessionCookie() const;
  std::string LoginCookie(std::string_view handle) const;  // lives for the OIDC login timeout
  std::string ClearLoginCookie() const;

  store::SessionStore& store() { return store_; }
  const ConsoleOptions& options() const { return options_; }
  // How long an OIDC login may take (the login cookie's and pending row's life).
  void set_login_timeout(std::chrono::seconds timeout) { login_timeout_ = timeout; }
  std::chrono::seconds login_timeout() const { return login_timeout_; }

 private:
  std::string Cookie(std::string_view name, std::string_view value, std::string_view path, std::int64_t max_age) const;

  store::SessionStore& store_;
  ConsoleOptions options_;
  std::chrono::seconds login_timeout_{600};
};

// The admin caller a session stands for: the user's tenant, team and role.
// kUnauthenticated when the stored role is not one Strata knows.
core::Result<Caller> SessionCaller(const store::UserRow& user);

}  // namespace strata::admin

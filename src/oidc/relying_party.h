#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "http/client.h"
#include "oidc/claims.h"
#include "oidc/jwks_cache.h"
#include "oidc/options.h"

namespace strata::oidc {

// What the caller keeps between BeginLogin and FinishLogin, typically keyed
// by `state` in server-side storage, or in a short-lived encrypted cookie.
// All three values are secrets of this login: 32 random bytes, base64url.
struct PendingLogin {
  std::string state;          // echoed by the issuer on the callback (CSRF protection)
  std::string nonce;          // must come back inside the ID token (replay protection)
  std::string code_verifier;  // PKCE (RFC 7636): proves we are who started the login
  SystemClock::time_point created_at;
};

struct LoginStart {
  std::string authorization_url;  // where to redirect the browser (302)
  PendingLogin pending;
};

// The query parameters of the redirect back to redirect_uri.
struct Callback {
  std::string code;
  std::string state;
  std::string error;              // set by the issuer when sign-in failed ("access_denied")
  std::string error_description;  // free text from the query: never show or log it unescaped
};

// Reads code, state, error and error_description from a request target
// ("/auth/callback?code=..&state=..") or a bare query; percent-decoded.
Callback ParseCallback(std::string_view target);

// A Relying Party (the OIDC term for this gateway) of one issuer: the
// authorization-code flow with PKCE and the ID token checks.
// Thread-safe (immutable options; the cache is thread-safe). `keys` must be
// the cache of options.issuer; it is shared with other users (bearer ID
// tokens on the API).
class RelyingParty {
 public:
  // Precondition: Validate(options) passed.
  RelyingParty(OidcOptions options, std::shared_ptr<JwksCache> keys);

  // Fresh state, nonce and PKCE verifier, and the authorization URL carrying
  // response_type=code, client_id, redirect_uri, scope, state, nonce,
  // code_challenge = BASE64URL(SHA256(verifier)) and code_challenge_method=S256.
  // Needs the discovery document (fetched through `client` when not cached).
  // Errors: the cache's when it is unavailable; kInternal if the system's
  // random generator fails.
  asio::awaitable<core::Result<LoginStart>> BeginLogin(http::Client& client, SystemClock::time_point now);

  // Completes the login `pending` started, given the issuer's callback:
  // refuses (kUnauthenticated) an issuer error, a state that differs from
  // pending.state, a login older than options.login_timeout or a missing
  // code; then redeems the code at the token endpoint (with the verifier and
  // the client's credentials), and verifies the returned ID token: signature
  // by the issuer's keys, iss, aud/azp, exp/nbf/iat, and nonce ==
  // pending.nonce. The caller must delete `pending` whatever the outcome:
  // a login is tried once.
  // Errors: kUnauthenticated (refusals above, a code the issuer rejects,
  // token checks), kUpstreamUnavailable/kUpstreamTimeout (issuer down or
  // slow), kUpstreamRejected (malformed answer).
  asio::awaitable<core::Result<IdentityClaims>> FinishLogin(PendingLogin pending, Callback callback,
                                                            http::Client& client, SystemClock::time_point now);

  // Verifies an ID token obtained otherwise (e.g. presented as a bearer
  // token): keys from the cache (refetched on an unknown kid), then the
  // checks of FinishLogin, with the nonce only when given.
  asio::awaitable<core::Result<IdentityClaims>> VerifyIdToken(std::string token, std::optional<std::string> nonce,
                                                              http::Client& client, SystemClock::time_point now);

  const OidcOptions& options() const { return options_; }

 private:
  ClaimChecks Checks(std::optional<std::string> nonce) const;

  OidcOptions options_;
  std::shared_ptr<JwksCache> keys_;
};

// application/x-www-form-urlencoded / URL query encoding of one value:
// everything but RFC 3986 unreserved characters percent-encoded.
std::string FormEncode(std::string_view value);

// BASE64URL(SHA-256(verifier)): the S256 code challenge (RFC 7636 §4.2).
std::string CodeChallenge(std::string_view verifier);

}  // namespace strata::oidc

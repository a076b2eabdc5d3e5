#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "oidc/relying_party.h"

namespace strata::admin {

// An OpenID Connect login between GET /auth/oidc/login and its callback.
struct LoginInProgress {
  oidc::PendingLogin pending;  // state, nonce, PKCE verifier: secrets of this login
  std::string return_to;       // a path on this server to land on afterwards; empty: the default
};

// The pending login is stored server-side (so it works on any node and is
// tried once), under the SHA-256 of a random handle that only the browser's
// cookie holds. Its secrets are sealed with AES-256-GCM under a key derived
// from that handle (HMAC-SHA256), so the database alone never reveals a
// verifier or nonce: only the browser that started the login can open it.
// The sealed form is base64url(iv ‖ ciphertext ‖ tag).
core::Result<std::string> SealLogin(std::string_view handle, const LoginInProgress& login);
// kUnauthenticated when `sealed` was not made by SealLogin with this handle
// (tampered, truncated, or another handle).
core::Result<LoginInProgress> OpenLogin(std::string_view handle, std::string_view sealed);

// Whether `path` may be redirected to after sign-in: an absolute path on this
// server ("/console/keys?x=1"), never another origin ("//evil", "/\evil",
// "https://..."), no control characters, at most 512 bytes.
bool IsLocalPath(std::string_view path);

}  // namespace strata::admin

#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"
#include "oidc/jose.h"

namespace strata::oidc {

using SystemClock = std::chrono::system_clock;

// What an ID token's claims must say (OpenID Connect Core §3.1.3.7).
struct ClaimChecks {
  std::string issuer;        // "iss" must equal it exactly (no normalization)
  std::string client_id;     // must be in "aud"; "azp", when present, must equal it
  std::chrono::seconds leeway{60};  // clock skew tolerated on exp, nbf and iat
  // When set, "nonce" must be present and equal (compared in constant time):
  // it binds the token to the login that asked for it, so a token stolen
  // from another login cannot be replayed into this one.
  std::optional<std::string> nonce;
  // The claim holding the user's groups (IdentityClaims::groups). A name with
  // dots ("realm_access.roles") is also tried as a path into nested objects.
  std::string groups_claim = "groups";
};

// Who signed in, as the issuer vouches for it.
struct IdentityClaims {
  std::string sub;    // the issuer's stable user id: key users by (iss, sub), not email
  std::string iss;
  std::string email;  // empty when absent
  bool email_verified = false;
  std::string name;   // "name", else "preferred_username"; empty when neither
  std::vector<std::string> groups;  // the groups claim: an array of strings (others ignored) or one string
  SystemClock::time_point expires_at;
  SystemClock::time_point issued_at;
};

// Checks the claims of a token whose signature was already verified, and
// extracts the identity. Fails with kUnauthenticated, the message naming the
// failed check but never quoting the token's values: "iss" differs, "aud" does
// not contain the client id, several audiences without a matching "azp", "azp"
// is another client, "exp" passed (beyond leeway) or is missing, "nbf" not
// reached, "iat" missing or in the future, "sub" missing or empty, "nonce"
// missing or different.
core::Result<IdentityClaims> CheckClaims(const boost::json::object& payload, const ClaimChecks& checks,
                                         SystemClock::time_point now);

// The whole offline check of an ID token: ParseJwt, then the signature
// against the first of `keys` that fits the token's alg and kid (a key with a
// kid is only used for a token naming that kid), then CheckClaims. The keys
// come from the issuer's JWKS (JwksCache); this function does no I/O.
core::Result<IdentityClaims> VerifyIdToken(std::string_view token, std::span<const PublicKey> keys,
                                           const ClaimChecks& checks, SystemClock::time_point now);

// The groups found under `claim` in `payload` (see ClaimChecks::groups_claim).
std::vector<std::string> ExtractGroups(const boost::json::object& payload, std::string_view claim);

// Equality that takes the same time wherever the inputs first differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace strata::oidc

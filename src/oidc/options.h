#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace strata::oidc {

// One rule of RoleMappingOptions: members of `group` get `role` in `tenant`.
struct RoleMapping {
  std::string group;   // exact, case-sensitive match against the groups claim
  std::string role;    // "admin", "tenant-admin", "developer", "reviewer", "auditor", "viewer"
  std::string tenant;  // the tenant's name; empty only for "admin": a platform admin
};

// Issuer groups → one Strata role (role_mapping.h).
struct RoleMappingOptions {
  std::string groups_claim = "groups";  // the ID token claim listing the user's groups
  std::vector<RoleMapping> mappings;
  // The role of a user none of whose groups is mapped. Unset (the default):
  // such a user is refused sign-in.
  std::optional<std::string> default_role;
  std::string default_tenant;  // the tenant that goes with default_role
};

// How the issuer's discovery document and keys are cached (JwksCache).
struct JwksOptions {
  // Keys are kept for the JWKS response's Cache-Control max-age, clamped to
  // [min_ttl, max_ttl]; max_ttl when the header gives none. The upper bound
  // makes a key the issuer withdrew stop working within max_ttl at most.
  std::chrono::seconds max_ttl{3600};
  std::chrono::seconds min_ttl{60};
  // A token naming a kid we do not hold makes us refetch the JWKS (the
  // issuer rotated its keys), but at most once per this interval, so tokens
  // with forged kids cannot make us hammer the issuer. Failed fetches are
  // retried no sooner either.
  std::chrono::seconds refetch_interval{30};
  std::chrono::milliseconds fetch_timeout{10'000};  // each document fetch, all of it
  std::size_t max_document_bytes = 1024 * 1024;     // larger discovery/JWKS documents are refused
  std::size_t max_keys = 100;                       // keys beyond this in one JWKS are ignored
};

// How the client authenticates at the token endpoint when it has a secret
// (RFC 6749 §2.3.1). Without a secret it is a public client: it sends its
// client_id in the form and relies on PKCE alone.
enum class ClientAuth { kClientSecretBasic, kClientSecretPost };

// One OpenID Connect issuer and this gateway's registration with it.
struct OidcOptions {
  std::string issuer;         // e.g. "https://login.example.com/realms/acme"; https unless loopback
  std::string client_id;
  std::string client_secret;  // empty: public client
  ClientAuth client_auth = ClientAuth::kClientSecretBasic;
  std::string redirect_uri;   // the console's callback, e.g. "https://strata.example.com/auth/callback"
  std::string scopes = "openid email profile groups";  // space-separated; must contain "openid"
  std::chrono::seconds leeway{60};                      // clock skew tolerated on exp, nbf, iat
  // A pending login older than this is refused at the callback.
  std::chrono::seconds login_timeout{600};
  RoleMappingOptions roles;
  JwksOptions jwks;
};

// Checks `options` once at load: issuer, client_id and redirect_uri set and
// absolute URLs, https unless the host is loopback (tests, local
// development), "openid" among the scopes, sane JWKS bounds, and every
// role name known. kInvalidRequest, naming the field.
core::Status Validate(const OidcOptions& options);

}  // namespace strata::oidc

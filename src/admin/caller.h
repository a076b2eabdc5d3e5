#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "governance/roles.h"
#include "governance/snapshot.h"
#include "http/server.h"

namespace strata::admin {

// Who is calling the admin API, and from where they may act.
struct Caller {
  std::string tenant_id;  // empty: platform scope (every tenant)
  std::string team_id;    // a developer key's team: what it may create keys for
  governance::Role role = governance::Role::kViewer;
  std::string key_id;     // the credential, for audit; empty for a console session
  std::string user_id;    // the key's owner, or the signed-in user
  bool via_session = false;  // authenticated by a console session cookie, not a key

  bool platform() const { return tenant_id.empty(); }
  // Who acted, as records name them: the signed-in user, else the key.
  std::string actor_id() const { return user_id.empty() ? key_id : user_id; }
  bool Can(governance::Permission permission) const { return governance::Allows(role, permission); }
  // Whether the caller may see or change tenant `tenant_id`'s objects.
  bool Reaches(std::string_view tenant_id) const { return platform() || tenant_id == this->tenant_id; }
};

// The secret a request presents: `Authorization: Bearer <secret>` or
// `x-api-key: <secret>`; empty when neither is there.
std::string_view PresentedSecret(const http::Request& request);

// Resolves the request's key against the snapshot. kUnauthenticated when
// there is no key, or it is unknown, revoked, expired, or its tenant is disabled.
core::Result<Caller> AuthenticateKey(const http::Request& request, const governance::Snapshot& snapshot,
                                     std::int64_t now_ms);

}  // namespace strata::admin

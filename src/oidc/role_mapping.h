#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "oidc/options.h"

namespace strata::oidc {

// The role names, most privileged first. The governance module owns the Role
// enum; this module speaks its names only, so it does not depend on it.
inline constexpr std::string_view kRolesByPrivilege[] = {"admin",    "tenant-admin", "developer",
                                                          "reviewer", "auditor",      "viewer"};

// 0 for "admin" … 5 for "viewer"; nullopt for an unknown name.
std::optional<int> RoleRank(std::string_view role);

// What a signed-in user becomes.
struct RoleGrant {
  std::string role;
  std::string tenant;
  std::string group;  // the group that earned it; empty when default_role did
};

// Every mapping's group non-empty, every role (and default_role) known, and
// a tenant given for every role but admin (docs/IDENTITY.md: only an admin may
// be a platform user). kInvalidRequest naming the entry otherwise.
core::Status ValidateRoleMapping(const RoleMappingOptions& options);

// The mapping that applies to a user in `groups`: among the mappings whose
// group the user is in, the one with the most privileged role wins; on a tie,
// the first in config order. No match: default_role (with default_tenant),
// or kPermissionDenied when there is none. Pure; mappings with an unknown
// role are skipped (ValidateRoleMapping refuses them at load).
core::Result<RoleGrant> MapRole(std::span<const std::string> groups, const RoleMappingOptions& options);

}  // namespace strata::oidc

#include "oidc/role_mapping.h"

#include <algorithm>

namespace strata::oidc {

std::optional<int> RoleRank(std::string_view role) {
  for (int rank = 0; rank < int(std::size(kRolesByPrivilege)); ++rank) {
    if (kRolesByPrivilege[rank] == role) return rank;
  }
  return std::nullopt;
}

core::Status ValidateRoleMapping(const RoleMappingOptions& options) {
  if (options.groups_claim.empty()) return core::Error::InvalidRequest("oidc.roles.groups_claim must not be empty");
  for (std::size_t i = 0; i < options.mappings.size(); ++i) {
    const RoleMapping& mapping = options.mappings[i];
    const std::string where = "oidc.roles.mappings[" + std::to_string(i) + "]";
    if (mapping.group.empty()) return core::Error::InvalidRequest(where + ".group must not be empty");
    if (!RoleRank(mapping.role)) {
      return core::Error::InvalidRequest(where + ".role \"" + mapping.role +
                                         "\" is not a role (admin, tenant-admin, developer, reviewer, auditor, viewer)");
    }
    if (mapping.tenant.empty() && mapping.role != "admin") {
      return core::Error::InvalidRequest(where + ".tenant must be set: only admin may be a platform (tenant-less) role");
    }
  }
  if (options.default_role && !RoleRank(*options.default_role)) {
    return core::Error::InvalidRequest("oidc.roles.default_role \"" + *options.default_role + "\" is not a role");
  }
  if (options.default_role && options.default_tenant.empty() && *options.default_role != "admin") {
    return core::Error::InvalidRequest("oidc.roles.default_tenant must be set with a default_role other than admin");
  }
  return {};
}

core::Result<RoleGrant> MapRole(std::span<const std::string> groups, const RoleMappingOptions& options) {
  const RoleMapping* best = nullptr;
  int best_rank = 0;
  for (const RoleMapping& mapping : options.mappings) {
    const std::optional<int> rank = RoleRank(mapping.role);
    if (!rank || (best != nullptr && *rank >= best_rank)) continue;
    if (std::find(groups.begin(), groups.end(), mapping.group) == groups.end()) continue;
    best = &mapping;
    best_rank = *rank;
  }
  if (best != nullptr) return RoleGrant{best->role, best->tenant, best->group};
  if (options.default_role && RoleRank(*options.default_role)) {
    return RoleGrant{*options.default_role, options.default_tenant, {}};
  }
  return core::Error(core::ErrorCode::kPermissionDenied,
                     "sign-in refused: none of the user's groups is mapped to a role, and no default role is set");
}

}  // namespace strata::oidc

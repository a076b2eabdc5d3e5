#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace strata::governance {

// What a principal may do. Every admin route checks exactly one.
enum class Permission {
  kTenantsRead,
  kTenantsWrite,  // create, update, delete tenants: platform admins only
  kTeamsRead,
  kTeamsWrite,
  kUsersRead,
  kUsersWrite,
  kKeysRead,
  kKeysWrite,
  kLimitsRead,  // rate limits and budgets
  kLimitsWrite,
  kSpendRead,
  kAuditRead,
  kReviewRead,
  kReviewDecide,
  kPoliciesRead,
  kPoliciesWrite,
  kModelsUse,  // call the gateway's model endpoints
};

// The roles of docs/IDENTITY.md. `admin` with no tenant is a platform admin
// (every tenant); any other role, and `admin` within a tenant, acts only on
// its own tenant.
enum class Role { kAdmin, kTenantAdmin, kDeveloper, kReviewer, kAuditor, kViewer };

// "admin", "tenant-admin", "developer", "reviewer", "auditor", "viewer".
std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);
// "tenants.read", "keys.write", ... (the spelling in docs and OpenAPI).
std::string_view PermissionName(Permission permission);
std::span<const Role> AllRoles();
std::span<const Permission> AllPermissions();

// The permission table.
bool Allows(Role role, Permission permission);

// Whether a principal with role `granter` may create a user or key with role
// `granted`: only when every permission of `granted` is also the granter's, so
// nobody can hand out more than they hold.
bool MayGrant(Role granter, Role granted);

}  // namespace strata::governance

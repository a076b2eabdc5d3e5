#include "governance/roles.h"

#include <array>
#include <cstdint>

namespace strata::governance {
namespace {

using Mask = std::uint32_t;

constexpr Mask Bit(Permission permission) { return Mask{1} << static_cast<int>(permission); }

constexpr std::array kRoles = {Role::kAdmin,    Role::kTenantAdmin, Role::kDeveloper,
                               Role::kReviewer, Role::kAuditor,     Role::kViewer};

constexpr std::array kPermissions = {
    Permission::kTenantsRead, Permission::kTenantsWrite, Permission::kTeamsRead,    Permission::kTeamsWrite,
    Permission::kUsersRead,   Permission::kUsersWrite,   Permission::kKeysRead,     Permission::kKeysWrite,
    Permission::kLimitsRead,  Permission::kLimitsWrite,  Permission::kSpendRead,    Permission::kAuditRead,
    Permission::kReviewRead,  Permission::kReviewDecide, Permission::kPoliciesRead, Permission::kPoliciesWrite,
    Permission::kModelsUse,
};

constexpr Mask kEverything = [] {
  Mask mask = 0;
  for (Permission permission : kPermissions) mask |= Bit(permission);
  return mask;
}();

// The permission table (docs/IDENTITY.md), one mask per role, in kRoles order.
constexpr Mask MaskOf(Role role) {
  switch (role) {
    case Role::kAdmin:
      return kEverything;
    case Role::kTenantAdmin:
      return kEverything & ~Bit(Permission::kTenantsWrite);
    case Role::kDeveloper:
      return Bit(Permission::kTeamsRead) | Bit(Permission::kKeysRead) | Bit(Permission::kKeysWrite) |
             Bit(Permission::kLimitsRead) | Bit(Permission::kSpendRead) | Bit(Permission::kModelsUse);
    case Role::kReviewer:
      return Bit(Permission::kReviewRead) | Bit(Permission::kReviewDecide) | Bit(Permission::kModelsUse);
    case Role::kAuditor:
      return Bit(Permission::kTenantsRead) | Bit(Permission::kTeamsRead) | Bit(Permission::kUsersRead) |
             Bit(Permission::kKeysRead) | Bit(Permission::kLimitsRead) | Bit(Permission::kSpendRead) |
             Bit(Permission::kAuditRead) | Bit(Permission::kReviewRead) | Bit(Permission::kPoliciesRead);
    case Role::kViewer:
      return Bit(Permission::kTenantsRead) | Bit(Permission::kTeamsRead) | Bit(Permission::kLimitsRead) |
             Bit(Permission::kSpendRead) | Bit(Permission::kPoliciesRead);
  }
  return 0;
}

static_assert(kPermissions.size() <= 32, "the permission masks are 32 bits");
static_assert(static_cast<int>(Permission::kModelsUse) + 1 == static_cast<int>(kPermissions.size()),
              "kPermissions lists every Permission, in order");

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : kRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kTenantAdmin:
      return "tenant-admin";
    case Role::kDeveloper:
      return "developer";
    case Role::kReviewer:
      return "reviewer";
    case Role::kAuditor:
      return "auditor";
    case Role::kViewer:
      return "viewer";
  }
  return "unknown";
}

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kTenantsRead:
      return "tenants.read";
    case Permission::kTenantsWrite:
      return "tenants.write";
    case Permission::kTeamsRead:
      return "teams.read";
    case Permission::kTeamsWrite:
      return "teams.write";
    case Permission::kUsersRead:
      return "users.read";
    case Permission::kUsersWrite:
      return "users.write";
    case Permission::kKeysRead:
      return "keys.read";
    case Permission::kKeysWrite:
      return "keys.write";
    case Permission::kLimitsRead:
      return "limits.read";
    case Permission::kLimitsWrite:
      return "limits.write";
    case Permission::kSpendRead:
      return "spend.read";
    case Permission::kAuditRead:
      return "audit.read";
    case Permission::kReviewRead:
      return "review.read";
    case Permission::kReviewDecide:
      return "review.decide";
    case Permission::kPoliciesRead:
      return "policies.read";
    case Permission::kPoliciesWrite:
      return "policies.write";
    case Permission::kModelsUse:
      return "models.use";
  }
  return "unknown";
}

std::span<const Role> AllRoles() { return kRoles; }
std::span<const Permission> AllPermissions() { return kPermissions; }

bool Allows(Role role, Permission permission) { return (MaskOf(role) & Bit(permission)) != 0; }

bool MayGrant(Role granter, Role granted) { return (MaskOf(granted) & ~MaskOf(granter)) == 0; }

}  // namespace strata::governance

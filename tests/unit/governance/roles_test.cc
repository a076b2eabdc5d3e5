#include "governance/roles.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace strata::governance {
namespace {

TEST(RolesTest, NamesRoundTrip) {
  for (Role role : AllRoles()) {
    EXPECT_EQ(ParseRole(RoleName(role)), role) << RoleName(role);
  }
  EXPECT_EQ(ParseRole("tenant-admin"), Role::kTenantAdmin);
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_FALSE(ParseRole("Admin").has_value());
  EXPECT_EQ(PermissionName(Permission::kKeysWrite), "keys.write");
  EXPECT_EQ(PermissionName(Permission::kModelsUse), "models.use");
  EXPECT_EQ(AllPermissions().size(), 17u);
  EXPECT_EQ(AllRoles().size(), 6u);
}

TEST(RolesTest, AdminMayDoEverythingAndTenantAdminAllButWritingTenants) {
  for (Permission permission : AllPermissions()) {
    EXPECT_TRUE(Allows(Role::kAdmin, permission)) << PermissionName(permission);
    EXPECT_EQ(Allows(Role::kTenantAdmin, permission), permission != Permission::kTenantsWrite)
        << PermissionName(permission);
  }
}

TEST(RolesTest, TheOtherRolesHoldExactlyTheirRow) {
  auto holds = [](Role role, std::initializer_list<Permission> expected) {
    for (Permission permission : AllPermissions()) {
      const bool listed = std::find(expected.begin(), expected.end(), permission) != expected.end();
      EXPECT_EQ(Allows(role, permission), listed) << RoleName(role) << " " << PermissionName(permission);
    }
  };
  using P = Permission;
  holds(Role::kDeveloper,
        {P::kTeamsRead, P::kKeysRead, P::kKeysWrite, P::kLimitsRead, P::kSpendRead, P::kModelsUse});
  holds(Role::kReviewer, {P::kReviewRead, P::kReviewDecide, P::kModelsUse});
  holds(Role::kAuditor, {P::kTenantsRead, P::kTeamsRead, P::kUsersRead, P::kKeysRead, P::kLimitsRead, P::kSpendRead,
                         P::kAuditRead, P::kReviewRead, P::kPoliciesRead});
  holds(Role::kViewer, {P::kTenantsRead, P::kTeamsRead, P::kLimitsRead, P::kSpendRead, P::kPoliciesRead});
}

TEST(RolesTest, NobodyGrantsMoreThanTheyHold) {
  for (Role role : AllRoles()) {
    EXPECT_TRUE(MayGrant(Role::kAdmin, role)) << RoleName(role);
    EXPECT_TRUE(MayGrant(role, role)) << RoleName(role);
  }
  EXPECT_FALSE(MayGrant(Role::kTenantAdmin, Role::kAdmin));
  for (Role role : {Role::kDeveloper, Role::kReviewer, Role::kAuditor, Role::kViewer}) {
    EXPECT_TRUE(MayGrant(Role::kTenantAdmin, role)) << RoleName(role);
  }
  EXPECT_FALSE(MayGrant(Role::kDeveloper, Role::kTenantAdmin));
  EXPECT_FALSE(MayGrant(Role::kDeveloper, Role::kReviewer));  // review.decide
  EXPECT_FALSE(MayGrant(Role::kDeveloper, Role::kViewer));    // tenants.read, policies.read
  EXPECT_TRUE(MayGrant(Role::kAuditor, Role::kViewer));
  EXPECT_FALSE(MayGrant(Role::kViewer, Role::kAuditor));
  EXPECT_FALSE(MayGrant(Role::kReviewer, Role::kDeveloper));
}

}  // namespace
}  // namespace strata::governance

#include "oidc/role_mapping.h"

#include <gtest/gtest.h>

#include "oidc/options.h"

namespace strata::oidc {
namespace {

RoleMappingOptions Mappings() {
  RoleMappingOptions options;
  options.mappings = {
      {"everyone", "viewer", "acme"},
      {"strata-devs", "developer", "acme"},
      {"strata-auditors", "auditor", "acme"},
      {"platform-ops", "admin", ""},
      {"acme-admins", "tenant-admin", "acme"},
      {"globex-admins", "tenant-admin", "globex"},
  };
  return options;
}

RoleGrant Map(std::vector<std::string> groups, const RoleMappingOptions& options = Mappings()) {
  core::Result<RoleGrant> grant = MapRole(groups, options);
  EXPECT_TRUE(grant) << grant.error().message();
  return grant ? *grant : RoleGrant{};
}

TEST(RoleRankTest, OrdersRolesByPrivilege) {
  EXPECT_EQ(RoleRank("admin"), 0);
  EXPECT_EQ(RoleRank("tenant-admin"), 1);
  EXPECT_EQ(RoleRank("developer"), 2);
  EXPECT_EQ(RoleRank("reviewer"), 3);
  EXPECT_EQ(RoleRank("auditor"), 4);
  EXPECT_EQ(RoleRank("viewer"), 5);
  EXPECT_FALSE(RoleRank("Admin"));
  EXPECT_FALSE(RoleRank("root"));
}

TEST(MapRoleTest, TheMostPrivilegedMatchingMappingWinsWhateverTheOrder) {
  const RoleGrant grant = Map({"everyone", "strata-auditors", "strata-devs"});
  EXPECT_EQ(grant.role, "developer");
  EXPECT_EQ(grant.tenant, "acme");
  EXPECT_EQ(grant.group, "strata-devs");
  EXPECT_EQ(Map({"everyone", "platform-ops", "acme-admins"}).role, "admin");
  EXPECT_EQ(Map({"everyone"}).role, "viewer");
}

TEST(MapRoleTest, OnATieTheFirstMappingInConfigOrderWins) {
  const RoleGrant grant = Map({"globex-admins", "acme-admins"});
  EXPECT_EQ(grant.role, "tenant-admin");
  EXPECT_EQ(grant.tenant, "acme");
}

TEST(MapRoleTest, GroupsMatchExactly) {
  RoleMappingOptions options = Mappings();
  core::Result<RoleGrant> grant = MapRole(std::vector<std::string>{"Platform-Ops", "platform-ops-x"}, options);
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error().code(), core::ErrorCode::kPermissionDenied);
}

TEST(MapRoleTest, UnmappedUsersGetTheDefaultRoleOrAreRefused) {
  RoleMappingOptions options = Mappings();
  core::Result<RoleGrant> refused = MapRole(std::vector<std::string>{"contractors"}, options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kPermissionDenied);
  EXPECT_FALSE(MapRole(std::vector<std::string>{}, options));

  options.default_role = "viewer";
  options.default_tenant = "acme";
  const RoleGrant grant = Map({"contractors"}, options);
  EXPECT_EQ(grant.role, "viewer");
  EXPECT_EQ(grant.tenant, "acme");
  EXPECT_EQ(grant.group, "");
  // A mapped group still beats the default.
  EXPECT_EQ(Map({"contractors", "strata-devs"}, options).role, "developer");
}

TEST(MapRoleTest, SkipsMappingsWithUnknownRoles) {
  RoleMappingOptions options;
  options.mappings = {{"devs", "superuser", "acme"}, {"devs", "developer", "acme"}};
  EXPECT_EQ(Map({"devs"}, options).role, "developer");
}

TEST(ValidateRoleMappingTest, RefusesUnknownRolesAndEmptyGroupsNamingTheEntry) {
  RoleMappingOptions options = Mappings();
  EXPECT_TRUE(ValidateRoleMapping(options));
  options.mappings[2].role = "superuser";
  core::Status status = ValidateRoleMapping(options);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message().find("mappings[2].role"), std::string::npos);

  options = Mappings();
  options.mappings[0].group = "";
  EXPECT_NE(ValidateRoleMapping(options).error().message().find("mappings[0].group"), std::string::npos);

  options = Mappings();
  options.default_role = "guest";
  EXPECT_NE(ValidateRoleMapping(options).error().message().find("default_role"), std::string::npos);
}

TEST(ValidateRoleMappingTest, OnlyAdminMayBeGrantedWithoutATenant) {
  RoleMappingOptions options = Mappings();
  options.mappings[1].tenant = "";  // developer, platform-wide: not a thing
  EXPECT_NE(ValidateRoleMapping(options).error().message().find("mappings[1].tenant"), std::string::npos);

  options = Mappings();
  options.default_role = "viewer";
  EXPECT_NE(ValidateRoleMapping(options).error().message().find("default_tenant"), std::string::npos);
  options.default_tenant = "acme";
  EXPECT_TRUE(ValidateRoleMapping(options));
}

// ---- the options as a whole ----

OidcOptions Valid() {
  OidcOptions options;
  options.issuer = "https://login.example.com/realms/acme";
  options.client_id = "strata";
  options.client_secret = "s3cret";
  options.redirect_uri = "https://strata.example.com/auth/callback";
  options.roles = Mappings();
  return options;
}

std::string Invalid(const OidcOptions& options) {
  core::Status status = Validate(options);
  EXPECT_FALSE(status);
  return status ? std::string() : status.error().message();
}

TEST(ValidateOptionsTest, AcceptsATypicalConfigAndLoopbackHttp) {
  EXPECT_TRUE(Validate(Valid()));
  OidcOptions local = Valid();
  local.issuer = "http://127.0.0.1:8080";
  local.redirect_uri = "http://localhost:4100/auth/callback";
  EXPECT_TRUE(Validate(local));
}

TEST(ValidateOptionsTest, RefusesWhatWouldBreakOrWeakenSignIn) {
  OidcOptions options = Valid();
  options.issuer = "http://login.example.com";
  EXPECT_NE(Invalid(options).find("oidc.issuer must be https"), std::string::npos);
  options = Valid();
  options.issuer = "";
  EXPECT_NE(Invalid(options).find("oidc.issuer must be set"), std::string::npos);
  options = Valid();
  options.client_id = "";
  EXPECT_NE(Invalid(options).find("client_id"), std::string::npos);
  options = Valid();
  options.redirect_uri = "/auth/callback";
  EXPECT_NE(Invalid(options).find("redirect_uri"), std::string::npos);
  options = Valid();
  options.scopes = "email profile";
  EXPECT_NE(Invalid(options).find("openid"), std::string::npos);
  options = Valid();
  options.jwks.min_ttl = std::chrono::hours(2);
  EXPECT_NE(Invalid(options).find("min_ttl"), std::string::npos);
  options = Valid();
  options.roles.mappings[0].role = "owner";
  EXPECT_NE(Invalid(options).find("mappings[0].role"), std::string::npos);
}

}  // namespace
}  // namespace strata::oidc

// The console's keys in the YAML config: `auth.session_*` and `oidc:`
// (docs/CONFIG.md). Here rather than in config_test because the options are
// the admin and oidc modules'.
#include <gtest/gtest.h>

#include <map>

#include "config/config.h"

namespace strata::config {
namespace {

using namespace std::chrono_literals;

core::Result<Config> Load(std::string_view yaml, std::map<std::string, std::string, std::less<>> env = {}) {
  return LoadConfigString(yaml, "strata.yaml", [env](std::string_view name) -> std::optional<std::string> {
    auto found = env.find(name);
    return found == env.end() ? std::nullopt : std::optional<std::string>(found->second);
  });
}

std::string ErrorOf(std::string_view yaml, std::map<std::string, std::string, std::less<>> env = {}) {
  core::Result<Config> config = Load(yaml, std::move(env));
  if (config) {
    ADD_FAILURE() << "expected an error for:\n" << yaml;
    return "";
  }
  return config.error().message();
}

constexpr std::string_view kMinimalOidc = R"(oidc:
  issuer: https://login.example.com/realms/acme
  client_id: strata-console
  redirect_uri: https://strata.example.com/auth/oidc/callback
)";

TEST(ConsoleConfigTest, DefaultsAreTwelveHoursOneHourIdleAndNoOidc) {
  core::Result<Config> config = Load("");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->console.session_ttl, 12h);
  EXPECT_EQ(config->console.idle_timeout, 1h);
  EXPECT_FALSE(config->console.secure_cookies);
  EXPECT_TRUE(config->console.local_login);
  EXPECT_EQ(config->console.post_login_url, "/");
  EXPECT_FALSE(config->oidc);
}

TEST(ConsoleConfigTest, ReadsTheSessionKeysUnderAuth) {
  core::Result<Config> config = Load(
      "auth:\n  session_ttl: 8h\n  session_idle_timeout: 0s\n  secure_cookies: true\n  local_login: false\n");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->console.session_ttl, 8h);
  EXPECT_EQ(config->console.idle_timeout, 0s);
  EXPECT_TRUE(config->console.secure_cookies);
  EXPECT_FALSE(config->console.local_login);
  EXPECT_NE(ErrorOf("auth:\n  session_ttl: 0s\n").find("strata.yaml:2: auth.session_ttl"), std::string::npos);
}

TEST(ConsoleConfigTest, ReadsAWholeOidcSection) {
  core::Result<Config> config = Load(R"(oidc:
  issuer: https://login.example.com/realms/acme
  client_id: strata-console
  client_secret: ${OIDC_SECRET}
  client_auth: client_secret_post
  redirect_uri: https://strata.example.com/auth/oidc/callback
  scopes: openid email groups
  leeway: 30s
  login_timeout: 5m
  post_login_url: /console
  roles:
    groups_claim: realm_access.roles
    mappings:
      - {group: platform-ops, role: admin}
      - {group: acme-devs, role: developer, tenant: acme}
    default_role: viewer
    default_tenant: acme
  jwks:
    max_ttl: 30m
    min_ttl: 0s
    refetch_interval: 10s
    fetch_timeout: 2s
    max_document_bytes: 64KiB
    max_keys: 20
)",
                                       {{"OIDC_SECRET", "s3cret"}});
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_TRUE(config->oidc);
  const oidc::OidcOptions& oidc = *config->oidc;
  EXPECT_EQ(oidc.issuer, "https://login.example.com/realms/acme");
  EXPECT_EQ(oidc.client_id, "strata-console");
  EXPECT_EQ(oidc.client_secret, "s3cret");
  EXPECT_EQ(oidc.client_auth, oidc::ClientAuth::kClientSecretPost);
  EXPECT_EQ(oidc.scopes, "openid email groups");
  EXPECT_EQ(oidc.leeway, 30s);
  EXPECT_EQ(oidc.login_timeout, 300s);
  EXPECT_EQ(config->console.post_login_url, "/console");
  EXPECT_EQ(oidc.roles.groups_claim, "realm_access.roles");
  ASSERT_EQ(oidc.roles.mappings.size(), 2u);
  EXPECT_EQ(oidc.roles.mappings[0].role, "admin");
  EXPECT_TRUE(oidc.roles.mappings[0].tenant.empty());
  EXPECT_EQ(oidc.roles.mappings[1].tenant, "acme");
  EXPECT_EQ(oidc.roles.default_role, "viewer");
  EXPECT_EQ(oidc.jwks.max_ttl, 1800s);
  EXPECT_EQ(oidc.jwks.min_ttl, 0s);
  EXPECT_EQ(oidc.jwks.refetch_interval, 10s);
  EXPECT_EQ(oidc.jwks.fetch_timeout, 2s);
  EXPECT_EQ(oidc.jwks.max_document_bytes, 64u * 1024);
  EXPECT_EQ(oidc.jwks.max_keys, 20u);
}

TEST(ConsoleConfigTest, AMinimalOidcSectionTakesTheDefaults) {
  core::Result<Config> config = Load(kMinimalOidc);
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_TRUE(config->oidc);
  EXPECT_EQ(config->oidc->scopes, "openid email profile groups");
  EXPECT_EQ(config->oidc->login_timeout, 600s);
  EXPECT_TRUE(config->oidc->client_secret.empty());
}

TEST(ConsoleConfigTest, RefusesAnIncompleteOrWrongOidcSectionAtTheRightLine) {
  EXPECT_NE(ErrorOf("oidc:\n  client_id: x\n").find("oidc.issuer is required"), std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimalOidc) + "  roles:\n    mappings:\n      - {group: g, role: owner}\n")
                .find("strata.yaml:7: oidc.roles.mappings[0].role"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimalOidc) + "  roles:\n    mappings:\n      - {group: g, role: developer}\n")
                .find("oidc.roles.mappings[0].tenant is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimalOidc) + "  roles:\n    default_role: viewer\n")
                .find("oidc.roles.default_tenant is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimalOidc) + "  post_login_url: //evil.example\n").find("oidc.post_login_url"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimalOidc) + "  scopes: email profile\n").find("strata.yaml:5: oidc.scopes"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimalOidc) + "  unknown_key: 1\n").find("unknown_key"), std::string::npos);
}

TEST(ConsoleConfigTest, AnInsecureIssuerIsRefusedWithoutQuotingTheEnvironment) {
  const std::string message = ErrorOf(
      "oidc:\n  issuer: ${ISSUER}\n  client_id: c\n  redirect_uri: https://strata.example.com/auth/oidc/callback\n",
      {{"ISSUER", "http://secret-host.example/realm"}});
  EXPECT_NE(message.find("strata.yaml:2: oidc.issuer must be an absolute URL, https unless"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("secret-host"), std::string::npos) << message;
}

}  // namespace
}  // namespace strata::config

// The gateway's sections: auth, models (aliases, deployments, fallbacks), routing.
#include <map>

#include <gtest/gtest.h>

#include "config/config.h"
#include "unit/config/load_string.h"

namespace strata::config {
namespace {

using test::ErrorOf;
using test::Load;

constexpr std::string_view kThreeProviders = R"(auth:
  api_keys: ["${STRATA_KEY}", second-key]
routing:
  timeout: 30s
  retries: {max_attempts: 3, base_delay: 100ms}
  breaker: {failure_threshold: 2, cool_down: 10s}
models:
  - name: smart
    strategy: least_outstanding
    fallbacks: [cheap]
    deployments:
      - provider: openai
        model: gpt-4o
        api_key: ${OPENAI_API_KEY}
      - provider: azure
        name: azure-eu
        base_url: https://example.openai.azure.com/openai/deployments/gpt4o
        api_version: 2024-10-21
        model: gpt-4o
        api_keys: [k1, k2]
        tags: [eu]
        priority: 1
        weight: 3
        timeout: 90s
  - name: cheap
    deployments:
      - {provider: ollama, model: llama3.2}
)";

TEST(GatewaySectionsTest, ReadsKeysAliasesDeploymentsAndFallbacks) {
  core::Result<Config> config = Load(kThreeProviders, {{"STRATA_KEY", "sk-1"}, {"OPENAI_API_KEY", "sk-openai"}});
  ASSERT_TRUE(config) << config.error().message();
  const gateway::GatewayOptions& gateway = config->gateway;
  EXPECT_EQ(gateway.api_keys, (std::vector<std::string>{"sk-1", "second-key"}));
  EXPECT_EQ(gateway.timeout, std::chrono::seconds(30));
  EXPECT_EQ(gateway.retry.max_attempts, 3);
  EXPECT_EQ(gateway.retry.base_delay, std::chrono::milliseconds(100));
  EXPECT_EQ(gateway.breaker.failure_threshold, 2);
  EXPECT_EQ(gateway.breaker.cool_down, std::chrono::seconds(10));
  ASSERT_EQ(gateway.models.size(), 2u);
  const gateway::ModelAlias& smart = gateway.models[0];
  EXPECT_EQ(smart.name, "smart");
  EXPECT_EQ(smart.fallbacks, (std::vector<std::string>{"cheap"}));
  EXPECT_EQ(smart.strategy, routing::Strategy::kLeastOutstanding);
  EXPECT_EQ(gateway.models[1].strategy, routing::Strategy::kPriority);  // the default
  EXPECT_EQ(smart.deployments[0].priority, 0);  // by default, the position in the list
  ASSERT_EQ(smart.deployments.size(), 2u);
  EXPECT_EQ(smart.deployments[0].name, "openai/gpt-4o");  // derived when not given
  EXPECT_EQ(smart.deployments[0].api_keys, (std::vector<std::string>{"sk-openai"}));
  const providers::Deployment& azure = smart.deployments[1];
  EXPECT_EQ(azure.name, "azure-eu");
  EXPECT_EQ(azure.api_version, "2024-10-21");
  EXPECT_EQ(azure.api_keys, (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(azure.tags, (std::vector<std::string>{"eu"}));
  EXPECT_EQ(azure.priority, 1);
  EXPECT_EQ(azure.weight, 3.0);
  EXPECT_EQ(azure.timeout, std::chrono::seconds(90));
  EXPECT_EQ(gateway.models[1].deployments[0].provider, "ollama");
  EXPECT_TRUE(gateway.models[1].deployments[0].api_keys.empty());  // local servers need none
}

TEST(GatewaySectionsTest, DeploymentNamesAreUniqueWithinAnAliasButMayRepeatAcrossAliases) {
  const std::string error = ErrorOf(
      "models:\n"
      "  - name: a\n"
      "    deployments:\n"
      "      - {provider: ollama, model: m}\n"
      "      - {provider: ollama, model: m}\n");
  EXPECT_NE(error.find("strata.yaml:5: models[0].deployments[1].model gives the deployment name 'ollama/m', already used"),
            std::string::npos)
      << error;
  EXPECT_EQ(ErrorOf("models:\n"
                    "  - name: a\n"
                    "    deployments: [{provider: ollama, model: m}]\n"
                    "  - name: b\n"
                    "    deployments: [{provider: ollama, model: m}]\n"),
            "");
}

TEST(GatewaySectionsTest, UnknownStrategyIsRefused) {
  const std::string error =
      ErrorOf("models:\n  - name: a\n    strategy: fastest\n    deployments:\n      - {provider: ollama, model: m}\n");
  EXPECT_NE(error.find("strata.yaml:3: models[0].strategy must be one of priority"), std::string::npos) << error;
}

TEST(GatewaySectionsTest, UnknownProviderIsRefusedAtItsLine) {
  const std::string error = ErrorOf("models:\n  - name: a\n    deployments:\n      - provider: opneai\n        model: m\n");
  EXPECT_NE(error.find("strata.yaml:4: models[0].deployments[0].provider names no known provider"), std::string::npos)
      << error;
}

TEST(GatewaySectionsTest, MissingKeyBaseUrlModelOrDeploymentsAreEachReported) {
  const std::string error = ErrorOf(
      "models:\n"
      "  - name: a\n"
      "    deployments:\n"
      "      - provider: openai\n"
      "        model: gpt-4o\n"
      "      - provider: openai-compatible\n"
      "        model: m\n"
      "      - provider: groq\n"
      "        api_key: k\n"
      "  - name: empty\n");
  EXPECT_NE(error.find("models[0].deployments[0].api_key is required"), std::string::npos) << error;
  EXPECT_NE(error.find("models[0].deployments[1].base_url is required"), std::string::npos) << error;
  EXPECT_NE(error.find("models[0].deployments[2].model is required"), std::string::npos) << error;
  EXPECT_NE(error.find("models[1].deployments must list at least one deployment"), std::string::npos) << error;
}

TEST(GatewaySectionsTest, UnknownKeysInADeploymentGetASuggestion) {
  const std::string error =
      ErrorOf("models:\n  - name: a\n    deployments:\n      - provider: ollama\n        model: m\n        wieght: 2\n");
  EXPECT_NE(error.find("strata.yaml:6: unknown key 'wieght'"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean 'weight'?"), std::string::npos) << error;
}

TEST(GatewaySectionsTest, ApiKeysFromTheEnvironmentAreNeverShownInErrors) {
  core::Result<Config> config = Load("auth:\n  api_keys: [\"${EMPTY_SECRET}\"]\n", {{"EMPTY_SECRET", ""}});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message().find("auth.api_keys[0] must not be empty"), std::string::npos)
      << config.error().message();
}

}  // namespace
}  // namespace strata::config

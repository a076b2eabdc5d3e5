#include "gateway/defaults.h"

#include <map>

#include <gtest/gtest.h>

#include "gateway/catalog.h"

namespace strata::gateway {
namespace {

EnvironmentLookup FakeEnvironment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(DefaultsTest, DemoModelIsAlwaysThereButNeverReplacesAConfiguredOne) {
  GatewayOptions options;
  AddDemoModel(options);
  ASSERT_EQ(options.models.size(), 1u);
  EXPECT_EQ(options.models[0].deployments[0].provider, "demo");
  AddDemoModel(options);
  EXPECT_EQ(options.models.size(), 1u);
}

TEST(DefaultsTest, VendorKeysInTheEnvironmentEnableThoseVendorsOnly) {
  GatewayOptions options;
  const auto enabled =
      AddEnvironmentVendors(options, FakeEnvironment({{"OPENAI_API_KEY", "sk-o"}, {"GROQ_API_KEY", "gsk"},
                                                     {"MISTRAL_API_KEY", ""}}));
  EXPECT_EQ(enabled, (std::vector<std::string>{"openai", "groq"}));
  Catalog catalog(options.models);
  const auto openai = catalog.Routes("openai/gpt-4o");
  ASSERT_EQ(openai.size(), 1u);
  EXPECT_EQ(openai[0].candidates[0].upstream_model, "gpt-4o");
  EXPECT_EQ(openai[0].candidates[0].deployment->api_keys, (std::vector<std::string>{"sk-o"}));
  EXPECT_EQ(catalog.Routes("gpt-4o-mini")[0].candidates[0].upstream_model, "gpt-4o-mini");
  EXPECT_EQ(catalog.Routes("groq/llama-3.3-70b")[0].candidates[0].upstream_model, "llama-3.3-70b");
  EXPECT_TRUE(catalog.Routes("mistral/mistral-large").empty());  // an empty key enables nothing
  EXPECT_TRUE(catalog.Routes("claude-sonnet-4-5").empty());      // no Anthropic key here
}

TEST(DefaultsTest, GeminiKeyServesGeminiModelsByNameAndPrefix) {
  GatewayOptions options;
  AddEnvironmentVendors(options, FakeEnvironment({{"GEMINI_API_KEY", "g-key"}}));
  Catalog catalog(options.models);
  const auto bare = catalog.Routes("gemini-2.5-flash");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].candidates[0].deployment->provider, "gemini");
  EXPECT_EQ(bare[0].candidates[0].upstream_model, "gemini-2.5-flash");
  EXPECT_EQ(catalog.Routes("gemini/gemini-2.5-pro")[0].candidates[0].upstream_model, "gemini-2.5-pro");
}

TEST(DefaultsTest, AnthropicKeyServesClaudeModelsByNameAndPrefix) {
  GatewayOptions options;
  AddEnvironmentVendors(options, FakeEnvironment({{"ANTHROPIC_API_KEY", "sk-ant"}}));
  Catalog catalog(options.models);
  const auto bare = catalog.Routes("claude-sonnet-4-5");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].candidates[0].deployment->provider, "anthropic");
  EXPECT_EQ(bare[0].candidates[0].upstream_model, "claude-sonnet-4-5");
  EXPECT_EQ(catalog.Routes("anthropic/claude-haiku-4-5")[0].candidates[0].upstream_model, "claude-haiku-4-5");
}

}  // namespace
}  // namespace strata::gateway

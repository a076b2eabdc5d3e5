#include "gateway/defaults.h"

#include <array>

namespace strata::gateway {
namespace {

struct EnvVendor {
  std::string_view provider;
  std::string_view key_variable;
};

constexpr std::array<EnvVendor, 8> kEnvVendors = {{
    {"openai", "OPENAI_API_KEY"},
    {"anthropic", "ANTHROPIC_API_KEY"},
    {"groq", "GROQ_API_KEY"},
    {"mistral", "MISTRAL_API_KEY"},
    {"deepseek", "DEEPSEEK_API_KEY"},
    {"together", "TOGETHER_API_KEY"},
    {"fireworks", "FIREWORKS_API_KEY"},
    {"openrouter", "OPENROUTER_API_KEY"},
}};

// Model families served without the "<vendor>/" prefix.
constexpr std::array<std::string_view, 6> kOpenAiBarePrefixes = {"gpt-", "o1", "o3", "o4", "chatgpt-",
                                                                 "text-embedding-"};
constexpr std::array<std::string_view, 1> kAnthropicBarePrefixes = {"claude-"};

ModelAlias PatternAlias(std::string_view pattern, std::string_view provider, std::string upstream_model,
                        std::string key) {
  providers::Deployment deployment;
  deployment.name = std::string(provider) + "/" + std::string(pattern);
  deployment.provider = provider;
  deployment.model = std::move(upstream_model);
  deployment.api_keys.push_back(std::move(key));
  ModelAlias alias;
  alias.name = std::string(pattern);
  alias.deployments.push_back(std::move(deployment));
  return alias;
}

}  // namespace

void AddDemoModel(GatewayOptions& options) {
  for (const ModelAlias& alias : options.models) {
    if (alias.name == "strata-demo") return;
  }
  providers::Deployment deployment;
  deployment.name = "demo/strata-demo";
  deployment.provider = "demo";
  deployment.model = "strata-demo";
  ModelAlias alias;
  alias.name = "strata-demo";
  alias.deployments.push_back(std::move(deployment));
  options.models.push_back(std::move(alias));
}

std::vector<std::string> AddEnvironmentVendors(GatewayOptions& options, const EnvironmentLookup& env) {
  std::vector<std::string> enabled;
  for (const EnvVendor& vendor : kEnvVendors) {
    const std::optional<std::string> key = env(vendor.key_variable);
    if (!key || key->empty()) continue;
    enabled.emplace_back(vendor.provider);
    options.models.push_back(PatternAlias(std::string(vendor.provider) + "/*", vendor.provider, "{model}", *key));
    const auto add_bare = [&](const auto& prefixes) {
      for (std::string_view prefix : prefixes) {
        options.models.push_back(
            PatternAlias(std::string(prefix) + "*", vendor.provider, std::string(prefix) + "{model}", *key));
      }
    };
    if (vendor.provider == "openai") add_bare(kOpenAiBarePrefixes);
    if (vendor.provider == "anthropic") add_bare(kAnthropicBarePrefixes);
  }
  return enabled;
}

}  // namespace strata::gateway

#include "providers/registry.h"

#include "providers/anthropic/anthropic_provider.h"
#include "providers/gemini/gemini_provider.h"
#include "providers/local/demo.h"
#include "providers/openai/openai_compatible.h"

namespace strata::providers {

std::shared_ptr<Provider> ProviderFor(std::string_view provider) {
  static const auto openai = std::make_shared<OpenAiCompatibleProvider>();
  static const auto demo = std::make_shared<DemoProvider>();
  static const auto anthropic = std::make_shared<AnthropicProvider>();
  static const auto gemini = std::make_shared<GeminiProvider>();
  if (provider == "demo") return demo;
  if (provider == "anthropic") return anthropic;
  if (provider == "gemini") return gemini;
  if (FindOpenAiPreset(provider)) return openai;
  return nullptr;
}

bool IsKnownProvider(std::string_view provider) { return ProviderFor(provider) != nullptr; }

std::string_view BaseUrlOf(const Deployment& deployment) {
  if (!deployment.base_url.empty()) return deployment.base_url;
  if (deployment.provider == "anthropic") return "https://api.anthropic.com";
  if (deployment.provider == "gemini") return "https://generativelanguage.googleapis.com";
  if (const std::optional<OpenAiPreset> preset = FindOpenAiPreset(deployment.provider)) return preset->base_url;
  return {};
}

}  // namespace strata::providers

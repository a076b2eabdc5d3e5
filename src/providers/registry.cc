#include "providers/registry.h"

#include "providers/local/demo.h"
#include "providers/openai/openai_compatible.h"

namespace strata::providers {

std::shared_ptr<Provider> ProviderFor(std::string_view provider) {
  static const auto openai = std::make_shared<OpenAiCompatibleProvider>();
  static const auto demo = std::make_shared<DemoProvider>();
  if (provider == "demo") return demo;
  if (FindOpenAiPreset(provider)) return openai;
  return nullptr;
}

bool IsKnownProvider(std::string_view provider) { return ProviderFor(provider) != nullptr; }

}  // namespace strata::providers

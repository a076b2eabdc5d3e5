#pragma once

#include <memory>
#include <string_view>

#include "providers/provider.h"

namespace strata::providers {

// The provider that serves deployments of `provider` (a preset name such as
// "openai", "groq", "ollama", or "demo"), or null for an unknown name. The
// instances are stateless and shared by every worker.
std::shared_ptr<Provider> ProviderFor(std::string_view provider);

// Whether `provider` names a known preset (config validation).
bool IsKnownProvider(std::string_view provider);

// Where a deployment of `provider` is called: its base_url when set, else the
// preset's default; empty when there is none (demo, or a preset that needs a
// base_url). For traces' server.address.
std::string_view BaseUrlOf(const Deployment& deployment);

}  // namespace strata::providers

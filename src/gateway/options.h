#pragma once

#include <string>
#include <vector>

#include "providers/deployment.h"

namespace strata::gateway {

// A name clients put in `model`, and where it can be served from. A name
// ending in `*` is a pattern ("openai/*", "gpt-*"): it matches any model with
// that prefix, and `{model}` in a deployment's model stands for the part the
// `*` matched ("openai/*" → model "{model}": "openai/gpt-4o" calls "gpt-4o").
struct ModelAlias {
  std::string name;
  std::vector<providers::Deployment> deployments;  // tried in order of priority, then as listed
  std::vector<std::string> fallbacks;  // other aliases tried when every deployment failed retryably
};

struct GatewayOptions {
  // Static API keys accepted as `Authorization: Bearer <key>` or `x-api-key`.
  // Empty: every caller is accepted (fine on loopback; warned about elsewhere).
  std::vector<std::string> api_keys;
  std::vector<ModelAlias> models;
  int max_attempts = 4;  // upstream calls per request, fallbacks included
};

}  // namespace strata::gateway

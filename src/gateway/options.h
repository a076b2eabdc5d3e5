#pragma once

#include <string>
#include <vector>

#include "providers/deployment.h"
#include "routing/circuit_breaker.h"
#include "routing/retry.h"
#include "routing/strategies.h"

namespace strata::gateway {

// A name clients put in `model`, and where it can be served from. A name
// ending in `*` is a pattern ("openai/*", "gpt-*"): it matches any model with
// that prefix, and `{model}` in a deployment's model stands for the part the
// `*` matched ("openai/*" → model "{model}": "openai/gpt-4o" calls "gpt-4o").
struct ModelAlias {
  std::string name;
  std::vector<providers::Deployment> deployments;
  // How the next deployment is chosen. kPriority with the config's default
  // priorities (each deployment's position in the list) tries them in order.
  routing::Strategy strategy = routing::Strategy::kPriority;
  std::vector<std::string> fallbacks;  // other aliases tried when every deployment failed retryably
};

struct GatewayOptions {
  // Static API keys accepted as `Authorization: Bearer <key>` or `x-api-key`.
  // Empty: every caller is accepted (fine on loopback; warned about elsewhere).
  std::vector<std::string> api_keys;
  std::vector<ModelAlias> models;
  routing::RetryOptions retry;        // attempts, backoff, Retry-After (docs/ROUTING.md)
  routing::BreakerOptions breaker;    // per deployment, per worker
  std::chrono::milliseconds timeout{120'000};  // a request's whole routing budget, all attempts
  std::string pricing_file;  // prices merged over the shipped table (docs/PRICING.md); empty: none
};

}  // namespace strata::gateway

#pragma once

#include <cstdint>
#include <map>
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

// Limits of one scope; 0 means "no limit" for that dimension.
struct ScopeLimits {
  std::int64_t requests_per_minute = 0;
  std::int64_t tokens_per_minute = 0;
  std::int64_t max_concurrent = 0;
  bool empty() const { return requests_per_minute == 0 && tokens_per_minute == 0 && max_concurrent == 0; }
};

// The admit stage (docs/LIMITS.md). Limits on tenants, teams and keys live in
// the store (admin API); these are the ones set in config.
struct AdmitOptions {
  std::string backend = "memory";  // "memory" (one node) | "redis" (shared by every node)
  std::string redis_url = "redis://127.0.0.1:6379";
  // When the backend cannot answer (Redis down): admit (true) or refuse with 503.
  bool fail_open = true;
  // The output a request without max_tokens is assumed to produce, for its budget reservation.
  std::int64_t default_max_output_tokens = 4096;
  std::map<std::string, ScopeLimits, std::less<>> per_model;  // by the alias clients ask for
  ScopeLimits per_ip;                                          // per client address
};

// Guardrails and policy on the LLM routes (docs/GUARDRAILS.md, docs/POLICY.md).
struct GuardOptions {
  bool enabled = true;  // scan every request and answer; the policy decides what happens
  // Names the data subject a request is about, ahead of the body's `user`
  // (OpenAI) or metadata.user_id (Anthropic). Content is sealed per subject.
  std::string subject_header = "x-strata-subject";
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
  AdmitOptions limits;
  // How often the governance snapshot (virtual keys, tenants, limits) is
  // refreshed from the store: bounds how long a revoked key keeps working.
  std::chrono::milliseconds snapshot_refresh{1'000};
  GuardOptions guard;
};

}  // namespace strata::gateway

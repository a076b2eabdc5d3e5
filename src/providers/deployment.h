#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace strata::providers {

// One place a model alias can be served from: a vendor endpoint, the model id
// it knows, and the credentials to call it. Built from config; immutable.
struct Deployment {
  std::string name;      // unique and non-secret, e.g. "openai/gpt-4o"; a metrics label
  std::string provider;  // preset: openai, azure, groq, together, mistral, deepseek, fireworks,
                         // openrouter, vllm, ollama, llamacpp, lmstudio, openai-compatible, demo
  std::string base_url;  // e.g. https://api.openai.com/v1 (presets fill it in)
  std::string model;     // the upstream model id
  std::vector<std::string> api_keys;  // several: rotated when one is rate limited
  std::string api_version;            // Azure OpenAI's api-version query parameter
  std::vector<std::pair<std::string, std::string>> headers;  // extra upstream headers
  std::vector<std::string> tags;      // e.g. "eu", for policy route constraints
  double weight = 1.0;
  int priority = 0;                   // lower is tried first by the priority strategy
  unsigned max_concurrency = 0;       // 0: no cap
  std::chrono::milliseconds timeout{600'000};  // whole request, all reads included
};

}  // namespace strata::providers

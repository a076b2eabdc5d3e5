#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/options.h"

namespace strata::gateway {

using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view)>;

// Adds `strata-demo` (the in-process demo model) unless an alias already has
// that name: a newcomer always has one model that answers.
void AddDemoModel(GatewayOptions& options);

// The embedded default's vendors: for each vendor whose key is in the
// environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, GROQ_API_KEY,
// MISTRAL_API_KEY, DEEPSEEK_API_KEY, TOGETHER_API_KEY, FIREWORKS_API_KEY,
// OPENROUTER_API_KEY), a pattern alias "<vendor>/*" that passes the rest of
// the name through; OpenAI's model names (gpt-*, o1*, o3*, o4*, chatgpt-*,
// text-embedding-*), Anthropic's (claude-*) and Gemini's (gemini-*) are served
// bare too. Returns
// the vendors enabled, for the startup log.
std::vector<std::string> AddEnvironmentVendors(GatewayOptions& options, const EnvironmentLookup& env);

// The embedded default's local servers: each OpenAI-compatible server that
// answers GET /v1/models on its usual loopback port within `timeout` (Ollama
// 11434, llama.cpp 8080, vLLM 8000, LM Studio 1234) gets a "<vendor>/*"
// pattern alias. Probes run in parallel, so start-up waits `timeout` at most.
// Returns the vendors found, for the startup log.
std::vector<std::string> AddLocalServers(GatewayOptions& options, std::chrono::milliseconds timeout);

}  // namespace strata::gateway

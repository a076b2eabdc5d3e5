#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "providers/provider.h"

namespace strata::providers {

// How to reach one OpenAI-compatible vendor: where it lives and how it wants
// the key. Everything else about these vendors is the same wire format.
struct OpenAiPreset {
  std::string_view name;
  std::string_view base_url;   // empty: the deployment must give one
  bool azure = false;          // `api-key` header, `?api-version=`, deployment in the URL
  bool needs_key = true;       // local servers (Ollama, vLLM, ...) run without one
};

// The preset for a provider name (openai, azure, groq, together, mistral,
// deepseek, fireworks, openrouter, vllm, ollama, llamacpp, lmstudio,
// openai-compatible), or nothing for a name of another family.
std::optional<OpenAiPreset> FindOpenAiPreset(std::string_view provider);

// Every OpenAI-compatible vendor, told apart by the deployment's preset:
// chat completions, completions and embeddings, streamed or not, forwarded
// with the body as the client sent it (model replaced). Streams ask the
// upstream for usage (stream_options.include_usage) and drop that extra chunk
// again when the client did not ask for it. With several api_keys, a 429 on
// one key is retried at once on the next.
class OpenAiCompatibleProvider final : public Provider {
 public:
  bool Speaks(core::ApiFormat format) const override;
  asio::awaitable<core::Result<Answer>> Call(const Deployment& deployment, core::ApiFormat format,
                                             const boost::json::object& body, const CallContext& context) override;
  asio::awaitable<StreamEnd> Stream(const Deployment& deployment, core::ApiFormat format,
                                    const boost::json::object& body, EventSink& sink,
                                    const CallContext& context) override;
};

// Reads OpenAI's usage object (prompt/completion tokens and their details).
core::Usage UsageFromOpenAi(const boost::json::value& usage);

}  // namespace strata::providers

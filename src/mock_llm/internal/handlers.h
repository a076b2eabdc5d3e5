#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/server.h"
#include "mock_llm/mock_llm.h"

// The coroutines behind each route: read the x-mock-* knobs, wait, inject the
// fault, then answer with what openai.h / anthropic.h / gemini.h rendered. They use only
// the Responder interface, so tests can drive them without a server.
namespace strata::mock_llm {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

// State shared by every handler of one router: the options, what can be
// rendered ahead of time, and the fault counter. Thread-safe.
struct Context {
  explicit Context(std::shared_ptr<const MockLlmOptions> options);

  std::shared_ptr<const MockLlmOptions> options;
  double fault_ratio = 0;              // options->fault_ratio clamped to [0, 1]
  std::string openai_models;           // GET /v1/models bodies
  std::string anthropic_models;
  std::string gemini_models;
  std::atomic<std::uint64_t> requests{0};  // POSTs that could take the run's fault
};

// Whether the `n`-th (from 0) eligible request takes the run's fault, for a
// fraction `ratio` of requests: evenly spaced when `seed` is 0 (ratio 1/3:
// n = 2, 5, 8, ...), else a reproducible pseudo-random draw.
bool FaultHits(double ratio, std::uint64_t seed, std::uint64_t n);

// One request's timing and fault, from the run's options and its x-mock-* headers.
struct Knobs {
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds first_byte_delay{0};
  std::chrono::milliseconds chunk_delay{0};
  std::uint32_t chunks = 1;
  FaultSpec fault;
  std::optional<std::uint32_t> retry_after;   // x-mock-retry-after, seconds
  std::optional<std::string_view> reply;      // x-mock-reply; views the request
};

// Reads the knobs. `eligible_for_run_fault`: whether this request may take the
// run's fault (POST endpoints); it then counts towards fault_ratio. Fails on a
// malformed header, naming it.
core::Result<Knobs> ReadKnobs(Context& context, const http::Request& request, bool eligible_for_run_fault);

// Route handlers. `context` must outlive the call: the router's handlers own it.
asio::awaitable<void> HandleChatCompletions(Context& context, const http::Request& request,
                                            http::Responder& responder);
asio::awaitable<void> HandleCompletions(Context& context, const http::Request& request, http::Responder& responder);
asio::awaitable<void> HandleEmbeddings(Context& context, const http::Request& request, http::Responder& responder);
asio::awaitable<void> HandleMessages(Context& context, const http::Request& request, http::Responder& responder);
asio::awaitable<void> HandleCountTokens(Context& context, const http::Request& request, http::Responder& responder);
asio::awaitable<void> HandleListModels(Context& context, const http::Request& request, http::Responder& responder);
asio::awaitable<void> HandleGetModel(Context& context, const http::Request& request, http::Responder& responder);
// Gemini: POST /v1beta/models/{call} (and /v1/models/{call}, the stable
// version the @google/genai SDK calls), where `call` is "<model>:<method>" (one
// path segment, as Google writes it): generateContent, streamGenerateContent
// (SSE with ?alt=sse, else the JSON array of responses) or countTokens.
asio::awaitable<void> HandleGeminiModelCall(Context& context, const http::Request& request,
                                            http::Responder& responder);
// Gemini: GET /v1beta/models and GET /v1beta/models/{model}. (GET /v1/models
// answers in Gemini's shape when the request carries x-goog-api-key.)
asio::awaitable<void> HandleGeminiListModels(Context& context, const http::Request& request,
                                             http::Responder& responder);
asio::awaitable<void> HandleGeminiGetModel(Context& context, const http::Request& request,
                                           http::Responder& responder);

}  // namespace strata::mock_llm

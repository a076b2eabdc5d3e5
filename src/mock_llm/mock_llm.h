#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/server.h"
#include "mock_llm/fault.h"

// `strata mock-llm`: a fake LLM vendor for tests and benchmarks. It speaks the
// OpenAI (chat completions, completions, embeddings, models), Anthropic
// (messages, count_tokens, models) and Gemini (generateContent, its stream,
// countTokens, models) wire formats well enough for the official SDKs, answers deterministically from the request, and injects latency and
// faults on demand. docs/MOCK_LLM.md is the user's guide; the rules below are
// the contract tests may rely on.
//
// Determinism: the same request (body and x-mock-* headers) always yields the
// same content, tool calls, usage and embeddings. Only ids (derived from the
// request id), `created` timestamps and the fault counter vary.
namespace strata::mock_llm {

using std::chrono::milliseconds;

// Per-run defaults. Every delay and count may be overridden per request with a
// header (in brackets). Immutable once handed to BuildMockLlmRouter.
struct MockLlmOptions {
  // Before the response head of every answer, errors included [x-mock-latency-ms].
  milliseconds latency{0};
  // Streams: after the head, before the first event (time to first token)
  // [x-mock-first-byte-delay-ms]. A non-streamed answer waits it too, before its head.
  milliseconds first_byte_delay{0};
  // Streams: between two consecutive content pieces [x-mock-chunk-delay-ms]. A
  // non-streamed answer waits (chunks - 1) times this, so both take equally long.
  milliseconds chunk_delay{0};
  // Pieces each generated text (or tool-call argument string) is cut into when
  // streamed; fewer when the text is shorter [x-mock-chunks]. 1..65536.
  std::uint32_t chunks = 8;

  // Fault injected into a `fault_ratio` fraction of POST requests that carry no
  // x-mock-fault header (the header always wins, "none" included).
  FaultSpec fault;
  // 0..1. Which requests get the fault: with fault_seed 0, evenly spaced by a
  // run-wide request counter (ratio 0.25: requests 4, 8, 12, ...); otherwise a
  // pseudo-random but reproducible choice from the seed and the counter.
  double fault_ratio = 1.0;
  std::uint64_t fault_seed = 0;

  // `stall` gives up after this long and closes the connection.
  milliseconds stall_cap{300'000};
  // Embedding size when the request has no `dimensions`.
  std::uint32_t embedding_dimensions = 256;
  // Listed by GET /v1/models. Requests may name any model; it is echoed back.
  std::vector<std::string> models = {"gpt-4o-mini", "gpt-4o", "text-embedding-3-small",
                                     "claude-sonnet-4-5", "claude-haiku-4-5"};
};

// Builds the routes:
//   POST /v1/chat/completions, POST /v1/completions, POST /v1/embeddings,
//   GET /v1/models, GET /v1/models/{id}           (OpenAI; Anthropic's shape for
//                                                  models when anthropic-version is sent)
//   POST /v1/messages, POST /v1/messages/count_tokens   (Anthropic)
//   POST /v1beta/models/{model}:generateContent, …:streamGenerateContent,
//   …:countTokens (also under /v1), GET /v1beta/models, GET /v1beta/models/{model}
//                                                  (Gemini; its shape for /v1/models
//                                                  when x-goog-api-key is sent)
// The handlers share `options` and a fault counter; they are safe to run on
// any number of io threads at once. The router keeps `options` alive.
http::Router BuildMockLlmRouter(std::shared_ptr<const MockLlmOptions> options);

}  // namespace strata::mock_llm

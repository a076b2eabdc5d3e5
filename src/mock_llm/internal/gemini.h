#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/result.h"
#include "mock_llm/internal/text.h"

// The Google Gemini wire format (generativelanguage.googleapis.com, v1beta):
// generateContent bodies into plans, plans into the GenerateContentResponse
// objects and the SSE stream the official SDKs (@google/genai, google-genai)
// expect. Pure functions; validation failures are core::Errors rendered in
// Gemini's {"error":{"code","message","status"}} envelope.
namespace strata::mock_llm::gemini {

// The last path segment of /v1beta/models/{call}: Google writes the model and
// the method as one segment, "gemini-2.5-flash:generateContent".
struct ModelCall {
  std::string_view model;
  std::string_view method;  // generateContent, streamGenerateContent, countTokens, …
};
// Splits `segment` at its last ':'; nullopt when there is none or a side is empty.
std::optional<ModelCall> SplitModelCall(std::string_view segment);

struct GeneratePlan {
  std::string model;                 // from the path; echoed as modelVersion
  Reply reply;                       // the same for every candidate
  std::uint32_t candidates = 1;      // generationConfig.candidateCount
  std::uint32_t prompt_tokens = 0;
  std::uint32_t cached_tokens = 0;   // cachedContent named: the whole prompt counts as cached
  std::string thought;               // "Mock thoughts about: …" when thinking is on, else empty
  std::uint32_t thought_tokens = 0;  // per candidate
  bool include_thoughts = false;     // thinkingConfig.includeThoughts: the thought is sent as a part
};

// Reads a generateContent body for `model`. `reply_override` replaces the
// generated text (x-mock-reply). Fails on what the real API refuses: no
// `contents`, a content without `parts`, an unknown role, a bad
// functionCallingConfig, a count out of range.
core::Result<GeneratePlan> PlanGenerate(const boost::json::value& body, std::string_view model,
                                        std::optional<std::string_view> reply_override);
// A GenerateContentResponse with one candidate per candidateCount.
std::string RenderGenerate(const GeneratePlan& plan, const AnswerIds& ids);
// streamGenerateContent?alt=sse: unnamed events, each a whole
// GenerateContentResponse. The thought (when included) first, then the text
// in `chunks` pieces, the last piece carrying finishReason and the full
// usageMetadata; a function call arrives whole in one event, as Gemini sends
// it. No terminator: the stream ends with the body.
std::vector<SseEvent> RenderGenerateStream(const GeneratePlan& plan, const AnswerIds& ids, std::uint32_t chunks);

// countTokens: {"totalTokens": N, "promptTokensDetails": [...]}, counted as PlanGenerate does.
core::Result<std::string> RenderCountTokens(const boost::json::value& body);

// GET /v1beta/models and /v1beta/models/{model}.
std::string RenderModelList(const std::vector<std::string>& models);
std::string RenderModel(std::string_view id);

// {"error":{"code","message","status"}} for `error` (code = its HTTP status).
std::string RenderError(const core::Error& error);
// The envelope the real API sends with `status` (status:<code> faults).
std::string RenderStatusError(int status);

}  // namespace strata::mock_llm::gemini

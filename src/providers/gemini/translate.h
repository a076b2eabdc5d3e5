#pragma once

// Translation between the OpenAI Chat Completions wire format ("chat") and
// Google's Gemini API (generateContent / streamGenerateContent, v1beta), for
// an OpenAI client served by Gemini: the request one way, the answer and each
// stream event the other. Anthropic clients reach Gemini through the gateway's
// messages → chat translation first. docs/TRANSLATION.md has the
// field-by-field tables and says what cannot survive the trip, and why.
//
// Everything here is pure and synchronous: no I/O, no shared state, safe from
// any thread (a stream translator serves one stream and is not thread-safe);
// the only clock read is `created` = 0 meaning "now". Request translation
// validates what it reads and reports bad client input as kInvalidRequest
// with the offending `param` ("messages[2].content[0].image_url.url");
// response and stream translation is lenient with fields it does not know,
// because Google adds fields without notice.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/fields.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/error.h"
#include "core/result.h"
#include "core/usage.h"
#include "http/sse_decoder.h"

namespace strata::providers::gemini {

// The signature Google documents for function calls whose real signature is
// unknown (history from another model, or a client that dropped it): Gemini 3
// refuses a replayed function call without any signature.
inline constexpr std::string_view kSkipSignatureValidator = "skip_thought_signature_validator";

// Thinking budgets (tokens) for OpenAI's reasoning_effort, as Google's own
// OpenAI-compatible endpoint maps them; "none" turns thinking off (0).
inline constexpr std::int64_t kMinimalThinkingBudget = 512;
inline constexpr std::int64_t kLowThinkingBudget = 1024;
inline constexpr std::int64_t kMediumThinkingBudget = 8192;
inline constexpr std::int64_t kHighThinkingBudget = 24576;

// --- Requests ---------------------------------------------------------------

// OpenAI chat request → Gemini GenerateContentRequest. The model and whether
// to stream go in the URL, so `model`, `stream` and `stream_options` are not
// read. System and developer messages (wherever they appear) become
// `systemInstruction`; user/assistant turns become `contents` with roles
// user/model, consecutive same-role turns merged; assistant tool calls become
// functionCall parts (their thought signature, carried in the tool call's
// `extra_content.google.thought_signature` as Google's OpenAI endpoint does,
// goes back on the part; a turn without one gets kSkipSignatureValidator);
// tool messages become functionResponse parts named after the call they
// answer (found by tool_call_id among the earlier assistant messages).
// Refused with kInvalidRequest: logprobs/top_logprobs, logit_bias, audio
// output, web_search_options, OpenAI file ids, non-function tools, the legacy
// functions API, malformed tool-call arguments, a tool message answering no
// known call. Dropped (documented): user, metadata, store, service_tier,
// parallel_tool_calls, the image `detail`, tool `strict`.
core::Result<boost::json::object> ChatRequestToGemini(const boost::json::object& chat);

// A JSON Schema (OpenAI tool `parameters`, response_format's schema) → the
// OpenAPI subset Gemini's `parameters` and `responseSchema` accept. Keeps
// type, format, title, description, nullable, enum (strings only), properties,
// required (those that are properties), items, anyOf, minimum/maximum,
// min/maxItems, min/maxLength, min/maxProperties, pattern, example, default,
// propertyOrdering. Rewrites: a type list → its first non-null type plus
// nullable; oneOf → anyOf, a null branch → nullable, one branch left →
// inlined; allOf → its branches merged; a string `const` → a one-value enum;
// exclusiveMinimum/Maximum → minimum/maximum; local $ref (#/$defs/…,
// #/definitions/…) → inlined (nesting deeper than 32 gives {}). Drops
// everything else ($schema, $id, $defs, additionalProperties, strict,
// patternProperties, examples, not, if/then/else, uniqueItems, multipleOf, …)
// and an empty `properties` (Gemini refuses it for an object).
boost::json::value SchemaForGemini(const boost::json::value& schema);

// --- Responses --------------------------------------------------------------

// Gemini GenerateContentResponse → OpenAI `chat.completion`, reporting
// `client_model`. One choice per candidate (by its index); text parts are
// joined, thought parts become `reasoning_content`, functionCall parts become
// tool_calls with ids "call_0", "call_1"… (Gemini gives calls no id) and the
// part's thoughtSignature in `extra_content.google.thought_signature`. A
// prompt blocked before any candidate (promptFeedback.blockReason) is one
// empty choice with finish_reason "content_filter". The id is Gemini's
// responseId. `created` is the Unix time to report; 0 means now.
boost::json::object GeminiResponseToChat(const boost::json::object& response, std::string_view client_model,
                                         std::int64_t created = 0);

// Gemini finishReason → OpenAI finish_reason: STOP → "stop" ("tool_calls"
// when the candidate called functions), MAX_TOKENS → "length", SAFETY,
// RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII and the IMAGE_* reasons →
// "content_filter", anything else → "stop" ("tool_calls" likewise).
std::string_view FinishReasonFor(std::string_view finish_reason, bool called_functions);

// --- Usage ------------------------------------------------------------------

// Gemini `usageMetadata` → core::Usage: input = promptTokenCount (cached
// content included, as Gemini counts it) + toolUsePromptTokenCount; output =
// candidatesTokenCount + thoughtsTokenCount (Gemini bills thoughts as
// output); cached = cachedContentTokenCount; reasoning = thoughtsTokenCount.
// A value that is not an object gives all zeros.
core::Usage UsageFromGemini(const boost::json::value& usage_metadata);

// core::Usage → the OpenAI `usage` object.
boost::json::object ChatUsageJson(const core::Usage& usage);

// --- Errors -----------------------------------------------------------------

// UpstreamHttpError (upstream_error.h), refined for what Gemini says in its
// {"error":{"code","message","status","details"}} envelope: a 400 about the
// API key (API_KEY_INVALID) is kUpstreamRejected (our credentials, not the
// caller's request, are at fault), and a 429 without Retry-After takes the
// delay from its RetryInfo detail ("retryDelay": "7s", rounded up).
core::Error ErrorFromGemini(std::string_view deployment, unsigned status, std::string_view body,
                            const boost::beast::http::fields& headers);

// --- Streams ----------------------------------------------------------------

struct ChatChunkOptions {
  std::string client_model;    // the `model` every chunk reports
  bool include_usage = false;  // the client's stream_options.include_usage
  std::int64_t created = 0;    // Unix time every chunk reports; 0 means now
};

// Translates one Gemini `streamGenerateContent?alt=sse` stream into
// `chat.completion.chunk`s. Feed it every event the upstream sends, in order;
// each call returns, at once, the chunk JSON strings to send as SSE `data`.
// Nothing is held back: each part of each event becomes its delta in the call
// that received it. A candidate's first appearance yields its role chunk; text
// parts content deltas; thought parts `reasoning_content` deltas; a
// functionCall part (Gemini sends each call whole) one tool_calls delta with
// index, id "call_<n>", type, name, the whole arguments and, when signed,
// `extra_content`; a finishReason that candidate's finish chunk. usageMetadata
// is merged from every event (a later field wins).
//
// Gemini marks no end of stream: the body just ends. Call Close() then; it
// returns the usage chunk (only with include_usage) and finished() turns true:
// the caller then sends "[DONE]". Close() fails (UpstreamUnavailable) when the
// stream ended before every candidate finished, or before any event.
//
// An `{"error":…}` event (UpstreamUnavailable for UNAVAILABLE, INTERNAL and
// RESOURCE_EXHAUSTED, UpstreamTimeout for DEADLINE_EXCEEDED, UpstreamRejected
// otherwise), malformed JSON, or a candidate index past 127 (UpstreamRejected)
// returns an error; the caller should then end the client's stream. Parts a
// chat client cannot show (inlineData, executableCode, …) are skipped; events
// after Close() return nothing.
class GeminiStreamToChatChunks {
 public:
  explicit GeminiStreamToChatChunks(ChatChunkOptions options);

  core::Result<std::vector<std::string>> Feed(const http::SseEvent& event);
  core::Result<std::vector<std::string>> Close();

  // Usage so far, normalised (UsageFromGemini of the merged usageMetadata).
  core::Usage usage() const;
  // Close() succeeded.
  bool finished() const { return finished_; }

 private:
  struct Choice {
    bool started = false;
    bool finished = false;
    std::size_t tool_calls = 0;
  };
  void Start(const boost::json::object& event);
  void OnCandidate(const boost::json::object& candidate, std::size_t index, std::vector<std::string>& out);
  std::string Chunk(std::size_t index, std::string_view delta_json, std::string_view finish_reason = {}) const;
  void MergeUsage(const boost::json::object& usage);

  ChatChunkOptions options_;
  std::string chunk_prefix_;  // {"id":…,"model":… — fixed by the first event
  bool started_ = false;
  bool finished_ = false;
  std::vector<Choice> choices_;  // by candidate index
  boost::json::object usage_metadata_;
};

}  // namespace strata::providers::gemini

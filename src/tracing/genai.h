#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/exchange.h"
#include "core/usage.h"
#include "tracing/span.h"

// Attribute names from the OpenTelemetry semantic conventions, GenAI
// (gen_ai.*, "Development" status, as of semconv v1.37) and the stable
// general ones (server.*, http.*, error.type), plus Strata's own (strata.*).
// docs/TRACING.md lists which span carries which.
namespace strata::tracing::genai {

// -- GenAI: the operation ----------------------------------------------------
inline constexpr AttributeKey kOperationName = "gen_ai.operation.name";  // chat, text_completion, embeddings
inline constexpr AttributeKey kProviderName = "gen_ai.provider.name";    // openai, anthropic, gcp.gemini, …
// Deprecated since semconv 1.37 in favour of gen_ai.provider.name; named here
// for backends that still read it. Not emitted by the helpers below.
inline constexpr AttributeKey kSystemDeprecated = "gen_ai.system";
inline constexpr AttributeKey kConversationId = "gen_ai.conversation.id";
inline constexpr AttributeKey kOutputType = "gen_ai.output.type";

// -- GenAI: the request ------------------------------------------------------
inline constexpr AttributeKey kRequestModel = "gen_ai.request.model";
inline constexpr AttributeKey kRequestMaxTokens = "gen_ai.request.max_tokens";
inline constexpr AttributeKey kRequestTemperature = "gen_ai.request.temperature";
inline constexpr AttributeKey kRequestTopP = "gen_ai.request.top_p";
inline constexpr AttributeKey kRequestTopK = "gen_ai.request.top_k";
inline constexpr AttributeKey kRequestFrequencyPenalty = "gen_ai.request.frequency_penalty";
inline constexpr AttributeKey kRequestPresencePenalty = "gen_ai.request.presence_penalty";
inline constexpr AttributeKey kRequestStopSequences = "gen_ai.request.stop_sequences";
inline constexpr AttributeKey kRequestSeed = "gen_ai.request.seed";
inline constexpr AttributeKey kRequestChoiceCount = "gen_ai.request.choice.count";

// -- GenAI: the response -----------------------------------------------------
inline constexpr AttributeKey kResponseId = "gen_ai.response.id";
inline constexpr AttributeKey kResponseModel = "gen_ai.response.model";
inline constexpr AttributeKey kResponseFinishReasons = "gen_ai.response.finish_reasons";
inline constexpr AttributeKey kUsageInputTokens = "gen_ai.usage.input_tokens";
inline constexpr AttributeKey kUsageOutputTokens = "gen_ai.usage.output_tokens";
inline constexpr AttributeKey kUsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
inline constexpr AttributeKey kUsageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";

// -- GenAI: content, opt-in (Span::SetContent; TracingOptions::capture_content)
inline constexpr AttributeKey kInputMessages = "gen_ai.input.messages";
inline constexpr AttributeKey kOutputMessages = "gen_ai.output.messages";
inline constexpr AttributeKey kSystemInstructions = "gen_ai.system_instructions";

// -- General (stable) --------------------------------------------------------
inline constexpr AttributeKey kServerAddress = "server.address";
inline constexpr AttributeKey kServerPort = "server.port";
inline constexpr AttributeKey kHttpRequestMethod = "http.request.method";
inline constexpr AttributeKey kHttpRoute = "http.route";
inline constexpr AttributeKey kHttpResponseStatusCode = "http.response.status_code";
inline constexpr AttributeKey kHttpRequestResendCount = "http.request.resend_count";
inline constexpr AttributeKey kClientAddress = "client.address";
inline constexpr AttributeKey kUserAgentOriginal = "user_agent.original";
inline constexpr AttributeKey kErrorType = "error.type";

// -- Strata ------------------------------------------------------------------
inline constexpr AttributeKey kStrataRequestId = "strata.request_id";
inline constexpr AttributeKey kStrataTenant = "strata.tenant";
inline constexpr AttributeKey kStrataKeyId = "strata.key_id";
inline constexpr AttributeKey kStrataAlias = "strata.alias";
inline constexpr AttributeKey kStrataDeployment = "strata.deployment";
inline constexpr AttributeKey kStrataAttempt = "strata.attempt";      // 1-based attempt number
inline constexpr AttributeKey kStrataAttempts = "strata.attempts";    // attempts the request took
inline constexpr AttributeKey kStrataStream = "strata.stream";
inline constexpr AttributeKey kStrataCostUsd = "strata.cost_usd";
inline constexpr AttributeKey kStrataUsageEstimated = "strata.usage.estimated";
inline constexpr AttributeKey kStrataStage = "strata.stage";

// -- Events ------------------------------------------------------------------
inline constexpr AttributeKey kEventFirstToken = "strata.first_token";  // first streamed byte to the client

// gen_ai.operation.name for an API: "chat" (OpenAI chat, Anthropic messages),
// "text_completion", "embeddings".
std::string_view OperationName(core::ApiFormat format);

// gen_ai.provider.name for a deployment's `provider` preset: the well-known
// value where one exists (azure → azure.ai.openai, gemini → gcp.gemini,
// mistral → mistral_ai, …), else the preset name itself.
std::string_view ProviderName(std::string_view preset);

// The span name semconv asks for: "{operation} {model}", or the operation
// alone when the model is empty.
std::string SpanName(std::string_view operation, std::string_view model);

// From a client request body (OpenAI or Anthropic shape), whichever are
// present: gen_ai.request.max_tokens (max_tokens or max_completion_tokens),
// temperature, top_p, top_k, frequency/presence penalty, seed, n (when not 1),
// stop sequences. No content. Does nothing on a span that is not recording.
void RecordRequestParameters(Span& span, const boost::json::object& body);

// From a whole answer body (OpenAI chat/completions, Anthropic messages):
// gen_ai.response.id, gen_ai.response.model, gen_ai.response.finish_reasons.
void RecordResponse(Span& span, const boost::json::object& body);

// gen_ai.usage.* (cache tokens only when non-zero), strata.usage.estimated
// when Strata counted them.
void RecordUsage(Span& span, const core::Usage& usage);

// gen_ai.input.messages / gen_ai.system_instructions from the request body,
// serialized as JSON strings in the client's own shape (OpenAI `messages`,
// Anthropic `messages` + `system`), only when the span captures content.
void RecordInputContent(Span& span, const boost::json::object& body);

// gen_ai.output.messages from a whole answer body, as a JSON string in the
// vendor's own shape (OpenAI `choices[].message`, Anthropic `content`), only
// when the span captures content.
void RecordOutputContent(Span& span, const boost::json::object& body);

// server.address and server.port from an upstream base URL ("https://host:8443/v1");
// nothing for an empty or unparsable one. Does nothing on a span not recording.
void RecordServerAddress(Span& span, std::string_view base_url);

}  // namespace strata::tracing::genai

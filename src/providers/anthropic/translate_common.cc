#include "providers/anthropic/translate_common.h"

#include <chrono>
#include <cmath>

#include <boost/json/serialize.hpp>

#include "core/text.h"
#include "providers/anthropic/translate.h"

namespace strata::providers::anthropic {
namespace detail {

std::uint64_t CountMember(const json::object* object, std::string_view key) {
  if (object == nullptr) return 0;
  const json::value* value = Member(*object, key);
  if (value == nullptr) return 0;
  return Unsigned(*value).value_or(0);
}

std::string_view FinishReasonFor(std::string_view stop_reason, bool only_json_output) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") return "length";
  if (stop_reason == "tool_use") return only_json_output ? "stop" : "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  // end_turn, stop_sequence, and pause_turn (a server tool paused a long turn:
  // the text so far is a complete answer for a client that cannot resume it).
  return "stop";
}

std::string_view StopReasonFor(std::string_view finish_reason, bool refused) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "content_filter") return "refusal";
  return refused ? "refusal" : "end_turn";
}

json::object ChatUsageJson(const core::Usage& usage) {
  json::object out;
  out["prompt_tokens"] = usage.input_tokens;
  out["completion_tokens"] = usage.output_tokens;
  out["total_tokens"] = usage.total_tokens();
  json::object prompt_details;
  prompt_details["cached_tokens"] = usage.cached_input_tokens;
  out["prompt_tokens_details"] = std::move(prompt_details);
  // Anthropic does not count thinking tokens apart from the answer: leave the
  // field out rather than claim zero.
  if (usage.reasoning_tokens > 0) {
    json::object completion_details;
    completion_details["reasoning_tokens"] = usage.reasoning_tokens;
    out["completion_tokens_details"] = std::move(completion_details);
  }
  return out;
}

json::object MessagesUsageJson(const core::Usage& usage) {
  const std::uint64_t cached = usage.cached_input_tokens + usage.cache_write_tokens;
  json::object out;
  out["input_tokens"] = usage.input_tokens > cached ? usage.input_tokens - cached : 0;
  out["cache_creation_input_tokens"] = usage.cache_write_tokens;
  out["cache_read_input_tokens"] = usage.cached_input_tokens;
  out["output_tokens"] = usage.output_tokens;
  return out;
}

core::Usage NormalisedUsage(std::uint64_t input, std::uint64_t output, std::uint64_t cache_read,
                            std::uint64_t cache_write) {
  core::Usage usage;
  usage.input_tokens = input + cache_read + cache_write;
  usage.output_tokens = output;
  usage.cached_input_tokens = cache_read;
  usage.cache_write_tokens = cache_write;
  return usage;
}

}  // namespace detail

core::Usage UsageFromMessages(const boost::json::value& usage) {
  const boost::json::object* object = usage.if_object();
  return detail::NormalisedUsage(
      detail::CountMember(object, "input_tokens"), detail::CountMember(object, "output_tokens"),
      detail::CountMember(object, "cache_read_input_tokens"), detail::CountMember(object, "cache_creation_input_tokens"));
}

core::Usage UsageFromChat(const boost::json::value& usage) {
  core::Usage out;
  const boost::json::object* object = usage.if_object();
  if (object == nullptr) return out;
  out.input_tokens = detail::CountMember(object, "prompt_tokens");
  out.output_tokens = detail::CountMember(object, "completion_tokens");
  out.cached_input_tokens = detail::CountMember(detail::ObjectMember(*object, "prompt_tokens_details"), "cached_tokens");
  if (out.cached_input_tokens == 0) {
    // DeepSeek and a few other OpenAI-compatible servers report cache hits here instead.
    out.cached_input_tokens = detail::CountMember(object, "prompt_cache_hit_tokens");
  }
  out.reasoning_tokens =
      detail::CountMember(detail::ObjectMember(*object, "completion_tokens_details"), "reasoning_tokens");
  return out;
}

std::string MessagesErrorBody(const core::Error& error) {
  std::string_view type = "api_error";
  switch (error.code()) {
    case core::ErrorCode::kInvalidRequest:
    case core::ErrorCode::kMethodNotAllowed:
    case core::ErrorCode::kRequestTimeout:
    case core::ErrorCode::kHeadersTooLarge:
    case core::ErrorCode::kPolicyBlocked:
    case core::ErrorCode::kConflict: type = "invalid_request_error"; break;
    case core::ErrorCode::kPendingReview:
    case core::ErrorCode::kReviewRejected: type = error.Type(); break;
    case core::ErrorCode::kUnauthenticated: type = "authentication_error"; break;
    case core::ErrorCode::kPermissionDenied: type = "permission_error"; break;
    case core::ErrorCode::kNotFound: type = "not_found_error"; break;
    case core::ErrorCode::kPayloadTooLarge: type = "request_too_large"; break;
    case core::ErrorCode::kRateLimited:
    case core::ErrorCode::kBudgetExceeded: type = "rate_limit_error"; break;
    // The Anthropic SDKs show "overloaded_error" as "try again later", which
    // is what these two mean.
    case core::ErrorCode::kUpstreamUnavailable:
    case core::ErrorCode::kUnavailable: type = "overloaded_error"; break;
    case core::ErrorCode::kUpstreamRejected:
    case core::ErrorCode::kUpstreamTimeout:
    case core::ErrorCode::kInternal: type = "api_error"; break;
  }
  boost::json::object inner;
  inner["type"] = type;
  inner["message"] = error.message();
  boost::json::object body;
  body["type"] = "error";
  body["error"] = std::move(inner);
  return boost::json::serialize(body);
}

}  // namespace strata::providers::anthropic

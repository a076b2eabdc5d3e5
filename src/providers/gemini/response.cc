// Whole (non-streamed) Gemini responses, usage and errors → OpenAI chat.

#include <charconv>
#include <cmath>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/gemini/translate.h"
#include "providers/gemini/translate_common.h"
#include "providers/upstream_error.h"

namespace strata::providers::gemini {

namespace json = boost::json;
using detail::ArrayMember;
using detail::Member;
using detail::ObjectMember;
using detail::StringMember;

namespace {

std::uint64_t Count(const json::object* object, std::string_view key) {
  if (object == nullptr) return 0;
  const json::value* value = Member(*object, key);
  return value != nullptr ? detail::Unsigned(*value).value_or(0) : 0;
}

struct ChoiceView {
  std::string text;
  bool has_text = false;
  std::string reasoning;
  json::array tool_calls;
  std::string_view finish_reason;
};

ChoiceView ReadCandidate(const json::object& candidate) {
  ChoiceView view;
  view.finish_reason = StringMember(candidate, "finishReason");
  const json::object* content = ObjectMember(candidate, "content");
  const json::array* parts = content != nullptr ? ArrayMember(*content, "parts") : nullptr;
  if (parts == nullptr) return view;
  for (const json::value& value : *parts) {
    const json::object* part = value.if_object();
    if (part == nullptr) continue;
    if (const json::value* text = Member(*part, "text"); text && text->is_string()) {
      const json::value* thought = Member(*part, "thought");
      if (thought != nullptr && thought->is_bool() && thought->get_bool()) {
        view.reasoning += text->get_string();
      } else {
        view.text += text->get_string();
        view.has_text = true;
      }
    } else if (const json::object* call = ObjectMember(*part, "functionCall")) {
      const json::value* args = Member(*call, "args");
      json::object function;
      function["name"] = StringMember(*call, "name");
      function["arguments"] = args != nullptr ? json::serialize(*args) : std::string("{}");
      json::object tool_call;
      // Gemini gives calls no id; OpenAI clients need one to answer the call.
      tool_call["id"] = "call_" + std::to_string(view.tool_calls.size());
      tool_call["type"] = "function";
      tool_call["function"] = std::move(function);
      if (const std::string_view signature = detail::SignatureOf(*part); !signature.empty()) {
        tool_call["extra_content"] = detail::SignatureExtra(signature);
      }
      view.tool_calls.push_back(std::move(tool_call));
    }
    // inlineData (generated images), executableCode and codeExecutionResult
    // have no chat counterpart.
  }
  return view;
}

json::object Choice(std::size_t index, ChoiceView view) {
  json::object message;
  message["role"] = "assistant";
  // OpenAI writes null, not "", when the answer is only tool calls.
  if (view.has_text || view.tool_calls.empty()) message["content"] = std::move(view.text);
  else message["content"] = nullptr;
  message["refusal"] = nullptr;
  const bool called = !view.tool_calls.empty();
  if (called) message["tool_calls"] = std::move(view.tool_calls);
  if (!view.reasoning.empty()) message["reasoning_content"] = std::move(view.reasoning);
  json::object choice;
  choice["index"] = index;
  choice["message"] = std::move(message);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = FinishReasonFor(view.finish_reason, called);
  return choice;
}

// "7s", "0.5s", "1.000340s" (a protobuf Duration in JSON) → whole seconds, rounded up.
std::optional<std::chrono::seconds> ParseDelay(std::string_view text) {
  if (!text.ends_with('s')) return std::nullopt;
  text.remove_suffix(1);
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!(seconds >= 0) || seconds > 86'400) return std::nullopt;
  return std::chrono::seconds(static_cast<std::int64_t>(std::ceil(seconds)));
}

}  // namespace

std::string_view FinishReasonFor(std::string_view finish_reason, bool called_functions) {
  if (finish_reason == "MAX_TOKENS") return "length";
  if (finish_reason == "SAFETY" || finish_reason == "RECITATION" || finish_reason == "BLOCKLIST" ||
      finish_reason == "PROHIBITED_CONTENT" || finish_reason == "SPII" || finish_reason.starts_with("IMAGE_")) {
    return "content_filter";
  }
  // STOP, and the reasons with no OpenAI counterpart (LANGUAGE, OTHER,
  // MALFORMED_FUNCTION_CALL, …): the answer so far is what there is.
  return called_functions ? "tool_calls" : "stop";
}

json::object GeminiResponseToChat(const json::object& response, std::string_view client_model,
                                  std::int64_t created) {
  if (created == 0) created = detail::NowUnixSeconds();
  // Candidates by their index: Gemini sends them in order, but says so explicitly.
  std::map<std::size_t, ChoiceView> views;
  if (const json::array* candidates = ArrayMember(response, "candidates")) {
    for (std::size_t i = 0; i < candidates->size(); ++i) {
      const json::object* candidate = (*candidates)[i].if_object();
      if (candidate == nullptr) continue;
      const json::value* index = Member(*candidate, "index");
      const std::size_t at = index != nullptr ? detail::Unsigned(*index).value_or(i) : i;
      views.emplace(at, ReadCandidate(*candidate));
    }
  }
  json::array choices;
  for (auto& [index, view] : views) choices.push_back(Choice(index, std::move(view)));
  if (choices.empty()) {
    // No candidate: the prompt was blocked (promptFeedback.blockReason), or
    // the model had nothing to say. Either way the client gets one choice.
    ChoiceView empty;
    const json::object* feedback = ObjectMember(response, "promptFeedback");
    if (feedback != nullptr && !StringMember(*feedback, "blockReason").empty()) empty.finish_reason = "SAFETY";
    choices.push_back(Choice(0, std::move(empty)));
  }

  json::object out;
  // Gemini's responseId is kept: it is what their logs know.
  std::string id(StringMember(response, "responseId"));
  if (id.empty()) id = "chatcmpl-gemini-" + std::to_string(created);
  out["id"] = std::move(id);
  out["object"] = "chat.completion";
  out["created"] = created;
  out["model"] = client_model;
  out["choices"] = std::move(choices);
  const json::value* usage = Member(response, "usageMetadata");
  out["usage"] = ChatUsageJson(usage != nullptr ? UsageFromGemini(*usage) : core::Usage{});
  return out;
}

core::Usage UsageFromGemini(const json::value& usage_metadata) {
  core::Usage usage;
  const json::object* object = usage_metadata.if_object();
  if (object == nullptr) return usage;
  usage.input_tokens = Count(object, "promptTokenCount") + Count(object, "toolUsePromptTokenCount");
  usage.reasoning_tokens = Count(object, "thoughtsTokenCount");
  usage.output_tokens = Count(object, "candidatesTokenCount") + usage.reasoning_tokens;
  usage.cached_input_tokens = Count(object, "cachedContentTokenCount");
  return usage;
}

json::object ChatUsageJson(const core::Usage& usage) {
  json::object out;
  out["prompt_tokens"] = usage.input_tokens;
  out["completion_tokens"] = usage.output_tokens;
  out["total_tokens"] = usage.total_tokens();
  json::object prompt_details;
  prompt_details["cached_tokens"] = usage.cached_input_tokens;
  out["prompt_tokens_details"] = std::move(prompt_details);
  json::object completion_details;
  completion_details["reasoning_tokens"] = usage.reasoning_tokens;
  out["completion_tokens_details"] = std::move(completion_details);
  return out;
}

core::Error ErrorFromGemini(std::string_view deployment, unsigned status, std::string_view body,
                            const boost::beast::http::fields& headers) {
  core::Error error = UpstreamHttpError(deployment, status, body, headers);
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* envelope = !ec && parsed.is_object() ? ObjectMember(parsed.get_object(), "error") : nullptr;
  if (envelope == nullptr) return error;
  const json::array* details = ArrayMember(*envelope, "details");
  bool key_invalid = StringMember(*envelope, "message").find("API key not valid") != std::string_view::npos;
  std::optional<std::chrono::seconds> retry_delay;
  if (details != nullptr) {
    for (const json::value& detail : *details) {
      const json::object* object = detail.if_object();
      if (object == nullptr) continue;
      if (StringMember(*object, "reason") == "API_KEY_INVALID") key_invalid = true;
      if (StringMember(*object, "@type").ends_with("google.rpc.RetryInfo")) {
        retry_delay = ParseDelay(StringMember(*object, "retryDelay"));
      }
    }
  }
  if (status == 400 && key_invalid) {
    // Google answers a bad key with 400 INVALID_ARGUMENT; to routing it is our
    // credential failing, not the caller's request.
    core::Error rejected(core::ErrorCode::kUpstreamRejected, error.message());
    return rejected;
  }
  if (status == 429 && !error.retry_after() && retry_delay) error.WithRetryAfter(*retry_delay);
  return error;
}

}  // namespace strata::providers::gemini

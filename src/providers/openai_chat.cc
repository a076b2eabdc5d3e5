#include "providers/openai_chat.h"

#include "core/text.h"

namespace strata::providers::openai_chat {

bool IncludeUsageRequested(const json::object& body) {
  const json::object* options = json_fields::ObjectMember(body, "stream_options");
  if (options == nullptr) return false;
  const json::value* include = json_fields::Member(*options, "include_usage");
  return include != nullptr && include->is_bool() && include->get_bool();
}

std::string Chunk(std::string_view prefix, std::size_t index, std::string_view delta_json,
                  std::string_view finish_reason, bool include_usage) {
  std::string chunk;
  chunk.reserve(prefix.size() + delta_json.size() + 96);
  chunk += prefix;
  chunk += R"(,"choices":[{"index":)";
  chunk += std::to_string(index);
  chunk += R"(,"delta":)";
  chunk += delta_json;
  chunk += R"(,"logprobs":null,"finish_reason":)";
  if (finish_reason.empty()) {
    chunk += "null";
  } else {
    core::AppendJsonString(chunk, finish_reason);
  }
  chunk += "}]";
  if (include_usage) chunk += R"(,"usage":null)";
  chunk += '}';
  return chunk;
}

core::Status RefuseUntranslatableFields(const json::object& chat, std::string_view vendor) {
  using json_fields::Invalid;
  using json_fields::Member;
  const std::string models = std::string(vendor) + " models";
  if (const json::value* logprobs = Member(chat, "logprobs"); logprobs && logprobs->is_bool() && logprobs->get_bool()) {
    return Invalid("logprobs", "log probabilities are not returned by " + models);
  }
  if (const json::value* top = Member(chat, "top_logprobs"); top && json_fields::Unsigned(*top).value_or(1) > 0) {
    return Invalid("top_logprobs", "log probabilities are not returned by " + models);
  }
  if (const json::object* bias = json_fields::ObjectMember(chat, "logit_bias"); bias && !bias->empty()) {
    return Invalid("logit_bias", models + " do not support logit_bias");
  }
  if (const json::array* modalities = json_fields::ArrayMember(chat, "modalities")) {
    for (const json::value& modality : *modalities) {
      if (!modality.is_string() || modality.get_string() != "text") {
        return Invalid("modalities", "only text output is translated for " + models);
      }
    }
  }
  if (Member(chat, "audio") != nullptr) return Invalid("audio", "audio output is not translated for " + models);
  if (Member(chat, "web_search_options") != nullptr) {
    return Invalid("web_search_options", "not supported for " + models);
  }
  if (Member(chat, "functions") != nullptr || Member(chat, "function_call") != nullptr) {
    return Invalid("functions", "the legacy functions API is not supported; use tools");
  }
  return {};
}

}  // namespace strata::providers::openai_chat

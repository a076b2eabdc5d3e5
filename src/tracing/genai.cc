#include "tracing/genai.h"

#include <array>
#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "http/url.h"

namespace strata::tracing::genai {
namespace {

namespace json = boost::json;

const json::value* Member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && !value->is_null() ? value : nullptr;
}

void RecordNumber(Span& span, AttributeKey key, const json::object& body, std::string_view field) {
  const json::value* value = Member(body, field);
  if (value == nullptr) return;
  if (value->is_int64()) {
    span.SetAttribute(key, static_cast<double>(value->get_int64()));
  } else if (value->is_uint64()) {
    span.SetAttribute(key, static_cast<double>(value->get_uint64()));
  } else if (value->is_double()) {
    span.SetAttribute(key, value->get_double());
  }
}

void RecordInteger(Span& span, AttributeKey key, const json::value* value) {
  if (value == nullptr) return;
  if (value->is_int64()) {
    span.SetAttribute(key, value->get_int64());
  } else if (value->is_uint64()) {
    span.SetAttribute(key, value->get_uint64());
  }
}

void RecordString(Span& span, AttributeKey key, const json::value* value) {
  if (value != nullptr && value->is_string()) span.SetAttribute(key, std::string_view(value->get_string()));
}

}  // namespace

std::string_view OperationName(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiCompletions: return "text_completion";
    case core::ApiFormat::kOpenAiEmbeddings: return "embeddings";
    case core::ApiFormat::kOpenAiChat:
    case core::ApiFormat::kAnthropicMessages: return "chat";
  }
  return "chat";
}

std::string_view ProviderName(std::string_view preset) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kWellKnown = {{
      {"azure", "azure.ai.openai"},
      {"gemini", "gcp.gemini"},
      {"mistral", "mistral_ai"},
      {"xai", "x_ai"},
      {"bedrock", "aws.bedrock"},
      {"vertex", "gcp.vertex_ai"},
  }};
  for (const auto& [name, known] : kWellKnown) {
    if (name == preset) return known;
  }
  return preset;  // openai, anthropic, groq, deepseek, … are already the well-known values
}

std::string SpanName(std::string_view operation, std::string_view model) {
  std::string name(operation);
  if (!model.empty()) {
    name += ' ';
    name += model;
  }
  return name;
}

void RecordRequestParameters(Span& span, const json::object& body) {
  if (!span.recording()) return;
  const json::value* max_tokens = Member(body, "max_tokens");
  if (max_tokens == nullptr) max_tokens = Member(body, "max_completion_tokens");
  RecordInteger(span, kRequestMaxTokens, max_tokens);
  RecordNumber(span, kRequestTemperature, body, "temperature");
  RecordNumber(span, kRequestTopP, body, "top_p");
  RecordNumber(span, kRequestTopK, body, "top_k");
  RecordNumber(span, kRequestFrequencyPenalty, body, "frequency_penalty");
  RecordNumber(span, kRequestPresencePenalty, body, "presence_penalty");
  RecordInteger(span, kRequestSeed, Member(body, "seed"));
  if (const json::value* n = Member(body, "n"); n != nullptr && n->is_int64() && n->get_int64() != 1) {
    span.SetAttribute(kRequestChoiceCount, n->get_int64());
  }
  const json::value* stop = Member(body, "stop");
  if (stop == nullptr) stop = Member(body, "stop_sequences");  // Anthropic
  if (stop != nullptr) {
    std::vector<std::string> sequences;
    if (stop->is_string()) {
      sequences.emplace_back(stop->get_string());
    } else if (stop->is_array()) {
      for (const json::value& item : stop->get_array()) {
        if (item.is_string()) sequences.emplace_back(item.get_string());
      }
    }
    if (!sequences.empty()) span.SetAttribute(kRequestStopSequences, std::move(sequences));
  }
}

void RecordResponse(Span& span, const json::object& body) {
  if (!span.recording()) return;
  RecordString(span, kResponseId, Member(body, "id"));
  RecordString(span, kResponseModel, Member(body, "model"));
  std::vector<std::string> reasons;
  if (const json::value* choices = Member(body, "choices"); choices != nullptr && choices->is_array()) {
    for (const json::value& choice : choices->get_array()) {
      if (!choice.is_object()) continue;
      const json::value* reason = Member(choice.get_object(), "finish_reason");
      if (reason != nullptr && reason->is_string()) reasons.emplace_back(reason->get_string());
    }
  } else if (const json::value* stop = Member(body, "stop_reason"); stop != nullptr && stop->is_string()) {
    reasons.emplace_back(stop->get_string());  // Anthropic
  }
  if (!reasons.empty()) span.SetAttribute(kResponseFinishReasons, std::move(reasons));
}

void RecordUsage(Span& span, const core::Usage& usage) {
  if (!span.recording()) return;
  span.SetAttribute(kUsageInputTokens, usage.input_tokens);
  span.SetAttribute(kUsageOutputTokens, usage.output_tokens);
  if (usage.cached_input_tokens != 0) span.SetAttribute(kUsageCacheReadInputTokens, usage.cached_input_tokens);
  if (usage.cache_write_tokens != 0) span.SetAttribute(kUsageCacheCreationInputTokens, usage.cache_write_tokens);
  if (usage.estimated) span.SetAttribute(kStrataUsageEstimated, true);
}

void RecordInputContent(Span& span, const json::object& body) {
  if (!span.capturing_content()) return;
  if (const json::value* messages = Member(body, "messages")) {
    span.SetContent(kInputMessages, json::serialize(*messages));
  } else if (const json::value* prompt = Member(body, "prompt")) {
    span.SetContent(kInputMessages, json::serialize(*prompt));
  }
  if (const json::value* system = Member(body, "system")) {
    span.SetContent(kSystemInstructions, json::serialize(*system));
  }
}

void RecordOutputContent(Span& span, const json::object& body) {
  if (!span.capturing_content()) return;
  if (const json::value* choices = Member(body, "choices"); choices != nullptr && choices->is_array()) {
    json::array messages;
    for (const json::value& choice : choices->get_array()) {
      if (!choice.is_object()) continue;
      if (const json::value* message = Member(choice.get_object(), "message")) messages.push_back(*message);
    }
    if (!messages.empty()) span.SetContent(kOutputMessages, json::serialize(messages));
  } else if (const json::value* content = Member(body, "content")) {  // Anthropic
    json::object message;
    message["role"] = "assistant";
    message["content"] = *content;
    span.SetContent(kOutputMessages, json::serialize(json::array{std::move(message)}));
  }
}

void RecordServerAddress(Span& span, std::string_view base_url) {
  if (!span.recording() || base_url.empty()) return;
  core::Result<http::Url> url = http::Url::Parse(base_url);
  if (!url) return;
  span.SetAttribute(kServerAddress, url->host);
  span.SetAttribute(kServerPort, url->port);
}

}  // namespace strata::tracing::genai

#include "providers/openai_chat.h"

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
    json_fields::AppendJsonString(chunk, finish_reason);
  }
  chunk += "}]";
  if (include_usage) chunk += R"(,"usage":null)";
  chunk += '}';
  return chunk;
}

}  // namespace strata::providers::openai_chat

#include "mock_llm/internal/anthropic.h"

#include <boost/json/value.hpp>

#include "mock_llm/internal/json_out.h"
#include "mock_llm/internal/request.h"

namespace strata::mock_llm::anthropic {
namespace json = boost::json;
namespace {

constexpr std::uint64_t kMaxTokens = 1'000'000'000;
constexpr std::string_view kModelCreatedAt = "2025-01-01T00:00:00Z";

std::string_view StopReason(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "end_turn";
    case FinishReason::kLength: return "max_tokens";
    case FinishReason::kToolCall: return "tool_use";
  }
  return "end_turn";
}

std::string_view TypeOf(const json::value& value) {
  if (!value.is_object()) return {};
  const json::value* type = value.get_object().if_contains("type");
  return type && type->is_string() ? std::string_view(type->get_string()) : std::string_view();
}

struct Conversation {
  std::size_t input_bytes = 0;
  std::string user_text;
  bool ends_with_tool_result = false;
};

core::Result<Conversation> ReadConversation(const json::object& request) {
  auto messages = RequiredArray(request, "messages");
  if (!messages) return messages.error();
  Conversation conversation;
  if (const json::value* system = request.if_contains("system"); system && !system->is_null()) {
    if (!system->is_string() && !system->is_array()) {
      return core::Error::InvalidRequest("system: must be a string or a list of text blocks", "system");
    }
    conversation.input_bytes += ContentTextBytes(*system);
  }
  for (std::size_t i = 0; i < (*messages)->size(); ++i) {
    const json::value& message = (**messages)[i];
    const json::value* role = message.is_object() ? message.get_object().if_contains("role") : nullptr;
    const json::value* content = message.is_object() ? message.get_object().if_contains("content") : nullptr;
    if (role == nullptr || !role->is_string() || content == nullptr) {
      const std::string param = "messages." + std::to_string(i);
      return core::Error::InvalidRequest(param + ": must be an object with 'role' and 'content'", param);
    }
    conversation.input_bytes += ContentTextBytes(*content);
  }
  for (auto it = (*messages)->rbegin(); it != (*messages)->rend(); ++it) {
    const json::object& message = it->get_object();
    if (message.at("role").get_string() != "user") continue;
    if (AppendContentText(message.at("content"), conversation.user_text)) break;
  }
  const json::object& last = (*messages)->back().get_object();
  if (const json::value& content = last.at("content"); last.at("role").get_string() == "user" && content.is_array()) {
    for (const json::value& block : content.get_array()) {
      if (TypeOf(block) == "tool_result") conversation.ends_with_tool_result = true;
    }
  }
  return conversation;
}

// tool_choice {"type":"none"} → no call; "any" or "tool" → always; "auto"
// (the default) → unless the conversation ends with a tool result, so an
// agent loop gets its final answer.
core::Result<std::optional<Reply>> PlanToolUse(const json::object& request, bool ends_with_tool_result) {
  const json::value* tools = request.if_contains("tools");
  if (tools == nullptr || !tools->is_array() || tools->get_array().empty()) return std::optional<Reply>();

  bool forced = false;
  std::string_view wanted;
  if (const json::value* choice = request.if_contains("tool_choice"); choice && !choice->is_null()) {
    const std::string_view type = TypeOf(*choice);
    if (type == "none") return std::optional<Reply>();
    if (type == "tool") {
      const json::value* name = choice->get_object().if_contains("name");
      if (name == nullptr || !name->is_string()) {
        return core::Error::InvalidRequest("tool_choice.name: field required", "tool_choice.name");
      }
      wanted = name->get_string();
    } else if (type != "any" && type != "auto") {
      return core::Error::InvalidRequest("tool_choice.type: must be auto, any, tool or none", "tool_choice.type");
    }
    forced = type == "any" || type == "tool";
  }
  if (!forced && ends_with_tool_result) return std::optional<Reply>();

  for (const json::value& tool : tools->get_array()) {
    // Client tools carry an input_schema; server tools (web search, ...) do not.
    const json::object* object = tool.if_object();
    const json::value* name = object ? object->if_contains("name") : nullptr;
    const json::value* schema = object ? object->if_contains("input_schema") : nullptr;
    if (name == nullptr || !name->is_string() || schema == nullptr) continue;
    if (!wanted.empty() && name->get_string() != wanted) continue;
    return std::optional<Reply>(ToolReply(name->get_string(), schema, "toolu_"));
  }
  if (!wanted.empty()) {
    return core::Error::InvalidRequest("tool_choice.name: not the name of a tool in tools", "tool_choice.name");
  }
  return std::optional<Reply>();
}

void AppendUsage(std::string& out, std::uint64_t input, std::uint64_t output) {
  out += "{\"input_tokens\":";
  json_out::Number(out, input);
  out += ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":";
  json_out::Number(out, output);
  out += '}';
}

// `"id":"msg_…","type":"message","role":"assistant","model":"…"`
void AppendMessageHead(std::string& out, const MessagePlan& plan, const AnswerIds& ids) {
  out += "\"id\":\"msg_";
  out += ids.request_id;  // request ids are [A-Za-z0-9._:-]: nothing to escape
  out += "\",\"type\":\"message\",\"role\":\"assistant\",";
  json_out::Member(out, "model", plan.model);
}

std::string Event(std::string_view head, std::string_view body = {}, std::string_view tail = {}) {
  std::string data;
  data.reserve(head.size() + body.size() + tail.size());
  data.append(head).append(body).append(tail);
  return data;
}

}  // namespace

core::Result<MessagePlan> PlanMessage(const json::value& body, std::optional<std::string_view> reply_override) {
  auto object = BodyObject(body);
  if (!object) return object.error();
  const json::object& request = **object;
  auto model = RequiredString(request, "model");
  if (!model) return model.error();
  auto max_tokens = OptionalInteger(request, "max_tokens", 1, kMaxTokens);
  if (!max_tokens) return max_tokens.error();
  if (!*max_tokens) return core::Error::InvalidRequest("max_tokens: field required", "max_tokens");
  auto conversation = ReadConversation(request);
  if (!conversation) return conversation.error();
  auto stream = OptionalBool(request, "stream");
  if (!stream) return stream.error();
  auto tool_use = PlanToolUse(request, conversation->ends_with_tool_result);
  if (!tool_use) return tool_use.error();

  MessagePlan plan;
  plan.model.assign(*model);
  plan.reply = *tool_use ? std::move(**tool_use) : TextReply(conversation->user_text, reply_override, *max_tokens);
  plan.input_tokens = CountTokens(conversation->input_bytes);
  plan.stream = *stream;
  return plan;
}

std::string RenderMessage(const MessagePlan& plan, const AnswerIds& ids) {
  const Reply& reply = plan.reply;
  std::string out;
  out.reserve(320 + reply.text.size() + (reply.tool_call ? reply.tool_call->arguments.size() : 0));
  out += '{';
  AppendMessageHead(out, plan, ids);
  if (reply.tool_call) {
    out += ",\"content\":[{\"type\":\"tool_use\",";
    json_out::Member(out, "id", reply.tool_call->id);
    out += ',';
    json_out::Member(out, "name", reply.tool_call->name);
    out += ",\"input\":";
    out += reply.tool_call->arguments;
    out += "}]";
  } else {
    out += ",\"content\":[{\"type\":\"text\",";
    json_out::Member(out, "text", reply.text);
    out += "}]";
  }
  out += ",\"stop_reason\":\"";
  out += StopReason(reply.finish);
  out += "\",\"stop_sequence\":null,\"usage\":";
  AppendUsage(out, plan.input_tokens, reply.completion_tokens);
  out += '}';
  return out;
}

std::vector<SseEvent> RenderMessageStream(const MessagePlan& plan, const AnswerIds& ids, std::uint32_t chunks) {
  const Reply& reply = plan.reply;
  const std::vector<std::string_view> pieces =
      SplitPieces(reply.tool_call ? std::string_view(reply.tool_call->arguments) : std::string_view(reply.text),
                  chunks);
  std::vector<SseEvent> events;
  events.reserve(pieces.size() + 6);

  std::string data = "{\"type\":\"message_start\",\"message\":{";
  AppendMessageHead(data, plan, ids);
  data += ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":";
  AppendUsage(data, plan.input_tokens, 0);
  data += "}}";
  events.push_back({"message_start", std::move(data)});

  data = "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":";
  if (reply.tool_call) {
    data += "{\"type\":\"tool_use\",";
    json_out::Member(data, "id", reply.tool_call->id);
    data += ',';
    json_out::Member(data, "name", reply.tool_call->name);
    data += ",\"input\":{}}}";
  } else {
    data += "{\"type\":\"text\",\"text\":\"\"}}";
  }
  events.push_back({"content_block_start", std::move(data)});
  events.push_back({"ping", "{\"type\":\"ping\"}"});

  const std::string_view delta_head = reply.tool_call
      ? "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
      : "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":";
  std::string piece_json;
  for (const std::string_view piece : pieces) {
    piece_json.clear();
    json_out::String(piece_json, piece);
    events.push_back({"content_block_delta", Event(delta_head, piece_json, "}}"), true});
  }
  events.push_back({"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"});

  data = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"";
  data += StopReason(reply.finish);
  data += "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":";
  json_out::Number(data, reply.completion_tokens);
  data += "}}";
  events.push_back({"message_delta", std::move(data)});
  events.push_back({"message_stop", "{\"type\":\"message_stop\"}"});
  return events;
}

core::Result<std::string> RenderCountTokens(const json::value& body) {
  auto object = BodyObject(body);
  if (!object) return object.error();
  auto model = RequiredString(**object, "model");
  if (!model) return model.error();
  auto conversation = ReadConversation(**object);
  if (!conversation) return conversation.error();
  std::string out = "{\"input_tokens\":";
  json_out::Number(out, CountTokens(conversation->input_bytes));
  out += '}';
  return out;
}

std::string RenderModelList(const std::vector<std::string>& models) {
  std::string out = "{\"data\":[";
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (i > 0) out += ',';
    out += RenderModel(models[i]);
  }
  out += "],\"has_more\":false,\"first_id\":";
  if (models.empty()) {
    out += "null,\"last_id\":null}";
    return out;
  }
  json_out::String(out, models.front());
  out += ",\"last_id\":";
  json_out::String(out, models.back());
  out += '}';
  return out;
}

std::string RenderModel(std::string_view id) {
  std::string out = "{\"type\":\"model\",";
  json_out::Member(out, "id", id);
  out += ',';
  json_out::Member(out, "display_name", id);
  out += ",\"created_at\":\"";
  out += kModelCreatedAt;
  out += "\"}";
  return out;
}

std::string RenderError(const core::Error& error) {
  std::string out = "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",";
  json_out::Member(out, "message", error.message());
  out += "}}";
  return out;
}

std::string RenderStatusError(int status) {
  std::string_view type = status >= 500 ? "api_error" : "invalid_request_error";
  std::string_view message = status >= 500 ? "Internal server error (mock fault)" : "Request refused (mock fault)";
  switch (status) {
    case 401: type = "authentication_error"; message = "invalid x-api-key (mock fault)"; break;
    case 402: type = "billing_error"; message = "Billing issue (mock fault)"; break;
    case 403: type = "permission_error"; message = "Permission denied (mock fault)"; break;
    case 404: type = "not_found_error"; message = "Not found (mock fault)"; break;
    case 413: type = "request_too_large"; message = "Request exceeds the maximum size (mock fault)"; break;
    case 429:
      type = "rate_limit_error";
      message = "Number of requests has exceeded your rate limit (mock fault)";
      break;
    case 504: type = "timeout_error"; message = "Request timed out (mock fault)"; break;
    case 529: type = "overloaded_error"; message = "Overloaded (mock fault)"; break;
  }
  std::string out = "{\"type\":\"error\",\"error\":{";
  json_out::Member(out, "type", type);
  out += ',';
  json_out::Member(out, "message", message);
  out += "}}";
  return out;
}

}  // namespace strata::mock_llm::anthropic

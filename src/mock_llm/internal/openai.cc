#include "mock_llm/internal/openai.h"

#include <boost/json/value.hpp>

#include "mock_llm/internal/json_out.h"
#include "mock_llm/internal/request.h"

namespace strata::mock_llm::openai {
namespace json = boost::json;
namespace {

constexpr std::uint64_t kMaxChoices = 128;
constexpr std::uint64_t kMaxTokens = 1'000'000'000;
constexpr std::int64_t kModelCreated = 1'700'000'000;  // any fixed date will do
constexpr std::string_view kFingerprint = "fp_mock";

std::string_view FinishName(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kToolCall: return "tool_calls";
  }
  return "stop";
}

void AppendUsage(std::string& out, std::uint64_t prompt, std::uint64_t completion) {
  out += "{\"prompt_tokens\":";
  json_out::Number(out, prompt);
  out += ",\"completion_tokens\":";
  json_out::Number(out, completion);
  out += ",\"total_tokens\":";
  json_out::Number(out, prompt + completion);
  out += ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0}"
         ",\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
         "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}";
}

// `{"id":"<prefix><request id>","object":"<object>","created":N,"model":"<model>"`
void AppendHeader(std::string& out, std::string_view id_prefix, const AnswerIds& ids, std::string_view object,
                  std::string_view model) {
  out += "{\"id\":\"";
  out += id_prefix;
  out += ids.request_id;  // request ids are [A-Za-z0-9._:-]: nothing to escape
  out += "\",\"object\":\"";
  out += object;
  out += "\",\"created\":";
  json_out::Number(out, ids.created);
  out += ',';
  json_out::Member(out, "model", model);
}

core::Result<bool> IncludeUsage(const json::object& request) {
  const json::value* options = request.if_contains("stream_options");
  if (options == nullptr || options->is_null()) return false;
  if (!options->is_object()) {
    return core::Error::InvalidRequest("stream_options: must be an object", "stream_options");
  }
  return OptionalBool(options->get_object(), "include_usage");
}

// max_completion_tokens wins over the older max_tokens.
core::Result<std::optional<std::uint64_t>> MaxTokens(const json::object& request) {
  auto max_completion = OptionalInteger(request, "max_completion_tokens", 1, kMaxTokens);
  if (!max_completion || *max_completion) return max_completion;
  return OptionalInteger(request, "max_tokens", 1, kMaxTokens);
}

std::string_view FunctionName(const json::value& tool) {
  if (!tool.is_object()) return {};
  const json::object& object = tool.get_object();
  const json::value* type = object.if_contains("type");
  const json::value* function = object.if_contains("function");
  if (type == nullptr || !type->is_string() || type->get_string() != "function" || function == nullptr ||
      !function->is_object()) {
    return {};
  }
  const json::value* name = function->get_object().if_contains("name");
  return name && name->is_string() ? std::string_view(name->get_string()) : std::string_view();
}

// The tool call to make, if any: tool_choice "none" → none; "required" or a
// named function → always; "auto" (the default) → unless the conversation
// ends with a tool result, so an agent loop gets its final answer.
core::Result<std::optional<Reply>> PlanToolCall(const json::object& request, bool ends_with_tool_result) {
  const json::value* tools = request.if_contains("tools");
  if (tools == nullptr || !tools->is_array() || tools->get_array().empty()) return std::optional<Reply>();

  bool forced = false;
  std::string_view wanted;
  if (const json::value* choice = request.if_contains("tool_choice"); choice && !choice->is_null()) {
    if (choice->is_string()) {
      const std::string_view mode = choice->get_string();
      if (mode == "none") return std::optional<Reply>();
      if (mode != "auto" && mode != "required") {
        return core::Error::InvalidRequest("tool_choice: must be none, auto, required or a function",
                                           "tool_choice");
      }
      forced = mode == "required";
    } else if (!FunctionName(*choice).empty()) {
      wanted = FunctionName(*choice);
      forced = true;
    }
  }
  if (!forced && ends_with_tool_result) return std::optional<Reply>();

  for (const json::value& tool : tools->get_array()) {
    const std::string_view name = FunctionName(tool);
    if (name.empty() || (!wanted.empty() && name != wanted)) continue;
    const json::value* parameters = tool.get_object().at("function").get_object().if_contains("parameters");
    return std::optional<Reply>(ToolReply(name, parameters, "call_"));
  }
  if (!wanted.empty()) {
    return core::Error::InvalidRequest("tool_choice: names a function that is not in tools", "tool_choice");
  }
  return std::optional<Reply>();
}

void AppendMessage(std::string& out, const Reply& reply) {
  if (reply.tool_call) {
    const ToolCall& call = *reply.tool_call;
    out += "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{";
    json_out::Member(out, "id", call.id);
    out += ",\"type\":\"function\",\"function\":{";
    json_out::Member(out, "name", call.name);
    out += ',';
    json_out::Member(out, "arguments", call.arguments);
    out += "}}],\"refusal\":null,\"annotations\":[]}";
  } else {
    out += "{\"role\":\"assistant\",";
    json_out::Member(out, "content", reply.text);
    out += ",\"refusal\":null,\"annotations\":[]}";
  }
}

// Every stream chunk is `<prefix><one choice or none><suffix>`; building the
// fixed parts once keeps each event to a few appends.
struct ChunkFrame {
  std::string prefix;  // ... "choices":[
  std::string_view suffix;

  std::string Chunk(std::string_view choice) const {
    std::string chunk;
    chunk.reserve(prefix.size() + choice.size() + suffix.size());
    chunk.append(prefix).append(choice).append(suffix);
    return chunk;
  }
};

void AppendStreamChoice(std::string& out, std::size_t index, std::string_view delta_or_text_key,
                        std::string_view finish) {
  out += "{\"index\":";
  json_out::Number(out, index);
  out += delta_or_text_key;
  out += ",\"logprobs\":null,\"finish_reason\":";
  if (finish.empty()) {
    out += "null}";
  } else {
    json_out::String(out, finish);
    out += '}';
  }
}

std::string ChatChoice(std::size_t index, std::string_view delta, std::string_view finish = {}) {
  std::string choice = ",\"delta\":";
  choice.append(delta);
  std::string out;
  out.reserve(choice.size() + 64);
  AppendStreamChoice(out, index, choice, finish);
  return out;
}

std::string UsageChunk(const ChunkFrame& frame, std::uint64_t prompt, std::uint64_t completion) {
  std::string chunk = frame.prefix;
  chunk += "],\"usage\":";
  AppendUsage(chunk, prompt, completion);
  chunk += '}';
  return chunk;
}

// The prompt as the mock echoes it: strings as they are, token ids as "[<k> tokens]".
struct Prompt {
  std::string text;
  std::uint32_t tokens = 0;
};

core::Result<std::vector<Prompt>> ReadPrompts(const json::object& request) {
  const json::value* prompt = request.if_contains("prompt");
  const auto bad = [] {
    return core::Error::InvalidRequest("prompt: must be a string, a list of strings or token ids", "prompt");
  };
  std::vector<Prompt> prompts;
  const auto add_tokens = [&prompts](std::size_t count) {
    prompts.push_back({"[" + std::to_string(count) + " tokens]", static_cast<std::uint32_t>(count)});
  };
  if (prompt == nullptr || prompt->is_null()) return core::Error::InvalidRequest("prompt: field required", "prompt");
  if (prompt->is_string()) {
    prompts.push_back({std::string(prompt->get_string()), CountTokens(prompt->get_string().size())});
    return prompts;
  }
  if (!prompt->is_array() || prompt->get_array().empty()) return bad();
  const json::array& items = prompt->get_array();
  if (items.front().is_number()) {
    add_tokens(items.size());
    return prompts;
  }
  for (const json::value& item : items) {
    if (item.is_string()) {
      prompts.push_back({std::string(item.get_string()), CountTokens(item.get_string().size())});
    } else if (item.is_array()) {
      add_tokens(item.get_array().size());
    } else {
      return bad();
    }
  }
  return prompts;
}

}  // namespace

core::Result<ChatPlan> PlanChat(const json::value& body, std::optional<std::string_view> reply_override) {
  auto object = BodyObject(body);
  if (!object) return object.error();
  const json::object& request = **object;
  auto model = RequiredString(request, "model");
  if (!model) return model.error();
  auto messages = RequiredArray(request, "messages");
  if (!messages) return messages.error();
  auto n = OptionalInteger(request, "n", 1, kMaxChoices);
  if (!n) return n.error();
  auto stream = OptionalBool(request, "stream");
  if (!stream) return stream.error();
  auto include_usage = IncludeUsage(request);
  if (!include_usage) return include_usage.error();
  auto max_tokens = MaxTokens(request);
  if (!max_tokens) return max_tokens.error();

  std::size_t prompt_bytes = 0;
  std::string_view last_role;
  for (std::size_t i = 0; i < (*messages)->size(); ++i) {
    const json::value& message = (**messages)[i];
    const json::value* role = message.is_object() ? message.get_object().if_contains("role") : nullptr;
    if (role == nullptr || !role->is_string()) {
      const std::string param = "messages[" + std::to_string(i) + "]";
      return core::Error::InvalidRequest(param + ": must be an object with a string 'role'", param);
    }
    last_role = role->get_string();
    if (const json::value* content = message.get_object().if_contains("content")) {
      prompt_bytes += ContentTextBytes(*content);
    }
  }
  std::string user_text;
  for (auto it = (*messages)->rbegin(); it != (*messages)->rend(); ++it) {
    const json::object& message = it->get_object();
    const json::value* content = message.if_contains("content");
    if (message.at("role").get_string() != "user" || content == nullptr) continue;
    if (AppendContentText(*content, user_text)) break;
  }

  auto tool_call = PlanToolCall(request, last_role == "tool" || last_role == "function");
  if (!tool_call) return tool_call.error();

  ChatPlan plan;
  plan.model.assign(*model);
  plan.reply = *tool_call ? std::move(**tool_call) : TextReply(user_text, reply_override, *max_tokens);
  plan.n = static_cast<std::uint32_t>(n->value_or(1));
  plan.prompt_tokens = CountTokens(prompt_bytes);
  plan.stream = *stream;
  plan.include_usage = *include_usage;
  return plan;
}

std::string RenderChat(const ChatPlan& plan, const AnswerIds& ids) {
  std::string message;
  AppendMessage(message, plan.reply);
  std::string out;
  out.reserve(256 + plan.n * (message.size() + 64));
  AppendHeader(out, "chatcmpl-", ids, "chat.completion", plan.model);
  out += ",\"choices\":[";
  for (std::uint32_t i = 0; i < plan.n; ++i) {
    if (i > 0) out += ',';
    out += "{\"index\":";
    json_out::Number(out, i);
    out += ",\"message\":";
    out += message;
    out += ",\"logprobs\":null,\"finish_reason\":\"";
    out += FinishName(plan.reply.finish);
    out += "\"}";
  }
  out += "],\"usage\":";
  AppendUsage(out, plan.prompt_tokens, std::uint64_t{plan.reply.completion_tokens} * plan.n);
  out += ",\"service_tier\":\"default\",\"system_fingerprint\":\"";
  out += kFingerprint;
  out += "\"}";
  return out;
}

std::vector<SseEvent> RenderChatStream(const ChatPlan& plan, const AnswerIds& ids, std::uint32_t chunks) {
  ChunkFrame frame;
  AppendHeader(frame.prefix, "chatcmpl-", ids, "chat.completion.chunk", plan.model);
  frame.prefix += ",\"service_tier\":\"default\",\"system_fingerprint\":\"";
  frame.prefix += kFingerprint;
  frame.prefix += "\",\"choices\":[";
  frame.suffix = plan.include_usage ? std::string_view("],\"usage\":null}") : std::string_view("]}");

  const Reply& reply = plan.reply;
  std::string first_delta;
  if (reply.tool_call) {
    first_delta = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,";
    json_out::Member(first_delta, "id", reply.tool_call->id);
    first_delta += ",\"type\":\"function\",\"function\":{";
    json_out::Member(first_delta, "name", reply.tool_call->name);
    first_delta += ",\"arguments\":\"\"}}],\"refusal\":null}";
  } else {
    first_delta = "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}";
  }
  const std::vector<std::string_view> pieces =
      SplitPieces(reply.tool_call ? std::string_view(reply.tool_call->arguments) : std::string_view(reply.text),
                  chunks);

  std::vector<SseEvent> events;
  events.reserve(plan.n * (pieces.size() + 2) + 2);
  for (std::uint32_t i = 0; i < plan.n; ++i) events.push_back({{}, frame.Chunk(ChatChoice(i, first_delta))});
  // Pieces go out position by position across the choices, as the real API interleaves them.
  std::string delta;
  for (const std::string_view piece : pieces) {
    delta.clear();
    if (reply.tool_call) {
      delta += "{\"tool_calls\":[{\"index\":0,\"function\":{";
      json_out::Member(delta, "arguments", piece);
      delta += "}}]}";
    } else {
      delta += '{';
      json_out::Member(delta, "content", piece);
      delta += '}';
    }
    for (std::uint32_t i = 0; i < plan.n; ++i) {
      events.push_back({{}, frame.Chunk(ChatChoice(i, delta)), true});
    }
  }
  for (std::uint32_t i = 0; i < plan.n; ++i) {
    events.push_back({{}, frame.Chunk(ChatChoice(i, "{}", FinishName(reply.finish)))});
  }
  if (plan.include_usage) {
    events.push_back({{}, UsageChunk(frame, plan.prompt_tokens, std::uint64_t{reply.completion_tokens} * plan.n)});
  }
  events.push_back({{}, "[DONE]"});
  return events;
}

core::Result<CompletionPlan> PlanCompletion(const json::value& body, std::optional<std::string_view> reply_override) {
  auto object = BodyObject(body);
  if (!object) return object.error();
  const json::object& request = **object;
  auto model = RequiredString(request, "model");
  if (!model) return model.error();
  auto prompts = ReadPrompts(request);
  if (!prompts) return prompts.error();
  auto n = OptionalInteger(request, "n", 1, kMaxChoices);
  if (!n) return n.error();
  auto stream = OptionalBool(request, "stream");
  if (!stream) return stream.error();
  auto include_usage = IncludeUsage(request);
  if (!include_usage) return include_usage.error();
  auto max_tokens = OptionalInteger(request, "max_tokens", 1, kMaxTokens);
  if (!max_tokens) return max_tokens.error();

  CompletionPlan plan;
  plan.model.assign(*model);
  plan.n = static_cast<std::uint32_t>(n->value_or(1));
  plan.stream = *stream;
  plan.include_usage = *include_usage;
  plan.replies.reserve(prompts->size());
  for (const Prompt& prompt : *prompts) {
    plan.prompt_tokens += prompt.tokens;
    plan.replies.push_back(TextReply(prompt.text, reply_override, *max_tokens));
  }
  return plan;
}

std::string RenderCompletion(const CompletionPlan& plan, const AnswerIds& ids) {
  std::string out;
  AppendHeader(out, "cmpl-", ids, "text_completion", plan.model);
  out += ",\"choices\":[";
  std::uint64_t completion_tokens = 0;
  std::size_t index = 0;
  for (const Reply& reply : plan.replies) {
    for (std::uint32_t i = 0; i < plan.n; ++i, ++index) {
      if (index > 0) out += ',';
      out += '{';
      json_out::Member(out, "text", reply.text);
      out += ",\"index\":";
      json_out::Number(out, index);
      out += ",\"logprobs\":null,\"finish_reason\":\"";
      out += FinishName(reply.finish);
      out += "\"}";
      completion_tokens += reply.completion_tokens;
    }
  }
  out += "],\"usage\":";
  AppendUsage(out, plan.prompt_tokens, completion_tokens);
  out += ",\"system_fingerprint\":\"";
  out += kFingerprint;
  out += "\"}";
  return out;
}

std::vector<SseEvent> RenderCompletionStream(const CompletionPlan& plan, const AnswerIds& ids,
                                             std::uint32_t chunks) {
  ChunkFrame frame;
  AppendHeader(frame.prefix, "cmpl-", ids, "text_completion", plan.model);
  frame.prefix += ",\"system_fingerprint\":\"";
  frame.prefix += kFingerprint;
  frame.prefix += "\",\"choices\":[";
  frame.suffix = plan.include_usage ? std::string_view("],\"usage\":null}") : std::string_view("]}");

  std::vector<SseEvent> events;
  std::uint64_t completion_tokens = 0;
  std::string text;
  std::size_t index = 0;
  for (const Reply& reply : plan.replies) {
    const std::vector<std::string_view> pieces = SplitPieces(reply.text, chunks);
    for (std::uint32_t i = 0; i < plan.n; ++i, ++index) {
      for (const std::string_view piece : pieces) {
        text.clear();
        text += ',';
        json_out::Member(text, "text", piece);
        std::string choice;
        AppendStreamChoice(choice, index, text, {});
        events.push_back({{}, frame.Chunk(choice), true});
      }
      std::string choice;
      AppendStreamChoice(choice, index, ",\"text\":\"\"", FinishName(reply.finish));
      events.push_back({{}, frame.Chunk(choice)});
      completion_tokens += reply.completion_tokens;
    }
  }
  if (plan.include_usage) events.push_back({{}, UsageChunk(frame, plan.prompt_tokens, completion_tokens)});
  events.push_back({{}, "[DONE]"});
  return events;
}

std::string RenderModelList(const std::vector<std::string>& models) {
  std::string out = "{\"object\":\"list\",\"data\":[";
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (i > 0) out += ',';
    out += RenderModel(models[i]);
  }
  out += "]}";
  return out;
}

std::string RenderModel(std::string_view id) {
  std::string out = "{";
  json_out::Member(out, "id", id);
  out += ",\"object\":\"model\",\"created\":";
  json_out::Number(out, kModelCreated);
  out += ",\"owned_by\":\"strata-mock\"}";
  return out;
}

std::string RenderError(const core::Error& error) {
  std::string out = "{\"error\":{";
  json_out::Member(out, "message", error.message());
  out += ",\"type\":\"invalid_request_error\",\"param\":";
  if (error.param().empty()) {
    out += "null";
  } else {
    json_out::String(out, error.param());
  }
  out += ",\"code\":null}}";
  return out;
}

std::string RenderStatusError(int status) {
  struct Shape {
    std::string_view type;
    std::string_view code;  // empty: null
    std::string_view message;
  };
  Shape shape{"server_error", {}, "The server had an error while processing your request (mock fault)."};
  switch (status) {
    case 400: shape = {"invalid_request_error", {}, "Bad request (mock fault)."}; break;
    case 401: shape = {"invalid_request_error", "invalid_api_key", "Incorrect API key provided (mock fault)."}; break;
    case 403: shape = {"invalid_request_error", "permission_denied", "Forbidden (mock fault)."}; break;
    case 404: shape = {"invalid_request_error", "model_not_found", "The model does not exist (mock fault)."}; break;
    case 409: shape = {"invalid_request_error", {}, "Conflict (mock fault)."}; break;
    case 422: shape = {"invalid_request_error", {}, "Unprocessable entity (mock fault)."}; break;
    case 429: shape = {"requests", "rate_limit_exceeded", "Rate limit reached for requests (mock fault)."}; break;
    case 503:
      shape = {"server_error", {}, "The engine is currently overloaded, please try again later (mock fault)."};
      break;
    default:
      if (status < 500) shape = {"invalid_request_error", {}, "Request refused (mock fault)."};
  }
  std::string out = "{\"error\":{";
  json_out::Member(out, "message", shape.message);
  out += ',';
  json_out::Member(out, "type", shape.type);
  out += ",\"param\":null,\"code\":";
  if (shape.code.empty()) {
    out += "null";
  } else {
    json_out::String(out, shape.code);
  }
  out += "}}";
  return out;
}

}  // namespace strata::mock_llm::openai

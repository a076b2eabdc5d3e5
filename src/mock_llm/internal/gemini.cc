#include "mock_llm/internal/gemini.h"

#include <algorithm>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "mock_llm/internal/json_out.h"
#include "mock_llm/internal/request.h"

namespace strata::mock_llm::gemini {
namespace json = boost::json;
namespace {

constexpr std::uint64_t kMaxTokens = 1'000'000'000;
constexpr std::uint64_t kMaxCandidates = 8;  // the real API's limit
constexpr std::string_view kThoughtPrefix = "Mock thoughts about: ";
constexpr std::string_view kJsonMimeType = "application/json";

std::string_view FinishName(FinishReason reason) {
  // A function call ends a Gemini turn with STOP: the caller sees the call in the parts.
  return reason == FinishReason::kLength ? "MAX_TOKENS" : "STOP";
}

std::string_view StatusName(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "ABORTED";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 501: return "UNIMPLEMENTED";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

core::Error Invalid(std::string param, std::string_view message) {
  std::string text = "Invalid value at '" + param + "': ";
  text += message;
  return core::Error::InvalidRequest(std::move(text), std::move(param));
}

const json::value* Member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

std::string_view StringMember(const json::object& object, std::string_view key) {
  const json::value* value = Member(object, key);
  return value != nullptr && value->is_string() ? std::string_view(value->get_string()) : std::string_view();
}

// A member that, when given, must be an object.
core::Result<const json::object*> OptionalObject(const json::object& object, std::string_view key,
                                                 std::string_view param) {
  const json::value* value = Member(object, key);
  if (value == nullptr) return static_cast<const json::object*>(nullptr);
  if (!value->is_object()) return Invalid(std::string(param), "must be an object");
  return &value->get_object();
}

struct Conversation {
  std::size_t input_bytes = 0;
  std::string user_text;
  bool ends_with_function_response = false;
};

// Text bytes of a Content's parts (thoughts and function traffic do not count),
// after checking the shape the real API insists on.
core::Result<std::size_t> PartsTextBytes(const json::object& content, const std::string& param) {
  const json::value* parts = Member(content, "parts");
  if (parts == nullptr || !parts->is_array()) return Invalid(param + ".parts", "must be a list of parts");
  std::size_t bytes = 0;
  for (std::size_t j = 0; j < parts->get_array().size(); ++j) {
    const json::value& part = parts->get_array()[j];
    if (!part.is_object()) return Invalid(param + ".parts[" + std::to_string(j) + "]", "must be an object");
    if (const json::value* text = part.get_object().if_contains("text"); text && text->is_string()) {
      bytes += text->get_string().size();
    }
  }
  return bytes;
}

// The text of a Content's non-thought text parts joined with '\n'; whether any was found.
bool AppendPartsText(const json::object& content, std::string& out) {
  const json::value* parts = content.if_contains("parts");
  if (parts == nullptr || !parts->is_array()) return false;
  bool found = false;
  for (const json::value& part : parts->get_array()) {
    const json::object& object = part.get_object();
    const json::value* text = object.if_contains("text");
    const json::value* thought = object.if_contains("thought");
    if (text == nullptr || !text->is_string() || (thought && thought->is_bool() && thought->get_bool())) continue;
    if (found) out += '\n';
    out.append(text->get_string());
    found = true;
  }
  return found;
}

core::Result<Conversation> ReadConversation(const json::object& request) {
  auto contents = RequiredArray(request, "contents");
  if (!contents) return contents.error();
  Conversation conversation;
  auto system = OptionalObject(request, "systemInstruction", "system_instruction");
  if (!system) return system.error();
  if (*system) {
    auto bytes = PartsTextBytes(**system, "system_instruction");
    if (!bytes) return bytes.error();
    conversation.input_bytes += *bytes;
  }
  for (std::size_t i = 0; i < (*contents)->size(); ++i) {
    const std::string param = "contents[" + std::to_string(i) + "]";
    const json::value& content = (**contents)[i];
    if (!content.is_object()) return Invalid(param, "must be an object");
    const std::string_view role = StringMember(content.get_object(), "role");
    if (!role.empty() && role != "user" && role != "model") {
      return core::Error::InvalidRequest("Please use a valid role: user, model.", param + ".role");
    }
    auto bytes = PartsTextBytes(content.get_object(), param);
    if (!bytes) return bytes.error();
    conversation.input_bytes += *bytes;
  }
  for (auto it = (*contents)->rbegin(); it != (*contents)->rend(); ++it) {
    const json::object& content = it->get_object();
    if (StringMember(content, "role") == "model") continue;
    if (AppendPartsText(content, conversation.user_text)) break;
  }
  for (const json::value& part : (*contents)->back().get_object().at("parts").get_array()) {
    if (part.get_object().contains("functionResponse")) conversation.ends_with_function_response = true;
  }
  return conversation;
}

// functionCallingConfig.mode NONE → no call; ANY → always (to the first
// allowed function); AUTO (the default) and VALIDATED → unless the
// conversation ends with a function response, so an agent loop gets its answer.
core::Result<std::optional<Reply>> PlanFunctionCall(const json::object& request, bool ends_with_function_response) {
  const json::value* tools = Member(request, "tools");
  if (tools == nullptr) return std::optional<Reply>();
  if (!tools->is_array()) return Invalid("tools", "must be a list");

  std::string_view mode = "AUTO";
  std::vector<std::string_view> allowed;
  auto tool_config = OptionalObject(request, "toolConfig", "tool_config");
  if (!tool_config) return tool_config.error();
  if (*tool_config) {
    auto config = OptionalObject(**tool_config, "functionCallingConfig", "tool_config.function_calling_config");
    if (!config) return config.error();
    if (*config) {
      if (const json::value* given = Member(**config, "mode")) {
        mode = given->is_string() ? std::string_view(given->get_string()) : std::string_view("?");
        if (mode != "AUTO" && mode != "ANY" && mode != "NONE" && mode != "VALIDATED" && mode != "MODE_UNSPECIFIED") {
          return Invalid("tool_config.function_calling_config.mode", "must be AUTO, ANY, NONE or VALIDATED");
        }
      }
      if (const json::value* names = Member(**config, "allowedFunctionNames")) {
        if (!names->is_array()) {
          return Invalid("tool_config.function_calling_config.allowed_function_names", "must be a list of names");
        }
        for (const json::value& name : names->get_array()) {
          if (!name.is_string()) {
            return Invalid("tool_config.function_calling_config.allowed_function_names", "must be a list of names");
          }
          allowed.push_back(name.get_string());
        }
      }
    }
  }
  if (mode == "NONE") return std::optional<Reply>();
  if (mode != "ANY" && ends_with_function_response) return std::optional<Reply>();

  bool declared = false;
  for (std::size_t i = 0; i < tools->get_array().size(); ++i) {
    const json::value& tool = tools->get_array()[i];
    if (!tool.is_object()) return Invalid("tools[" + std::to_string(i) + "]", "must be an object");
    // Other tools (googleSearch, codeExecution, …) are the vendor's to run: skipped.
    const json::value* declarations = Member(tool.get_object(), "functionDeclarations");
    if (declarations == nullptr) continue;
    if (!declarations->is_array()) {
      return Invalid("tools[" + std::to_string(i) + "].function_declarations", "must be a list");
    }
    for (const json::value& declaration : declarations->get_array()) {
      const json::object* object = declaration.if_object();
      const std::string_view name = object != nullptr ? StringMember(*object, "name") : std::string_view();
      if (name.empty()) {
        return Invalid("tools[" + std::to_string(i) + "].function_declarations", "every declaration needs a name");
      }
      declared = true;
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) continue;
      const json::value* schema = Member(*object, "parameters");
      if (schema == nullptr) schema = Member(*object, "parametersJsonSchema");
      return std::optional<Reply>(ToolReply(name, schema, "call_"));
    }
  }
  if (declared && !allowed.empty()) {
    return Invalid("tool_config.function_calling_config.allowed_function_names",
                   "names no function in tools.function_declarations");
  }
  return std::optional<Reply>();
}

struct Thinking {
  bool on = false;
  bool include = false;
  std::optional<std::uint64_t> budget;  // a positive thinkingBudget caps the thought
};

core::Result<Thinking> ReadThinking(const json::object& generation_config) {
  Thinking thinking;
  auto config = OptionalObject(generation_config, "thinkingConfig", "generation_config.thinking_config");
  if (!config) return config.error();
  if (*config == nullptr) return thinking;
  thinking.on = true;
  if (const json::value* budget = Member(**config, "thinkingBudget")) {
    // -1 asks for a dynamic budget, 0 turns thinking off.
    if (!budget->is_int64() && !budget->is_uint64()) {
      return Invalid("generation_config.thinking_config.thinking_budget", "must be an integer");
    }
    const std::int64_t value = budget->is_int64() ? budget->get_int64() : static_cast<std::int64_t>(kMaxTokens);
    if (value < -1) return Invalid("generation_config.thinking_config.thinking_budget", "must be -1 or more");
    if (value == 0) thinking.on = false;
    if (value > 0) thinking.budget = static_cast<std::uint64_t>(value);
  }
  auto include = OptionalBool(**config, "includeThoughts");
  if (!include) return include.error();
  thinking.include = thinking.on && *include;
  return thinking;
}

// The text of a JSON-mode answer: an example of the schema, or the reply wrapped in an object.
std::string JsonAnswer(const json::object& generation_config, std::string_view user_text) {
  const json::value* schema = Member(generation_config, "responseSchema");
  if (schema == nullptr) schema = Member(generation_config, "responseJsonSchema");
  if (schema != nullptr) return json::serialize(ExampleFromSchema(*schema));
  std::string out = "{";
  std::string reply(kReplyPrefix);
  reply += user_text;
  json_out::Member(out, "reply", reply);
  out += '}';
  return out;
}

void AppendUsage(std::string& out, const GeneratePlan& plan, bool final) {
  const std::uint64_t candidates = final ? std::uint64_t{plan.reply.completion_tokens} * plan.candidates : 0;
  const std::uint64_t thoughts = std::uint64_t{plan.thought_tokens} * plan.candidates;
  out += "{\"promptTokenCount\":";
  json_out::Number(out, plan.prompt_tokens);
  if (final) {
    out += ",\"candidatesTokenCount\":";
    json_out::Number(out, candidates);
  }
  out += ",\"totalTokenCount\":";
  json_out::Number(out, plan.prompt_tokens + candidates + (final ? thoughts : 0));
  if (plan.cached_tokens > 0) {
    out += ",\"cachedContentTokenCount\":";
    json_out::Number(out, plan.cached_tokens);
  }
  if (final && thoughts > 0) {
    out += ",\"thoughtsTokenCount\":";
    json_out::Number(out, thoughts);
  }
  out += ",\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":";
  json_out::Number(out, plan.prompt_tokens);
  out += "}]}";
}

// `,"modelVersion":"…","responseId":"…"}`: every response object ends so.
void AppendTail(std::string& out, const GeneratePlan& plan, const AnswerIds& ids) {
  out += ',';
  json_out::Member(out, "modelVersion", plan.model);
  out += ",\"responseId\":\"";
  out += ids.request_id;  // request ids are [A-Za-z0-9._:-]: nothing to escape
  out += "\"}";
}

// A deterministic stand-in for the opaque signature Gemini puts on the
// function calls of a thinking turn: 24 base64 characters from the name.
std::string ThoughtSignature(std::string_view name) {
  static constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::uint64_t state = Fnv1a(name, Fnv1a("thought-signature"));
  std::string out;
  for (int i = 0; i < 24; ++i) {
    if (i % 10 == 0) SplitMix64(state);
    out += kBase64[(state >> (6 * (i % 10))) & 0x3f];
  }
  return out;
}

// Gemini 3 refuses a replayed thinking turn whose function calls lost their
// signature: in the current turn (the contents after the last user text), the
// first functionCall of each model content must carry the signature it was
// given, or the validator-skipping value Google documents for foreign history.
core::Status CheckSignatures(const json::object& request) {
  const json::array& contents = request.at("contents").get_array();
  std::size_t turn_start = 0;
  for (std::size_t i = contents.size(); i-- > 0;) {
    std::string text;
    const json::object& content = contents[i].get_object();
    if (StringMember(content, "role") != "model" && AppendPartsText(content, text)) {
      turn_start = i + 1;
      break;
    }
  }
  for (std::size_t i = turn_start; i < contents.size(); ++i) {
    const json::object& content = contents[i].get_object();
    if (StringMember(content, "role") != "model") continue;
    for (const json::value& value : content.at("parts").get_array()) {
      const json::object& part = value.get_object();
      const json::value* call = Member(part, "functionCall");
      if (call == nullptr || !call->is_object()) continue;
      const std::string_view signature = StringMember(part, "thoughtSignature");
      const std::string param = "contents[" + std::to_string(i) + "]";
      if (signature.empty()) {
        return core::Error::InvalidRequest(
            "Function call is missing a thought_signature in functionCall parts. This is required for tools to "
            "work correctly, and missing thought_signature may lead to degraded model performance.", param);
      }
      if (signature != ThoughtSignature(StringMember(call->get_object(), "name")) &&
          signature != "skip_thought_signature_validator" && signature != "context_engineering_is_the_way_to_go") {
        return core::Error::InvalidRequest("Corrupted thought signature.", param);
      }
      break;  // only a content's first call is signed
    }
  }
  return {};
}

void AppendFunctionCallPart(std::string& out, const GeneratePlan& plan) {
  const ToolCall& call = *plan.reply.tool_call;
  out += "{\"functionCall\":{";
  json_out::Member(out, "name", call.name);
  out += ",\"args\":";
  out += call.arguments;
  out += '}';
  if (!plan.thought.empty()) {
    out += ',';
    json_out::Member(out, "thoughtSignature", ThoughtSignature(call.name));
  }
  out += '}';
}

void AppendThoughtPart(std::string& out, std::string_view thought) {
  out += '{';
  json_out::Member(out, "text", thought);
  out += ",\"thought\":true}";
}

// One candidate whose parts are `parts_json` (without brackets).
void AppendCandidate(std::string& out, std::uint32_t index, std::string_view parts_json, std::string_view finish) {
  out += "{\"content\":{\"parts\":[";
  out += parts_json;
  out += "],\"role\":\"model\"}";
  if (!finish.empty()) {
    out += ",\"finishReason\":\"";
    out += finish;
    out += '"';
  }
  out += ",\"index\":";
  json_out::Number(out, index);
  out += '}';
}

// A whole response object holding `parts_json` in every candidate.
std::string Response(const GeneratePlan& plan, const AnswerIds& ids, std::string_view parts_json, bool final) {
  std::string out;
  out.reserve(256 + plan.candidates * (parts_json.size() + 80));
  out += "{\"candidates\":[";
  for (std::uint32_t i = 0; i < plan.candidates; ++i) {
    if (i > 0) out += ',';
    AppendCandidate(out, i, parts_json, final ? FinishName(plan.reply.finish) : std::string_view());
  }
  out += "],\"usageMetadata\":";
  AppendUsage(out, plan, final);
  AppendTail(out, plan, ids);
  return out;
}

}  // namespace

std::optional<ModelCall> SplitModelCall(std::string_view segment) {
  const std::size_t colon = segment.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == segment.size()) return std::nullopt;
  return ModelCall{segment.substr(0, colon), segment.substr(colon + 1)};
}

core::Result<GeneratePlan> PlanGenerate(const json::value& body, std::string_view model,
                                        std::optional<std::string_view> reply_override) {
  auto object = BodyObject(body);
  if (!object) return object.error();
  const json::object& request = **object;
  auto conversation = ReadConversation(request);
  if (!conversation) return conversation.error();
  auto generation = OptionalObject(request, "generationConfig", "generation_config");
  if (!generation) return generation.error();
  static const json::object kNoConfig;
  const json::object& config = *generation ? **generation : kNoConfig;
  auto max_tokens = OptionalInteger(config, "maxOutputTokens", 1, kMaxTokens);
  if (!max_tokens) return max_tokens.error();
  auto candidates = OptionalInteger(config, "candidateCount", 1, kMaxCandidates);
  if (!candidates) return candidates.error();
  auto thinking = ReadThinking(config);
  if (!thinking) return thinking.error();
  if (thinking->on) {
    if (auto signed_calls = CheckSignatures(request); !signed_calls) return signed_calls.error();
  }
  auto function_call = PlanFunctionCall(request, conversation->ends_with_function_response);
  if (!function_call) return function_call.error();

  GeneratePlan plan;
  plan.model.assign(model);
  if (*function_call) {
    plan.reply = std::move(**function_call);
  } else if (!reply_override && StringMember(config, "responseMimeType") == kJsonMimeType) {
    plan.reply = TextReply({}, JsonAnswer(config, conversation->user_text), *max_tokens);
  } else {
    plan.reply = TextReply(conversation->user_text, reply_override, *max_tokens);
  }
  plan.candidates = static_cast<std::uint32_t>(candidates->value_or(1));
  plan.prompt_tokens = CountTokens(conversation->input_bytes);
  if (const json::value* cache = Member(request, "cachedContent"); cache && cache->is_string() &&
                                                                  !cache->get_string().empty()) {
    plan.cached_tokens = plan.prompt_tokens;
  }
  if (thinking->on) {
    plan.thought.assign(kThoughtPrefix).append(conversation->user_text);
    if (thinking->budget) plan.thought.resize(TruncateUtf8(plan.thought, *thinking->budget * kBytesPerToken).size());
    plan.thought_tokens = CountTokens(plan.thought.size());
    plan.include_thoughts = thinking->include;
  }
  return plan;
}

std::string RenderGenerate(const GeneratePlan& plan, const AnswerIds& ids) {
  std::string parts;
  if (plan.include_thoughts) {
    AppendThoughtPart(parts, plan.thought);
    parts += ',';
  }
  if (plan.reply.tool_call) {
    AppendFunctionCallPart(parts, plan);
  } else {
    parts += '{';
    json_out::Member(parts, "text", plan.reply.text);
    parts += '}';
  }
  return Response(plan, ids, parts, true);
}

std::vector<SseEvent> RenderGenerateStream(const GeneratePlan& plan, const AnswerIds& ids, std::uint32_t chunks) {
  std::vector<SseEvent> events;
  std::string parts;
  if (plan.include_thoughts) {
    AppendThoughtPart(parts, plan.thought);
    events.push_back({{}, Response(plan, ids, parts, false), true});
  }
  if (plan.reply.tool_call) {
    parts.clear();
    AppendFunctionCallPart(parts, plan);
    events.push_back({{}, Response(plan, ids, parts, true), true});
    return events;
  }
  std::vector<std::string_view> pieces = SplitPieces(plan.reply.text, chunks);
  if (pieces.empty()) pieces.emplace_back();  // an empty answer still needs its finishReason
  events.reserve(events.size() + pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    parts.clear();
    parts += '{';
    json_out::Member(parts, "text", pieces[i]);
    parts += '}';
    events.push_back({{}, Response(plan, ids, parts, i + 1 == pieces.size()), true});
  }
  return events;
}

core::Result<std::string> RenderCountTokens(const json::value& body) {
  auto object = BodyObject(body);
  if (!object) return object.error();
  // The SDKs send either the contents, or a whole generateContentRequest.
  const json::object* request = *object;
  if (const json::value* nested = Member(*request, "generateContentRequest"); nested && nested->is_object()) {
    request = &nested->get_object();
  }
  auto conversation = ReadConversation(*request);
  if (!conversation) return conversation.error();
  const std::uint32_t tokens = CountTokens(conversation->input_bytes);
  std::string out = "{\"totalTokens\":";
  json_out::Number(out, tokens);
  out += ",\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":";
  json_out::Number(out, tokens);
  out += "}]}";
  return out;
}

std::string RenderModelList(const std::vector<std::string>& models) {
  std::string out = "{\"models\":[";
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (i > 0) out += ',';
    out += RenderModel(models[i]);
  }
  out += "]}";
  return out;
}

std::string RenderModel(std::string_view id) {
  std::string name = "models/";
  name += id;
  std::string out = "{";
  json_out::Member(out, "name", name);
  out += ",\"version\":\"001\",";
  json_out::Member(out, "displayName", id);
  out += ",\"description\":\"A strata mock-llm model.\",\"inputTokenLimit\":1048576,\"outputTokenLimit\":65536,"
         "\"supportedGenerationMethods\":[\"generateContent\",\"countTokens\"]}";
  return out;
}

std::string RenderError(const core::Error& error) {
  const int status = error.HttpStatus();
  std::string out = "{\"error\":{\"code\":";
  json_out::Number(out, status);
  out += ',';
  json_out::Member(out, "message", error.message());
  out += ",\"status\":\"";
  out += StatusName(status);
  out += "\"}}";
  return out;
}

std::string RenderStatusError(int status) {
  std::string_view message = status >= 500 ? "An internal error has occurred. (mock fault)"
                                           : "Request contains an invalid argument. (mock fault)";
  switch (status) {
    case 401: message = "API key not valid. Please pass a valid API key. (mock fault)"; break;
    case 403: message = "The caller does not have permission. (mock fault)"; break;
    case 404: message = "models/mock is not found for API version v1beta. (mock fault)"; break;
    case 429: message = "Resource has been exhausted (e.g. check quota). (mock fault)"; break;
    case 503: message = "The model is overloaded. Please try again later. (mock fault)"; break;
    case 504: message = "Deadline expired before operation could complete. (mock fault)"; break;
  }
  std::string out = "{\"error\":{\"code\":";
  json_out::Number(out, status);
  out += ',';
  json_out::Member(out, "message", message);
  out += ",\"status\":\"";
  out += StatusName(status);
  out += "\"}}";
  return out;
}

}  // namespace strata::mock_llm::gemini

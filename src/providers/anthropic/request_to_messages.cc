// OpenAI chat request → Anthropic Messages request. The tables are in
// docs/TRANSLATION.md; the comments here say why a choice was made.

#include <algorithm>
#include <array>
#include <optional>

#include <boost/json/parse.hpp>

#include "providers/openai_chat.h"
#include "providers/anthropic/translate.h"
#include "providers/anthropic/translate_common.h"

namespace strata::providers::anthropic {
namespace {

namespace json = boost::json;
using detail::ArrayMember;
using detail::Indexed;
using detail::Invalid;
using detail::Member;
using detail::ObjectMember;
using detail::StringMember;
using detail::TypeOf;

// Thinking budgets for OpenAI's reasoning_effort. Anthropic's minimum is 1024;
// the steps roughly match the share of output OpenAI's o-series spend reasoning.
constexpr std::uint64_t kMinThinkingBudget = 1024;
constexpr std::uint64_t kLowThinkingBudget = 1024;
constexpr std::uint64_t kMediumThinkingBudget = 4096;
constexpr std::uint64_t kHighThinkingBudget = 16384;

constexpr std::array<std::string_view, 4> kImageMediaTypes = {"image/jpeg", "image/png", "image/gif", "image/webp"};

// Copies the prompt-caching marker some clients put on OpenAI content parts
// (LiteLLM's convention) onto the Anthropic block, where it means something.
void CopyCacheControl(const json::object& from, json::object& to) {
  if (const json::value* cache_control = Member(from, "cache_control"); cache_control && cache_control->is_object()) {
    to["cache_control"] = *cache_control;
  }
}

json::object TextBlock(std::string_view text) {
  json::object block;
  block["type"] = "text";
  block["text"] = text;
  return block;
}

struct DataUrl {
  std::string_view media_type;
  std::string_view data;
};

// Splits "data:<media type>[;params];base64,<data>". Only base64 payloads are
// accepted: Anthropic's sources carry base64, and percent-decoding binary
// data here would buy nothing real clients send.
std::optional<DataUrl> ParseDataUrl(std::string_view url) {
  if (!url.starts_with("data:")) return std::nullopt;
  const std::size_t comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view header = url.substr(5, comma - 5);
  if (!header.ends_with(";base64")) return std::nullopt;
  header.remove_suffix(7);
  const std::size_t semicolon = header.find(';');
  DataUrl out;
  out.media_type = header.substr(0, semicolon);
  out.data = url.substr(comma + 1);
  return out;
}

core::Result<json::object> ImageBlock(const json::object& part, const std::string& param) {
  // image_url is {"url", "detail"}; a bare string is accepted too, as vLLM and others do.
  const json::value* image_url = Member(part, "image_url");
  std::string_view url;
  if (image_url != nullptr && image_url->is_string()) {
    url = image_url->get_string();
  } else if (image_url != nullptr && image_url->is_object()) {
    url = StringMember(image_url->get_object(), "url");
  }
  if (url.empty()) return Invalid(param + ".image_url", "must carry a url");

  json::object source;
  if (url.starts_with("data:")) {
    const std::optional<DataUrl> data = ParseDataUrl(url);
    if (!data) return Invalid(param + ".image_url.url", "a data URL must be base64 (data:image/png;base64,...)");
    // "image/jpg" is not a registered type but clients send it for JPEGs.
    const std::string_view media_type = data->media_type == "image/jpg" ? "image/jpeg" : data->media_type;
    if (std::find(kImageMediaTypes.begin(), kImageMediaTypes.end(), media_type) == kImageMediaTypes.end()) {
      return Invalid(param + ".image_url.url",
                     "Anthropic models accept image/jpeg, image/png, image/gif and image/webp, not " +
                         std::string(data->media_type));
    }
    source["type"] = "base64";
    source["media_type"] = media_type;
    source["data"] = data->data;
  } else if (url.starts_with("https://") || url.starts_with("http://")) {
    source["type"] = "url";
    source["url"] = url;
  } else {
    return Invalid(param + ".image_url.url", "must be an http(s) URL or a base64 data URL");
  }
  json::object block;
  block["type"] = "image";
  block["source"] = std::move(source);
  CopyCacheControl(part, block);
  return block;
}

core::Result<json::object> DocumentBlock(const json::object& part, const std::string& param) {
  const json::object* file = ObjectMember(part, "file");
  if (file == nullptr) return Invalid(param + ".file", "must be an object");
  if (Member(*file, "file_id") != nullptr && Member(*file, "file_data") == nullptr) {
    return Invalid(param + ".file.file_id",
                   "OpenAI file ids cannot be read by Anthropic models; send the file inline as file_data");
  }
  const std::optional<DataUrl> data = ParseDataUrl(StringMember(*file, "file_data"));
  if (!data || data->media_type != "application/pdf") {
    return Invalid(param + ".file.file_data", "must be a base64 PDF data URL (data:application/pdf;base64,...)");
  }
  json::object source;
  source["type"] = "base64";
  source["media_type"] = "application/pdf";
  source["data"] = data->data;
  json::object block;
  block["type"] = "document";
  block["source"] = std::move(source);
  if (std::string_view filename = StringMember(*file, "filename"); !filename.empty()) block["title"] = filename;
  CopyCacheControl(part, block);
  return block;
}

// Content that may only hold text: system, developer and tool messages, and
// the text parts of assistant messages (where "refusal" parts are text too).
// Empty text is skipped: Anthropic refuses empty text blocks.
core::Result<json::array> TextBlocks(const json::value& content, const std::string& param, bool allow_refusal) {
  json::array blocks;
  if (content.is_null()) return blocks;
  if (content.is_string()) {
    if (!content.get_string().empty()) blocks.push_back(TextBlock(content.get_string()));
    return blocks;
  }
  if (!content.is_array()) return Invalid(param, "must be a string or an array of text parts");
  const json::array& parts = content.get_array();
  for (std::size_t j = 0; j < parts.size(); ++j) {
    const std::string part_param = Indexed(param, j);
    const std::string_view type = TypeOf(parts[j]);
    std::string_view text;
    if (type == "text") {
      text = StringMember(parts[j].get_object(), "text");
    } else if (type == "refusal" && allow_refusal) {
      text = StringMember(parts[j].get_object(), "refusal");
    } else {
      return Invalid(part_param, "only text parts are allowed here");
    }
    if (text.empty()) continue;
    json::object block = TextBlock(text);
    CopyCacheControl(parts[j].get_object(), block);
    blocks.push_back(std::move(block));
  }
  return blocks;
}

core::Result<json::array> UserBlocks(const json::value& content, const std::string& param) {
  if (content.is_string() || content.is_null()) return TextBlocks(content, param, false);
  if (!content.is_array()) return Invalid(param, "must be a string or an array of content parts");
  json::array blocks;
  const json::array& parts = content.get_array();
  for (std::size_t j = 0; j < parts.size(); ++j) {
    const std::string part_param = Indexed(param, j);
    const std::string_view type = TypeOf(parts[j]);
    if (type == "text") {
      const std::string_view text = StringMember(parts[j].get_object(), "text");
      if (text.empty()) continue;
      json::object block = TextBlock(text);
      CopyCacheControl(parts[j].get_object(), block);
      blocks.push_back(std::move(block));
    } else if (type == "image_url") {
      auto block = ImageBlock(parts[j].get_object(), part_param);
      if (!block) return block.error();
      blocks.push_back(std::move(*block));
    } else if (type == "file") {
      auto block = DocumentBlock(parts[j].get_object(), part_param);
      if (!block) return block.error();
      blocks.push_back(std::move(*block));
    } else if (type == "input_audio") {
      return Invalid(part_param, "audio input is not supported by Anthropic models");
    } else {
      return Invalid(part_param, "unsupported content part type '" + std::string(type) + "'");
    }
  }
  return blocks;
}

enum class ChoiceKind { kUnset, kAuto, kNone, kRequired, kNamed };
struct ToolChoice {
  ChoiceKind kind = ChoiceKind::kUnset;
  std::string name;
};

core::Result<ToolChoice> ParseToolChoice(const json::object& chat) {
  ToolChoice choice;
  const json::value* value = Member(chat, "tool_choice");
  if (value == nullptr) return choice;
  if (value->is_string()) {
    const std::string_view mode = value->get_string();
    if (mode == "auto") choice.kind = ChoiceKind::kAuto;
    else if (mode == "none") choice.kind = ChoiceKind::kNone;
    else if (mode == "required") choice.kind = ChoiceKind::kRequired;
    else return Invalid("tool_choice", "must be 'none', 'auto', 'required' or a function");
    return choice;
  }
  if (TypeOf(*value) == "function") {
    const json::object* function = ObjectMember(value->get_object(), "function");
    const std::string_view name = function != nullptr ? StringMember(*function, "name") : std::string_view();
    if (name.empty()) return Invalid("tool_choice.function.name", "must name the function");
    choice.kind = ChoiceKind::kNamed;
    choice.name = name;
    return choice;
  }
  return Invalid("tool_choice", "must be 'none', 'auto', 'required' or {\"type\":\"function\",...}");
}

core::Result<json::array> Tools(const json::object& chat) {
  json::array tools;
  const json::value* value = Member(chat, "tools");
  if (value == nullptr) return tools;
  if (!value->is_array()) return Invalid("tools", "must be an array");
  const json::array& list = value->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string param = Indexed("tools", i);
    if (TypeOf(list[i]) != "function") {
      return Invalid(param + ".type", "only function tools can be sent to Anthropic models");
    }
    const json::object* function = ObjectMember(list[i].get_object(), "function");
    if (function == nullptr) return Invalid(param + ".function", "must be an object");
    const std::string_view name = StringMember(*function, "name");
    if (name.empty()) return Invalid(param + ".function.name", "must be a non-empty string");
    if (name == kJsonOutputTool) return Invalid(param + ".function.name", "this name is reserved by the gateway");
    json::object tool;
    tool["name"] = name;
    if (const std::string_view description = StringMember(*function, "description"); !description.empty()) {
      tool["description"] = description;
    }
    // Anthropic requires an object schema; OpenAI lets a function without
    // parameters mean "no arguments".
    if (const json::object* parameters = ObjectMember(*function, "parameters")) {
      tool["input_schema"] = *parameters;
    } else {
      tool["input_schema"] = json::object{{"type", "object"}, {"properties", json::object()}};
    }
    CopyCacheControl(list[i].get_object(), tool);
    tools.push_back(std::move(tool));
  }
  return tools;
}

// The tool that carries response_format, or nullopt when the client asked for plain text.
core::Result<std::optional<json::object>> JsonOutputTool(const json::object& chat) {
  const json::value* format = Member(chat, "response_format");
  if (format == nullptr) return std::optional<json::object>();
  const std::string_view type = TypeOf(*format);
  if (type == "text") return std::optional<json::object>();
  std::string description =
      "Give your final answer by calling this tool: its input is the answer, as JSON that matches the input schema.";
  json::object schema{{"type", "object"}};
  if (type == "json_schema") {
    const json::object* spec = ObjectMember(format->get_object(), "json_schema");
    if (spec == nullptr) return Invalid("response_format.json_schema", "must be an object");
    if (const json::value* given = Member(*spec, "schema")) {
      if (!given->is_object()) return Invalid("response_format.json_schema.schema", "must be an object");
      schema = given->get_object();
    }
    if (const std::string_view more = StringMember(*spec, "description"); !more.empty()) {
      description += " The answer: ";
      description += more;
    }
  } else if (type != "json_object") {
    return Invalid("response_format.type", "must be 'text', 'json_object' or 'json_schema'");
  }
  json::object tool;
  tool["name"] = kJsonOutputTool;
  tool["description"] = description;
  tool["input_schema"] = std::move(schema);
  return std::optional<json::object>(std::move(tool));
}

core::Status RefuseUnsupported(const json::object& chat) {
  if (const json::value* n = Member(chat, "n")) {
    if (detail::Unsigned(*n) != std::uint64_t{1}) {
      return Invalid("n", "Anthropic models return one choice per request; n must be 1");
    }
  }
  return openai_chat::RefuseUntranslatableFields(chat, "Anthropic");
}

core::Result<std::optional<std::uint64_t>> TokenLimit(const json::object& chat, std::string_view key) {
  const json::value* value = Member(chat, key);
  if (value == nullptr) return std::optional<std::uint64_t>();
  const std::optional<std::uint64_t> limit = detail::Unsigned(*value);
  if (!limit || *limit == 0) return Invalid(std::string(key), "must be a positive integer");
  return limit;
}

core::Result<std::optional<double>> Number(const json::object& chat, std::string_view key) {
  const json::value* value = Member(chat, key);
  if (value == nullptr) return std::optional<double>();
  if (!value->is_number()) return Invalid(std::string(key), "must be a number");
  return std::optional<double>(value->to_number<double>());
}

// Builds the Anthropic turns. Anthropic wants user and assistant turns to
// alternate, so a message whose role matches the previous turn's is merged
// into it; tool messages are user turns holding tool_result blocks.
class Conversation {
 public:
  core::Status Add(const json::array& messages) { return openai_chat::AddChatMessages(messages, *this); }
  // The walk calls AddSystem, AddUser, AddAssistant and AddToolResult below.
  template <class C>
  friend core::Status openai_chat::AddChatMessages(const json::array& messages, C& conversation);

  // The Anthropic `system`: a plain string when it is one uncached block.
  std::optional<json::value> System() const {
    if (system_.empty()) return std::nullopt;
    if (system_.size() == 1 && system_[0].get_object().size() == 2) return json::value(system_[0].at("text"));
    return json::value(system_);
  }

  void AddSystemText(std::string_view text) { system_.push_back(TextBlock(text)); }

  // The Anthropic `messages`, a turn that is one plain text block written as a string.
  json::array TakeMessages() {
    for (json::value& turn : turns_) {
      json::object& object = turn.get_object();
      json::array& content = object["content"].get_array();
      if (content.size() == 1 && TypeOf(content[0]) == "text" && content[0].get_object().size() == 2) {
        json::value text = content[0].at("text");
        object["content"] = std::move(text);
      }
    }
    return std::move(turns_);
  }

 private:
  // The content of the last turn when it has `role`, else of a new turn.
  json::array& Turn(std::string_view role) {
    if (turns_.empty() || turns_.back().at("role").get_string() != role) {
      json::object turn;
      turn["role"] = role;
      turn["content"] = json::array();
      turns_.push_back(std::move(turn));
    }
    return turns_.back().get_object()["content"].get_array();
  }

  void Append(std::string_view role, json::array blocks) {
    if (blocks.empty()) return;  // Anthropic refuses empty turns; an empty message says nothing anyway
    json::array& content = Turn(role);
    for (json::value& block : blocks) content.push_back(std::move(block));
  }

  // System and developer messages become the top-level system prompt, also in
  // mid-conversation: Anthropic has no system turn, and a user turn would
  // give the instruction the user's authority instead of the operator's.
  core::Status AddSystem(const json::value& content, const std::string& param) {
    auto blocks = TextBlocks(content, param, false);
    if (!blocks) return blocks.error();
    for (json::value& block : *blocks) system_.push_back(std::move(block));
    return {};
  }

  core::Status AddUser(const json::value& content, const std::string& param) {
    auto blocks = UserBlocks(content, param);
    if (!blocks) return blocks.error();
    Append("user", std::move(*blocks));
    return {};
  }

  core::Status AddAssistant(const json::object& message, const std::string& param) {
    json::array blocks;
    // Signed thinking blocks sent back by a client (LiteLLM's `thinking_blocks`
    // extension): Anthropic needs them in front of the tool calls when
    // thinking is on, and they are opaque to everyone else.
    if (const json::array* thinking = ArrayMember(message, "thinking_blocks")) {
      for (const json::value& block : *thinking) {
        const std::string_view type = TypeOf(block);
        if (type == "thinking" || type == "redacted_thinking") blocks.push_back(block);
      }
    }
    const json::value* content = message.if_contains("content");
    auto text = TextBlocks(content != nullptr ? *content : null_, param + ".content", true);
    if (!text) return text.error();
    for (json::value& block : *text) blocks.push_back(std::move(block));
    if (text->empty()) {
      if (const std::string_view refusal = StringMember(message, "refusal"); !refusal.empty()) {
        blocks.push_back(TextBlock(refusal));
      }
    }
    if (const json::value* calls = Member(message, "tool_calls")) {
      if (!calls->is_array()) return Invalid(param + ".tool_calls", "must be an array");
      const json::array& list = calls->get_array();
      for (std::size_t j = 0; j < list.size(); ++j) {
        auto block = ToolUseBlock(list[j], Indexed(param + ".tool_calls", j));
        if (!block) return block.error();
        blocks.push_back(std::move(*block));
      }
    }
    if (Member(message, "function_call") != nullptr) {
      return Invalid(param + ".function_call", "the legacy function_call is not supported; use tool_calls");
    }
    Append("assistant", std::move(blocks));
    return {};
  }

  static core::Result<json::object> ToolUseBlock(const json::value& call, const std::string& param) {
    const json::object* object = call.if_object();
    const json::object* function = object != nullptr ? ObjectMember(*object, "function") : nullptr;
    if (function == nullptr) return Invalid(param, "must be a function tool call");
    const std::string_view id = StringMember(*object, "id");
    if (id.empty()) return Invalid(param + ".id", "must be a non-empty string");
    const std::string_view name = StringMember(*function, "name");
    if (name.empty()) return Invalid(param + ".function.name", "must be a non-empty string");
    // Anthropic stores the input as an object, OpenAI as the text the model
    // wrote. Text that is no JSON object cannot be carried over faithfully.
    json::value input = json::object();
    if (const std::string_view arguments = StringMember(*function, "arguments"); !arguments.empty()) {
      boost::system::error_code ec;
      input = json::parse(arguments, ec);
      if (ec || !input.is_object()) {
        return Invalid(param + ".function.arguments", "must be a JSON object to be sent to Anthropic models");
      }
    }
    json::object block;
    block["type"] = "tool_use";
    block["id"] = id;
    block["name"] = name;
    block["input"] = std::move(input);
    return block;
  }

  core::Status AddToolResult(const json::object& message, const std::string& param) {
    const std::string_view id = StringMember(message, "tool_call_id");
    if (id.empty()) return Invalid(param + ".tool_call_id", "must be a non-empty string");
    json::object block;
    block["type"] = "tool_result";
    block["tool_use_id"] = id;
    const json::value* content = message.if_contains("content");
    if (content != nullptr && content->is_string()) {
      if (!content->get_string().empty()) block["content"] = *content;
    } else {
      auto blocks = TextBlocks(content != nullptr ? *content : null_, param + ".content", false);
      if (!blocks) return blocks.error();
      if (!blocks->empty()) block["content"] = std::move(*blocks);
    }
    // Anthropic wants a user turn's tool_result blocks before anything else
    // in it; a user message merged in before them is moved after them.
    json::array& content_blocks = Turn("user");
    auto first_other = std::find_if(content_blocks.begin(), content_blocks.end(),
                                    [](const json::value& b) { return TypeOf(b) != "tool_result"; });
    content_blocks.insert(first_other, std::move(block));
    return {};
  }

  json::array system_;
  json::array turns_;
  const json::value null_;
};

}  // namespace

core::Result<json::object> ChatRequestToMessages(const json::object& chat, std::string_view upstream_model) {
  if (auto refused = RefuseUnsupported(chat); !refused) return refused.error();

  const json::value* messages = Member(chat, "messages");
  if (messages == nullptr || !messages->is_array() || messages->get_array().empty()) {
    return Invalid("messages", "must be a non-empty array");
  }
  Conversation conversation;
  if (auto added = conversation.Add(messages->get_array()); !added) return added.error();

  auto tools = Tools(chat);
  if (!tools) return tools.error();
  auto choice = ParseToolChoice(chat);
  if (!choice) return choice.error();
  auto json_tool = JsonOutputTool(chat);
  if (!json_tool) return json_tool.error();

  // Token budget, and thinking.
  auto completion_limit = TokenLimit(chat, "max_completion_tokens");
  if (!completion_limit) return completion_limit.error();
  auto legacy_limit = TokenLimit(chat, "max_tokens");
  if (!legacy_limit) return legacy_limit.error();
  const std::string limit_param = *completion_limit ? "max_completion_tokens" : "max_tokens";
  const std::optional<std::uint64_t> limit = *completion_limit ? *completion_limit : *legacy_limit;

  std::optional<json::object> thinking;
  std::uint64_t max_tokens = limit.value_or(kDefaultMaxTokens);
  if (const json::value* given = Member(chat, "thinking")) {
    // Anthropic's own `thinking`, sent through by a client that knows the
    // upstream is Claude (extra_body): passed on as is.
    if (!given->is_object()) return Invalid("thinking", "must be an object");
    thinking = given->get_object();
  } else if (const json::value* effort = Member(chat, "reasoning_effort")) {
    const std::string_view level = effort->is_string() ? std::string_view(effort->get_string()) : "";
    std::uint64_t budget = 0;
    if (level == "low") budget = kLowThinkingBudget;
    else if (level == "medium") budget = kMediumThinkingBudget;
    else if (level == "high") budget = kHighThinkingBudget;
    else if (level != "minimal" && level != "none") {
      return Invalid("reasoning_effort", "must be 'none', 'minimal', 'low', 'medium' or 'high'");
    }
    if (budget > 0) {
      // OpenAI counts reasoning inside max_completion_tokens, Anthropic
      // inside max_tokens, and the budget must stay below it.
      if (limit) {
        budget = std::min(budget, max_tokens - 1);
        if (budget < kMinThinkingBudget) {
          return Invalid(limit_param, "reasoning_effort on Anthropic models needs a limit above 1024 tokens");
        }
      } else {
        max_tokens += budget;
      }
      thinking = json::object{{"type", "enabled"}, {"budget_tokens", budget}};
    }
  }
  const bool thinking_on = thinking && StringMember(*thinking, "type") != "disabled";

  json::object out;
  out["model"] = upstream_model;
  out["max_tokens"] = max_tokens;

  // Tools and tool_choice. With response_format, the JSON answer is itself a
  // tool call: forced when it is the only way to answer, offered beside the
  // client's tools ("any": a tool call or the answer, which is what OpenAI
  // does with tools plus response_format) otherwise.
  const bool has_tools = !tools->empty();
  json::object tool_choice;
  if (*json_tool) {
    if (thinking_on) {
      // Anthropic refuses forced tool use with thinking on: ask in words instead.
      tool_choice["type"] = "auto";
      conversation.AddSystemText("Give your final answer by calling the " + std::string(kJsonOutputTool) +
                                 " tool; its input is the answer.");
    } else if (!has_tools || choice->kind == ChoiceKind::kNone) {
      tool_choice["type"] = "tool";
      tool_choice["name"] = kJsonOutputTool;
    } else if (choice->kind == ChoiceKind::kNamed) {
      tool_choice["type"] = "tool";
      tool_choice["name"] = choice->name;
    } else {
      tool_choice["type"] = "any";
    }
    tools->push_back(std::move(**json_tool));
  } else if (has_tools) {
    switch (choice->kind) {
      case ChoiceKind::kUnset:
      case ChoiceKind::kAuto: tool_choice["type"] = "auto"; break;
      case ChoiceKind::kNone: tool_choice["type"] = "none"; break;
      case ChoiceKind::kRequired: tool_choice["type"] = "any"; break;
      case ChoiceKind::kNamed:
        tool_choice["type"] = "tool";
        tool_choice["name"] = choice->name;
        break;
    }
    // Anthropic's default is auto: say it only when the client did or when
    // disable_parallel_tool_use needs a tool_choice to sit on.
    if (choice->kind == ChoiceKind::kUnset) tool_choice.clear();
  }
  if (has_tools) {
    if (const json::value* parallel = Member(chat, "parallel_tool_calls");
        parallel && parallel->is_bool() && !parallel->get_bool() && StringMember(tool_choice, "type") != "none") {
      if (tool_choice.empty()) tool_choice["type"] = "auto";
      tool_choice["disable_parallel_tool_use"] = true;
    }
  }

  if (std::optional<json::value> system = conversation.System()) out["system"] = std::move(*system);
  json::array turns = conversation.TakeMessages();
  if (turns.empty()) return Invalid("messages", "must hold at least one user or assistant message with content");
  out["messages"] = std::move(turns);
  if (!tools->empty()) out["tools"] = std::move(*tools);
  if (!tool_choice.empty()) out["tool_choice"] = std::move(tool_choice);
  if (thinking) out["thinking"] = std::move(*thinking);

  // Sampling. Anthropic refuses temperature, top_p and top_k changes while
  // thinking, so they are left out then.
  auto temperature = Number(chat, "temperature");
  if (!temperature) return temperature.error();
  auto top_p = Number(chat, "top_p");
  if (!top_p) return top_p.error();
  auto top_k = TokenLimit(chat, "top_k");
  if (!top_k) return top_k.error();
  if (!thinking_on) {
    // OpenAI's range is 0–2, Anthropic's 0–1; above 1 means "as random as it goes".
    if (*temperature) out["temperature"] = std::clamp(**temperature, 0.0, 1.0);
    if (*top_p) out["top_p"] = **top_p;
    if (*top_k) out["top_k"] = **top_k;
  }

  if (const json::value* stop = Member(chat, "stop")) {
    json::array sequences;
    if (stop->is_string()) {
      sequences.push_back(*stop);
    } else if (stop->is_array()) {
      for (const json::value& sequence : stop->get_array()) {
        if (!sequence.is_string()) return Invalid("stop", "must be a string or an array of strings");
        sequences.push_back(sequence);
      }
    } else {
      return Invalid("stop", "must be a string or an array of strings");
    }
    if (!sequences.empty()) out["stop_sequences"] = std::move(sequences);
  }

  if (const json::value* stream = Member(chat, "stream"); stream && stream->is_bool() && stream->get_bool()) {
    out["stream"] = true;
  }

  // `user` is deprecated in favour of safety_identifier; both name the end user.
  std::string_view user = StringMember(chat, "user");
  if (user.empty()) user = StringMember(chat, "safety_identifier");
  if (!user.empty()) out["metadata"] = json::object{{"user_id", user}};
  return out;
}

}  // namespace strata::providers::anthropic

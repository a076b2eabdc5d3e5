// Anthropic Messages request → OpenAI chat request. The tables are in
// docs/TRANSLATION.md; the comments here say why a choice was made.

#include <boost/json/serialize.hpp>

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

json::object TextPart(std::string_view text) {
  json::object part;
  part["type"] = "text";
  part["text"] = text;
  return part;
}

json::object ImageUrlPart(std::string url) {
  json::object image_url;
  image_url["url"] = std::move(url);
  json::object part;
  part["type"] = "image_url";
  part["image_url"] = std::move(image_url);
  return part;
}

// One list of parts becomes a plain string when it is a single text part:
// every OpenAI-compatible server reads strings, not all of them read parts.
json::value Collapse(json::array parts) {
  if (parts.size() == 1 && TypeOf(parts[0]) == "text") return parts[0].at("text");
  return parts;
}

core::Result<json::object> ImagePart(const json::object& block, const std::string& param) {
  const json::object* source = ObjectMember(block, "source");
  const std::string_view type = source != nullptr ? StringMember(*source, "type") : std::string_view();
  if (type == "base64") {
    std::string url = "data:";
    url += StringMember(*source, "media_type");
    url += ";base64,";
    url += StringMember(*source, "data");
    return ImageUrlPart(std::move(url));
  }
  if (type == "url") return ImageUrlPart(std::string(StringMember(*source, "url")));
  return Invalid(param + ".source", "images must have a base64 or url source (Files API ids cannot be forwarded)");
}

core::Result<json::object> DocumentPart(const json::object& block, const std::string& param) {
  const json::object* source = ObjectMember(block, "source");
  const std::string_view type = source != nullptr ? StringMember(*source, "type") : std::string_view();
  if (type == "text") return TextPart(StringMember(*source, "data"));
  if (type == "base64" && StringMember(*source, "media_type") == "application/pdf") {
    json::object file;
    // OpenAI wants a file name beside inline data; the title is the closest thing.
    const std::string_view title = StringMember(block, "title");
    file["filename"] = title.empty() ? std::string_view("document.pdf") : title;
    file["file_data"] = "data:application/pdf;base64," + std::string(StringMember(*source, "data"));
    json::object part;
    part["type"] = "file";
    part["file"] = std::move(file);
    return part;
  }
  return Invalid(param + ".source", "only base64 PDF and plain-text documents can be forwarded");
}

core::Result<json::value> SystemMessageContent(const json::value& system) {
  if (system.is_string()) return system;
  if (!system.is_array()) return Invalid("system", "must be a string or an array of text blocks");
  json::array parts;
  const json::array& blocks = system.get_array();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (TypeOf(blocks[i]) != "text") return Invalid(Indexed("system", i), "must be a text block");
    parts.push_back(TextPart(StringMember(blocks[i].get_object(), "text")));
  }
  // Several blocks stay apart as text parts: joining them would change the prompt.
  return Collapse(std::move(parts));
}

// tool_result content → the tool message's content. Images cannot live in an
// OpenAI tool message; they go to `images`, which the caller sends in a user
// message after the tool messages.
core::Result<json::value> ToolResultContent(const json::object& block, const std::string& param,
                                            json::array& images) {
  const json::value* content = Member(block, "content");
  if (content == nullptr) return json::value(json::string());
  if (content->is_string()) return *content;
  if (!content->is_array()) return Invalid(param + ".content", "must be a string or an array of blocks");
  json::array parts;
  const json::array& blocks = content->get_array();
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const std::string block_param = Indexed(param + ".content", k);
    const std::string_view type = TypeOf(blocks[k]);
    if (type == "text") {
      parts.push_back(TextPart(StringMember(blocks[k].get_object(), "text")));
    } else if (type == "image") {
      auto image = ImagePart(blocks[k].get_object(), block_param);
      if (!image) return image.error();
      images.push_back(std::move(*image));
    } else if (type == "document") {
      auto document = DocumentPart(blocks[k].get_object(), block_param);
      if (!document) return document.error();
      if (TypeOf(*document) == "text") parts.push_back(std::move(*document));
      else images.push_back(std::move(*document));
    } else {
      return Invalid(block_param, "unsupported tool result block type '" + std::string(type) + "'");
    }
  }
  if (parts.empty()) return json::value(json::string());
  return Collapse(std::move(parts));
}

core::Status AddUser(const json::value& content, const std::string& param, json::array& out) {
  if (content.is_string()) {
    out.push_back(json::object{{"role", "user"}, {"content", content}});
    return {};
  }
  if (!content.is_array()) return Invalid(param, "must be a string or an array of content blocks");
  json::array parts;
  json::array tool_images;
  const json::array& blocks = content.get_array();
  for (std::size_t j = 0; j < blocks.size(); ++j) {
    const std::string block_param = Indexed(param, j);
    const std::string_view type = TypeOf(blocks[j]);
    const json::object* block = blocks[j].if_object();
    if (type == "text") {
      parts.push_back(TextPart(StringMember(*block, "text")));
    } else if (type == "image") {
      auto part = ImagePart(*block, block_param);
      if (!part) return part.error();
      parts.push_back(std::move(*part));
    } else if (type == "document") {
      auto part = DocumentPart(*block, block_param);
      if (!part) return part.error();
      parts.push_back(std::move(*part));
    } else if (type == "tool_result") {
      const std::string_view id = StringMember(*block, "tool_use_id");
      if (id.empty()) return Invalid(block_param + ".tool_use_id", "must be a non-empty string");
      auto result = ToolResultContent(*block, block_param, tool_images);
      if (!result) return result.error();
      // OpenAI has no is_error flag; the error text itself is what the model reads.
      out.push_back(json::object{{"role", "tool"}, {"tool_call_id", id}, {"content", std::move(*result)}});
    } else if (type == "thinking" || type == "redacted_thinking") {
      continue;  // not meaningful in a user turn; Anthropic ignores them too
    } else {
      return Invalid(block_param, "unsupported content block type '" + std::string(type) + "'");
    }
  }
  // OpenAI wants each tool message right after the assistant message that
  // called it, so the rest of the user turn (and any tool-result images)
  // follows them.
  for (json::value& image : tool_images) parts.push_back(std::move(image));
  if (!parts.empty()) out.push_back(json::object{{"role", "user"}, {"content", Collapse(std::move(parts))}});
  return {};
}

core::Status AddAssistant(const json::value& content, const std::string& param, json::array& out) {
  json::object message;
  message["role"] = "assistant";
  if (content.is_string()) {
    message["content"] = content;
    out.push_back(std::move(message));
    return {};
  }
  if (!content.is_array()) return Invalid(param, "must be a string or an array of content blocks");
  std::string text;
  bool has_text = false;
  json::array calls;
  const json::array& blocks = content.get_array();
  for (std::size_t j = 0; j < blocks.size(); ++j) {
    const std::string block_param = Indexed(param, j);
    const std::string_view type = TypeOf(blocks[j]);
    const json::object* block = blocks[j].if_object();
    if (type == "text") {
      // Joined without a separator: Claude splits one answer into several
      // blocks (around citations, for one), and a stream shows them joined.
      text += StringMember(*block, "text");
      has_text = true;
    } else if (type == "tool_use") {
      json::object function;
      function["name"] = StringMember(*block, "name");
      const json::value* input = Member(*block, "input");
      function["arguments"] = input != nullptr ? json::serialize(*input) : std::string("{}");
      json::object call;
      call["id"] = StringMember(*block, "id");
      call["type"] = "function";
      call["function"] = std::move(function);
      calls.push_back(std::move(call));
    } else if (type == "thinking" || type == "redacted_thinking") {
      continue;  // signed for Anthropic only; other models cannot use them
    } else {
      return Invalid(block_param, "unsupported content block type '" + std::string(type) + "'");
    }
  }
  // OpenAI writes content null beside tool calls that came without text.
  if (has_text || calls.empty()) message["content"] = std::move(text);
  else message["content"] = nullptr;
  if (!calls.empty()) message["tool_calls"] = std::move(calls);
  out.push_back(std::move(message));
  return {};
}

core::Result<json::array> Tools(const json::array& tools) {
  json::array out;
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const std::string param = Indexed("tools", i);
    const json::object* tool = tools[i].if_object();
    if (tool == nullptr) return Invalid(param, "must be an object");
    // Client tools have no type or "custom"; anything else (web_search_…,
    // bash_…, text_editor_…, computer_…) runs on Anthropic's side.
    if (const std::string_view type = StringMember(*tool, "type"); !type.empty() && type != "custom") {
      return Invalid(param + ".type", "server tools ('" + std::string(type) + "') need an Anthropic model");
    }
    const std::string_view name = StringMember(*tool, "name");
    if (name.empty()) return Invalid(param + ".name", "must be a non-empty string");
    json::object function;
    function["name"] = name;
    if (const std::string_view description = StringMember(*tool, "description"); !description.empty()) {
      function["description"] = description;
    }
    const json::object* schema = ObjectMember(*tool, "input_schema");
    if (schema == nullptr) return Invalid(param + ".input_schema", "must be an object");
    function["parameters"] = *schema;
    out.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
  }
  return out;
}

}  // namespace

core::Result<json::object> MessagesRequestToChat(const json::object& request, std::string_view upstream_model) {
  const json::value* max_tokens = Member(request, "max_tokens");
  const std::optional<std::uint64_t> limit = max_tokens != nullptr ? detail::Unsigned(*max_tokens) : std::nullopt;
  if (!limit || *limit == 0) return Invalid("max_tokens", "is required and must be a positive integer");
  const json::array* turns = ArrayMember(request, "messages");
  if (turns == nullptr || turns->empty()) return Invalid("messages", "must be a non-empty array");

  json::array messages;
  if (const json::value* system = Member(request, "system")) {
    auto content = SystemMessageContent(*system);
    if (!content) return content.error();
    messages.push_back(json::object{{"role", "system"}, {"content", std::move(*content)}});
  }
  for (std::size_t i = 0; i < turns->size(); ++i) {
    const std::string param = Indexed("messages", i);
    const json::object* turn = (*turns)[i].if_object();
    if (turn == nullptr) return Invalid(param, "must be an object");
    const json::value* content = Member(*turn, "content");
    if (content == nullptr) return Invalid(param + ".content", "is required");
    const std::string_view role = StringMember(*turn, "role");
    core::Status added;
    if (role == "user") added = AddUser(*content, param + ".content", messages);
    else if (role == "assistant") added = AddAssistant(*content, param + ".content", messages);
    else return Invalid(param + ".role", "must be 'user' or 'assistant'");
    if (!added) return added.error();
  }

  json::object out;
  out["model"] = upstream_model;
  out["messages"] = std::move(messages);
  out["max_tokens"] = *limit;

  if (const json::value* tools = Member(request, "tools")) {
    if (!tools->is_array()) return Invalid("tools", "must be an array");
    auto translated = Tools(tools->get_array());
    if (!translated) return translated.error();
    if (!translated->empty()) {
      out["tools"] = std::move(*translated);
      // OpenAI refuses tool_choice without tools, so it is only set here.
      if (const json::value* choice = Member(request, "tool_choice")) {
        const std::string_view type = TypeOf(*choice);
        if (type == "auto") out["tool_choice"] = "auto";
        else if (type == "any") out["tool_choice"] = "required";
        else if (type == "none") out["tool_choice"] = "none";
        else if (type == "tool") {
          const std::string_view name = StringMember(choice->get_object(), "name");
          if (name.empty()) return Invalid("tool_choice.name", "must name the tool");
          out["tool_choice"] = json::object{{"type", "function"}, {"function", json::object{{"name", name}}}};
        } else {
          return Invalid("tool_choice.type", "must be 'auto', 'any', 'tool' or 'none'");
        }
        if (const json::value* disable = Member(choice->get_object(), "disable_parallel_tool_use");
            disable && disable->is_bool() && disable->get_bool() && type != "none") {
          out["parallel_tool_calls"] = false;
        }
      }
    }
  }

  if (const json::value* stop = Member(request, "stop_sequences")) {
    if (!stop->is_array()) return Invalid("stop_sequences", "must be an array of strings");
    for (const json::value& sequence : stop->get_array()) {
      if (!sequence.is_string()) return Invalid("stop_sequences", "must be an array of strings");
    }
    if (!stop->get_array().empty()) out["stop"] = *stop;
  }
  for (std::string_view key : {"temperature", "top_p"}) {
    if (const json::value* value = Member(request, key)) {
      if (!value->is_number()) return Invalid(std::string(key), "must be a number");
      out[key] = *value;
    }
  }
  if (const json::value* stream = Member(request, "stream"); stream && stream->is_bool() && stream->get_bool()) {
    out["stream"] = true;
    // Without it an OpenAI stream carries no usage at all.
    out["stream_options"] = json::object{{"include_usage", true}};
  }
  if (const json::object* metadata = ObjectMember(request, "metadata")) {
    if (const std::string_view user = StringMember(*metadata, "user_id"); !user.empty()) out["user"] = user;
  }
  return out;
}

}  // namespace strata::providers::anthropic

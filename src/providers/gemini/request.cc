// OpenAI chat request → Gemini GenerateContentRequest, and JSON Schema →
// Gemini Schema. The tables are in docs/TRANSLATION.md; the comments here say
// why a choice was made.

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>

#include <boost/json/parse.hpp>

#include "providers/openai_chat.h"
#include "providers/gemini/translate.h"
#include "providers/gemini/translate_common.h"

namespace strata::providers::gemini {
namespace {

namespace json = boost::json;
using detail::ArrayMember;
using detail::Indexed;
using detail::Invalid;
using detail::Member;
using detail::ObjectMember;
using detail::StringMember;
using detail::TypeOf;

constexpr int kMaxSchemaDepth = 32;

json::object TextPart(std::string_view text) {
  json::object part;
  part["text"] = text;
  return part;
}

// --- Schemas -----------------------------------------------------------------

// Keys Gemini's Schema has under the same name and meaning as JSON Schema.
constexpr std::array<std::string_view, 17> kSchemaKeysKept = {
    "format",    "title",     "description", "nullable",  "pattern",       "example",
    "default",   "minimum",   "maximum",     "minItems",  "maxItems",      "minLength",
    "maxLength", "minProperties", "maxProperties", "propertyOrdering", "type"};

class SchemaConverter {
 public:
  explicit SchemaConverter(const json::value& root) : root_(root) {}

  json::value Convert(const json::value& schema, int depth) const {
    const json::object* object = schema.if_object();
    if (object == nullptr || depth > kMaxSchemaDepth) return json::object();
    json::object out;

    // Structure first ($ref, allOf, a collapsible anyOf/oneOf), so that the
    // schema's own keys below (a description beside a $ref) win over it.
    if (const std::string_view ref = StringMember(*object, "$ref"); !ref.empty()) {
      if (const json::value* target = Resolve(ref)) Merge(out, Convert(*target, depth + 1).get_object());
    }
    if (const json::array* all = ArrayMember(*object, "allOf")) {
      for (const json::value& branch : *all) Merge(out, Convert(branch, depth + 1).get_object());
    }
    const json::array* any = ArrayMember(*object, "anyOf");
    if (any == nullptr) any = ArrayMember(*object, "oneOf");
    if (any != nullptr) {
      json::array branches;
      bool nullable = false;
      for (const json::value& branch : *any) {
        // {"type":"null"} is how JSON Schema (and pydantic's Optional) says nullable.
        const json::object* branch_object = branch.if_object();
        if (branch_object != nullptr && StringMember(*branch_object, "type") == "null" && branch_object->size() == 1) {
          nullable = true;
          continue;
        }
        branches.push_back(Convert(branch, depth + 1));
      }
      if (branches.size() == 1) {
        Merge(out, branches[0].get_object());
      } else if (!branches.empty()) {
        out["anyOf"] = std::move(branches);
      }
      if (nullable) out["nullable"] = true;
    }

    for (const auto& [key, value] : *object) {
      if (key == "type") {
        ConvertType(value, out);
      } else if (key == "properties" && value.is_object()) {
        // Beside allOf or a $ref, the schema's own properties add to theirs.
        json::value& properties = out["properties"];
        if (!properties.is_object()) properties = json::object();
        for (const auto& [name, property] : value.get_object()) {
          properties.get_object()[name] = Convert(property, depth + 1);
        }
      } else if (key == "items") {
        // A tuple (items as a list) has no Gemini form: its first item stands for all.
        if (value.is_array()) {
          if (!value.get_array().empty()) out["items"] = Convert(value.get_array()[0], depth + 1);
        } else {
          out["items"] = Convert(value, depth + 1);
        }
      } else if (key == "enum" && value.is_array()) {
        // Gemini enums are lists of strings; numbers would be refused.
        const json::array& values = value.get_array();
        if (std::all_of(values.begin(), values.end(), [](const json::value& v) { return v.is_string(); })) {
          out["enum"] = values;
        }
      } else if (key == "const" && value.is_string()) {
        out["enum"] = json::array{value};
      } else if (key == "required" && value.is_array()) {
        json::value& required = out["required"];
        if (!required.is_array()) required = json::array();
        for (const json::value& name : value.get_array()) required.get_array().push_back(name);
      } else if (key == "exclusiveMinimum" && value.is_number()) {
        out["minimum"] = value;
      } else if (key == "exclusiveMaximum" && value.is_number()) {
        out["maximum"] = value;
      } else if (std::find(kSchemaKeysKept.begin(), kSchemaKeysKept.end(), key) != kSchemaKeysKept.end()) {
        // A null value (pydantic's `"default": null`) says nothing Gemini needs.
        if (!value.is_null()) out[key] = value;
      }
      // Everything else has no Gemini counterpart and would be refused.
    }
    Tidy(out);
    return out;
  }

 private:
  // "#/$defs/Name" or "#/definitions/Name" in the root schema; null for anything else.
  const json::value* Resolve(std::string_view ref) const {
    const json::object* root = root_.if_object();
    if (root == nullptr) return nullptr;
    for (std::string_view prefix : {"#/$defs/", "#/definitions/"}) {
      if (!ref.starts_with(prefix)) continue;
      const json::object* defs = ObjectMember(*root, prefix.substr(2, prefix.size() - 3));
      if (defs == nullptr) return nullptr;
      return defs->if_contains(ref.substr(prefix.size()));
    }
    return nullptr;
  }

  static void ConvertType(const json::value& type, json::object& out) {
    if (type.is_string()) {
      out["type"] = type;
      return;
    }
    if (!type.is_array()) return;
    bool nullable = false;
    for (const json::value& entry : type.get_array()) {
      if (!entry.is_string()) continue;
      if (entry.get_string() == "null") {
        nullable = true;
      } else if (!out.contains("type")) {
        out["type"] = entry;
      }
    }
    if (nullable) out["nullable"] = true;
  }

  // Merges `from` into `into`: properties and required lists are combined,
  // other keys taken when `into` has none.
  static void Merge(json::object& into, const json::object& from) {
    for (const auto& [key, value] : from) {
      if (key == "properties" && value.is_object() && into.contains("properties")) {
        json::object& properties = into["properties"].get_object();
        for (const auto& [name, property] : value.get_object()) properties[name] = property;
      } else if (key == "required" && value.is_array() && into.contains("required")) {
        json::array& required = into["required"].get_array();
        for (const json::value& name : value.get_array()) required.push_back(name);
      } else if (!into.contains(key)) {
        into[key] = value;
      }
    }
  }

  // Gemini refuses an object whose `properties` is empty, and a `required`
  // name that is not among the properties.
  static void Tidy(json::object& schema) {
    json::object* properties = schema.contains("properties") ? schema["properties"].if_object() : nullptr;
    if (properties != nullptr && properties->empty()) {
      schema.erase("properties");
      properties = nullptr;
    }
    if (json::value* required = schema.if_contains("required")) {
      json::array kept;
      if (required->is_array() && properties != nullptr) {
        for (const json::value& name : required->get_array()) {
          if (name.is_string() && properties->contains(name.get_string()) &&
              std::find(kept.begin(), kept.end(), name) == kept.end()) {
            kept.push_back(name);
          }
        }
      }
      if (kept.empty()) {
        schema.erase("required");
      } else {
        *required = std::move(kept);
      }
    }
  }

  const json::value& root_;
};

// --- Content parts -------------------------------------------------------------

struct DataUrl {
  std::string_view media_type;
  std::string_view data;
};

// Splits "data:<media type>[;params];base64,<data>". Gemini's inlineData is
// base64, so only base64 payloads are taken.
std::optional<DataUrl> ParseDataUrl(std::string_view url) {
  if (!url.starts_with("data:")) return std::nullopt;
  const std::size_t comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view header = url.substr(5, comma - 5);
  if (!header.ends_with(";base64")) return std::nullopt;
  header.remove_suffix(7);
  DataUrl out;
  out.media_type = header.substr(0, header.find(';'));
  out.data = url.substr(comma + 1);
  if (out.media_type.empty()) return std::nullopt;
  return out;
}

json::object InlineData(std::string_view media_type, std::string_view data) {
  json::object inline_data;
  // "image/jpg" is not a registered type, but clients send it for JPEGs.
  inline_data["mimeType"] = media_type == "image/jpg" ? std::string_view("image/jpeg") : media_type;
  inline_data["data"] = data;
  json::object part;
  part["inlineData"] = std::move(inline_data);
  return part;
}

// The media type an http(s) URL's extension names, or "" when it names none.
std::string_view MediaTypeOfUrl(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const std::size_t dot = url.rfind('.');
  if (dot == std::string_view::npos || url.find('/', dot) != std::string_view::npos) return {};
  std::string extension(url.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTypes = {{
      {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"webp", "image/webp"},
      {"gif", "image/gif"}, {"heic", "image/heic"}, {"heif", "image/heif"}, {"pdf", "application/pdf"}}};
  for (const auto& [ext, type] : kTypes) {
    if (extension == ext) return type;
  }
  return {};
}

core::Result<json::object> ImagePart(const json::object& part, const std::string& param) {
  // image_url is {"url", "detail"}; a bare string is accepted too, as vLLM and others do.
  const json::value* image_url = Member(part, "image_url");
  std::string_view url;
  if (image_url != nullptr && image_url->is_string()) {
    url = image_url->get_string();
  } else if (image_url != nullptr && image_url->is_object()) {
    url = StringMember(image_url->get_object(), "url");
  }
  if (url.empty()) return Invalid(param + ".image_url", "must carry a url");
  if (url.starts_with("data:")) {
    const std::optional<DataUrl> data = ParseDataUrl(url);
    if (!data) return Invalid(param + ".image_url.url", "a data URL must be base64 (data:image/png;base64,...)");
    return InlineData(data->media_type, data->data);
  }
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return Invalid(param + ".image_url.url", "must be an http(s) URL or a base64 data URL");
  }
  // Gemini fetches public URLs given as fileData; the type is optional there.
  json::object file_data;
  if (const std::string_view type = MediaTypeOfUrl(url); !type.empty()) file_data["mimeType"] = type;
  file_data["fileUri"] = url;
  json::object out;
  out["fileData"] = std::move(file_data);
  return out;
}

core::Result<json::object> FilePart(const json::object& part, const std::string& param) {
  const json::object* file = ObjectMember(part, "file");
  if (file == nullptr) return Invalid(param + ".file", "must be an object");
  if (Member(*file, "file_id") != nullptr && Member(*file, "file_data") == nullptr) {
    return Invalid(param + ".file.file_id",
                   "OpenAI file ids cannot be read by Gemini models; send the file inline as file_data");
  }
  const std::optional<DataUrl> data = ParseDataUrl(StringMember(*file, "file_data"));
  if (!data) return Invalid(param + ".file.file_data", "must be a base64 data URL (data:application/pdf;base64,...)");
  return InlineData(data->media_type, data->data);
}

core::Result<json::object> AudioPart(const json::object& part, const std::string& param) {
  const json::object* audio = ObjectMember(part, "input_audio");
  const std::string_view data = audio != nullptr ? StringMember(*audio, "data") : std::string_view();
  const std::string_view format = audio != nullptr ? StringMember(*audio, "format") : std::string_view();
  if (data.empty() || format.empty()) return Invalid(param + ".input_audio", "must carry base64 data and a format");
  return InlineData("audio/" + std::string(format), data);
}

// Text-only content: system, developer and tool messages, and assistant text
// (where "refusal" parts are text too). Empty text is skipped: Gemini refuses
// a part without data.
core::Result<json::array> TextParts(const json::value& content, const std::string& param, bool allow_refusal) {
  json::array parts;
  if (content.is_null()) return parts;
  if (content.is_string()) {
    if (!content.get_string().empty()) parts.push_back(TextPart(content.get_string()));
    return parts;
  }
  if (!content.is_array()) return Invalid(param, "must be a string or an array of text parts");
  const json::array& list = content.get_array();
  for (std::size_t j = 0; j < list.size(); ++j) {
    const std::string_view type = TypeOf(list[j]);
    std::string_view text;
    if (type == "text") {
      text = StringMember(list[j].get_object(), "text");
    } else if (type == "refusal" && allow_refusal) {
      text = StringMember(list[j].get_object(), "refusal");
    } else {
      return Invalid(Indexed(param, j), "only text parts are allowed here");
    }
    if (!text.empty()) parts.push_back(TextPart(text));
  }
  return parts;
}

core::Result<json::array> UserParts(const json::value& content, const std::string& param) {
  if (content.is_string() || content.is_null()) return TextParts(content, param, false);
  if (!content.is_array()) return Invalid(param, "must be a string or an array of content parts");
  json::array parts;
  const json::array& list = content.get_array();
  for (std::size_t j = 0; j < list.size(); ++j) {
    const std::string part_param = Indexed(param, j);
    const std::string_view type = TypeOf(list[j]);
    core::Result<json::object> part = json::object();
    if (type == "text") {
      const std::string_view text = StringMember(list[j].get_object(), "text");
      if (text.empty()) continue;
      part = TextPart(text);
    } else if (type == "image_url") {
      part = ImagePart(list[j].get_object(), part_param);
    } else if (type == "file") {
      part = FilePart(list[j].get_object(), part_param);
    } else if (type == "input_audio") {
      part = AudioPart(list[j].get_object(), part_param);
    } else {
      return Invalid(part_param, "unsupported content part type '" + std::string(type) + "'");
    }
    if (!part) return part.error();
    parts.push_back(std::move(*part));
  }
  return parts;
}

// --- The conversation ----------------------------------------------------------

// Builds `contents`. Consecutive messages of one role are merged into one
// Content (Gemini wants the turns to alternate); tool results are user turns
// holding functionResponse parts.
class Conversation {
 public:
  core::Status Add(const json::array& messages) { return openai_chat::AddChatMessages(messages, *this); }
  // The walk calls AddSystem, AddUser, AddAssistant and AddToolResult below.
  template <class C>
  friend core::Status openai_chat::AddChatMessages(const json::array& messages, C& conversation);

  std::optional<json::object> SystemInstruction() const {
    if (system_.empty()) return std::nullopt;
    json::object instruction;
    instruction["parts"] = system_;
    return instruction;
  }

  json::array TakeContents() { return std::move(contents_); }

 private:
  json::array& Turn(std::string_view role) {
    if (contents_.empty() || contents_.back().at("role").get_string() != role) {
      json::object content;
      content["role"] = role;
      content["parts"] = json::array();
      contents_.push_back(std::move(content));
    }
    return contents_.back().get_object()["parts"].get_array();
  }

  void Append(std::string_view role, json::array parts) {
    if (parts.empty()) return;  // Gemini refuses a Content without parts
    json::array& turn = Turn(role);
    for (json::value& part : parts) turn.push_back(std::move(part));
  }

  // System and developer messages become the systemInstruction, also in
  // mid-conversation: Gemini has no system turn, and a user turn would give
  // the operator's instruction the user's authority.
  core::Status AddSystem(const json::value& content, const std::string& param) {
    auto parts = TextParts(content, param, false);
    if (!parts) return parts.error();
    for (json::value& part : *parts) system_.push_back(std::move(part));
    return {};
  }

  core::Status AddUser(const json::value& content, const std::string& param) {
    auto parts = UserParts(content, param);
    if (!parts) return parts.error();
    Append("user", std::move(*parts));
    return {};
  }

  core::Status AddAssistant(const json::object& message, const std::string& param) {
    const json::value* content = message.if_contains("content");
    auto parts = TextParts(content != nullptr ? *content : null_, param + ".content", true);
    if (!parts) return parts.error();
    if (parts->empty()) {
      if (const std::string_view refusal = StringMember(message, "refusal"); !refusal.empty()) {
        parts->push_back(TextPart(refusal));
      }
    }
    if (const json::value* calls = Member(message, "tool_calls")) {
      if (!calls->is_array()) return Invalid(param + ".tool_calls", "must be an array");
      const json::array& list = calls->get_array();
      bool first_call = true;
      for (std::size_t j = 0; j < list.size(); ++j) {
        auto part = FunctionCallPart(list[j], Indexed(param + ".tool_calls", j), first_call);
        if (!part) return part.error();
        parts->push_back(std::move(*part));
        first_call = false;
      }
    }
    if (Member(message, "function_call") != nullptr) {
      return Invalid(param + ".function_call", "the legacy function_call is not supported; use tool_calls");
    }
    Append("model", std::move(*parts));
    return {};
  }

  core::Result<json::object> FunctionCallPart(const json::value& call, const std::string& param, bool first_call) {
    const json::object* object = call.if_object();
    const json::object* function = object != nullptr ? ObjectMember(*object, "function") : nullptr;
    if (function == nullptr) return Invalid(param, "must be a function tool call");
    const std::string_view id = StringMember(*object, "id");
    if (id.empty()) return Invalid(param + ".id", "must be a non-empty string");
    const std::string_view name = StringMember(*function, "name");
    if (name.empty()) return Invalid(param + ".function.name", "must be a non-empty string");
    // Gemini stores the arguments as an object, OpenAI as the text the model
    // wrote: text that is no JSON object cannot be carried over faithfully.
    json::value args = json::object();
    if (const std::string_view arguments = StringMember(*function, "arguments"); !arguments.empty()) {
      boost::system::error_code ec;
      args = json::parse(arguments, ec);
      if (ec || !args.is_object()) {
        return Invalid(param + ".function.arguments", "must be a JSON object to be sent to Gemini models");
      }
    }
    calls_.emplace_back(std::string(id), std::string(name));
    json::object function_call;
    function_call["name"] = name;
    function_call["args"] = std::move(args);
    json::object part;
    part["functionCall"] = std::move(function_call);
    // The signature Gemini gave the call, as Google's OpenAI endpoint returns
    // it. Gemini 3 refuses a replayed turn whose first call has none (later
    // parallel calls legitimately have none), so the first call of a turn
    // without one gets the validator-skipping signature Google documents.
    std::string_view signature;
    if (const json::object* extra = ObjectMember(*object, "extra_content")) {
      if (const json::object* google = ObjectMember(*extra, "google")) signature = detail::SignatureOf(*google);
    }
    if (!signature.empty()) {
      part["thoughtSignature"] = signature;
    } else if (first_call) {
      part["thoughtSignature"] = kSkipSignatureValidator;
    }
    return part;
  }

  core::Status AddToolResult(const json::object& message, const std::string& param) {
    const std::string_view id = StringMember(message, "tool_call_id");
    if (id.empty()) return Invalid(param + ".tool_call_id", "must be a non-empty string");
    // Gemini matches a response to its call by function name. Ids may repeat
    // across turns (Gemini's answers number their calls from call_0 each
    // time), so the latest call with this id is the one answered.
    const auto call = std::find_if(calls_.rbegin(), calls_.rend(), [id](const auto& c) { return c.first == id; });
    if (call == calls_.rend()) {
      return Invalid(param + ".tool_call_id", "answers no tool call of an earlier assistant message");
    }
    std::string output;
    const json::value* content = message.if_contains("content");
    if (content != nullptr && content->is_string()) {
      output = content->get_string();
    } else {
      auto parts = TextParts(content != nullptr ? *content : null_, param + ".content", false);
      if (!parts) return parts.error();
      for (const json::value& part : *parts) output += part.at("text").get_string();
    }
    // Google reads a response's "output" key as the function's output; a
    // result that is itself a JSON object is sent as the whole response.
    json::value response;
    boost::system::error_code ec;
    json::value parsed = json::parse(output, ec);
    if (!ec && parsed.is_object()) {
      response = std::move(parsed);
    } else {
      response = json::object{{"output", output}};
    }
    json::object function_response;
    function_response["name"] = call->second;
    function_response["response"] = std::move(response);
    json::object part;
    part["functionResponse"] = std::move(function_response);
    // A user turn's function responses go before its other parts, so a user
    // message merged in before them is moved after them.
    json::array& turn = Turn("user");
    const auto first_other = std::find_if(turn.begin(), turn.end(), [](const json::value& p) {
      return !p.get_object().contains("functionResponse");
    });
    turn.insert(first_other, std::move(part));
    return {};
  }

  json::array system_;
  json::array contents_;
  std::vector<std::pair<std::string, std::string>> calls_;  // (id, name), in order
  const json::value null_;
};

// --- Tools and settings -----------------------------------------------------------

// The function declarations, and the names each tool maps to, in order.
core::Result<json::array> FunctionDeclarations(const json::object& chat) {
  json::array declarations;
  const json::value* value = Member(chat, "tools");
  if (value == nullptr) return declarations;
  if (!value->is_array()) return Invalid("tools", "must be an array");
  const json::array& list = value->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string param = Indexed("tools", i);
    if (TypeOf(list[i]) != "function") return Invalid(param + ".type", "only function tools can be sent to Gemini models");
    const json::object* function = ObjectMember(list[i].get_object(), "function");
    if (function == nullptr) return Invalid(param + ".function", "must be an object");
    const std::string_view name = StringMember(*function, "name");
    if (name.empty()) return Invalid(param + ".function.name", "must be a non-empty string");
    json::object declaration;
    declaration["name"] = name;
    if (const std::string_view description = StringMember(*function, "description"); !description.empty()) {
      declaration["description"] = description;
    }
    if (const json::value* parameters = Member(*function, "parameters")) {
      if (!parameters->is_object()) return Invalid(param + ".function.parameters", "must be a JSON Schema object");
      json::value schema = SchemaForGemini(*parameters);
      // A function without arguments is declared without parameters: Gemini
      // refuses an object schema with no properties.
      const json::object& converted = schema.get_object();
      const bool no_arguments =
          converted.empty() || (StringMember(converted, "type") == "object" && !converted.contains("properties"));
      if (!no_arguments) declaration["parameters"] = std::move(schema);
    }
    declarations.push_back(std::move(declaration));
  }
  return declarations;
}

// The function names a tool_choice entry ({"type":"function","function":{"name"}}) names.
std::string_view ChoiceName(const json::value& entry) {
  if (TypeOf(entry) != "function") return {};
  const json::object* function = ObjectMember(entry.get_object(), "function");
  return function != nullptr ? StringMember(*function, "name") : std::string_view();
}

// tool_choice → toolConfig.functionCallingConfig, possibly narrowing the
// declarations (allowed_tools in auto mode: Gemini takes allowedFunctionNames
// only with mode ANY, so the other functions are not declared at all).
core::Result<std::optional<json::object>> ToolConfig(const json::object& chat, json::array& declarations) {
  const json::value* value = Member(chat, "tool_choice");
  if (value == nullptr || declarations.empty()) return std::optional<json::object>();
  json::object config;
  if (value->is_string()) {
    const std::string_view mode = value->get_string();
    if (mode == "auto") config["mode"] = "AUTO";
    else if (mode == "none") config["mode"] = "NONE";
    else if (mode == "required") config["mode"] = "ANY";
    else return Invalid("tool_choice", "must be 'none', 'auto', 'required' or a function");
  } else if (TypeOf(*value) == "function") {
    const std::string_view name = ChoiceName(*value);
    if (name.empty()) return Invalid("tool_choice.function.name", "must name the function");
    config["mode"] = "ANY";
    config["allowedFunctionNames"] = json::array{json::string(name)};
  } else if (TypeOf(*value) == "allowed_tools") {
    const json::object* allowed = ObjectMember(value->get_object(), "allowed_tools");
    const json::array* tools = allowed != nullptr ? ArrayMember(*allowed, "tools") : nullptr;
    if (tools == nullptr) return Invalid("tool_choice.allowed_tools.tools", "must be an array");
    json::array names;
    for (const json::value& tool : *tools) {
      const std::string_view name = ChoiceName(tool);
      if (name.empty()) return Invalid("tool_choice.allowed_tools.tools", "must list function tools by name");
      names.push_back(json::string(name));
    }
    const std::string_view mode = StringMember(*allowed, "mode", "auto");
    if (mode == "required") {
      config["mode"] = "ANY";
      config["allowedFunctionNames"] = std::move(names);
    } else if (mode == "auto") {
      config["mode"] = "AUTO";
      json::array kept;
      for (json::value& declaration : declarations) {
        const json::string& name = declaration.at("name").get_string();
        if (std::find(names.begin(), names.end(), json::value(name)) != names.end()) kept.push_back(declaration);
      }
      declarations = std::move(kept);
    } else {
      return Invalid("tool_choice.allowed_tools.mode", "must be 'auto' or 'required'");
    }
  } else {
    return Invalid("tool_choice", "must be 'none', 'auto', 'required' or {\"type\":\"function\",...}");
  }
  json::object tool_config;
  tool_config["functionCallingConfig"] = std::move(config);
  return std::optional<json::object>(std::move(tool_config));
}

core::Result<std::optional<std::uint64_t>> PositiveInteger(const json::object& chat, std::string_view key) {
  const json::value* value = Member(chat, key);
  if (value == nullptr) return std::optional<std::uint64_t>();
  const std::optional<std::uint64_t> number = detail::Unsigned(*value);
  if (!number || *number == 0) return Invalid(std::string(key), "must be a positive integer");
  return number;
}

// Copies the number `key` of `chat` into `config` as `gemini_key`.
core::Status CopyNumber(const json::object& chat, std::string_view key, json::object& config,
                        std::string_view gemini_key) {
  const json::value* value = Member(chat, key);
  if (value == nullptr) return {};
  if (!value->is_number()) return Invalid(std::string(key), "must be a number");
  config[gemini_key] = value->to_number<double>();
  return {};
}

core::Status ResponseFormat(const json::object& chat, json::object& config) {
  const json::value* format = Member(chat, "response_format");
  if (format == nullptr) return {};
  const std::string_view type = TypeOf(*format);
  if (type == "text") return {};
  if (type != "json_object" && type != "json_schema") {
    return Invalid("response_format.type", "must be 'text', 'json_object' or 'json_schema'");
  }
  config["responseMimeType"] = "application/json";
  if (type == "json_schema") {
    const json::object* spec = ObjectMember(format->get_object(), "json_schema");
    if (spec == nullptr) return Invalid("response_format.json_schema", "must be an object");
    if (const json::value* schema = Member(*spec, "schema")) {
      if (!schema->is_object()) return Invalid("response_format.json_schema.schema", "must be an object");
      config["responseSchema"] = SchemaForGemini(*schema);
    }
  }
  return {};
}

core::Status Thinking(const json::object& chat, json::object& config) {
  const json::value* effort = Member(chat, "reasoning_effort");
  if (effort == nullptr) return {};
  const std::string_view level = effort->is_string() ? std::string_view(effort->get_string()) : "";
  std::int64_t budget = 0;
  if (level == "minimal") budget = kMinimalThinkingBudget;
  else if (level == "low") budget = kLowThinkingBudget;
  else if (level == "medium") budget = kMediumThinkingBudget;
  else if (level == "high") budget = kHighThinkingBudget;
  else if (level != "none") return Invalid("reasoning_effort", "must be 'none', 'minimal', 'low', 'medium' or 'high'");
  config["thinkingConfig"] = json::object{{"thinkingBudget", budget}};
  return {};
}

core::Result<json::object> GenerationConfig(const json::object& chat) {
  json::object config;
  for (const auto& [key, gemini_key] : std::array<std::pair<std::string_view, std::string_view>, 4>{{
           {"temperature", "temperature"},
           {"top_p", "topP"},
           {"presence_penalty", "presencePenalty"},
           {"frequency_penalty", "frequencyPenalty"}}}) {
    if (auto copied = CopyNumber(chat, key, config, gemini_key); !copied) return copied.error();
  }
  auto top_k = PositiveInteger(chat, "top_k");
  if (!top_k) return top_k.error();
  if (*top_k) config["topK"] = **top_k;

  auto completion_limit = PositiveInteger(chat, "max_completion_tokens");
  if (!completion_limit) return completion_limit.error();
  auto legacy_limit = PositiveInteger(chat, "max_tokens");
  if (!legacy_limit) return legacy_limit.error();
  if (*completion_limit) config["maxOutputTokens"] = **completion_limit;
  else if (*legacy_limit) config["maxOutputTokens"] = **legacy_limit;

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
    if (!sequences.empty()) config["stopSequences"] = std::move(sequences);
  }

  auto n = PositiveInteger(chat, "n");
  if (!n) return n.error();
  if (*n && **n > 1) config["candidateCount"] = **n;

  if (const json::value* seed = Member(chat, "seed")) {
    if (!seed->is_int64() && !seed->is_uint64()) return Invalid("seed", "must be an integer");
    config["seed"] = *seed;
  }
  if (auto format = ResponseFormat(chat, config); !format) return format.error();
  if (auto thinking = Thinking(chat, config); !thinking) return thinking.error();
  return config;
}

}  // namespace

json::value SchemaForGemini(const json::value& schema) { return SchemaConverter(schema).Convert(schema, 0); }

core::Result<json::object> ChatRequestToGemini(const json::object& chat) {
  if (auto refused = openai_chat::RefuseUntranslatableFields(chat, "Gemini"); !refused) return refused.error();
  const json::value* messages = Member(chat, "messages");
  if (messages == nullptr || !messages->is_array() || messages->get_array().empty()) {
    return Invalid("messages", "must be a non-empty array");
  }
  Conversation conversation;
  if (auto added = conversation.Add(messages->get_array()); !added) return added.error();
  auto declarations = FunctionDeclarations(chat);
  if (!declarations) return declarations.error();
  auto tool_config = ToolConfig(chat, *declarations);
  if (!tool_config) return tool_config.error();
  auto generation_config = GenerationConfig(chat);
  if (!generation_config) return generation_config.error();

  json::object out;
  json::array contents = conversation.TakeContents();
  if (contents.empty()) return Invalid("messages", "must hold at least one user or assistant message with content");
  out["contents"] = std::move(contents);
  if (std::optional<json::object> system = conversation.SystemInstruction()) out["systemInstruction"] = std::move(*system);
  if (!declarations->empty()) {
    json::object tool;
    tool["functionDeclarations"] = std::move(*declarations);
    out["tools"] = json::array{std::move(tool)};
  }
  if (*tool_config) out["toolConfig"] = std::move(**tool_config);
  if (!generation_config->empty()) out["generationConfig"] = std::move(*generation_config);
  return out;
}

}  // namespace strata::providers::gemini

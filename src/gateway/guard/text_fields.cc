#include "gateway/guard/text_fields.h"

namespace strata::gateway {
namespace {

namespace json = boost::json;

json::object* ObjectAt(json::value* value) { return value != nullptr ? value->if_object() : nullptr; }

json::string* StringAt(json::object& object, std::string_view key) {
  json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_string() : nullptr;
}

// A content that is a string, or an array of parts of which the "text" ones count.
void AddContent(std::vector<TextField>& fields, json::value* content, const std::string& path) {
  if (content == nullptr) return;
  if (json::string* text = content->if_string()) {
    fields.push_back({path, text});
    return;
  }
  json::array* parts = content->if_array();
  if (parts == nullptr) return;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    json::object* part = (*parts)[i].if_object();
    if (part == nullptr) continue;
    const json::string* type = StringAt(*part, "type");
    if (type == nullptr || *type != "text") continue;
    if (json::string* text = StringAt(*part, "text")) {
      fields.push_back({path + "[" + std::to_string(i) + "].text", text});
    }
  }
}

// A string, or an array of strings (token arrays are left alone).
void AddStrings(std::vector<TextField>& fields, json::value* value, const std::string& path) {
  if (value == nullptr) return;
  if (json::string* text = value->if_string()) {
    fields.push_back({path, text});
  } else if (json::array* items = value->if_array()) {
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (json::string* text = (*items)[i].if_string()) fields.push_back({path + "[" + std::to_string(i) + "]", text});
    }
  }
}

}  // namespace

std::vector<TextField> RequestTexts(core::ApiFormat format, json::object& body) {
  std::vector<TextField> fields;
  switch (format) {
    case core::ApiFormat::kOpenAiCompletions: AddStrings(fields, body.if_contains("prompt"), "prompt"); break;
    case core::ApiFormat::kOpenAiEmbeddings: AddStrings(fields, body.if_contains("input"), "input"); break;
    case core::ApiFormat::kAnthropicMessages: AddContent(fields, body.if_contains("system"), "system"); [[fallthrough]];
    case core::ApiFormat::kOpenAiChat: {
      json::value* messages = body.if_contains("messages");
      json::array* list = messages != nullptr ? messages->if_array() : nullptr;
      if (list == nullptr) break;
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (json::object* message = (*list)[i].if_object()) {
          AddContent(fields, message->if_contains("content"), "messages[" + std::to_string(i) + "].content");
        }
      }
      break;
    }
  }
  return fields;
}

std::vector<TextField> AnswerTexts(core::ApiFormat format, json::object& answer) {
  std::vector<TextField> fields;
  if (format == core::ApiFormat::kAnthropicMessages) {
    AddContent(fields, answer.if_contains("content"), "content");
    return fields;
  }
  json::value* choices = answer.if_contains("choices");
  json::array* list = choices != nullptr ? choices->if_array() : nullptr;
  if (list == nullptr) return fields;
  for (std::size_t i = 0; i < list->size(); ++i) {
    json::object* choice = (*list)[i].if_object();
    if (choice == nullptr) continue;
    const std::string path = "choices[" + std::to_string(i) + "]";
    if (format == core::ApiFormat::kOpenAiCompletions) {
      if (json::string* text = StringAt(*choice, "text")) fields.push_back({path + ".text", text});
    } else if (json::object* message = ObjectAt(choice->if_contains("message"))) {
      AddContent(fields, message->if_contains("content"), path + ".message.content");
    }
  }
  return fields;
}

DeltaText StreamDelta(core::ApiFormat format, json::object& event) {
  DeltaText delta;
  if (format == core::ApiFormat::kAnthropicMessages) {
    const json::string* type = StringAt(event, "type");
    json::object* inner = ObjectAt(event.if_contains("delta"));
    if (type == nullptr || *type != "content_block_delta" || inner == nullptr) return delta;
    const json::string* delta_type = StringAt(*inner, "type");
    if (delta_type == nullptr || *delta_type != "text_delta") return delta;
    if (const json::value* index = event.if_contains("index"); index != nullptr && index->is_int64()) {
      delta.index = static_cast<int>(index->get_int64());
    }
    delta.text = StringAt(*inner, "text");
    return delta;
  }
  json::value* choices = event.if_contains("choices");
  json::array* list = choices != nullptr ? choices->if_array() : nullptr;
  if (list == nullptr || list->empty()) return delta;
  json::object* choice = (*list)[0].if_object();  // one choice per chunk, as vendors send them
  if (choice == nullptr) return delta;
  if (const json::value* index = choice->if_contains("index"); index != nullptr && index->is_int64()) {
    delta.index = static_cast<int>(index->get_int64());
  }
  if (format == core::ApiFormat::kOpenAiCompletions) {
    delta.text = StringAt(*choice, "text");
  } else if (json::object* inner = ObjectAt(choice->if_contains("delta"))) {
    delta.text = StringAt(*inner, "content");
  }
  return delta;
}

}  // namespace strata::gateway

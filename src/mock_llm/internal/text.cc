#include "mock_llm/internal/text.h"

#include <algorithm>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace strata::mock_llm {
namespace json = boost::json;
namespace {

constexpr int kMaxSchemaDepth = 16;
// A schema asking for huge arrays must not make the mock allocate for it.
constexpr std::int64_t kMaxExampleItems = 16;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string_view StringMember(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

// The first entry of `type` (a string or a list) that is not "null".
std::string_view SchemaType(const json::object& schema) {
  const json::value* type = schema.if_contains("type");
  if (type == nullptr) return {};
  if (type->is_string()) return type->get_string();
  if (type->is_array()) {
    std::string_view first;
    for (const json::value& entry : type->get_array()) {
      if (!entry.is_string()) continue;
      if (entry.get_string() != "null") return entry.get_string();
      first = entry.get_string();
    }
    return first;
  }
  return {};
}

json::value Example(const json::value& schema, int depth) {
  if (depth > kMaxSchemaDepth || !schema.is_object()) return depth > kMaxSchemaDepth ? json::value() : json::object();
  const json::object& object = schema.get_object();
  if (const json::value* constant = object.if_contains("const")) return *constant;
  if (const json::value* values = object.if_contains("enum"); values && values->is_array() &&
                                                              !values->get_array().empty()) {
    return values->get_array().front();
  }
  if (const json::value* fallback = object.if_contains("default")) return *fallback;
  for (std::string_view branch_key : {"anyOf", "oneOf", "allOf"}) {
    const json::value* branches = object.if_contains(branch_key);
    if (branches && branches->is_array() && !branches->get_array().empty()) {
      return Example(branches->get_array().front(), depth + 1);
    }
  }

  std::string_view type = SchemaType(object);
  if (type.empty()) {
    // Schemas often leave out "type" when the shape says it all.
    if (object.contains("properties")) type = "object";
    else if (object.contains("items")) type = "array";
  }
  if (type == "object") {
    json::object result;
    if (const json::value* properties = object.if_contains("properties"); properties && properties->is_object()) {
      for (const auto& [name, property] : properties->get_object()) {
        result.emplace(name, Example(property, depth + 1));
      }
    }
    return result;
  }
  if (type == "string") return json::string("mock");
  if (type == "integer" || type == "number") {
    if (const json::value* minimum = object.if_contains("minimum"); minimum && minimum->is_number()) {
      return *minimum;
    }
    return 1;
  }
  if (type == "boolean") return true;
  if (type == "null") return nullptr;
  if (type == "array") {
    std::int64_t count = 1;
    if (const json::value* min_items = object.if_contains("minItems"); min_items && min_items->is_int64()) {
      count = std::clamp<std::int64_t>(min_items->get_int64(), 1, kMaxExampleItems);
    }
    json::array result;
    const json::value* items = object.if_contains("items");
    const json::value item = items ? Example(*items, depth + 1) : json::value(json::string("mock"));
    for (std::int64_t i = 0; i < count; ++i) result.push_back(item);
    return result;
  }
  return json::object();
}

}  // namespace

std::uint64_t Fnv1a(std::string_view bytes, std::uint64_t hash) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string_view TruncateUtf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && IsContinuationByte(text[end])) --end;
  return text.substr(0, end);
}

std::vector<std::string_view> SplitPieces(std::string_view text, std::uint32_t pieces) {
  std::vector<std::string_view> parts;
  if (text.empty()) return parts;
  if (pieces == 0) pieces = 1;
  parts.reserve(std::min<std::size_t>(pieces, text.size()));
  std::size_t start = 0;
  for (std::uint32_t i = 1; i <= pieces && start < text.size(); ++i) {
    // Ends at the i-th of `pieces` equal fractions, moved forward off any
    // continuation byte so a character is never split.
    std::size_t end = i == pieces ? text.size() : text.size() * i / pieces;
    while (end < text.size() && IsContinuationByte(text[end])) ++end;
    if (end <= start) continue;
    parts.push_back(text.substr(start, end - start));
    start = end;
  }
  return parts;
}

Reply TextReply(std::string_view user_text, std::optional<std::string_view> override_text,
                std::optional<std::uint64_t> max_tokens) {
  Reply reply;
  if (override_text) {
    reply.text.assign(*override_text);
  } else {
    reply.text.reserve(kReplyPrefix.size() + user_text.size());
    reply.text.append(kReplyPrefix).append(user_text);
  }
  if (max_tokens && *max_tokens < CountTokens(reply.text.size())) {
    reply.text.resize(TruncateUtf8(reply.text, *max_tokens * kBytesPerToken).size());
    reply.finish = FinishReason::kLength;
  }
  reply.completion_tokens = CountTokens(reply.text.size());
  return reply;
}

Reply ToolReply(std::string_view name, const json::value* schema, std::string_view id_prefix) {
  static constexpr char kHex[] = "0123456789abcdef";
  Reply reply;
  reply.finish = FinishReason::kToolCall;
  ToolCall& call = reply.tool_call.emplace();
  call.name.assign(name);
  call.arguments = schema ? json::serialize(Example(*schema, 0)) : std::string("{}");
  // Real ids are 24 random characters; these are derived from the name so a
  // test can predict them.
  std::uint64_t state = Fnv1a(name);
  call.id.reserve(id_prefix.size() + 24);
  call.id.append(id_prefix);
  for (int i = 0; i < 24; ++i) {
    if (i % 16 == 0) SplitMix64(state);
    call.id += kHex[(state >> (4 * (i % 16))) & 0xf];
  }
  reply.completion_tokens = CountTokens(call.name.size() + call.arguments.size());
  return reply;
}

json::value ExampleFromSchema(const json::value& schema) { return Example(schema, 0); }

bool AppendContentText(const json::value& content, std::string& out) {
  if (content.is_string()) {
    out.append(content.get_string());
    return true;
  }
  if (!content.is_array()) return false;
  bool found = false;
  for (const json::value& part : content.get_array()) {
    if (!part.is_object()) continue;
    const json::object& block = part.get_object();
    if (StringMember(block, "type") != "text") continue;
    const json::value* text = block.if_contains("text");
    if (text == nullptr || !text->is_string()) continue;
    if (found) out += '\n';
    out.append(text->get_string());
    found = true;
  }
  return found;
}

std::size_t ContentTextBytes(const json::value& content) {
  if (content.is_string()) return content.get_string().size();
  if (!content.is_array()) return 0;
  std::size_t bytes = 0;
  for (const json::value& part : content.get_array()) {
    if (!part.is_object()) continue;
    const json::object& block = part.get_object();
    if (const json::value* text = block.if_contains("text"); text && text->is_string()) {
      bytes += text->get_string().size();
    } else if (const json::value* inner = block.if_contains("content")) {
      bytes += ContentTextBytes(*inner);  // tool_result blocks
    }
  }
  return bytes;
}

}  // namespace strata::mock_llm

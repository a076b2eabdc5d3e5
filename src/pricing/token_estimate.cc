#include "pricing/token_estimate.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace strata::pricing {
namespace {

namespace json = boost::json;

// Costs in thousandths of a token, so fractional weights add up exactly. The
// weights were fitted to o200k and cl100k counts over English, code, JSON,
// European and CJK text (docs/PRICING.md).
constexpr std::uint64_t kMilli = 1000;
constexpr std::uint64_t kWordMilliPerTenthLetter = 20;  // 5 letters a token: 1000 / 50 tenths
constexpr std::uint64_t kAsciiLetterTenths = 10;
constexpr std::uint64_t kNonAsciiLetterTenths = 12;
constexpr std::uint64_t kPunctuationMilliPerChar = 400;  // 2.5 characters a token
constexpr std::uint64_t kWhitespaceRunMilli = 500;
constexpr std::uint64_t kCjkMilli = 900;
constexpr std::uint64_t kHangulMilli = 750;
constexpr std::uint64_t kAstralMilli = 2000;
constexpr std::uint64_t kOtherMilli = 1000;

enum class CharClass {
  kAsciiLetter,
  kLetter,  // alphabetic scripts below U+2000
  kDigit,
  kWhitespace,
  kPunctuation,  // any other ASCII
  kCjk,
  kHangul,
  kAstral,  // above U+FFFF: emoji, rare ideographs
  kOther,   // everything else, invalid bytes included
};

struct Char {
  CharClass type;
  char32_t code_point;
  std::size_t length;  // bytes
};

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes one character at `at`. Malformed sequences, overlongs and surrogates
// become one kOther byte each, as byte-level tokenizers would spend a token on it.
Char Decode(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  const Char invalid{CharClass::kOther, 0xFFFD, 1};
  if (byte < 0x80) {
    const char c = static_cast<char>(byte);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return {CharClass::kAsciiLetter, byte, 1};
    if (c >= '0' && c <= '9') return {CharClass::kDigit, byte, 1};
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') return {CharClass::kWhitespace, byte, 1};
    return {CharClass::kPunctuation, byte, 1};
  }
  std::size_t length = 0;
  char32_t code_point = 0;
  if ((byte & 0xE0) == 0xC0) {
    length = 2;
    code_point = byte & 0x1F;
  } else if ((byte & 0xF0) == 0xE0) {
    length = 3;
    code_point = byte & 0x0F;
  } else if ((byte & 0xF8) == 0xF0) {
    length = 4;
    code_point = byte & 0x07;
  } else {
    return invalid;
  }
  if (at + length > text.size()) {
    return invalid;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if (!IsContinuation(next)) {
      return invalid;
    }
    code_point = (code_point << 6) | (next & 0x3F);
  }
  constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return invalid;
  }

  CharClass type = CharClass::kOther;
  if (code_point >= 0xC0 && code_point < 0x2000 && code_point != 0xD7 && code_point != 0xF7) {
    type = CharClass::kLetter;  // Latin-1 letters on: Latin, Greek, Cyrillic, Hebrew, Arabic, Indic, ...
  } else if (code_point >= 0xAC00 && code_point <= 0xD7AF) {
    type = CharClass::kHangul;
  } else if ((code_point >= 0x3040 && code_point <= 0x30FF) ||  // kana
             (code_point >= 0x3130 && code_point <= 0x318F) ||  // Hangul compatibility jamo
             (code_point >= 0x3400 && code_point <= 0x4DBF) ||  // CJK extension A
             (code_point >= 0x4E00 && code_point <= 0x9FFF) ||  // CJK unified ideographs
             (code_point >= 0xF900 && code_point <= 0xFAFF)) {  // CJK compatibility ideographs
    type = CharClass::kCjk;
  } else if (code_point >= 0x10000) {
    type = CharClass::kAstral;
  }
  return {type, code_point, length};
}

bool IsWordClass(CharClass type) { return type == CharClass::kAsciiLetter || type == CharClass::kLetter; }

std::uint64_t EstimateJsonText(const json::value& value) { return EstimateTokens(json::serialize(value)); }

bool IsImagePart(std::string_view type) {
  return type == "image_url" || type == "image" || type == "input_image";
}

std::uint64_t EstimateContent(const json::value& content);

// One part of a content list, in OpenAI's or Anthropic's shape.
std::uint64_t EstimatePart(const json::value& part) {
  if (part.is_string()) {
    return EstimateTokens(part.get_string());
  }
  const json::object* object = part.if_object();
  if (object == nullptr) {
    return EstimateJsonText(part);
  }
  std::string_view type;
  if (const json::value* type_value = object->if_contains("type"); type_value && type_value->is_string()) {
    type = type_value->get_string();
  }
  if (IsImagePart(type)) {
    return kImageTokens;
  }
  if (const json::value* text = object->if_contains("text"); text && text->is_string()) {
    return EstimateTokens(text->get_string());  // "text", "input_text", "output_text"
  }
  if (type == "thinking") {
    if (const json::value* thinking = object->if_contains("thinking"); thinking && thinking->is_string()) {
      return EstimateTokens(thinking->get_string());
    }
  }
  if (type == "tool_result") {
    if (const json::value* nested = object->if_contains("content")) {
      return EstimateContent(*nested);
    }
    return 0;
  }
  if (type == "tool_use") {
    std::uint64_t tokens = 0;
    if (const json::value* name = object->if_contains("name"); name && name->is_string()) {
      tokens += EstimateTokens(name->get_string());
    }
    if (const json::value* input = object->if_contains("input")) {
      tokens += EstimateJsonText(*input);
    }
    return tokens;
  }
  return EstimateJsonText(part);
}

// A message's `content`: text, a list of parts, or null (an assistant turn
// that only calls tools).
std::uint64_t EstimateContent(const json::value& content) {
  if (content.is_string()) {
    return EstimateTokens(content.get_string());
  }
  if (content.is_null()) {
    return 0;
  }
  if (const json::array* parts = content.if_array()) {
    std::uint64_t tokens = 0;
    for (const json::value& part : *parts) {
      tokens += EstimatePart(part);
    }
    return tokens;
  }
  return EstimateJsonText(content);
}

std::uint64_t EstimateMessage(const json::value& message) {
  const json::object* object = message.if_object();
  if (object == nullptr) {
    return kTokensPerMessage + EstimatePart(message);
  }
  // The role is part of the per-message overhead.
  std::uint64_t tokens = kTokensPerMessage;
  for (const auto& [key, value] : *object) {
    if (key == "role") {
      continue;
    }
    if (key == "content") {
      tokens += EstimateContent(value);
    } else if (value.is_string()) {
      tokens += EstimateTokens(value.get_string()) + (key == "name" ? 1 : 0);
    } else {
      tokens += EstimateJsonText(value);  // tool_calls, function_call, ...
    }
  }
  return tokens;
}

// `prompt` or embeddings' `input`: text, a list of texts, token ids, or lists
// of token ids (counted exactly: they are tokens already).
std::uint64_t EstimateTextOrTokens(const json::value& value) {
  if (value.is_string()) {
    return EstimateTokens(value.get_string());
  }
  const json::array* items = value.if_array();
  if (items == nullptr) {
    return 0;
  }
  std::uint64_t tokens = 0;
  for (const json::value& item : *items) {
    if (item.is_string()) {
      tokens += EstimateTokens(item.get_string());
    } else if (item.is_number()) {
      tokens += 1;
    } else if (const json::array* ids = item.if_array()) {
      tokens += ids->size();
    }
  }
  return tokens;
}

}  // namespace

std::uint64_t EstimateTokens(std::string_view text) {
  std::uint64_t milli = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const Char first = Decode(text, at);
    if (IsWordClass(first.type)) {
      std::uint64_t tenths = 0;
      Char c = first;
      while (true) {
        tenths += c.type == CharClass::kAsciiLetter ? kAsciiLetterTenths : kNonAsciiLetterTenths;
        at += c.length;
        if (at == text.size()) {
          break;
        }
        c = Decode(text, at);
        if (!IsWordClass(c.type)) {
          break;
        }
      }
      milli += std::max(kMilli, tenths * kWordMilliPerTenthLetter);
    } else if (first.type == CharClass::kDigit || first.type == CharClass::kPunctuation ||
               first.type == CharClass::kWhitespace) {
      // ASCII runs: one byte per character.
      std::size_t end = at + 1;
      while (end < text.size() && Decode(text, end).type == first.type) {
        ++end;
      }
      const std::uint64_t count = end - at;
      if (first.type == CharClass::kDigit) {
        milli += (count + 2) / 3 * kMilli;
      } else if (first.type == CharClass::kPunctuation) {
        milli += std::max(kMilli, count * kPunctuationMilliPerChar);
      } else if (!(count == 1 && text[at] == ' ' && end < text.size())) {
        milli += kWhitespaceRunMilli;  // a lone space before more text is part of the next token
      }
      at = end;
    } else {
      switch (first.type) {
        case CharClass::kCjk:
          milli += kCjkMilli;
          break;
        case CharClass::kHangul:
          milli += kHangulMilli;
          break;
        case CharClass::kAstral:
          milli += kAstralMilli;
          break;
        default:
          milli += kOtherMilli;  // zero-width joiners, variation selectors, symbols, invalid bytes
          break;
      }
      at += first.length;
    }
  }
  return (milli + kMilli - 1) / kMilli;
}

std::uint64_t EstimateChatInputTokens(const json::value& messages) {
  if (messages.is_string()) {
    return EstimateTokens(messages.get_string());
  }
  const json::array* list = messages.if_array();
  if (list == nullptr) {
    return 0;
  }
  std::uint64_t tokens = list->empty() ? 0 : kReplyPrimingTokens;
  for (const json::value& message : *list) {
    tokens += EstimateMessage(message);
  }
  return tokens;
}

std::uint64_t EstimateChatInputTokens(const json::value& messages, const json::value& tools) {
  std::uint64_t tokens = EstimateChatInputTokens(messages);
  if (!tools.is_null() && !(tools.is_array() && tools.get_array().empty())) {
    tokens += EstimateJsonText(tools);
  }
  return tokens;
}

std::uint64_t EstimateRequestInputTokens(const json::object& body) {
  static const json::value kNull;
  const json::value* tools = body.if_contains("tools");
  const json::value& tool_list = tools != nullptr ? *tools : kNull;
  std::uint64_t tokens = 0;
  if (const json::value* messages = body.if_contains("messages")) {
    tokens += EstimateChatInputTokens(*messages, tool_list);
    if (const json::value* system = body.if_contains("system")) {  // Anthropic
      tokens += EstimateContent(*system);
    }
    return tokens;
  }
  if (const json::value* input = body.if_contains("input")) {
    if (body.contains("instructions") || tools != nullptr || (input->is_array() && !input->get_array().empty() &&
                                                              input->get_array().front().is_object())) {
      // The Responses API: `input` is text or a list of items shaped like messages.
      if (const json::value* instructions = body.if_contains("instructions"); instructions && instructions->is_string()) {
        tokens += EstimateTokens(instructions->get_string());
      }
      return tokens + EstimateChatInputTokens(*input, tool_list);
    }
    return EstimateTextOrTokens(*input);  // embeddings
  }
  if (const json::value* prompt = body.if_contains("prompt")) {
    return EstimateTextOrTokens(*prompt);  // completions
  }
  return 0;
}

core::Usage EstimatedUsage(std::uint64_t input_tokens, std::uint64_t output_tokens) {
  core::Usage usage;
  usage.input_tokens = input_tokens;
  usage.output_tokens = output_tokens;
  usage.estimated = true;
  return usage;
}

}  // namespace strata::pricing

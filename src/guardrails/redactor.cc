#include "guardrails/redactor.h"

#include "guardrails/internal/ascii.h"

namespace strata::guardrails {
namespace {

using internal::IsAsciiAlnum;
using internal::Lower;
using internal::Upper;

// What makes two spellings of a value the same value, for numbering.
std::string IdentityKey(EntityType type, std::string_view value) {
  std::string key(EntityName(type));
  key.push_back('\0');
  switch (type) {
    case EntityType::kCreditCard:
    case EntityType::kIban:
    case EntityType::kUsSsn:
    case EntityType::kPhone:
      for (char c : value) {
        if (IsAsciiAlnum(c) || c == '+') key.push_back(Upper(c));
      }
      break;
    case EntityType::kEmail:
      for (char c : value) key.push_back(Lower(c));
      break;
    default:
      key.append(value);
  }
  return key;
}

}  // namespace

Redactor::Redactor(RedactorOptions options) : options_(options) {}

std::string Redactor::Redact(std::string_view text, std::span<const Finding> findings) {
  std::string out;
  out.reserve(text.size());
  AppendRedacted(out, text, findings);
  return out;
}

void Redactor::AppendRedacted(std::string& out, std::string_view text,
                              std::span<const Finding> findings, std::size_t offset) {
  std::size_t cursor = 0;
  for (const Finding& finding : findings) {
    const std::size_t begin = finding.begin - offset;
    const std::size_t end = finding.end - offset;
    out.append(text.substr(cursor, begin - cursor));
    const std::string_view value = text.substr(begin, end - begin);
    switch (options_.styles[static_cast<int>(finding.type)]) {
      case RedactionStyle::kMask: out += Mask(value); break;
      case RedactionStyle::kPlaceholder: out += Placeholder(finding.type, value); break;
      case RedactionStyle::kKeep: out += value; break;
    }
    cursor = end;
  }
  out.append(text.substr(cursor));
}

std::string Redactor::Placeholder(EntityType type, std::string_view value) {
  std::string key = IdentityKey(type, value);
  auto known = placeholder_by_key_.find(key);
  if (known != placeholder_by_key_.end()) return known->second;
  const int number = ++issued_[static_cast<int>(type)];
  // Built by appending: GCC 12 warns (-Wrestrict, falsely) on "<" + std::string.
  std::string placeholder;
  placeholder.push_back('<');
  placeholder.append(EntityName(type));
  placeholder.push_back('_');
  placeholder.append(std::to_string(number));
  placeholder.push_back('>');
  placeholder_by_key_.emplace(std::move(key), placeholder);
  if (restore_new_) value_by_placeholder_.emplace(placeholder, std::string(value));
  return placeholder;
}

std::string Redactor::Mask(std::string_view value) const {
  std::size_t alnum = 0;
  for (char c : value) alnum += IsAsciiAlnum(c) ? 1 : 0;
  const std::size_t keep_from = alnum > options_.mask_keep_last ? alnum - options_.mask_keep_last : 0;
  std::string masked;
  std::size_t seen = 0;
  for (char c : value) {
    if (!IsAsciiAlnum(c)) continue;
    masked.push_back(seen++ < keep_from ? '*' : c);
  }
  return masked;
}

std::string Redactor::Restore(std::string_view text) const {
  if (value_by_placeholder_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t cursor = 0;
  for (std::size_t open = text.find('<'); open != std::string_view::npos;
       open = text.find('<', open + 1)) {
    // Placeholders are short ("<PROMPT_INJECTION_12>"); anything longer is not one.
    const std::size_t close = text.find('>', open + 1);
    if (close == std::string_view::npos) break;
    if (close - open + 1 > kMaxPlaceholderBytes) continue;
    const auto value = value_by_placeholder_.find(text.substr(open, close - open + 1));
    if (value == value_by_placeholder_.end()) continue;
    out.append(text.substr(cursor, open - cursor));
    out += value->second;
    cursor = close + 1;
    open = close;
  }
  out.append(text.substr(cursor));
  return out;
}

}  // namespace strata::guardrails

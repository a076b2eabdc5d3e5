#pragma once

// ASCII character classes for the validators: not <cctype>, whose answers
// depend on the locale and which takes an int that must not be negative.
namespace strata::guardrails::internal {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsAsciiAlpha(char c) { return IsUpper(c) || IsLower(c); }
constexpr bool IsAsciiAlnum(char c) { return IsDigit(c) || IsAsciiAlpha(c); }
constexpr char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char Upper(char c) { return IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace strata::guardrails::internal

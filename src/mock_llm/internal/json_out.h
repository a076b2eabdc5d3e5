#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.h"

// Append-only JSON writing for the mock's answers. The shapes are fixed, so
// writing them straight into one string is several times faster than building
// a boost::json DOM and serializing it, and the answers are the hot path of
// every benchmark run through the mock.
namespace strata::mock_llm::json_out {

// Appends `text` as a quoted JSON string (invalid UTF-8 becomes U+FFFD).
inline void String(std::string& out, std::string_view text) {
  out += '"';
  core::AppendJsonEscaped(out, text);
  out += '"';
}

template <class Int>
inline void Number(std::string& out, Int value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// `"key":` followed by a quoted string.
inline void Member(std::string& out, std::string_view key, std::string_view text) {
  out += '"';
  out += key;
  out += "\":";
  String(out, text);
}

}  // namespace strata::mock_llm::json_out

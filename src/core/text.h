#pragma once

#include <string>
#include <string_view>

namespace strata::core {

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Appends `text` as the inside of a JSON string: quotes, backslashes and control
// characters escaped, and each byte that is not part of well-formed UTF-8
// replaced by U+FFFD, so the result is always valid JSON whatever came in.
void AppendJsonEscaped(std::string& out, std::string_view text);
// The same, in quotes: a whole JSON string value.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace strata::core

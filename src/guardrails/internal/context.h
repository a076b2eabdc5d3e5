#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

// Context words: the cheap second opinion after a pattern matched. "born" in
// front of a date makes it a date of birth; "version" in front of 1.2.3.4 makes
// it not an address. Only the text *before* a match is consulted, so a stream
// can decide a finding as soon as its last byte has arrived.
namespace strata::guardrails::internal {

// How far before a match context words are looked for, in bytes. The stream
// scanner keeps this much released text to rescan with (stream_scanner.h).
inline constexpr std::size_t kContextWindow = 64;

// Whether one of `words` (lower case, ASCII) occurs as a whole word, ignoring
// case, within kContextWindow bytes before `begin`.
bool HasContextBefore(std::string_view text, std::size_t begin,
                      std::initializer_list<std::string_view> words);

// Whether the byte before `begin` / at `end` is an ASCII letter or digit, for
// boundaries Hyperscan's \b cannot express (a dot inside "1.2.3.4.5").
bool AlnumBefore(std::string_view text, std::size_t begin);
bool AlnumAt(std::string_view text, std::size_t end);

}  // namespace strata::guardrails::internal

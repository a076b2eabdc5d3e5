#include "guardrails/internal/context.h"

#include <algorithm>
#include <array>

#include "guardrails/internal/ascii.h"

namespace strata::guardrails::internal {

bool HasContextBefore(std::string_view text, std::size_t begin,
                      std::initializer_list<std::string_view> words) {
  const std::size_t start = begin > kContextWindow ? begin - kContextWindow : 0;
  std::array<char, kContextWindow> lowered;
  const std::size_t length = begin - start;
  std::transform(text.begin() + start, text.begin() + begin, lowered.begin(), Lower);
  const std::string_view window(lowered.data(), length);
  for (std::string_view word : words) {
    for (std::size_t at = window.find(word); at != std::string_view::npos;
         at = window.find(word, at + 1)) {
      // Whole words only: "dob" must not fire inside "adobe". The left edge of
      // the window counts as a boundary only when it is the text's start.
      const bool left_ok = at == 0 ? start == 0 || !IsAsciiAlnum(text[start - 1])
                                   : !IsAsciiAlnum(window[at - 1]);
      const std::size_t after = at + word.size();
      const bool right_ok = after == window.size() || !IsAsciiAlnum(window[after]);
      if (left_ok && right_ok) return true;
    }
  }
  return false;
}

bool AlnumBefore(std::string_view text, std::size_t begin) {
  return begin > 0 && IsAsciiAlnum(text[begin - 1]);
}

bool AlnumAt(std::string_view text, std::size_t end) {
  return end < text.size() && IsAsciiAlnum(text[end]);
}

}  // namespace strata::guardrails::internal

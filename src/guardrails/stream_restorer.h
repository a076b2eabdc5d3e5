#pragma once

#include <string>
#include <string_view>

namespace strata::guardrails {

class Redactor;

// Restore() for a streamed answer: puts back the values of the placeholders
// the request's Redactor issued, whatever the deltas' split points. It holds
// back only a possible placeholder still being written: from the last '<'
// that has no '>' after it, if that '<' is fewer than
// Redactor::kMaxPlaceholderBytes bytes from the end. The concatenation of all
// Push() results and Finish() equals Restore() of the whole answer.
//
// One per stream; not thread-safe. `redactor` must outlive it.
class StreamRestorer {
 public:
  explicit StreamRestorer(const Redactor& redactor) : redactor_(redactor) {}

  // Takes the next delta; returns the text now final, restored (possibly empty).
  std::string Push(std::string_view chunk);

  // The stream ended: returns what was held, restored.
  std::string Finish();

 private:
  const Redactor& redactor_;
  std::string held_;
};

}  // namespace strata::guardrails

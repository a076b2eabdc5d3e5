#pragma once

#include <optional>
#include <string_view>

#include "core/usage.h"

namespace strata::providers {

// What one pass over an OpenAI answer tells: whether it is a JSON object, and
// the top-level "usage" when that is an object. The answer itself is
// forwarded as is, so only its usage is read, by a streaming (SAX) parse that
// builds nothing: about half the cost of parsing it into a DOM. The same
// rules as UsageFromOpenAi: counts are non-negative integers or 0, the last of
// duplicate keys wins, a "usage" that is not an object counts as absent.
struct UsageScan {
  bool valid_object = false;          // false: not JSON, or not an object
  std::optional<core::Usage> usage;   // empty: no usage object
};
UsageScan ScanOpenAiUsage(std::string_view answer);

}  // namespace strata::providers

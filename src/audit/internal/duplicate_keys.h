#pragma once

#include <string_view>

namespace strata::audit::internal {

// Whether some object in the JSON text `json` has the same key twice.
// Boost.JSON 1.81 keeps the last of duplicate keys without a word, while
// another reader may keep the first: an export line must have one meaning
// for every verifier, so lines with duplicates are refused. Malformed JSON
// answers false (the real parse reports it).
bool HasDuplicateKeys(std::string_view json);

}  // namespace strata::audit::internal

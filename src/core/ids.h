#pragma once

#include <string>
#include <string_view>

namespace strata::core {

// A new random request id: 32 lowercase hex characters (128 bits), cheap
// enough for every request. Thread-safe (one generator per thread).
std::string NewRequestId();

// Whether a client-supplied id is safe to echo and log: 1-128 characters of
// [A-Za-z0-9._:-]. Anything else is replaced by a fresh id.
bool IsAcceptableRequestId(std::string_view id);

}  // namespace strata::core

#pragma once

#include <string>
#include <string_view>

namespace strata::core {

// A new random request id: 32 lowercase hex characters (128 bits), cheap
// enough for every request. Thread-safe (one generator per thread).
std::string NewRequestId();

// A new id that sorts by creation time: 12 hex characters of Unix time in
// milliseconds, then 20 random ones (80 bits), 32 in all. Records keyed by it
// go into a B-tree near its right edge instead of at random pages, which
// keeps a high-rate table's unique index cheap to insert into.
std::string NewTimeOrderedId();

// Whether a client-supplied id is safe to echo and log: 1-128 characters of
// [A-Za-z0-9._:-]. Anything else is replaced by a fresh id.
bool IsAcceptableRequestId(std::string_view id);

}  // namespace strata::core

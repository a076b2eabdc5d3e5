#pragma once

#include <cstdint>
#include <string_view>

#include <boost/json/value.hpp>

namespace strata::core {

// `text` parsed as JSON, or the text itself (a JSON string) when it is not
// JSON: stored JSON shown as JSON, whatever a row holds.
boost::json::value ParsedOrText(std::string_view text);

// A Unix time in milliseconds as the APIs show it: whole seconds, or null
// for 0 (not set).
boost::json::value SecondsOrNull(std::int64_t ms);

}  // namespace strata::core

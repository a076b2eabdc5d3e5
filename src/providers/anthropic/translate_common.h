#pragma once

// Private helpers shared by the translation files; not part of the module's API.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/error.h"
#include "core/result.h"
#include "core/usage.h"
#include "providers/json_fields.h"

namespace strata::providers::anthropic::detail {

namespace json = boost::json;
using namespace json_fields;  // Member, StringMember, Unsigned, Indexed, ...

// A token count from a usage object: 0 when absent, null or not a count.
std::uint64_t CountMember(const json::object* object, std::string_view key);

// Anthropic stop_reason → OpenAI finish_reason. `only_json_output` is true
// when the only tool used was kJsonOutputTool: that tool is the answer, so
// the turn ends with "stop", not "tool_calls".
std::string_view FinishReasonFor(std::string_view stop_reason, bool only_json_output);

// OpenAI finish_reason → Anthropic stop_reason.
std::string_view StopReasonFor(std::string_view finish_reason, bool refused);

// core::Usage → the OpenAI `usage` object.
json::object ChatUsageJson(const core::Usage& usage);

// core::Usage → the Anthropic `usage` object (cache tokens reported beside input, as Anthropic does).
json::object MessagesUsageJson(const core::Usage& usage);

// Anthropic's raw counters → core::Usage.
core::Usage NormalisedUsage(std::uint64_t input, std::uint64_t output, std::uint64_t cache_read,
                            std::uint64_t cache_write);

}  // namespace strata::providers::anthropic::detail

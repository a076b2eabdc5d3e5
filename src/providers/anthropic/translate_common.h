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

namespace strata::providers::anthropic::detail {

namespace json = boost::json;

// The member `key` of `object`, or nullptr when it is absent or JSON null:
// both vendors treat an explicit null as "not given".
inline const json::value* Member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

inline const json::object* ObjectMember(const json::object& object, std::string_view key) {
  const json::value* value = Member(object, key);
  return value != nullptr ? value->if_object() : nullptr;
}

inline const json::array* ArrayMember(const json::object& object, std::string_view key) {
  const json::value* value = Member(object, key);
  return value != nullptr ? value->if_array() : nullptr;
}

// The string member `key`, or `fallback` when it is absent or not a string.
inline std::string_view StringMember(const json::object& object, std::string_view key,
                                     std::string_view fallback = {}) {
  const json::value* value = Member(object, key);
  return value != nullptr && value->is_string() ? std::string_view(value->get_string()) : fallback;
}

// A block's or part's "type", or "" when `value` is not an object with a string type.
inline std::string_view TypeOf(const json::value& value) {
  const json::object* object = value.if_object();
  return object != nullptr ? StringMember(*object, "type") : std::string_view();
}

// A non-negative integer, also when written as 12.0; nullopt for anything else.
std::optional<std::uint64_t> Unsigned(const json::value& value);

// A token count from a usage object: 0 when absent, null or not a count.
std::uint64_t CountMember(const json::object* object, std::string_view key);

// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view text);

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

std::int64_t NowUnixSeconds();

// "messages[3].content[0]" and friends, for error params.
std::string Indexed(std::string_view base, std::size_t index);

}  // namespace strata::providers::anthropic::detail

#pragma once

// Small accessors over Boost.JSON that every translator needs: typed members
// that treat null as absent, counts, error-param paths.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/error.h"

namespace strata::providers::json_fields {

namespace json = boost::json;

// The member `key` of `object`, or nullptr when it is absent or JSON null:
// every vendor API treats an explicit null as "not given".
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

std::int64_t NowUnixSeconds();

// An invalid-request error naming its param: "messages[1].role: must be ...".
inline core::Error Invalid(const std::string& param, std::string_view message) {
  return core::Error::InvalidRequest(param + ": " + std::string(message), param);
}

// "messages[3].content[0]" and friends, for error params.
std::string Indexed(std::string_view base, std::size_t index);

}  // namespace strata::providers::json_fields

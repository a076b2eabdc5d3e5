#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "core/result.h"

// Typed reads of request members, shared by both vendors' parsers. Each
// failure is a kInvalidRequest naming the member as its param.
namespace strata::mock_llm {

// The body as an object; fails for any other JSON value.
core::Result<const boost::json::object*> BodyObject(const boost::json::value& body);
// A member that must be a non-empty string.
core::Result<std::string_view> RequiredString(const boost::json::object& body, std::string_view key);
// A member that, when present and not null, must be an integer in [min, max].
core::Result<std::optional<std::uint64_t>> OptionalInteger(const boost::json::object& body, std::string_view key,
                                                           std::uint64_t min, std::uint64_t max);
// A member that, when present and not null, must be a boolean; false when absent.
core::Result<bool> OptionalBool(const boost::json::object& body, std::string_view key);
// A member that must be a non-empty array.
core::Result<const boost::json::array*> RequiredArray(const boost::json::object& body, std::string_view key);

}  // namespace strata::mock_llm

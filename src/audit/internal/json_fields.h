#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include <boost/json/object.hpp>

#include "audit/digest.h"
#include "core/result.h"

// Strict readers for the fields of an export line, shared by entries and
// checkpoints. Each error names the field, for the reader's line-numbered
// message.
namespace strata::audit::internal {

// Refuses any key not in `allowed`: a line that carries more than we check
// must not look verified.
core::Status OnlyFields(const boost::json::object& object, std::initializer_list<std::string_view> allowed);

core::Result<std::string_view> StringField(const boost::json::object& object, std::string_view name);
// A JSON integer >= `minimum` that fits in u64.
core::Result<std::uint64_t> UnsignedField(const boost::json::object& object, std::string_view name,
                                          std::uint64_t minimum);
core::Result<std::int64_t> SignedField(const boost::json::object& object, std::string_view name);
core::Result<Digest> HexDigestField(const boost::json::object& object, std::string_view name);
// Base64 that decodes to exactly `size` bytes (any size when `size` is 0).
core::Result<std::string> Base64Field(const boost::json::object& object, std::string_view name,
                                      std::size_t size);

}  // namespace strata::audit::internal

#include "mock_llm/internal/request.h"

#include <string>

#include <boost/json/value.hpp>

namespace strata::mock_llm {
namespace json = boost::json;

core::Result<const json::object*> BodyObject(const json::value& body) {
  if (!body.is_object()) return core::Error::InvalidRequest("the request body must be a JSON object");
  return &body.get_object();
}

core::Result<std::string_view> RequiredString(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) {
    return core::Error::InvalidRequest(std::string(key) + ": field required", std::string(key));
  }
  if (!value->is_string() || value->get_string().empty()) {
    return core::Error::InvalidRequest(std::string(key) + ": must be a non-empty string", std::string(key));
  }
  return std::string_view(value->get_string());
}

core::Result<std::optional<std::uint64_t>> OptionalInteger(const json::object& body, std::string_view key,
                                                           std::uint64_t min, std::uint64_t max) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return std::optional<std::uint64_t>();
  std::optional<std::uint64_t> number;
  if (value->is_uint64()) number = value->get_uint64();
  if (value->is_int64() && value->get_int64() >= 0) number = static_cast<std::uint64_t>(value->get_int64());
  if (!number || *number < min || *number > max) {
    return core::Error::InvalidRequest(
        std::string(key) + ": must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
        std::string(key));
  }
  return number;
}

core::Result<bool> OptionalBool(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return false;
  if (!value->is_bool()) {
    return core::Error::InvalidRequest(std::string(key) + ": must be a boolean", std::string(key));
  }
  return value->get_bool();
}

core::Result<const json::array*> RequiredArray(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) {
    return core::Error::InvalidRequest(std::string(key) + ": field required", std::string(key));
  }
  if (!value->is_array() || value->get_array().empty()) {
    return core::Error::InvalidRequest(std::string(key) + ": must be a non-empty array", std::string(key));
  }
  return &value->get_array();
}

}  // namespace strata::mock_llm

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"
#include "http/server.h"

namespace strata::admin {

namespace json = boost::json;

// A JSON request body, read field by field. Each accessor checks the type and
// names the field in its error, so a client learns exactly what to fix:
//   auto body = Body::Parse(request);          // 400 for non-JSON or non-object
//   auto name = body->RequiredString("name");  // 400 "'name' must be a non-empty string"
// Unknown fields are refused (Finish), so a typo never silently does nothing.
class Body {
 public:
  static core::Result<Body> Parse(const http::Request& request);

  core::Result<std::string> RequiredString(std::string_view field);
  core::Result<std::optional<std::string>> OptionalString(std::string_view field);
  core::Result<std::optional<std::int64_t>> OptionalInteger(std::string_view field, std::int64_t min,
                                                            std::int64_t max);
  core::Result<std::optional<double>> OptionalNumber(std::string_view field, double min, double max);
  core::Result<std::optional<bool>> OptionalBool(std::string_view field);
  core::Result<std::optional<std::vector<std::string>>> OptionalStringList(std::string_view field);
  // A JSON object, returned serialized ("{}" style), for opaque metadata.
  core::Result<std::optional<std::string>> OptionalObjectText(std::string_view field);

  // Refuses fields no accessor asked for.
  core::Status Finish() const;

 private:
  explicit Body(json::object object) : object_(std::move(object)) {}
  const json::value* Take(std::string_view field);

  json::object object_;
  std::vector<std::string> seen_;
};

// The decoded value of query parameter `name`, or nullopt.
std::optional<std::string> QueryParam(const http::Request& request, std::string_view name);

// `limit` (1..500, default 50) and `after` of a list request.
struct PageParams {
  int limit = 50;
  std::string after;
};
core::Result<PageParams> ReadPageParams(const http::Request& request);

// A JSON answer with `status`.
http::Response JsonReply(const json::value& body, unsigned version, int status = 200);

// {"object": "list", "data": [...], "has_more": bool, "next_after": "id" | null}
json::object ListReply(json::array data, const std::string& next_after);

// Names: lowercase letters, digits and '-', 1 to 64 characters, not starting with '-'.
core::Status CheckName(std::string_view field, std::string_view name);

}  // namespace strata::admin

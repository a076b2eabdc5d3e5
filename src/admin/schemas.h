#pragma once

#include <string>
#include <string_view>

namespace strata::admin {

// JSON Schema text for route documentation (http::RouteDoc).
std::string Ref(std::string_view component);     // {"$ref": "#/components/schemas/<component>"}
std::string ListOf(std::string_view component);  // the paginated list envelope of <component>
// A page's query parameters: limit, after.
inline constexpr std::string_view kLimitSchema = R"({"type":"integer","minimum":1,"maximum":500})";

}  // namespace strata::admin

#pragma once

#include <map>
#include <string>

#include "core/result.h"
#include "http/server.h"

namespace strata::http {

struct OpenApiInfo {
  std::string title = "Strata";
  std::string version;
  std::string description;
  // Reusable schemas, name → JSON Schema text, referenced from route docs as
  // {"$ref": "#/components/schemas/<name>"}.
  std::map<std::string, std::string> schemas;
};

// The OpenAPI 3.1 document of every documented route of `router` (routes with
// no operation_id are left out): paths with their path parameters, query
// parameters, JSON request and response bodies, the shared error envelope for
// failures, the security each route needs, and `x-strata-permission` naming the
// permission an admin route checks. Fails (kInternal) when a schema is not
// valid JSON or an operation id repeats: a programming error, caught by tests.
core::Result<std::string> BuildOpenApi(const Router& router, const OpenApiInfo& info);

}  // namespace strata::http

#pragma once

#include <map>
#include <string>

#include "http/server.h"

namespace strata::gateway {

// The OpenAPI documentation of the gateway's routes (http/openapi.h). The
// schemas describe what Strata itself checks and always answers; vendor
// fields pass through (additional properties are allowed).
enum class DocumentedRoute { kChat, kCompletions, kEmbeddings, kMessages, kCountTokens, kModels, kModel, kReview, kFeedback };
http::RouteDoc GatewayRouteDoc(DocumentedRoute route);
// The documentation of /healthz, /readyz and /metrics.
http::RouteDoc OpsRouteDoc(std::string_view path);
std::map<std::string, std::string> GatewaySchemas();

}  // namespace strata::gateway

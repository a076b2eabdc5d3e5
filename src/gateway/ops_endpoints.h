#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "http/server.h"

namespace strata::gateway {

// One thing /readyz checks, e.g. that the store answers. The check must bound
// its own time; an error names what is wrong.
struct ReadinessCheck {
  std::string name;
  std::function<boost::asio::awaitable<core::Status>()> check;
};

// Adds the operator endpoints:
//   GET /healthz  200 while the process serves at all (liveness)
//   GET /readyz   200 when every check passes, else 503 naming the failures
//   GET /metrics  the default registry in Prometheus text format
void AddOpsRoutes(http::Router& router, std::vector<ReadinessCheck> readiness_checks);

}  // namespace strata::gateway

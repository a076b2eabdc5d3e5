#pragma once

#include <deque>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/exchange.h"
#include "gateway/catalog.h"
#include "gateway/options.h"
#include "http/server.h"
#include "pricing/price_table.h"
#include "providers/provider.h"
#include "routing/plan.h"
#include "tracing/span.h"
#include "tracing/tracer.h"

namespace strata::gateway {

// One worker's live view of every deployment (breaker, latency EWMA,
// requests in flight) and its random source. Shared-nothing: each worker has
// its own, so the request path takes no lock; a deployment's breaker thus
// opens per worker, on that worker's traffic.
class WorkerRouting {
 public:
  WorkerRouting(const Catalog& catalog, const GatewayOptions& options, std::uint64_t seed);
  routing::DeploymentStats* StatsFor(const providers::Deployment* deployment) const;
  routing::DeploymentSelector& selector() { return selector_; }

 private:
  std::deque<routing::DeploymentStats> stats_;  // stable addresses: plans point into it
  std::unordered_map<const providers::Deployment*, routing::DeploymentStats*> by_deployment_;
  routing::DeploymentSelector selector_;
};

// The request's trace, for Dispatch: each attempt is a CLIENT span, child of
// `request` (which also gets the first-token event), and sends its
// traceparent upstream. With tracing off, `passthrough` holds the caller's
// own trace headers, forwarded unchanged. Pointers to the caller's objects.
struct DispatchTrace {
  const tracing::Tracer* tracer;
  tracing::Span* request;
  const providers::CallContext* passthrough;
};

class RequestGuard;
class ReviewDesk;

// The request's governance, for Dispatch: its guard (null: none) checks the
// answer and constrains the deployments (route tags); `reviews` (null: none)
// takes answers a policy holds for review.
struct DispatchGuard {
  RequestGuard* guard = nullptr;
  ReviewDesk* reviews = nullptr;
};

// Calls deployments as the attempt plan says until one answers, and sends the
// answer (or the last error) to the client in the OpenAI wire format: retries
// and fallbacks on failures not caused by the request, backoff and
// Retry-After honoured, breakers fed, and never a retry once a streamed
// answer has started reaching the client (such a stream ends with an error
// event instead). Fills exchange.deployment, tried, usage, cost and status;
// a whole answer carries its cost in `x-strata-cost-usd`.
boost::asio::awaitable<void> Dispatch(core::Exchange& exchange, const std::vector<AliasRoute>& routes,
                                      const GatewayOptions& options, const pricing::PriceTable& prices,
                                      WorkerRouting& routing,
                                      http::Responder& responder, DispatchTrace trace, DispatchGuard governance);

// An error in the client's own envelope: OpenAI's, or Anthropic's for /v1/messages.
std::string ErrorBody(const core::Exchange& exchange, const core::Error& error);

// Sends `error` in the OpenAI envelope and records its status on the exchange.
boost::asio::awaitable<void> SendError(core::Exchange& exchange, http::Responder& responder, const core::Error& error,
                                       unsigned version);

}  // namespace strata::gateway

#pragma once

#include <string_view>

#include "gateway/stage.h"
#include "routing/circuit_breaker.h"

namespace strata::gateway {

// Counts every exchange for /metrics (docs/METRICS.md): requests by route,
// alias, deployment, provider, tenant and outcome; end-to-end duration, time
// to first byte and to first token; tokens by kind; cost; upstream calls with
// their latency, retries and fallbacks; requests and streams in flight. It
// also exports each deployment's circuit breaker state.
//
// Labels are configured names only (alias patterns, not the model names
// clients send) plus the tenant id, which is capped at kMaxTenantLabels
// distinct values (the rest are "other"), so cardinality stays bounded. The
// per-request cost is a handful of lookups in per-thread caches; no lock.
class MetricsStage final : public Stage {
 public:
  MetricsStage();
  std::string_view Name() const override { return "metrics"; }
  boost::asio::awaitable<StageOutcome> OnAdmit(core::Exchange& exchange, const http::Request& request,
                                               const std::vector<AliasRoute>& routes) override;
  boost::asio::awaitable<void> OnComplete(core::Exchange& exchange) override;
};

// Distinct tenant ids that get their own label value in every gateway and
// budget metric; later tenants (in order of first appearance) share "other".
inline constexpr std::size_t kMaxTenantLabels = 100;

// The tenant label for `tenant`: the id itself, "none" for an empty one, or
// "other" beyond kMaxTenantLabels. Shared by every metric with a tenant label.
std::string_view TenantLabel(std::string_view tenant);

// How an exchange ended, as the `outcome` label says it: success,
// client_error, rate_limited, budget_exceeded, upstream_error, timeout,
// client_gone, unavailable or internal_error. Refusals by Strata's own limits
// are rate_limited / budget_exceeded; the same codes coming back from a vendor
// (after retries) are upstream_error.
std::string_view OutcomeOf(const core::Exchange& exchange);

// How one upstream call ended: success, rate_limited (the vendor's 429),
// timeout, client_error (the vendor refused the request as invalid),
// client_gone (abandoned because the client left) or upstream_error.
std::string_view CallOutcomeOf(const core::Exchange::UpstreamCall& call, bool client_gone);

// The cell this worker thread's breaker for `deployment` publishes its state
// to; created on first use, never freed. strata_gateway_breaker_state is the
// worst state over all workers' cells. Called when a worker builds its routing.
routing::BreakerCell* BreakerCellFor(std::string_view deployment);

}  // namespace strata::gateway

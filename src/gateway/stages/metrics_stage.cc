#include "gateway/stages/metrics_stage.h"

#include "observability/metrics.h"

namespace strata::gateway {
namespace {

using observability::Counter;
using observability::Family;
using observability::Histogram;

struct GatewayMetrics {
  Family<Counter>& requests;
  Family<Counter>& tokens;
  Family<Counter>& cost;
  Family<Counter>& attempts;
  Family<Counter>& client_gone;
  Family<Histogram>& first_byte;

  static GatewayMetrics& Get() {
    static GatewayMetrics* metrics = [] {
      auto& registry = observability::DefaultRegistry();
      return new GatewayMetrics{
          registry.AddCounter("strata_gateway_requests_total", "LLM requests by serving alias, deployment and status.",
                              {"alias", "deployment", "status"}),
          registry.AddCounter("strata_gateway_tokens_total", "Tokens by kind (input, output, cached_input, "
                              "cache_write, reasoning), as vendors reported them or Strata estimated them.",
                              {"alias", "deployment", "kind"}),
          registry.AddCounter("strata_gateway_cost_usd_total", "Cost at the configured prices, in US dollars.",
                              {"alias", "deployment"}),
          registry.AddCounter("strata_gateway_upstream_attempts_total",
                              "Upstream calls made, retries and fallbacks included.", {"alias"}),
          registry.AddCounter("strata_gateway_client_disconnects_total",
                              "Exchanges whose client left before the answer was complete.", {"alias"}),
          registry.AddHistogram("strata_gateway_time_to_first_byte_seconds",
                                "From the request's arrival to the first byte of the answer sent to the client.",
                                {"alias"}),
      };
    }();
    return *metrics;
  }
};

}  // namespace

MetricsStage::MetricsStage() { GatewayMetrics::Get(); }  // register at start, not at the first request

boost::asio::awaitable<void> MetricsStage::OnComplete(core::Exchange& exchange) {
  GatewayMetrics& metrics = GatewayMetrics::Get();
  const std::string_view alias = exchange.alias.empty() ? std::string_view("none") : exchange.alias;
  const std::string_view deployment = exchange.deployment.empty() ? std::string_view("none") : exchange.deployment;
  const std::string status = std::to_string(exchange.status);
  metrics.requests.WithCached({alias, deployment, status}).Increment();
  const core::Usage& usage = exchange.usage;
  const std::pair<std::string_view, std::uint64_t> kinds[] = {
      {"input", usage.input_tokens},
      {"output", usage.output_tokens},
      {"cached_input", usage.cached_input_tokens},
      {"cache_write", usage.cache_write_tokens},
      {"reasoning", usage.reasoning_tokens},
  };
  for (const auto& [kind, count] : kinds) {
    if (count > 0) metrics.tokens.WithCached({alias, deployment, kind}).Increment(static_cast<double>(count));
  }
  if (exchange.cost_usd) metrics.cost.WithCached({alias, deployment}).Increment(*exchange.cost_usd);
  if (!exchange.tried.empty()) {
    metrics.attempts.WithCached({alias}).Increment(static_cast<double>(exchange.tried.size()));
  }
  if (exchange.client_gone) metrics.client_gone.WithCached({alias}).Increment();
  if (exchange.first_byte) {
    const std::chrono::duration<double> elapsed = *exchange.first_byte - exchange.started;
    metrics.first_byte.WithCached({alias}).Observe(elapsed.count());
  }
  co_return;
}

}  // namespace strata::gateway

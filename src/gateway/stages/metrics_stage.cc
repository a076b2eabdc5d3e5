#include "gateway/stages/metrics_stage.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/guard/guard_metrics.h"
#include "gateway/stages/guard_stage.h"
#include "observability/metrics.h"

namespace strata::gateway {
namespace {

using observability::Counter;
using observability::Family;
using observability::Gauge;
using observability::Histogram;

// Seconds, for LLM calls: a cached answer in milliseconds up to a long
// generation in minutes.
const std::vector<double>& LlmBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                               5,     10,   20,    30,   60,  120,  300};
  return kBuckets;
}

// Every worker's breaker cells, by deployment name. Cells are never freed:
// breakers point at them for as long as they live.
struct BreakerBoard {
  std::mutex mutex;
  std::map<std::string, std::vector<std::unique_ptr<routing::BreakerCell>>, std::less<>> cells;
};

BreakerBoard& Board() {
  static BreakerBoard* board = new BreakerBoard();
  return *board;
}

struct GatewayMetrics {
  Family<Counter>& requests;
  Family<Histogram>& duration;
  Family<Histogram>& first_byte;
  Family<Histogram>& first_token;
  Family<Counter>& tokens;
  Family<Counter>& cost;
  Family<Counter>& attempts;
  Family<Histogram>& attempt_duration;
  Family<Counter>& retries;
  Family<Counter>& fallbacks;
  Family<Counter>& client_gone;
  Gauge& in_flight;
  Gauge& open_streams;
  Family<Gauge>& breaker_state;
  Family<Counter>& breaker_opens;

  static GatewayMetrics& Get() {
    static GatewayMetrics* metrics = [] {
      auto& registry = observability::DefaultRegistry();
      auto* made = new GatewayMetrics{
          registry.AddCounter("strata_gateway_requests_total",
                              "LLM requests by route, serving alias, deployment, provider, tenant, outcome and "
                              "HTTP status.",
                              {"route", "alias", "deployment", "provider", "tenant", "outcome", "status"}),
          registry.AddHistogram("strata_gateway_request_duration_seconds",
                                "From the request's arrival to the end of its answer (a stream: its last event).",
                                {"alias", "deployment", "provider"}, LlmBuckets()),
          registry.AddHistogram("strata_gateway_time_to_first_byte_seconds",
                                "From the request's arrival to the first byte of the answer sent to the client.",
                                {"alias", "deployment", "provider"}, LlmBuckets()),
          registry.AddHistogram("strata_gateway_time_to_first_token_seconds",
                                "Streamed requests: from the request's arrival to the first event sent to the client.",
                                {"alias", "deployment", "provider"}, LlmBuckets()),
          registry.AddCounter("strata_gateway_tokens_total",
                              "Tokens by kind (input, output, cached_input, cache_write, reasoning), as vendors "
                              "reported them or Strata estimated them.",
                              {"alias", "deployment", "provider", "tenant", "kind"}),
          registry.AddCounter("strata_gateway_cost_usd_total", "Cost at the configured prices, in US dollars.",
                              {"alias", "deployment", "provider", "tenant"}),
          registry.AddCounter("strata_gateway_upstream_attempts_total",
                              "Upstream calls made, retries and fallbacks included, by how each ended.",
                              {"alias", "deployment", "provider", "outcome"}),
          registry.AddHistogram("strata_gateway_upstream_attempt_duration_seconds",
                                "One upstream call, from sending it to its answer or error (a stream: its end).",
                                {"deployment", "provider", "outcome"}, LlmBuckets()),
          registry.AddCounter("strata_gateway_retries_total",
                              "Upstream calls that repeated the previous call's deployment.",
                              {"alias", "deployment", "provider"}),
          registry.AddCounter("strata_gateway_fallbacks_total",
                              "Upstream calls that moved to another deployment (of the same alias, or of a fallback "
                              "alias when from_alias differs from to_alias).",
                              {"from_alias", "from_deployment", "to_alias", "to_deployment"}),
          registry.AddCounter("strata_gateway_client_disconnects_total",
                              "Exchanges whose client left before the answer was complete.", {"alias"}),
          registry.AddGauge("strata_gateway_requests_in_flight", "LLM requests admitted and not yet complete.")
              .With({}),
          registry.AddGauge("strata_gateway_open_streams",
                            "Streamed LLM requests admitted and not yet complete.")
              .With({}),
          registry.AddGauge("strata_gateway_breaker_state",
                            "Circuit breaker state per deployment, the worst over the worker threads: 0 closed, "
                            "1 half-open, 2 open.",
                            {"deployment"}),
          registry.AddCounter("strata_gateway_breaker_opens_total",
                              "Times a deployment's circuit breaker opened, over all worker threads.",
                              {"deployment"}),
      };
      // Breakers live on their workers; their cells are read at scrape time.
      registry.AddCollector([made] {
        BreakerBoard& board = Board();
        std::lock_guard lock(board.mutex);
        for (const auto& [deployment, cells] : board.cells) {
          int worst = 0;
          std::uint64_t opened = 0;
          for (const auto& cell : cells) {
            worst = std::max(worst, cell->state.load(std::memory_order_relaxed));
            opened += cell->opened.load(std::memory_order_relaxed);
          }
          made->breaker_state.With({deployment}).Set(worst);
          Counter& opens = made->breaker_opens.With({deployment});
          const double more = static_cast<double>(opened) - opens.value();
          if (more > 0) opens.Increment(more);
        }
      });
      return made;
    }();
    return *metrics;
  }
};

std::string_view RouteOf(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiChat: return "/v1/chat/completions";
    case core::ApiFormat::kOpenAiCompletions: return "/v1/completions";
    case core::ApiFormat::kOpenAiEmbeddings: return "/v1/embeddings";
    case core::ApiFormat::kAnthropicMessages: return "/v1/messages";
  }
  return "other";
}

// Small non-negative integers (HTTP statuses) without building a string.
std::string_view StatusLabel(int status) {
  static const auto* kLabels = [] {
    auto* labels = new std::vector<std::string>();
    for (int i = 0; i < 600; ++i) labels->push_back(std::to_string(i));
    return labels;
  }();
  return status >= 0 && status < 600 ? std::string_view((*kLabels)[status]) : std::string_view("other");
}

std::string_view OrNone(std::string_view value) { return value.empty() ? std::string_view("none") : value; }

double Seconds(core::Exchange::Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

}  // namespace

std::string_view TenantLabel(std::string_view tenant) {
  static auto* tenants = new observability::BoundedLabel(kMaxTenantLabels);
  if (tenant.empty()) return "none";
  return tenants->Admit(tenant);
}

std::string_view OutcomeOf(const core::Exchange& exchange) {
  if (exchange.client_gone) return "client_gone";
  const bool called = !exchange.upstream_calls.empty();
  if (!exchange.error) {
    if (exchange.status >= 200 && exchange.status < 400) return "success";
    return exchange.status >= 500 ? "internal_error" : "client_error";
  }
  switch (*exchange.error) {
    case core::ErrorCode::kRateLimited: return called ? "upstream_error" : "rate_limited";
    case core::ErrorCode::kBudgetExceeded: return "budget_exceeded";
    case core::ErrorCode::kUpstreamTimeout:
    case core::ErrorCode::kRequestTimeout: return "timeout";
    case core::ErrorCode::kUpstreamRejected:
    case core::ErrorCode::kUpstreamUnavailable: return "upstream_error";
    case core::ErrorCode::kUnavailable: return called ? "upstream_error" : "unavailable";
    case core::ErrorCode::kInternal: return "internal_error";
    case core::ErrorCode::kPolicyBlocked: return "policy_blocked";
    case core::ErrorCode::kPendingReview: return "pending_review";
    case core::ErrorCode::kReviewRejected: return "review_rejected";
    default: return "client_error";
  }
}

std::string_view CallOutcomeOf(const core::Exchange::UpstreamCall& call, bool client_gone) {
  if (!call.error) return "success";
  if (client_gone) return "client_gone";
  switch (*call.error) {
    case core::ErrorCode::kRateLimited: return "rate_limited";
    case core::ErrorCode::kUpstreamTimeout: return "timeout";
    case core::ErrorCode::kInvalidRequest: return "client_error";
    default: return "upstream_error";
  }
}

routing::BreakerCell* BreakerCellFor(std::string_view deployment) {
  // One cell per deployment per thread: a config reload's new breakers on
  // this worker take over the cell of the ones they replace.
  thread_local std::unordered_map<std::string, routing::BreakerCell*> mine;
  const std::string name(deployment);
  if (auto it = mine.find(name); it != mine.end()) return it->second;
  GatewayMetrics::Get();  // the collector that reads the cells
  BreakerBoard& board = Board();
  std::lock_guard lock(board.mutex);
  auto& cells = board.cells[name];
  routing::BreakerCell* cell = cells.emplace_back(std::make_unique<routing::BreakerCell>()).get();
  mine.emplace(name, cell);
  return cell;
}

MetricsStage::MetricsStage() { GatewayMetrics::Get(); }  // register at start, not at the first request

boost::asio::awaitable<StageOutcome> MetricsStage::OnAdmit(core::Exchange& exchange, const http::Request&,
                                                           const std::vector<AliasRoute>& routes) {
  GatewayMetrics& metrics = GatewayMetrics::Get();
  if (!routes.empty()) exchange.requested_alias = routes.front().alias->name;
  exchange.counted_in_flight = true;
  metrics.in_flight.Add(1);
  if (exchange.stream) metrics.open_streams.Add(1);
  co_return Continue{};
}

boost::asio::awaitable<void> MetricsStage::OnComplete(core::Exchange& exchange) {
  GatewayMetrics& metrics = GatewayMetrics::Get();
  const auto now = core::Exchange::Clock::now();
  if (exchange.counted_in_flight) {
    exchange.counted_in_flight = false;
    metrics.in_flight.Add(-1);
    if (exchange.stream) metrics.open_streams.Add(-1);
  }
  const bool served = !exchange.deployment.empty() && !exchange.upstream_calls.empty();
  // The alias that served, else the one asked for (no deployment could be tried).
  const std::string_view alias = OrNone(exchange.alias.empty() ? exchange.requested_alias : exchange.alias);
  const std::string_view deployment = served ? std::string_view(exchange.deployment) : std::string_view("none");
  const std::string_view provider = served ? OrNone(exchange.upstream_calls.back().provider) : std::string_view("none");
  const std::string_view tenant = TenantLabel(exchange.principal.tenant);
  if (const RequestGuard* guard = GuardOf(exchange)) CountGuard(*guard);

  metrics.requests
      .WithCached({RouteOf(exchange.format), alias, deployment, provider, tenant, OutcomeOf(exchange),
                   StatusLabel(exchange.status)})
      .Increment();
  metrics.duration.WithCached({alias, deployment, provider}).Observe(Seconds(now - exchange.started));
  if (exchange.first_byte) {
    const double first = Seconds(*exchange.first_byte - exchange.started);
    metrics.first_byte.WithCached({alias, deployment, provider}).Observe(first);
    if (exchange.stream) metrics.first_token.WithCached({alias, deployment, provider}).Observe(first);
  }

  const core::Usage& usage = exchange.usage;
  const std::pair<std::string_view, std::uint64_t> kinds[] = {
      {"input", usage.input_tokens},
      {"output", usage.output_tokens},
      {"cached_input", usage.cached_input_tokens},
      {"cache_write", usage.cache_write_tokens},
      {"reasoning", usage.reasoning_tokens},
  };
  for (const auto& [kind, count] : kinds) {
    if (count > 0) {
      metrics.tokens.WithCached({alias, deployment, provider, tenant, kind}).Increment(static_cast<double>(count));
    }
  }
  if (exchange.cost_usd) metrics.cost.WithCached({alias, deployment, provider, tenant}).Increment(*exchange.cost_usd);

  // A retry is another call on the same deployment as the previous one; a
  // fallback is a call on another (of the same alias or a fallback alias).
  const auto& calls = exchange.upstream_calls;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const core::Exchange::UpstreamCall& call = calls[i];
    const std::string_view outcome = CallOutcomeOf(call, exchange.client_gone && i + 1 == calls.size());
    metrics.attempts.WithCached({call.alias, call.deployment, call.provider, outcome}).Increment();
    metrics.attempt_duration.WithCached({call.deployment, call.provider, outcome}).Observe(Seconds(call.took));
    if (i == 0) continue;
    const core::Exchange::UpstreamCall& previous = calls[i - 1];
    if (previous.deployment == call.deployment) {
      metrics.retries.WithCached({call.alias, call.deployment, call.provider}).Increment();
    } else {
      metrics.fallbacks.WithCached({previous.alias, previous.deployment, call.alias, call.deployment}).Increment();
    }
  }
  if (exchange.client_gone) metrics.client_gone.WithCached({alias}).Increment();
  co_return;
}

}  // namespace strata::gateway

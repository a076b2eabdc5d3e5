#include "gateway/stages/admit_stage.h"

#include <algorithm>

#include "governance/limit_rules.h"
#include "limits/rate_headers.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "pricing/cost.h"
#include "pricing/token_estimate.h"

namespace strata::gateway {
namespace {

namespace json = boost::json;
using observability::Counter;
using observability::Family;

struct AdmitMetrics {
  Family<Counter>& refusals;
  Counter& backend_errors;
  Counter& soft_crossed;

  static AdmitMetrics& Get() {
    static AdmitMetrics* metrics = [] {
      auto& registry = observability::DefaultRegistry();
      return new AdmitMetrics{
          registry.AddCounter("strata_admission_refusals_total",
                              "Requests refused before any upstream call, by reason (rate, concurrency, budget, "
                              "model_not_allowed, backend_unavailable).",
                              {"reason"}),
          registry.AddCounter("strata_limits_backend_errors_total",
                              "Admissions the limits backend could not answer (admitted when on_backend_error is "
                              "allow).",
                              {}).WithCached({}),
          registry.AddCounter("strata_budget_soft_threshold_crossings_total",
                              "Requests whose reservation crossed a budget's soft threshold.", {}).WithCached({}),
      };
    }();
    return *metrics;
  }
};

// Adds the rules of one scope's limits; `estimated_tokens` is what a token
// limit is charged now (settlement trues it up).
void AddScope(limits::AdmissionRequest& request, std::string_view scope_type, std::string_view scope_id,
              const ScopeLimits& limits, std::int64_t estimated_tokens) {
  if (limits.requests_per_minute > 0) {
    request.rates.push_back({governance::Counter("rpm", scope_type, scope_id), limits.requests_per_minute, 1, "requests"});
  }
  if (limits.tokens_per_minute > 0) {
    request.rates.push_back({governance::Counter("tpm", scope_type, scope_id), limits.tokens_per_minute,
                             std::max<std::int64_t>(1, estimated_tokens), "tokens"});
  }
  if (limits.max_concurrent > 0) {
    request.concurrency.push_back({governance::Counter("conc", scope_type, scope_id), limits.max_concurrent});
  }
}

std::int64_t MaxOutputTokens(const json::object& body, std::int64_t fallback) {
  for (std::string_view field : {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
    const json::value* value = body.if_contains(field);
    if (value != nullptr && value->is_int64() && value->get_int64() > 0) return value->get_int64();
    if (value != nullptr && value->is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(value->get_uint64(), INT64_MAX));
  }
  return fallback;
}

}  // namespace

AdmitStage::AdmitStage(const AdmitOptions& options, const pricing::PriceTable& prices,
                       const governance::SnapshotSource* snapshots, limits::Backend& backend)
    : options_(options), prices_(prices), snapshots_(snapshots), backend_(backend) {
  AdmitMetrics::Get();
}

std::int64_t AdmitStage::WorstCase(const core::Exchange& exchange, const std::vector<AliasRoute>& routes,
                                   std::uint64_t input_tokens) const {
  // Embeddings produce no output tokens: the input is the whole cost.
  const std::uint64_t output = exchange.format == core::ApiFormat::kOpenAiEmbeddings
                                   ? 0
                                   : static_cast<std::uint64_t>(MaxOutputTokens(exchange.body, options_.default_max_output_tokens));
  // Any candidate may end up serving it: reserve at the dearest.
  std::int64_t worst = 0;
  for (const AliasRoute& route : routes) {
    for (const Candidate& candidate : route.candidates) {
      if (const std::optional<pricing::ModelPrice> price = prices_.Find(candidate.upstream_model)) {
        worst = std::max(worst, pricing::WorstCaseCost(*price, input_tokens, output).total_nano_usd());
      }
    }
  }
  return worst;
}

boost::asio::awaitable<StageOutcome> AdmitStage::OnAdmit(core::Exchange& exchange, const http::Request& request,
                                                         const std::vector<AliasRoute>& routes) {
  AdmitMetrics& metrics = AdmitMetrics::Get();
  const core::Principal& principal = exchange.principal;
  if (!governance::ModelAllowed(principal.allowed_models, exchange.model)) {
    metrics.refusals.WithCached({"model_not_allowed"}).Increment();
    co_return core::Error(core::ErrorCode::kPermissionDenied,
                          "this API key may not use the model '" + exchange.model + "'", "model");
  }

  limits::AdmissionRequest admission;
  const std::shared_ptr<const governance::Snapshot> snapshot =
      snapshots_ != nullptr ? snapshots_->Current() : std::shared_ptr<const governance::Snapshot>();
  // Token estimates cost a walk over the prompt: only when a token limit or a budget needs one.
  std::int64_t estimated_tokens = -1;
  const auto estimate = [&] {
    if (estimated_tokens < 0) {
      estimated_tokens = static_cast<std::int64_t>(pricing::EstimateRequestInputTokens(exchange.body));
    }
    return estimated_tokens;
  };
  const auto add_scope = [&](std::string_view type, std::string_view id, const ScopeLimits& limits) {
    AddScope(admission, type, id, limits, limits.tokens_per_minute > 0 ? estimate() : 0);
  };
  if (snapshot != nullptr && principal.authenticated) {
    const std::pair<std::string_view, std::string_view> scopes[] = {
        {"key", principal.key_id}, {"team", principal.team}, {"tenant", principal.tenant}};
    for (const auto& [type, id] : scopes) {
      if (id.empty()) continue;
      if (const store::RateLimitRow* row = snapshot->FindRateLimit(type, id)) {
        add_scope(type, id, {row->requests_per_minute, row->tokens_per_minute, row->max_concurrent});
      }
      for (const store::BudgetRow* budget : snapshot->FindBudgets(type, id)) {
        admission.budgets.push_back(governance::BudgetRuleFor(*budget, snapshot->SpentAtLoad(budget->id)));
      }
    }
  }
  if (const auto model = options_.per_model.find(exchange.model); model != options_.per_model.end()) {
    add_scope("model", exchange.model, model->second);
  }
  if (!options_.per_ip.empty() && !exchange.client_address.empty()) {
    add_scope("ip", exchange.client_address, options_.per_ip);
  }
  if (admission.rates.empty() && admission.concurrency.empty() && admission.budgets.empty()) co_return Continue{};

  if (!admission.budgets.empty()) {
    admission.reserve_nano_usd = WorstCase(exchange, routes, static_cast<std::uint64_t>(estimate()));
  }
  core::Result<limits::Admission> decided = co_await backend_.Admit(std::move(admission));
  if (!decided) {
    metrics.backend_errors.Increment();
    observability::Log(observability::Level::kWarn, "limits backend unavailable",
                       {{"request_id", exchange.request_id}, {"error", decided.error().message()},
                        {"admitted", options_.fail_open ? "yes" : "no"}});
    if (options_.fail_open) co_return Continue{};
    metrics.refusals.WithCached({"backend_unavailable"}).Increment();
    co_return core::Error::Unavailable("rate limits cannot be checked right now; try again shortly");
  }
  for (auto& header : limits::RateLimitHeaders(decided->headers)) exchange.response_headers.push_back(std::move(header));
  for (const std::string& counter : decided->soft_crossed) {
    metrics.soft_crossed.Increment();
    observability::Log(observability::Level::kWarn, "budget soft threshold crossed",
                       {{"request_id", exchange.request_id}, {"budget", counter}, {"tenant", principal.tenant}});
  }
  if (!decided->admitted) {
    const bool budget = decided->budget_exhausted;
    const bool concurrency = decided->refused_by.starts_with("conc:");
    metrics.refusals.WithCached({budget ? "budget" : concurrency ? "concurrency" : "rate"}).Increment();
    core::Error refused(budget ? core::ErrorCode::kBudgetExceeded : core::ErrorCode::kRateLimited, decided->reason);
    refused.WithRetryAfter(std::max(decided->retry_after, std::chrono::seconds(1)));
    co_return refused;
  }
  exchange.admission = std::move(decided->ticket);
  co_return Continue{};
}

boost::asio::awaitable<void> AdmitStage::OnComplete(core::Exchange& exchange) {
  limits::Ticket* ticket = std::any_cast<limits::Ticket>(&exchange.admission);
  if (ticket == nullptr) co_return;
  // A failed exchange used no tokens: its estimate is given back.
  const auto tokens = static_cast<std::int64_t>(exchange.usage.input_tokens + exchange.usage.output_tokens);
  co_await backend_.Settle(std::move(*ticket), exchange.cost_nano_usd, tokens);
  exchange.admission.reset();
}

}  // namespace strata::gateway

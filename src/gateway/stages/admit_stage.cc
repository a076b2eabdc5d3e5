#include "gateway/stages/admit_stage.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/stages/metrics_stage.h"
#include "governance/limit_rules.h"
#include "limits/rate_headers.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "pricing/cost.h"
#include "pricing/token_estimate.h"

namespace strata::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using observability::Counter;
using observability::Family;
using observability::Gauge;

struct AdmitMetrics {
  Family<Counter>& refusals;
  Counter& backend_errors;
  Counter& soft_crossed;
  Family<Gauge>& budget_spent;
  Family<Gauge>& budget_reserved;
  Family<Gauge>& budget_limit;
  Family<Gauge>& budget_remaining;

  static AdmitMetrics& Get() {
    static AdmitMetrics* metrics = [] {
      auto& registry = observability::DefaultRegistry();
      return new AdmitMetrics{
          registry.AddCounter("strata_admission_refusals_total",
                              "Requests refused before any upstream call, by reason (requests, tokens, concurrency, "
                              "budget, model_not_allowed, backend_unavailable), the scope of the limit that refused "
                              "(key, team, tenant, model, ip; none) and the caller's tenant.",
                              {"reason", "scope", "tenant"}),
          registry.AddCounter("strata_limits_backend_errors_total",
                              "Admissions the limits backend could not answer (admitted when on_backend_error is "
                              "allow).",
                              {}).WithCached({}),
          registry.AddCounter("strata_budget_soft_threshold_crossings_total",
                              "Requests whose reservation crossed a budget's soft threshold.", {}).WithCached({}),
          registry.AddGauge("strata_budget_spent_usd",
                            "Spend settled in the budget's current period, in US dollars, as the limits backend "
                            "read it after the latest request settled against it.",
                            {"tenant", "scope", "scope_id", "period"}),
          registry.AddGauge("strata_budget_reserved_usd",
                            "Worst-case cost reserved by requests in flight against the budget, in US dollars.",
                            {"tenant", "scope", "scope_id", "period"}),
          registry.AddGauge("strata_budget_limit_usd", "The budget's hard limit per period, in US dollars.",
                            {"tenant", "scope", "scope_id", "period"}),
          registry.AddGauge("strata_budget_remaining_usd",
                            "Limit minus spent minus reserved, in US dollars; negative once overspent.",
                            {"tenant", "scope", "scope_id", "period"}),
      };
    }();
    return *metrics;
  }
};

// One of a fixed set of words, so that a label built from a counter name
// stays bounded whatever the counter holds.
std::string_view Bounded(std::string_view word, std::initializer_list<std::string_view> allowed) {
  for (std::string_view known : allowed) {
    if (word == known) return known;
  }
  return "other";
}

// What refused and at which scope, from the refusing counter's name
// ("rpm:key:key_1" → requests, key). The scope's id is left out: it is a
// key id or a client address.
std::pair<std::string_view, std::string_view> RefusalLabels(std::string_view counter) {
  const std::string_view kind = counter.substr(0, counter.find(':'));
  std::string_view rest = counter.substr(std::min(counter.size(), kind.size() + 1));
  const std::string_view scope = Bounded(rest.substr(0, rest.find(':')), {"key", "team", "tenant", "model", "ip"});
  if (kind == "rpm") return {"requests", scope};
  if (kind == "tpm") return {"tokens", scope};
  if (kind == "conc") return {"concurrency", scope};
  if (kind.starts_with("budget")) return {"budget", scope};
  return {"other", scope};
}

// Budgets of tenants and teams that get gauges, at most; later ones (in
// order of first settlement) are not exported, since gauges of different
// budgets cannot share a series.
constexpr std::size_t kMaxBudgetSeries = 500;
// A budget's gauges are refreshed from the backend at most this often.
constexpr std::chrono::milliseconds kBudgetRefreshEvery{1'000};

std::int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One budget's gauges, and the throttle of its refreshes.
struct BudgetSeries {
  Gauge* spent = nullptr;
  Gauge* reserved = nullptr;
  Gauge* limit = nullptr;
  Gauge* remaining = nullptr;
  std::atomic<bool> scheduled{false};         // a refresh is queued
  std::atomic<std::int64_t> last_read_ms{0};  // when the last one started (steady clock)
};

// The gauges of the budget counted by `rule` (tenant: the caller's), made on
// first use; null beyond kMaxBudgetSeries.
BudgetSeries* SeriesFor(const limits::BudgetRule& rule, std::string_view tenant) {
  thread_local std::unordered_map<std::string, BudgetSeries*> cache;
  if (auto it = cache.find(rule.counter); it != cache.end()) return it->second;
  static std::mutex mutex;
  static auto* all = new std::map<std::string, std::unique_ptr<BudgetSeries>, std::less<>>();
  BudgetSeries* series = nullptr;
  {
    std::lock_guard lock(mutex);
    if (auto it = all->find(rule.counter); it != all->end()) {
      series = it->second.get();
    } else if (all->size() < kMaxBudgetSeries && !rule.counter.starts_with("budget-day:key:") &&
               !rule.counter.starts_with("budget-month:key:")) {
      // Keys' budgets are left out: one series per key would be a series
      // per credential (the admin API reports them).
      // "budget-month:team:team_9" → scope team, id team_9.
      const std::string_view counter = rule.counter;
      std::string_view rest = counter.substr(std::min(counter.size(), counter.find(':') + 1));
      const std::size_t colon = rest.find(':');
      const std::string_view scope = Bounded(rest.substr(0, colon), {"key", "team", "tenant"});
      const std::string_view scope_id = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
      const std::string_view tenant_label = TenantLabel(scope == "tenant" ? scope_id : tenant);
      const std::string_view period = rule.period == limits::Period::kDay ? "day" : "month";
      AdmitMetrics& metrics = AdmitMetrics::Get();
      auto made = std::make_unique<BudgetSeries>();
      made->spent = &metrics.budget_spent.With({tenant_label, scope, scope_id, period});
      made->reserved = &metrics.budget_reserved.With({tenant_label, scope, scope_id, period});
      made->limit = &metrics.budget_limit.With({tenant_label, scope, scope_id, period});
      made->remaining = &metrics.budget_remaining.With({tenant_label, scope, scope_id, period});
      series = all->emplace(rule.counter, std::move(made)).first->second.get();
    }
  }
  if (cache.size() >= 4 * kMaxBudgetSeries) cache.clear();  // refused budgets are cached too
  cache.emplace(rule.counter, series);
  return series;
}

// Reads one budget from the backend after `delay` and sets its gauges.
asio::awaitable<void> RefreshBudget(limits::Backend& backend, limits::BudgetRule rule, BudgetSeries* series,
                                    std::chrono::milliseconds delay) {
  if (delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  // Settlements from now on need a read that starts after them.
  series->scheduled.store(false);
  series->last_read_ms.store(SteadyMillis());
  core::Result<limits::Backend::BudgetState> state = co_await backend.ReadBudget(rule, limits::SystemClock::now());
  if (!state) co_return;  // the backend is down: the gauges keep their last values
  constexpr double kNano = 1e-9;
  series->spent->Set(static_cast<double>(state->spent_nano_usd) * kNano);
  series->reserved->Set(static_cast<double>(state->reserved_nano_usd) * kNano);
  series->limit->Set(static_cast<double>(rule.limit_nano_usd) * kNano);
  series->remaining->Set(
      static_cast<double>(rule.limit_nano_usd - state->spent_nano_usd - state->reserved_nano_usd) * kNano);
}

// After a settlement: refreshes the budget's gauges now if the last refresh
// is older than kBudgetRefreshEvery, else once that much after it, so a burst
// costs the backend one read per budget per interval and the gauges are exact
// once the burst is over. At most one refresh per budget is queued.
void ScheduleBudgetRefresh(const asio::any_io_executor& executor, limits::Backend& backend,
                           const limits::BudgetRule& rule, std::string_view tenant) {
  BudgetSeries* series = SeriesFor(rule, tenant);
  if (series == nullptr || series->scheduled.exchange(true)) return;
  const std::int64_t due = series->last_read_ms.load() + kBudgetRefreshEvery.count();
  const auto delay = std::chrono::milliseconds(std::max<std::int64_t>(0, due - SteadyMillis()));
  asio::co_spawn(executor, RefreshBudget(backend, rule, series, delay), asio::detached);
}

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
  return WorstCaseNanoUsd(exchange, routes, prices_, options_.default_max_output_tokens, input_tokens);
}

std::int64_t WorstCaseNanoUsd(const core::Exchange& exchange, const std::vector<AliasRoute>& routes,
                              const pricing::PriceTable& prices, std::int64_t default_max_output_tokens,
                              std::uint64_t input_tokens) {
  // Embeddings produce no output tokens: the input is the whole cost.
  const std::uint64_t output = exchange.format == core::ApiFormat::kOpenAiEmbeddings
                                   ? 0
                                   : static_cast<std::uint64_t>(MaxOutputTokens(exchange.body, default_max_output_tokens));
  // Any candidate may end up serving it: reserve at the dearest.
  std::int64_t worst = 0;
  for (const AliasRoute& route : routes) {
    for (const Candidate& candidate : route.candidates) {
      if (const std::optional<pricing::ModelPrice> price = prices.Find(candidate.upstream_model)) {
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
  // Looked up only for a refusal: admitted requests are labelled by the metrics stage.
  const auto tenant = [&principal] { return TenantLabel(principal.tenant); };
  if (!governance::ModelAllowed(principal.allowed_models, exchange.model)) {
    metrics.refusals.WithCached({"model_not_allowed", "key", tenant()}).Increment();
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
    metrics.refusals.WithCached({"backend_unavailable", "none", tenant()}).Increment();
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
    const auto [reason, scope] = RefusalLabels(decided->refused_by);
    metrics.refusals.WithCached({budget ? std::string_view("budget") : reason, scope, tenant()}).Increment();
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
  std::vector<limits::BudgetRule> budgets;  // for the gauges, once settled
  if (!ticket->budgets.empty()) budgets = ticket->budgets;
  co_await backend_.Settle(std::move(*ticket), exchange.cost_nano_usd, tokens);
  exchange.admission.reset();
  if (!budgets.empty()) {
    const asio::any_io_executor executor = co_await asio::this_coro::executor;
    for (const limits::BudgetRule& rule : budgets) {
      ScheduleBudgetRefresh(executor, backend_, rule, exchange.principal.tenant);
    }
  }
}

}  // namespace strata::gateway

#include "gateway/stages/metrics_stage.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "observability/metrics.h"
#include "support/run_coroutine.h"

namespace strata::gateway {
namespace {

using Call = core::Exchange::UpstreamCall;

Call MakeCall(std::string_view deployment, std::string alias, std::optional<core::ErrorCode> error) {
  Call call;
  call.deployment = deployment;
  call.provider = "openai-compatible";
  call.alias = std::move(alias);
  call.took = std::chrono::milliseconds(20);
  call.error = error;
  return call;
}

bool Has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(MetricsStageTest, OutcomesTellStrataRefusalsFromVendorFailures) {
  core::Exchange served;
  served.status = 200;
  EXPECT_EQ(OutcomeOf(served), "success");

  core::Exchange limited;
  limited.status = 429;
  limited.error = core::ErrorCode::kRateLimited;
  EXPECT_EQ(OutcomeOf(limited), "rate_limited");
  // The same code from a vendor, after every retry, is the vendor's failure.
  limited.upstream_calls.push_back(MakeCall("d", "a", core::ErrorCode::kRateLimited));
  EXPECT_EQ(OutcomeOf(limited), "upstream_error");

  core::Exchange budget;
  budget.error = core::ErrorCode::kBudgetExceeded;
  EXPECT_EQ(OutcomeOf(budget), "budget_exceeded");

  core::Exchange timeout;
  timeout.error = core::ErrorCode::kUpstreamTimeout;
  EXPECT_EQ(OutcomeOf(timeout), "timeout");

  core::Exchange bad;
  bad.error = core::ErrorCode::kInvalidRequest;
  EXPECT_EQ(OutcomeOf(bad), "client_error");
  bad.error = core::ErrorCode::kNotFound;
  EXPECT_EQ(OutcomeOf(bad), "client_error");

  core::Exchange gone;
  gone.status = 200;
  gone.client_gone = true;
  EXPECT_EQ(OutcomeOf(gone), "client_gone");

  // A stream that broke after its first byte: 200 on the wire, yet a failure.
  core::Exchange broken;
  broken.status = 200;
  broken.error = core::ErrorCode::kUpstreamUnavailable;
  EXPECT_EQ(OutcomeOf(broken), "upstream_error");
}

TEST(MetricsStageTest, CallOutcomes) {
  EXPECT_EQ(CallOutcomeOf(MakeCall("d", "a", std::nullopt), false), "success");
  EXPECT_EQ(CallOutcomeOf(MakeCall("d", "a", core::ErrorCode::kRateLimited), false), "rate_limited");
  EXPECT_EQ(CallOutcomeOf(MakeCall("d", "a", core::ErrorCode::kUpstreamTimeout), false), "timeout");
  EXPECT_EQ(CallOutcomeOf(MakeCall("d", "a", core::ErrorCode::kUpstreamUnavailable), false), "upstream_error");
  EXPECT_EQ(CallOutcomeOf(MakeCall("d", "a", core::ErrorCode::kUnavailable), true), "client_gone");
}

TEST(MetricsStageTest, RetriesAndFallbacksAreCountedApart) {
  MetricsStage stage;
  core::Exchange exchange;
  exchange.principal.tenant = "tenant-retries";
  exchange.status = 200;
  exchange.alias = "fallback-alias";
  exchange.deployment = "unit-healthy";
  exchange.upstream_calls.push_back(MakeCall("unit-flaky", "unit-alias", core::ErrorCode::kUpstreamUnavailable));
  exchange.upstream_calls.push_back(MakeCall("unit-flaky", "unit-alias", core::ErrorCode::kUpstreamUnavailable));
  exchange.upstream_calls.push_back(MakeCall("unit-other", "unit-alias", core::ErrorCode::kRateLimited));
  exchange.upstream_calls.push_back(MakeCall("unit-healthy", "fallback-alias", std::nullopt));
  exchange.usage.input_tokens = 11;
  exchange.usage.output_tokens = 7;
  exchange.cost_usd = 0.25;
  testing::RunCoroutine(stage.OnComplete(exchange));

  const std::string text = observability::DefaultRegistry().Render();
  EXPECT_TRUE(Has(text, "strata_gateway_requests_total{route=\"/v1/chat/completions\",alias=\"fallback-alias\","
                        "deployment=\"unit-healthy\",provider=\"openai-compatible\",tenant=\"tenant-retries\","
                        "outcome=\"success\",status=\"200\"} 1\n"))
      << text;
  EXPECT_TRUE(Has(text, "strata_gateway_retries_total{alias=\"unit-alias\",deployment=\"unit-flaky\","
                        "provider=\"openai-compatible\"} 1\n"));
  EXPECT_TRUE(Has(text, "strata_gateway_fallbacks_total{from_alias=\"unit-alias\",from_deployment=\"unit-flaky\","
                        "to_alias=\"unit-alias\",to_deployment=\"unit-other\"} 1\n"));
  EXPECT_TRUE(Has(text, "strata_gateway_fallbacks_total{from_alias=\"unit-alias\",from_deployment=\"unit-other\","
                        "to_alias=\"fallback-alias\",to_deployment=\"unit-healthy\"} 1\n"));
  EXPECT_TRUE(Has(text, "strata_gateway_upstream_attempts_total{alias=\"unit-alias\",deployment=\"unit-flaky\","
                        "provider=\"openai-compatible\",outcome=\"upstream_error\"} 2\n"));
  EXPECT_TRUE(Has(text, "strata_gateway_upstream_attempt_duration_seconds_count{deployment=\"unit-other\","
                        "provider=\"openai-compatible\",outcome=\"rate_limited\"} 1\n"));
  EXPECT_TRUE(Has(text, "strata_gateway_tokens_total{alias=\"fallback-alias\",deployment=\"unit-healthy\","
                        "provider=\"openai-compatible\",tenant=\"tenant-retries\",kind=\"input\"} 11\n"));
  EXPECT_TRUE(Has(text, "strata_gateway_cost_usd_total{alias=\"fallback-alias\",deployment=\"unit-healthy\","
                        "provider=\"openai-compatible\",tenant=\"tenant-retries\"} 0.25\n"));
}

TEST(MetricsStageTest, InFlightAndOpenStreamsComeBackToZero) {
  MetricsStage stage;
  core::Exchange exchange;
  exchange.stream = true;
  const std::vector<AliasRoute> routes;
  testing::RunCoroutine(stage.OnAdmit(exchange, http::Request(), routes));
  EXPECT_TRUE(Has(observability::DefaultRegistry().Render(), "strata_gateway_open_streams 1\n"));
  testing::RunCoroutine(stage.OnComplete(exchange));
  const std::string text = observability::DefaultRegistry().Render();
  EXPECT_TRUE(Has(text, "strata_gateway_open_streams 0\n")) << text;
  EXPECT_TRUE(Has(text, "strata_gateway_requests_in_flight 0\n"));
}

TEST(MetricsStageTest, BreakerStateIsTheWorstOverWorkers) {
  routing::BreakerCell* mine = BreakerCellFor("unit-breaker");
  EXPECT_EQ(BreakerCellFor("unit-breaker"), mine) << "one cell per deployment per thread";
  routing::BreakerCell* other = nullptr;
  std::thread([&] { other = BreakerCellFor("unit-breaker"); }).join();
  EXPECT_NE(other, mine);
  mine->state = 1;
  other->state = 2;
  other->opened = 3;
  EXPECT_TRUE(Has(observability::DefaultRegistry().Render(),
                  "strata_gateway_breaker_state{deployment=\"unit-breaker\"} 2\n"));
  other->state = 0;
  const std::string text = observability::DefaultRegistry().Render();
  EXPECT_TRUE(Has(text, "strata_gateway_breaker_state{deployment=\"unit-breaker\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, "strata_gateway_breaker_opens_total{deployment=\"unit-breaker\"} 3\n"));
}

TEST(MetricsStageTest, TenantLabelsAreCapped) {
  EXPECT_EQ(TenantLabel(""), "none");
  EXPECT_EQ(TenantLabel("tenant-cap-0"), "tenant-cap-0");
  int other = 0;
  for (std::size_t i = 1; i <= kMaxTenantLabels + 5; ++i) {
    if (TenantLabel("tenant-cap-" + std::to_string(i)) == "other") ++other;
  }
  EXPECT_GE(other, 5);
  EXPECT_EQ(TenantLabel("tenant-cap-0"), "tenant-cap-0") << "admitted values keep their label";
}

}  // namespace
}  // namespace strata::gateway

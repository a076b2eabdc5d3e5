#include "routing/plan.h"

#include <deque>
#include <memory>

#include <gtest/gtest.h>

namespace strata::routing {
namespace {

using namespace std::chrono_literals;
using core::Error;
using core::ErrorCode;

const Clock::time_point kStart = Clock::time_point{} + 1h;

Error RateLimited(std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  Error error(ErrorCode::kRateLimited, "answered 429: slow down");
  if (retry_after) error.WithRetryAfter(*retry_after);
  return error;
}
Error ServiceUnavailable() { return Error::UpstreamUnavailable("answered 503: overloaded"); }
Error ConnectionRefused() { return Error::UpstreamUnavailable("connecting: Connection refused"); }
Error TimedOut() { return Error::UpstreamTimeout("no response head within 60s"); }
Error BadVendorKey() { return Error::UpstreamRejected("answered 401: invalid api key"); }
Error BadRequest() { return Error::InvalidRequest("answered 400: messages must not be empty"); }

// A worker's deployments and aliases, and plans over them. Aliases use the
// priority strategy with distinct priorities, so sequences are deterministic.
class PlanTest : public ::testing::Test {
 protected:
  DeploymentStats& Deployment(std::string name, int priority = 0) {
    DeploymentStats& deployment = deployments_.emplace_back();
    deployment.name = std::move(name);
    deployment.priority = priority;
    return deployment;
  }

  CandidateGroup Group(std::string alias, std::vector<DeploymentStats*> deployments) {
    return {std::move(alias), Strategy::kPriority, std::move(deployments)};
  }

  std::unique_ptr<AttemptPlan> Plan(std::vector<CandidateGroup> groups, RetryOptions retry = {},
                                    Clock::time_point deadline = kStart + 120s) {
    return std::make_unique<AttemptPlan>(std::move(groups), retry, selector_, deadline);
  }

  // Fails each attempt the plan hands out with `error`, at `now`, and returns
  // the deployments tried with their delays, until the plan stops.
  struct Step {
    std::string deployment;
    milliseconds delay;
  };
  std::vector<Step> FailAll(AttemptPlan& plan, const Error& error, Clock::time_point now = kStart) {
    std::vector<Step> steps;
    for (auto attempt = plan.Next(now); attempt; attempt = plan.Next(now)) {
      steps.push_back({attempt->deployment->name, attempt->delay});
      plan.RecordFailure(error, false, now);
    }
    return steps;
  }

  static std::vector<std::string> Names(const std::vector<Step>& steps) {
    std::vector<std::string> names;
    for (const Step& step : steps) names.push_back(step.deployment);
    return names;
  }

  void OpenBreaker(DeploymentStats& deployment, Clock::time_point at) {
    for (int i = 0; i < kDefaultFailureThreshold; ++i) {
      ASSERT_TRUE(deployment.health->breaker.AllowRequest(at));
      deployment.health->breaker.RecordOutcome(false, at, at);
    }
  }

  std::deque<DeploymentStats> deployments_;
  DeploymentSelector selector_{42};
};

TEST_F(PlanTest, FirstAttemptGoesOutAtOnceAndCountsAsOutstanding) {
  DeploymentStats& a = Deployment("a");
  auto plan = Plan({Group("gpt-4o", {&a})});

  const core::Result<Attempt> attempt = plan->Next(kStart);
  ASSERT_TRUE(attempt);
  EXPECT_EQ(attempt->deployment, &a);
  EXPECT_EQ(attempt->alias, "gpt-4o");
  EXPECT_EQ(attempt->delay, 0ms);
  EXPECT_EQ(attempt->number, 1);
  EXPECT_EQ(a.health->outstanding, 1u);
}

TEST_F(PlanTest, SuccessEndsThePlanAndFeedsTheLatency) {
  DeploymentStats& a = Deployment("a");
  auto plan = Plan({Group("gpt-4o", {&a})});
  ASSERT_TRUE(plan->Next(kStart));
  plan->RecordSuccess(180ms, kStart + 2s);

  EXPECT_EQ(a.health->outstanding, 0u);
  EXPECT_DOUBLE_EQ(a.health->latency_ms.value(), 180);
  EXPECT_EQ(plan->AttemptsHeader(), "a:ok");
  const core::Result<Attempt> after = plan->Next(kStart + 2s);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code(), ErrorCode::kInternal);
}

TEST_F(PlanTest, RateLimitedRetriesTheSameDeploymentAfterBackoffThenFallsBack) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});

  const std::vector<Step> steps = FailAll(*plan, RateLimited());
  EXPECT_EQ(Names(steps), (std::vector<std::string>{"a", "a", "b"}));
  EXPECT_EQ(steps[0].delay, 0ms);
  EXPECT_LT(steps[1].delay, 250ms);  // the first backoff's jittered ceiling
  EXPECT_EQ(steps[2].delay, 0ms);    // another deployment need not wait
}

TEST_F(PlanTest, RateLimitedHonoursRetryAfter) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});

  const std::vector<Step> steps = FailAll(*plan, RateLimited(2s));
  EXPECT_EQ(Names(steps), (std::vector<std::string>{"a", "a", "b"}));
  EXPECT_EQ(steps[1].delay, 2s);
}

TEST_F(PlanTest, RateLimitedWithALongRetryAfterFallsBackAtOnce) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});

  const std::vector<Step> steps = FailAll(*plan, RateLimited(60s));
  EXPECT_EQ(Names(steps), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(steps[1].delay, 0ms);
}

TEST_F(PlanTest, ServiceUnavailableRetriesOnceThenFallsBack) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});

  const std::vector<Step> steps = FailAll(*plan, ServiceUnavailable());
  EXPECT_EQ(Names(steps), (std::vector<std::string>{"a", "a", "b"}));
  EXPECT_EQ(plan->AttemptsHeader(), "a:upstream_unavailable, a:upstream_unavailable, b:upstream_unavailable");
}

TEST_F(PlanTest, ConnectionErrorRetriesOnceThenFallsBack) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});
  EXPECT_EQ(Names(FailAll(*plan, ConnectionRefused())), (std::vector<std::string>{"a", "a", "b"}));
}

TEST_F(PlanTest, TimeoutFallsBackWithoutRetryingTheSlowDeployment) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  DeploymentStats& c = Deployment("c", 2);
  auto plan = Plan({Group("gpt-4o", {&a, &b, &c})});
  EXPECT_EQ(Names(FailAll(*plan, TimedOut())), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(PlanTest, VendorRefusingOurKeyFallsBackWithoutRetrying) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});
  EXPECT_EQ(Names(FailAll(*plan, BadVendorKey())), (std::vector<std::string>{"a", "b"}));
}

TEST_F(PlanTest, BadRequestIsNeitherRetriedNorHeldAgainstTheDeployment) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  for (int request = 0; request < 10; ++request) {
    auto plan = Plan({Group("gpt-4o", {&a, &b})});
    EXPECT_EQ(Names(FailAll(*plan, BadRequest())), (std::vector<std::string>{"a"}));
    const core::Result<Attempt> stop = plan->Next(kStart);
    ASSERT_FALSE(stop);
    EXPECT_EQ(stop.error().code(), ErrorCode::kInvalidRequest);
    EXPECT_EQ(stop.error().message(), "answered 400: messages must not be empty");
  }
  EXPECT_EQ(a.health->breaker.state(), BreakerState::kClosed);
  EXPECT_EQ(a.health->outstanding, 0u);
}

TEST_F(PlanTest, NeverRetriesOnceTheStreamHasStarted) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});
  ASSERT_TRUE(plan->Next(kStart));
  plan->RecordFailure(ServiceUnavailable(), /*response_started=*/true, kStart + 5s);

  const core::Result<Attempt> next = plan->Next(kStart + 5s);
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code(), ErrorCode::kUpstreamUnavailable);
  EXPECT_EQ(plan->attempts().size(), 1u);
}

TEST_F(PlanTest, FallsBackToTheNextAliasOnceTheFirstIsExhausted) {
  DeploymentStats& a = Deployment("a");
  DeploymentStats& mini = Deployment("mini");
  auto plan = Plan({Group("gpt-4o", {&a}), Group("gpt-4o-mini", {&mini})});

  ASSERT_TRUE(plan->Next(kStart));
  plan->RecordFailure(ServiceUnavailable(), false, kStart);
  ASSERT_TRUE(plan->Next(kStart));
  plan->RecordFailure(ServiceUnavailable(), false, kStart);
  const core::Result<Attempt> fallback = plan->Next(kStart);
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->deployment, &mini);
  EXPECT_EQ(fallback->alias, "gpt-4o-mini");
  EXPECT_EQ(fallback->number, 3);
  plan->RecordSuccess(90ms, kStart);
  EXPECT_EQ(plan->attempts().back().alias, "gpt-4o-mini");
  EXPECT_EQ(plan->AttemptsHeader(), "a:upstream_unavailable, a:upstream_unavailable, mini:ok");
}

TEST_F(PlanTest, ADeploymentIsNotTriedAgainThroughAFallbackAlias) {
  DeploymentStats& a = Deployment("a");
  DeploymentStats& b = Deployment("b");
  auto plan = Plan({Group("gpt-4o", {&a}), Group("any-gpt", {&a, &b})});
  EXPECT_EQ(Names(FailAll(*plan, BadVendorKey())), (std::vector<std::string>{"a", "b"}));
}

TEST_F(PlanTest, AttemptBudgetEndsThePlanWithTheLastError) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  DeploymentStats& c = Deployment("c", 2);
  auto plan = Plan({Group("gpt-4o", {&a, &b, &c})}, {.max_attempts = 2, .max_attempts_per_deployment = 1});

  EXPECT_EQ(Names(FailAll(*plan, ServiceUnavailable())), (std::vector<std::string>{"a", "b"}));
  const core::Result<Attempt> stop = plan->Next(kStart);
  ASSERT_FALSE(stop);
  EXPECT_EQ(stop.error().message(), "answered 503: overloaded");
}

TEST_F(PlanTest, RetryThatWouldStartAfterTheDeadlineGivesWayToTheNextDeployment) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})}, {}, kStart + 1s);

  ASSERT_TRUE(plan->Next(kStart));
  plan->RecordFailure(RateLimited(1s), false, kStart + 900ms);  // a retry would start at 1.9 s
  const core::Result<Attempt> next = plan->Next(kStart + 900ms);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->deployment, &b);
  EXPECT_EQ(next->delay, 0ms);
  EXPECT_EQ(plan->Remaining(kStart + 900ms), 100ms);
}

TEST_F(PlanTest, NoAttemptStartsAfterTheDeadline) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})}, {}, kStart + 1s);

  ASSERT_TRUE(plan->Next(kStart));
  plan->RecordFailure(TimedOut(), false, kStart + 1s);
  const core::Result<Attempt> next = plan->Next(kStart + 1s);
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code(), ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(plan->attempts().size(), 1u);
  EXPECT_EQ(plan->Remaining(kStart + 2s), 0ms);
}

TEST_F(PlanTest, SkipsOpenBreakersAndCappedDeployments) {
  DeploymentStats& broken = Deployment("broken", 0);
  DeploymentStats& full = Deployment("full", 1);
  DeploymentStats& spare = Deployment("spare", 2);
  OpenBreaker(broken, kStart);
  full.health->max_concurrency = 4;
  full.health->outstanding = 4;
  auto plan = Plan({Group("gpt-4o", {&broken, &full, &spare})});

  const core::Result<Attempt> attempt = plan->Next(kStart + 1s);
  ASSERT_TRUE(attempt);
  EXPECT_EQ(attempt->deployment, &spare);
}

TEST_F(PlanTest, AnswersUnavailableWithRetryAfterWhenNoDeploymentCanTakeTheRequest) {
  DeploymentStats& a = Deployment("a");
  OpenBreaker(a, kStart);
  auto plan = Plan({Group("gpt-4o", {&a})});

  const core::Result<Attempt> next = plan->Next(kStart + 10'500ms);
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code(), ErrorCode::kUpstreamUnavailable);
  EXPECT_EQ(next.error().retry_after(), std::chrono::seconds(20));  // 19.5 s, rounded up
  EXPECT_TRUE(plan->attempts().empty());
}

TEST_F(PlanTest, RetryOfTheSameDeploymentGivesWayWhenItsBreakerOpens) {
  DeploymentStats& a = Deployment("a");
  // Two plans of two failed attempts each: four failures in a row.
  for (int request = 0; request < 2; ++request) {
    auto plan = Plan({Group("gpt-4o", {&a})});
    EXPECT_EQ(FailAll(*plan, ServiceUnavailable()).size(), 2u);
  }
  auto plan = Plan({Group("gpt-4o", {&a})});
  ASSERT_TRUE(plan->Next(kStart));
  plan->RecordFailure(ServiceUnavailable(), false, kStart);  // the fifth: the breaker opens
  EXPECT_EQ(a.health->breaker.state(), BreakerState::kOpen);

  const core::Result<Attempt> next = plan->Next(kStart);
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().message(), "answered 503: overloaded");  // the real error, not "no deployment"
}

TEST_F(PlanTest, AbandonedPlanReleasesItsAttempt) {
  DeploymentStats& a = Deployment("a");
  OpenBreaker(a, kStart);
  {
    auto plan = Plan({Group("gpt-4o", {&a})});
    ASSERT_TRUE(plan->Next(kStart + 30s));  // the half-open probe; then the client goes away
    EXPECT_EQ(a.health->outstanding, 1u);
  }
  EXPECT_EQ(a.health->outstanding, 0u);
  auto plan = Plan({Group("gpt-4o", {&a})});
  const core::Result<Attempt> probe = plan->Next(kStart + 31s);  // the probe slot is free again
  ASSERT_TRUE(probe);
  plan->RecordSuccess(100ms, kStart + 32s);
  EXPECT_EQ(a.health->breaker.state(), BreakerState::kClosed);
}

TEST_F(PlanTest, CallingNextWithAnAttemptInFlightAbandonsIt) {
  DeploymentStats& a = Deployment("a", 0);
  DeploymentStats& b = Deployment("b", 1);
  auto plan = Plan({Group("gpt-4o", {&a, &b})});
  ASSERT_TRUE(plan->Next(kStart));
  const core::Result<Attempt> next = plan->Next(kStart);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->deployment, &b);
  EXPECT_EQ(a.health->outstanding, 0u);
  EXPECT_EQ(plan->AttemptsHeader(), "a:cancelled, b");
}

TEST_F(PlanTest, LatencyIsNotSampledFromFailures) {
  DeploymentStats& a = Deployment("a");
  auto plan = Plan({Group("gpt-4o", {&a})});
  FailAll(*plan, ConnectionRefused());
  EXPECT_TRUE(a.health->latency_ms.empty());
  EXPECT_EQ(a.health->outstanding, 0u);
}

}  // namespace
}  // namespace strata::routing

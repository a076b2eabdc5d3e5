#include "routing/circuit_breaker.h"

#include <gtest/gtest.h>

namespace strata::routing {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kStart = Clock::time_point{} + 1h;

// One request through the breaker, let through and finished at `at`.
void Send(CircuitBreaker& breaker, bool succeeded, Clock::time_point at) {
  ASSERT_TRUE(breaker.AllowRequest(at));
  breaker.RecordOutcome(succeeded, at, at);
}

void Fail(CircuitBreaker& breaker, int times, Clock::time_point at) {
  for (int i = 0; i < times; ++i) Send(breaker, false, at);
}

// Only the consecutive trigger, or only the ratio one.
BreakerOptions ConsecutiveOnly() {
  BreakerOptions options;
  options.failure_ratio = 0;
  return options;
}
BreakerOptions RatioOnly() {
  BreakerOptions options;
  options.failure_threshold = 0;
  return options;
}

TEST(CircuitBreakerTest, StaysClosedWhileRequestsSucceed) {
  CircuitBreaker breaker;
  for (int i = 0; i < 100; ++i) Send(breaker, true, kStart + i * 1s);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  EXPECT_EQ(breaker.transitions().opened, 0u);
}

TEST(CircuitBreakerTest, OpensAfterFiveConsecutiveFailures) {
  CircuitBreaker breaker(ConsecutiveOnly());
  Fail(breaker, 4, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);

  Fail(breaker, 1, kStart + 1s);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_EQ(breaker.opened_at(), kStart + 1s);
  EXPECT_EQ(breaker.open_until(), kStart + 31s);
  EXPECT_FALSE(breaker.AllowRequest(kStart + 1s));
}

TEST(CircuitBreakerTest, ASuccessResetsTheConsecutiveCount) {
  CircuitBreaker breaker(ConsecutiveOnly());
  Fail(breaker, 4, kStart);
  Send(breaker, true, kStart);
  Fail(breaker, 4, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  Fail(breaker, 1, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, OpensWhenHalfOfRecentRequestsFailed) {
  CircuitBreaker breaker;  // both triggers on: alternating never makes five in a row
  for (int i = 0; i < 9; ++i) Send(breaker, i % 2 == 1, kStart + i * 100ms);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);  // 5 of 9 failed, but fewer than min_requests

  Send(breaker, true, kStart + 1s);  // 5 of 10
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, RatioWaitsForMinimumRequests) {
  CircuitBreaker breaker(RatioOnly());
  Fail(breaker, 9, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  Fail(breaker, 1, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, RatioStaysClosedBelowTheThreshold) {
  CircuitBreaker breaker(RatioOnly());
  // Two in every five fail (40%, under 50%), successes first.
  for (int i = 0; i < 40; ++i) Send(breaker, i % 5 < 3, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(CircuitBreakerTest, RatioOnlyLooksAtTheLastWindowSizeOutcomes) {
  CircuitBreaker breaker(RatioOnly());
  for (int i = 0; i < 20; ++i) Send(breaker, true, kStart);
  Fail(breaker, 9, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);  // 9 of the last 20
  Fail(breaker, 1, kStart);
  // 10 of the last 20 (of all 30 it would be a third): the old successes no longer count.
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, RatioForgetsOutcomesOlderThanTheWindow) {
  CircuitBreaker breaker(RatioOnly());
  Fail(breaker, 9, kStart);
  Fail(breaker, 1, kStart + 31s);  // the first nine are more than 30 s old
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  Fail(breaker, 8, kStart + 32s);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  Fail(breaker, 1, kStart + 33s);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, NeverOpensWithBothTriggersDisabled) {
  BreakerOptions options;
  options.failure_threshold = 0;
  options.failure_ratio = 0;
  CircuitBreaker breaker(options);
  Fail(breaker, 100, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(CircuitBreakerTest, RefusesUntilTheCoolDownHasPassed) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  EXPECT_FALSE(breaker.AllowRequest(kStart + 29'999ms));
  EXPECT_FALSE(breaker.IsAvailable(kStart + 29'999ms));
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_TRUE(breaker.IsAvailable(kStart + 30s));
}

TEST(CircuitBreakerTest, HalfOpenLetsExactlyOneProbeThrough) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);

  EXPECT_TRUE(breaker.AllowRequest(kStart + 30s));
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
  EXPECT_FALSE(breaker.AllowRequest(kStart + 30s));
  EXPECT_FALSE(breaker.AllowRequest(kStart + 45s));
  EXPECT_FALSE(breaker.IsAvailable(kStart + 45s));
}

TEST(CircuitBreakerTest, IsAvailableDoesNotTakeTheProbe) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  EXPECT_TRUE(breaker.IsAvailable(kStart + 30s));
  EXPECT_TRUE(breaker.IsAvailable(kStart + 30s));
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_TRUE(breaker.AllowRequest(kStart + 30s));
}

TEST(CircuitBreakerTest, SuccessfulProbeClosesTheBreaker) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  ASSERT_TRUE(breaker.AllowRequest(kStart + 30s));
  breaker.RecordOutcome(true, kStart + 30s, kStart + 31s);

  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  EXPECT_TRUE(breaker.AllowRequest(kStart + 31s));
  EXPECT_TRUE(breaker.AllowRequest(kStart + 31s));
}

TEST(CircuitBreakerTest, ClosedBreakerJudgesAfreshAfterRecovery) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  ASSERT_TRUE(breaker.AllowRequest(kStart + 30s));
  breaker.RecordOutcome(true, kStart + 30s, kStart + 30s);
  Fail(breaker, 4, kStart + 31s);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(CircuitBreakerTest, FailedProbeReopensWithADoubledCoolDown) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  ASSERT_TRUE(breaker.AllowRequest(kStart + 30s));
  breaker.RecordOutcome(false, kStart + 30s, kStart + 32s);

  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_EQ(breaker.opened_at(), kStart + 32s);
  EXPECT_EQ(breaker.cool_down(), 60s);
  EXPECT_FALSE(breaker.AllowRequest(kStart + 91s));
  EXPECT_TRUE(breaker.AllowRequest(kStart + 92s));
}

TEST(CircuitBreakerTest, CoolDownGrowthIsCapped) {
  BreakerOptions options;
  options.cool_down = 30s;
  options.max_cool_down = 100s;
  CircuitBreaker breaker(options);
  Fail(breaker, 5, kStart);

  Clock::time_point now = kStart;
  std::vector<milliseconds> cool_downs;
  for (int i = 0; i < 4; ++i) {
    now = breaker.open_until();
    ASSERT_TRUE(breaker.AllowRequest(now));
    breaker.RecordOutcome(false, now, now);
    cool_downs.push_back(breaker.cool_down());
  }
  EXPECT_EQ(cool_downs, (std::vector<milliseconds>{60s, 100s, 100s, 100s}));
}

TEST(CircuitBreakerTest, CoolDownStaysFixedWithMultiplierOne) {
  BreakerOptions options;
  options.cool_down_multiplier = 1;
  CircuitBreaker breaker(options);
  Fail(breaker, 5, kStart);
  const Clock::time_point probe = breaker.open_until();
  ASSERT_TRUE(breaker.AllowRequest(probe));
  breaker.RecordOutcome(false, probe, probe);
  EXPECT_EQ(breaker.cool_down(), 30s);
}

TEST(CircuitBreakerTest, SuccessfulProbeResetsTheCoolDown) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  Clock::time_point probe = breaker.open_until();
  ASSERT_TRUE(breaker.AllowRequest(probe));
  breaker.RecordOutcome(false, probe, probe);
  probe = breaker.open_until();
  ASSERT_TRUE(breaker.AllowRequest(probe));
  breaker.RecordOutcome(true, probe, probe);

  Fail(breaker, 5, probe);
  EXPECT_EQ(breaker.cool_down(), 30s);
}

TEST(CircuitBreakerTest, OutcomeOfARequestAdmittedBeforeOpeningIsNotTakenForTheProbe) {
  CircuitBreaker breaker;
  const Clock::time_point slow_request = kStart;
  ASSERT_TRUE(breaker.AllowRequest(slow_request));
  Fail(breaker, 5, kStart + 1s);
  ASSERT_TRUE(breaker.AllowRequest(kStart + 31s));  // the probe

  // The long request started before the breaker opened ends now, well.
  breaker.RecordOutcome(true, slow_request, kStart + 40s);
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
  EXPECT_FALSE(breaker.AllowRequest(kStart + 40s));

  breaker.RecordOutcome(false, kStart + 31s, kStart + 41s);  // the probe's answer
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, OutcomesWhileOpenAreIgnored) {
  CircuitBreaker breaker;
  ASSERT_TRUE(breaker.AllowRequest(kStart));
  Fail(breaker, 5, kStart + 1s);
  breaker.RecordOutcome(true, kStart, kStart + 2s);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_EQ(breaker.transitions().closed, 0u);
}

TEST(CircuitBreakerTest, NeutralProbeOutcomeLetsTheNextProbeThrough) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  ASSERT_TRUE(breaker.AllowRequest(kStart + 30s));
  breaker.RecordNeutral(kStart + 30s);  // the client went away

  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
  EXPECT_TRUE(breaker.AllowRequest(kStart + 31s));
  EXPECT_FALSE(breaker.AllowRequest(kStart + 31s));
}

TEST(CircuitBreakerTest, NeutralOutcomesCountNeitherWay) {
  CircuitBreaker breaker;
  Fail(breaker, 4, kStart);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(breaker.AllowRequest(kStart));
    breaker.RecordNeutral(kStart);
  }
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  Fail(breaker, 1, kStart);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, LostProbeIsReplacedAfterProbeTimeout) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);
  ASSERT_TRUE(breaker.AllowRequest(kStart + 30s));  // never reported
  EXPECT_FALSE(breaker.AllowRequest(kStart + 149s));
  EXPECT_TRUE(breaker.AllowRequest(kStart + 150s));
  EXPECT_FALSE(breaker.AllowRequest(kStart + 150s));
  breaker.RecordOutcome(true, kStart + 150s, kStart + 151s);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(CircuitBreakerTest, CountsEveryTransition) {
  CircuitBreaker breaker;
  Fail(breaker, 5, kStart);                         // opened
  ASSERT_TRUE(breaker.AllowRequest(kStart + 30s));  // half-opened
  breaker.RecordOutcome(false, kStart + 30s, kStart + 30s);  // opened
  ASSERT_TRUE(breaker.AllowRequest(kStart + 90s));           // half-opened
  breaker.RecordOutcome(true, kStart + 90s, kStart + 90s);   // closed

  EXPECT_EQ(breaker.transitions().opened, 2u);
  EXPECT_EQ(breaker.transitions().half_opened, 2u);
  EXPECT_EQ(breaker.transitions().closed, 1u);
}

TEST(CircuitBreakerTest, PublishesEveryStateChangeToItsCell) {
  BreakerCell cell;
  cell.state = 2;  // a stale value from a breaker this one replaces
  CircuitBreaker breaker(ConsecutiveOnly());
  breaker.PublishTo(&cell);
  EXPECT_EQ(cell.state.load(), 0) << "closed, published at once";
  Fail(breaker, 5, kStart);
  EXPECT_EQ(cell.state.load(), 2) << "open";
  EXPECT_EQ(cell.opened.load(), 1u);
  const Clock::time_point probe_at = breaker.open_until();
  ASSERT_TRUE(breaker.AllowRequest(probe_at));
  EXPECT_EQ(cell.state.load(), 1) << "half-open while the probe is out";
  breaker.RecordOutcome(false, probe_at, probe_at);
  EXPECT_EQ(cell.state.load(), 2) << "open again after a failed probe";
  EXPECT_EQ(cell.opened.load(), 2u);
  const Clock::time_point second_probe = breaker.open_until();
  ASSERT_TRUE(breaker.AllowRequest(second_probe));
  breaker.RecordOutcome(true, second_probe, second_probe);
  EXPECT_EQ(cell.state.load(), 0) << "closed after a successful probe";
}

}  // namespace
}  // namespace strata::routing

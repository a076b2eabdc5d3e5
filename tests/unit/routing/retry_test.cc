#include "routing/retry.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace strata::routing {
namespace {

using namespace std::chrono_literals;
using core::Error;
using core::ErrorCode;

constexpr std::uint64_t kSeed = 42;

Error RateLimited(std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  Error error(ErrorCode::kRateLimited, "openai-main answered 429: slow down");
  if (retry_after) error.WithRetryAfter(*retry_after);
  return error;
}

TEST(ClassifyTest, UpstreamTroubleIsTransient) {
  for (ErrorCode code : {ErrorCode::kRateLimited, ErrorCode::kUpstreamUnavailable, ErrorCode::kUpstreamTimeout,
                         ErrorCode::kUnavailable}) {
    EXPECT_EQ(Classify(Error(code, "x")), FailureKind::kTransient) << Error(code, "x").CodeName();
    EXPECT_TRUE(CountsAgainstDeployment(FailureKind::kTransient));
  }
}

TEST(ClassifyTest, AVendorRefusingOurCredentialsIsTheDeploymentsFault) {
  EXPECT_EQ(Classify(Error::UpstreamRejected("azure-east answered 401: bad key")), FailureKind::kDeployment);
  EXPECT_TRUE(CountsAgainstDeployment(FailureKind::kDeployment));
}

TEST(ClassifyTest, FaultsOfTheRequestAreFinalAndNeverCountAgainstTheDeployment) {
  for (ErrorCode code : {ErrorCode::kInvalidRequest, ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied,
                         ErrorCode::kNotFound, ErrorCode::kPayloadTooLarge, ErrorCode::kPolicyBlocked,
                         ErrorCode::kInternal}) {
    EXPECT_EQ(Classify(Error(code, "x")), FailureKind::kFinal) << Error(code, "x").CodeName();
  }
  EXPECT_FALSE(CountsAgainstDeployment(FailureKind::kFinal));
}

TEST(RetryPolicyTest, NeverRetriesAFaultOfTheRequest) {
  RetryPolicy policy;
  Random random(kSeed);
  for (ErrorCode code : {ErrorCode::kInvalidRequest, ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied,
                         ErrorCode::kNotFound, ErrorCode::kPayloadTooLarge, ErrorCode::kPolicyBlocked}) {
    EXPECT_EQ(policy.Decide(Error(code, "x"), false, 1, random).action, RetryAction::kStop)
        << Error(code, "x").CodeName();
  }
}

TEST(RetryPolicyTest, StopsOnceTheResponseHasStarted) {
  RetryPolicy policy;
  Random random(kSeed);
  EXPECT_EQ(policy.Decide(Error::UpstreamUnavailable("reset mid-stream"), true, 1, random).action,
            RetryAction::kStop);
  EXPECT_EQ(policy.Decide(RateLimited(1s), true, 1, random).action, RetryAction::kStop);
}

TEST(RetryPolicyTest, RetriesTheSameDeploymentAfterAnUnavailableOne) {
  RetryPolicy policy;
  Random random(kSeed);
  const RetryDecision decision = policy.Decide(Error::UpstreamUnavailable("503"), false, 1, random);
  EXPECT_EQ(decision.action, RetryAction::kRetrySame);
  EXPECT_GE(decision.delay, 0ms);
  EXPECT_LT(decision.delay, 250ms);
}

TEST(RetryPolicyTest, MovesOnWhenTheDeploymentHasNoAttemptsLeft) {
  RetryPolicy policy;  // two per deployment
  Random random(kSeed);
  EXPECT_EQ(policy.Decide(Error::UpstreamUnavailable("503"), false, 2, random).action,
            RetryAction::kNextDeployment);

  RetryPolicy once({.max_attempts_per_deployment = 1});
  EXPECT_EQ(once.Decide(Error::UpstreamUnavailable("503"), false, 1, random).action,
            RetryAction::kNextDeployment);
}

TEST(RetryPolicyTest, MovesOnAtOnceAfterATimeout) {
  RetryPolicy policy;
  Random random(kSeed);
  EXPECT_EQ(policy.Decide(Error::UpstreamTimeout("no answer in 60s"), false, 1, random).action,
            RetryAction::kNextDeployment);
}

TEST(RetryPolicyTest, FallsBackButNeverRetriesAfterTheVendorRefusedOurKey) {
  RetryPolicy policy;
  Random random(kSeed);
  EXPECT_EQ(policy.Decide(Error::UpstreamRejected("401"), false, 1, random).action, RetryAction::kNextDeployment);
}

TEST(RetryPolicyTest, HonoursRetryAfterWithinTheCap) {
  RetryPolicy policy;
  Random random(kSeed);
  const RetryDecision decision = policy.Decide(RateLimited(3s), false, 1, random);
  EXPECT_EQ(decision.action, RetryAction::kRetrySame);
  EXPECT_EQ(decision.delay, 3s);
}

TEST(RetryPolicyTest, RetryAfterBeyondTheCapMovesOnAtOnce) {
  RetryPolicy policy;  // max_retry_after 10 s
  Random random(kSeed);
  EXPECT_EQ(policy.Decide(RateLimited(10s), false, 1, random).action, RetryAction::kRetrySame);
  EXPECT_EQ(policy.Decide(RateLimited(11s), false, 1, random).action, RetryAction::kNextDeployment);
}

TEST(RetryPolicyTest, RateLimitedWithoutRetryAfterBacksOff) {
  RetryPolicy policy;
  Random random(kSeed);
  const RetryDecision decision = policy.Decide(RateLimited(), false, 1, random);
  EXPECT_EQ(decision.action, RetryAction::kRetrySame);
  EXPECT_LT(decision.delay, 250ms);
}

TEST(RetryPolicyTest, BackoffStaysUnderItsJitteredCeiling) {
  RetryPolicy policy;  // 250 ms, ×2, at most 5 s
  Random random(kSeed);
  const std::vector<milliseconds> ceilings = {250ms, 500ms, 1000ms, 2000ms, 4000ms, 5000ms, 5000ms};
  for (std::size_t retry = 1; retry <= ceilings.size(); ++retry) {
    milliseconds lowest = milliseconds::max();
    milliseconds highest = milliseconds::min();
    for (int draw = 0; draw < 2'000; ++draw) {
      const milliseconds delay = policy.Backoff(static_cast<int>(retry), random);
      ASSERT_GE(delay, 0ms);
      ASSERT_LT(delay, ceilings[retry - 1]) << "retry " << retry;
      lowest = std::min(lowest, delay);
      highest = std::max(highest, delay);
    }
    // Full jitter: the draws cover the range, not just a band near the ceiling.
    EXPECT_LT(lowest, ceilings[retry - 1] / 10) << "retry " << retry;
    EXPECT_GT(highest, ceilings[retry - 1] * 9 / 10) << "retry " << retry;
  }
}

TEST(RetryPolicyTest, BackoffOfAHugeRetryNumberIsCappedNotOverflowed) {
  RetryPolicy policy;
  Random random(kSeed);
  for (int retry : {64, 1'000, 1'000'000}) {
    const milliseconds delay = policy.Backoff(retry, random);
    EXPECT_GE(delay, 0ms);
    EXPECT_LT(delay, 5s);
  }
}

// ParseRetryAfter. The example dates are RFC 9110's, seen 30 s before they fall.
const std::chrono::system_clock::time_point kExampleNow =
    std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + 8h + 49min + 7s;

TEST(ParseRetryAfterTest, ReadsDelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kExampleNow), 120s);
  EXPECT_EQ(ParseRetryAfter("0", kExampleNow), 0s);
  EXPECT_EQ(ParseRetryAfter(" 5\t", kExampleNow), 5s);
}

TEST(ParseRetryAfterTest, ReadsFractionalSecondsRoundingUpToTheMillisecond) {
  EXPECT_EQ(ParseRetryAfter("1.5", kExampleNow), 1500ms);
  EXPECT_EQ(ParseRetryAfter("0.0001", kExampleNow), 1ms);
  EXPECT_EQ(ParseRetryAfter("2.250", kExampleNow), 2250ms);
}

TEST(ParseRetryAfterTest, SaturatesHugeDelaysInsteadOfOverflowing) {
  const std::optional<milliseconds> delay = ParseRetryAfter("999999999999999999999999", kExampleNow);
  ASSERT_TRUE(delay.has_value());
  EXPECT_GT(*delay, std::chrono::duration_cast<milliseconds>(std::chrono::years(99)));
}

TEST(ParseRetryAfterTest, ReadsAnImfFixdate) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kExampleNow), 30s);
}

TEST(ParseRetryAfterTest, ReadsAnRfc850Date) {
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kExampleNow), 30s);
}

TEST(ParseRetryAfterTest, ReadsTwoDigitYearsAsAtMostFiftyYearsAhead) {
  const std::chrono::system_clock::time_point now = std::chrono::sys_days(std::chrono::year(2025) / 12 / 31);
  EXPECT_EQ(ParseRetryAfter("Thursday, 01-Jan-26 00:00:00 GMT", now), 24h);
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), 0ms);  // 1994, not 2094
}

TEST(ParseRetryAfterTest, ReadsAnAsctimeDate) {
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kExampleNow), 30s);
  EXPECT_EQ(ParseRetryAfter("Wed Nov 16 08:49:37 1994", kExampleNow), 10 * 24h + 30s);
}

TEST(ParseRetryAfterTest, RoundsADateUpToTheMillisecond) {
  const auto now = kExampleNow + 500'500us;
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), 29'500ms);
}

TEST(ParseRetryAfterTest, ADateInThePastMeansNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:48:00 GMT", kExampleNow), 0ms);
}

TEST(ParseRetryAfterTest, RefusesAnythingElse) {
  for (const char* value : {"", " ", "soon", "-5", "+5", "5s", "1.", "1.2.3", "0x10",
                            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 GMT extra",
                            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Now 1994 08:49:37 GMT",
                            "Funday, 06-Nov-94 08:49:37 GMT", "Sunday, 06 Nov 1994 08:49:37 GMT",
                            "Sun Nov 6 08:49:37 1994"}) {
    EXPECT_EQ(ParseRetryAfter(value, kExampleNow), std::nullopt) << '"' << value << '"';
  }
}

}  // namespace
}  // namespace strata::routing

#include "admin/login_throttle.h"

#include <gtest/gtest.h>

namespace strata::admin {
namespace {

using namespace std::chrono_literals;

const LoginThrottle::Clock::time_point kStart{};

TEST(LoginThrottleTest, RefusesAnAccountAfterItsFailuresAndSaysHowLongToWait) {
  LoginThrottle throttle({.per_account = 3, .per_address = 0, .window = 60s});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(throttle.Blocked("10.0.0.1", "ada@x", kStart + std::chrono::seconds(i)));
    throttle.RecordFailure("10.0.0.1", "ada@x", kStart + std::chrono::seconds(i));
  }
  const std::optional<std::chrono::seconds> wait = throttle.Blocked("10.0.0.1", "ada@x", kStart + 10s);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 50s) << "the window runs from the first failure";
  EXPECT_TRUE(throttle.Blocked("10.0.0.1", "ADA@X", kStart + 10s)) << "emails compare case-insensitively";
  EXPECT_FALSE(throttle.Blocked("10.0.0.1", "bob@x", kStart + 10s)) << "other accounts are unaffected";
  EXPECT_FALSE(throttle.Blocked("10.0.0.2", "ada@x", kStart + 10s)) << "per address and account";
  EXPECT_FALSE(throttle.Blocked("10.0.0.1", "ada@x", kStart + 60s)) << "the window ended";
}

TEST(LoginThrottleTest, ASuccessClearsTheAccountCount) {
  LoginThrottle throttle({.per_account = 2, .per_address = 0, .window = 60s});
  throttle.RecordFailure("a", "ada@x", kStart);
  throttle.RecordSuccess("a", "ada@x");
  throttle.RecordFailure("a", "ada@x", kStart);
  EXPECT_FALSE(throttle.Blocked("a", "ada@x", kStart));
}

TEST(LoginThrottleTest, RefusesAnAddressSprayingManyAccounts) {
  LoginThrottle throttle({.per_account = 5, .per_address = 4, .window = 60s});
  for (int i = 0; i < 4; ++i) throttle.RecordFailure("a", "user" + std::to_string(i) + "@x", kStart);
  EXPECT_TRUE(throttle.Blocked("a", "fresh@x", kStart));
  EXPECT_FALSE(throttle.Blocked("b", "fresh@x", kStart));
  throttle.RecordSuccess("a", "user0@x");
  EXPECT_TRUE(throttle.Blocked("a", "fresh@x", kStart)) << "a success does not clear the address count";
}

TEST(LoginThrottleTest, AFailureAfterTheWindowStartsANewOne) {
  LoginThrottle throttle({.per_account = 2, .per_address = 0, .window = 60s});
  throttle.RecordFailure("a", "ada@x", kStart);
  throttle.RecordFailure("a", "ada@x", kStart + 61s);
  EXPECT_FALSE(throttle.Blocked("a", "ada@x", kStart + 62s));
  throttle.RecordFailure("a", "ada@x", kStart + 62s);
  EXPECT_TRUE(throttle.Blocked("a", "ada@x", kStart + 62s));
}

TEST(LoginThrottleTest, StaysBoundedUnderAFloodOfAddresses) {
  LoginThrottle throttle({.per_account = 1, .per_address = 0, .window = 60s, .max_entries = 100});
  for (int i = 0; i < 1000; ++i) {
    throttle.RecordFailure("10.0.0." + std::to_string(i), "ada@x", kStart + std::chrono::milliseconds(i));
  }
  EXPECT_TRUE(throttle.Blocked("10.0.0.999", "ada@x", kStart + 2s)) << "the newest counters are kept";
}

}  // namespace
}  // namespace strata::admin

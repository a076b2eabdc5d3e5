#include "limits/gcra.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace strata::limits {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kStart = 1'800'000'000 * kSecond;  // any instant; GCRA only sees differences

TEST(GcraTest, AdmitsExactlyPerMinuteAtOnceThenRefuses) {
  // Includes limits that do not divide a minute in nanoseconds, and large ones
  // where rounding T down would let one unit too many through.
  for (std::int64_t per_minute : {1, 7, 60, 245'000, 300'007, 1'000'000}) {
    std::int64_t tat = kStart;
    for (std::int64_t i = 0; i < per_minute; ++i) {
      const GcraDecision d = GcraAdmit(tat, kStart, per_minute, 1);
      ASSERT_TRUE(d.admitted) << per_minute << " per minute, unit " << i;
      ASSERT_EQ(d.remaining, per_minute - i - 1);
      tat = d.new_tat_ns;
    }
    const GcraDecision refused = GcraAdmit(tat, kStart, per_minute, 1);
    EXPECT_FALSE(refused.admitted) << per_minute;
    EXPECT_FALSE(refused.too_large);
    EXPECT_EQ(refused.new_tat_ns, tat) << "a refusal takes nothing";
    EXPECT_EQ(refused.remaining, 0);
  }
}

TEST(GcraTest, AWholeMinuteAtOnceIsAdmittedAndOneMoreIsTooLarge) {
  const GcraDecision all = GcraAdmit(kStart, kStart, 1000, 1000);
  EXPECT_TRUE(all.admitted);
  EXPECT_EQ(all.remaining, 0);
  EXPECT_EQ(all.reset_ns, 60 * kSecond);

  const GcraDecision too_large = GcraAdmit(kStart, kStart, 1000, 1001);
  EXPECT_FALSE(too_large.admitted);
  EXPECT_TRUE(too_large.too_large);
  EXPECT_EQ(too_large.new_tat_ns, kStart);
  EXPECT_EQ(too_large.remaining, 1000);
}

TEST(GcraTest, RefillsOneUnitPerEmissionInterval) {
  // 60 per minute: T = 1 s.
  EXPECT_EQ(GcraEmissionInterval(60), kSecond);
  const std::int64_t drained = kStart + 60 * kSecond;

  const GcraDecision early = GcraAdmit(drained, kStart + 999 * kMs, 60, 1);
  EXPECT_FALSE(early.admitted);
  EXPECT_EQ(early.retry_after_ns, 1 * kMs);

  const GcraDecision on_time = GcraAdmit(drained, kStart + kSecond, 60, 1);
  EXPECT_TRUE(on_time.admitted);
  EXPECT_EQ(on_time.remaining, 0);

  // Half a minute later, half the bucket is back.
  const GcraDecision half = GcraAdmit(drained, kStart + 30 * kSecond, 60, 0);
  EXPECT_TRUE(half.admitted);
  EXPECT_EQ(half.remaining, 30);
  EXPECT_EQ(half.reset_ns, 30 * kSecond);
}

TEST(GcraTest, RetryAfterAndResetAreExact) {
  // 100 per minute: T = 600 ms.
  const std::int64_t T = 600 * kMs;
  GcraDecision d = GcraAdmit(kStart, kStart, 100, 40);
  ASSERT_TRUE(d.admitted);
  EXPECT_EQ(d.remaining, 60);
  EXPECT_EQ(d.reset_ns, 40 * T);
  d = GcraAdmit(d.new_tat_ns, kStart, 100, 40);
  ASSERT_TRUE(d.admitted);
  EXPECT_EQ(d.remaining, 20);
  EXPECT_EQ(d.reset_ns, 80 * T);

  const GcraDecision refused = GcraAdmit(d.new_tat_ns, kStart, 100, 40);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after_ns, 20 * T) << "20 more units must drain first";
  EXPECT_EQ(refused.reset_ns, 80 * T);
  EXPECT_EQ(refused.remaining, 20);

  // Exactly when retry_after says, it goes through.
  EXPECT_TRUE(GcraAdmit(d.new_tat_ns, kStart + 20 * T, 100, 40).admitted);
  EXPECT_FALSE(GcraAdmit(d.new_tat_ns, kStart + 20 * T - 1, 100, 40).admitted);
}

TEST(GcraTest, AStaleTatCountsAsAFullCounter) {
  const GcraDecision d = GcraAdmit(kStart - 3600 * kSecond, kStart, 60, 1);
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(d.new_tat_ns, kStart + kSecond);
  EXPECT_EQ(d.remaining, 59);
}

TEST(GcraTest, ChargeIntoDebtRefusesUntilPaidOff) {
  // 1000 tokens per minute: T = 60 ms. Admission took 100, the answer used 2500.
  const std::int64_t T = 60 * kMs;
  const GcraDecision admitted = GcraAdmit(kStart, kStart, 1000, 100);
  ASSERT_TRUE(admitted.admitted);
  const std::int64_t tat = GcraCharge(admitted.new_tat_ns, kStart, 1000, 2400);
  EXPECT_EQ(tat, kStart + 2500 * T);

  const GcraDecision in_debt = GcraAdmit(tat, kStart, 1000, 1);
  EXPECT_FALSE(in_debt.admitted);
  EXPECT_EQ(in_debt.remaining, 0);
  EXPECT_EQ(in_debt.retry_after_ns, 1501 * T);
  EXPECT_EQ(in_debt.reset_ns, 2500 * T);
  EXPECT_TRUE(GcraAdmit(tat, kStart + 1501 * T, 1000, 1).admitted);
}

TEST(GcraTest, ChargeRefundsButNeverBelowFull) {
  const std::int64_t T = 60 * kMs;
  const GcraDecision admitted = GcraAdmit(kStart, kStart, 1000, 500);
  EXPECT_EQ(GcraCharge(admitted.new_tat_ns, kStart, 1000, -400), kStart + 100 * T);
  EXPECT_EQ(GcraCharge(admitted.new_tat_ns, kStart, 1000, -10'000), kStart) << "no credit beyond a full counter";
  EXPECT_EQ(GcraCharge(kStart - kSecond, kStart, 1000, 0), kStart);
}

TEST(GcraTest, DebtIsCappedThirtyDaysAhead) {
  const std::int64_t tat = GcraCharge(kStart, kStart, 1, std::numeric_limits<std::int64_t>::max() / 2);
  EXPECT_EQ(tat, kStart + kGcraMaxAheadNs);
  EXPECT_FALSE(GcraAdmit(tat, kStart, 1, 1).admitted);
  EXPECT_EQ(GcraCharge(tat, kStart, 1, 1), kStart + kGcraMaxAheadNs);
  EXPECT_EQ(GcraCharge(tat, kStart, 1, -1), kStart + kGcraMaxAheadNs - 60 * kSecond);
}

}  // namespace
}  // namespace strata::limits

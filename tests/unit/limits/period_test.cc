#include <chrono>

#include <gtest/gtest.h>

#include "limits/limits.h"

namespace strata::limits {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

SystemClock::time_point At(year_month_day date, seconds time_of_day = 0s) { return sys_days{date} + time_of_day; }

TEST(PeriodTest, DayStartsAtUtcMidnight) {
  const auto now = At(2026y / March / 14, 13h + 5min + 7s);
  EXPECT_EQ(PeriodStart(Period::kDay, now), At(2026y / March / 14));
  EXPECT_EQ(NextPeriodStart(Period::kDay, now), At(2026y / March / 15));
}

TEST(PeriodTest, MonthStartsOnTheFirst) {
  const auto now = At(2026y / March / 14, 13h);
  EXPECT_EQ(PeriodStart(Period::kMonth, now), At(2026y / March / 1));
  EXPECT_EQ(NextPeriodStart(Period::kMonth, now), At(2026y / April / 1));
}

TEST(PeriodTest, LastSecondOfJanuaryBelongsToJanuaryAndMidnightToFebruary) {
  const auto last = At(2026y / January / 31, 23h + 59min + 59s);
  EXPECT_EQ(PeriodStart(Period::kMonth, last), At(2026y / January / 1));
  EXPECT_EQ(NextPeriodStart(Period::kMonth, last), At(2026y / February / 1));
  EXPECT_EQ(NextPeriodStart(Period::kDay, last), At(2026y / February / 1));

  const auto midnight = At(2026y / February / 1);
  EXPECT_EQ(PeriodStart(Period::kMonth, midnight), midnight);
  EXPECT_EQ(PeriodStart(Period::kDay, midnight), midnight);
  EXPECT_EQ(NextPeriodStart(Period::kMonth, midnight), At(2026y / March / 1));
}

TEST(PeriodTest, DecemberRollsIntoTheNextYear) {
  const auto now = At(2026y / December / 31, 23h + 59min + 59s);
  EXPECT_EQ(NextPeriodStart(Period::kMonth, now), At(2027y / January / 1));
  EXPECT_EQ(NextPeriodStart(Period::kDay, now), At(2027y / January / 1));
}

TEST(PeriodTest, LeapFebruaryHasTwentyNineDays) {
  EXPECT_EQ(NextPeriodStart(Period::kDay, At(2028y / February / 28, 12h)), At(2028y / February / 29));
  EXPECT_EQ(NextPeriodStart(Period::kMonth, At(2028y / February / 29, 12h)), At(2028y / March / 1));
}

TEST(PeriodTest, SubSecondInstantsBeforeTheEpochFloorDown) {
  const auto now = SystemClock::time_point(-1ns);
  EXPECT_EQ(PeriodStart(Period::kDay, now), At(1969y / December / 31));
  EXPECT_EQ(PeriodStart(Period::kMonth, now), At(1969y / December / 1));
}

}  // namespace
}  // namespace strata::limits

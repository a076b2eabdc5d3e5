// Budget periods: calendar days and months in UTC (std::chrono's calendar types).

#include <chrono>

#include "limits/limits.h"

namespace strata::limits {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

}  // namespace

SystemClock::time_point PeriodStart(Period period, SystemClock::time_point now) {
  const sys_days day = std::chrono::floor<days>(now);
  if (period == Period::kDay) {
    return day;
  }
  const std::chrono::year_month_day date{day};
  return sys_days{date.year() / date.month() / 1};
}

SystemClock::time_point NextPeriodStart(Period period, SystemClock::time_point now) {
  const sys_days day = std::chrono::floor<days>(now);
  if (period == Period::kDay) {
    return day + days{1};
  }
  const std::chrono::year_month_day date{day};
  const std::chrono::year_month next = date.year() / date.month() + std::chrono::months{1};
  return sys_days{next / 1};
}

}  // namespace strata::limits

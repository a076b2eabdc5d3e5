#pragma once

// What both backends (in-process and Redis) say the same way: refusal
// wording, Retry-After rounding, and which rule feeds each x-ratelimit-*
// header. One copy, so the two cannot drift apart (docs/LIMITS.md).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "limits/gcra.h"
#include "limits/limits.h"

namespace strata::limits::internal {

inline std::int64_t ToNanos(SystemClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Whole seconds, rounded up, at least 1 (a Retry-After of 0 invites a hot loop).
inline std::chrono::seconds RetryAfterFromNanos(std::int64_t ns) {
  const std::int64_t seconds = (ns + 999'999'999) / 1'000'000'000;
  return std::chrono::seconds(std::max<std::int64_t>(1, seconds));
}

inline std::chrono::milliseconds MillisRoundedUp(std::int64_t ns) {
  return std::chrono::milliseconds(ns <= 0 ? 0 : (ns + 999'999) / 1'000'000);
}

inline std::string UnitsOf(const RateRule& rule) { return rule.header_kind.empty() ? "units" : rule.header_kind; }

inline std::string_view PeriodName(Period period) { return period == Period::kDay ? "today" : "this month"; }

inline std::int64_t ClampPerMinute(std::int64_t per_minute) { return std::min(per_minute, kMaxPerMinute); }

// "$1.00", "$0.995", "$0.000002": at least two decimals, more when they matter.
std::string FormatUsd(std::int64_t nano_usd);

// Keeps one header per kind in `headers`: the tightest (least remaining, then
// longest reset) of those offered.
void KeepTightest(std::vector<RateHeader>& headers, RateHeader header);

}  // namespace strata::limits::internal

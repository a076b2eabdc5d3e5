#pragma once

// The x-ratelimit-* response headers, named and formatted as OpenAI's are
// (docs/LIMITS.md): x-ratelimit-limit-requests, x-ratelimit-remaining-requests,
// x-ratelimit-reset-requests, and the same for tokens.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "limits/limits.h"

namespace strata::limits {

// A duration as OpenAI (and Go's time.Duration) writes it: "0s", "120ms",
// "1s", "1.5s", "6m0s", "1h2m3.25s". Negative durations read "0s".
std::string FormatReset(std::chrono::milliseconds reset);

// Three headers per RateHeader, in its order: limit, remaining, reset.
std::vector<std::pair<std::string, std::string>> RateLimitHeaders(const std::vector<RateHeader>& headers);

}  // namespace strata::limits

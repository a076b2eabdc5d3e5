#include "limits/rate_headers.h"

#include <cstdint>

namespace strata::limits {

std::string FormatReset(std::chrono::milliseconds reset) {
  std::int64_t ms = reset.count();
  if (ms <= 0) {
    return "0s";
  }
  if (ms < 1000) {
    return std::to_string(ms) + "ms";
  }
  const std::int64_t hours = ms / 3'600'000;
  ms %= 3'600'000;
  const std::int64_t minutes = ms / 60'000;
  ms %= 60'000;
  std::string out;
  if (hours > 0) {
    out += std::to_string(hours) + "h";
  }
  if (hours > 0 || minutes > 0) {
    out += std::to_string(minutes) + "m";
  }
  out += std::to_string(ms / 1000);
  if (std::int64_t fraction = ms % 1000; fraction != 0) {
    // Three digits, trailing zeros dropped: 1.5s, 1.25s, 1.005s.
    std::string digits = std::to_string(fraction + 1000).substr(1);
    while (digits.back() == '0') {
      digits.pop_back();
    }
    out += "." + digits;
  }
  out += "s";
  return out;
}

std::vector<std::pair<std::string, std::string>> RateLimitHeaders(const std::vector<RateHeader>& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(headers.size() * 3);
  for (const RateHeader& header : headers) {
    out.emplace_back("x-ratelimit-limit-" + header.kind, std::to_string(header.limit));
    out.emplace_back("x-ratelimit-remaining-" + header.kind, std::to_string(header.remaining));
    out.emplace_back("x-ratelimit-reset-" + header.kind, FormatReset(header.reset));
  }
  return out;
}

}  // namespace strata::limits

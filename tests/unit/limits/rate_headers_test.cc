#include "limits/rate_headers.h"

#include <gtest/gtest.h>

namespace strata::limits {
namespace {

using namespace std::chrono_literals;

TEST(FormatResetTest, WritesDurationsAsOpenAiDoes) {
  EXPECT_EQ(FormatReset(0ms), "0s");
  EXPECT_EQ(FormatReset(-5ms), "0s");
  EXPECT_EQ(FormatReset(1ms), "1ms");
  EXPECT_EQ(FormatReset(120ms), "120ms");
  EXPECT_EQ(FormatReset(999ms), "999ms");
  EXPECT_EQ(FormatReset(1s), "1s");
  EXPECT_EQ(FormatReset(1500ms), "1.5s");
  EXPECT_EQ(FormatReset(1005ms), "1.005s");
  EXPECT_EQ(FormatReset(17280ms), "17.28s");
  EXPECT_EQ(FormatReset(60s), "1m0s");
  EXPECT_EQ(FormatReset(6min), "6m0s");
  EXPECT_EQ(FormatReset(6min + 30500ms), "6m30.5s");
  EXPECT_EQ(FormatReset(1h), "1h0m0s");
  EXPECT_EQ(FormatReset(1h + 2min + 3250ms), "1h2m3.25s");
}

TEST(RateLimitHeadersTest, WritesThreeHeadersPerKind) {
  const std::vector<RateHeader> headers = {
      {.kind = "requests", .limit = 60, .remaining = 59, .reset = 1s},
      {.kind = "tokens", .limit = 150000, .remaining = 149000, .reset = 400ms},
  };
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"x-ratelimit-limit-requests", "60"},       {"x-ratelimit-remaining-requests", "59"},
      {"x-ratelimit-reset-requests", "1s"},       {"x-ratelimit-limit-tokens", "150000"},
      {"x-ratelimit-remaining-tokens", "149000"}, {"x-ratelimit-reset-tokens", "400ms"},
  };
  EXPECT_EQ(RateLimitHeaders(headers), expected);
}

}  // namespace
}  // namespace strata::limits

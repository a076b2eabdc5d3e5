#pragma once

// What one exchange cost, from a model's price and the tokens it used.
//
// Money is counted in integer nano-dollars (1e-9 USD), not in floating-point
// dollars: costs are summed into budgets, invoices and dashboards millions of
// times, and integer sums do not drift. Micro-dollars would be too coarse: one
// 20-token embedding at $0.02 per 1M tokens costs 0.4 micro-dollars. A price is
// exact to 1e-6 USD per 1M tokens (finer digits are rounded), so the cost of
// each token class is computed exactly and rounded once, to the nearest
// nano-dollar. int64 nano-dollars hold sums up to about 9.2 billion USD.

#include <cstdint>
#include <optional>
#include <string>

#include "core/usage.h"

namespace strata::pricing {

inline constexpr std::int64_t kNanoUsdPerUsd = 1'000'000'000;
// The most a price may be, in USD per 1M tokens: far above any real price, low
// enough that no token count can overflow the arithmetic.
inline constexpr double kMaxUsdPerMillionTokens = 1'000'000;

// Prices of each class of token, in USD per 1M tokens. PriceTable fills every
// field (a field the price file leaves out takes its documented default), so
// all of them are meaningful here. Rates outside [0, kMaxUsdPerMillionTokens]
// (or NaN) are clamped when a cost is computed.
struct TokenRates {
  double input = 0;           // uncached input
  double output = 0;          // visible output
  double cached_input = 0;    // input read from the vendor's prompt cache
  double cache_write = 0;     // input written to the prompt cache (5-minute lifetime)
  double cache_write_1h = 0;  // the same, 1-hour lifetime (not used by ComputeCost yet: see below)
  double reasoning = 0;       // hidden reasoning output

  bool operator==(const TokenRates&) const = default;
};

// A second tier of rates for long prompts: Gemini 2.5 Pro and Claude's 1M
// context charge more for every token of a request whose prompt is longer
// than `above_input_tokens`.
struct LongContextTier {
  std::uint64_t above_input_tokens = 0;
  TokenRates rates;

  bool operator==(const LongContextTier&) const = default;
};

// The price of one model, as PriceTable::Find returns it.
struct ModelPrice {
  std::string model;  // the table's id for it (not the alias or snapshot asked for)
  TokenRates rates;
  std::optional<LongContextTier> long_context;
  bool embedding = false;  // input only; output rates are 0

  // The rates that apply to a request that read `input_tokens` (cached and
  // cache-write tokens included, as core::Usage counts them).
  const TokenRates& RatesFor(std::uint64_t input_tokens) const {
    return long_context && input_tokens > long_context->above_input_tokens ? long_context->rates : rates;
  }

  bool operator==(const ModelPrice&) const = default;
};

// A cost in nano-dollars, split the way dashboards show it. Each part is
// rounded on its own, so total == input + output exactly.
struct Cost {
  std::int64_t input_nano_usd = 0;   // uncached + cached + cache-write input
  std::int64_t output_nano_usd = 0;  // visible + reasoning output

  std::int64_t total_nano_usd() const { return input_nano_usd + output_nano_usd; }
  // For display and for callers that want dollars; sum nano-dollars, not this.
  double usd() const { return static_cast<double>(total_nano_usd()) / kNanoUsdPerUsd; }

  bool operator==(const Cost&) const = default;
};

// What `usage` cost at `price`. Follows core::Usage's vocabulary: cached and
// cache-write tokens are part of input_tokens, reasoning tokens part of
// output_tokens. So:
//   input  = (input - cached - cache_write) * input rate
//          + cached * cached_input rate + cache_write * cache_write rate
//   output = (output - reasoning) * output rate + reasoning * reasoning rate
// with the long-context tier's rates when input_tokens is above its threshold.
// A vendor report whose parts exceed its whole (cached + cache_write > input)
// bills the parts as reported and no uncached input. Cache writes are billed
// at the 5-minute rate: core::Usage does not say which lifetime was written.
// Each part is rounded to the nearest nano-dollar (half up).
Cost ComputeCost(const ModelPrice& price, const core::Usage& usage);

// The most a request can cost, for reserving budget before it is sent: every
// input token at the dearest input rate (uncached, cache write 5m or 1h) and
// `max_output_tokens` at the dearer of the output and reasoning rates, in the
// tier `estimated_input_tokens` falls in; rounded up to the next nano-dollar.
// It is a true upper bound only if `estimated_input_tokens` is not an
// under-estimate (EstimateTokens leans high, but see docs/PRICING.md).
Cost WorstCaseCost(const ModelPrice& price, std::uint64_t estimated_input_tokens,
                   std::uint64_t max_output_tokens);

// Exact decimal dollars without trailing zeros: 1'234'500 -> "0.0012345",
// 2'000'000'000 -> "2", 0 -> "0". For response headers, logs and exports,
// where a double would print as 0.0012345000000000001.
std::string FormatUsd(std::int64_t nano_usd);

}  // namespace strata::pricing

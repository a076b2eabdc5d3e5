#include "pricing/cost.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata::pricing {
namespace {

// Exact products: a rate is at most 1e12 pico-dollars per token and a count
// at most 2^64, so every product and sum fits in 128 bits.
using Wide = __int128;

// USD per 1M tokens -> pico-dollars (1e-12 USD) per token, exactly the rate
// rounded to 1e-6 USD per 1M tokens.
Wide PicoUsdPerToken(double usd_per_million) {
  if (!(usd_per_million > 0)) {  // also NaN
    return 0;
  }
  return static_cast<Wide>(std::llround(std::min(usd_per_million, kMaxUsdPerMillionTokens) * 1e6));
}

std::int64_t Saturate(Wide nano) {
  constexpr Wide kMax = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(nano > kMax ? kMax : nano);
}

std::int64_t RoundToNano(Wide pico) { return Saturate((pico + 500) / 1000); }
std::int64_t CeilToNano(Wide pico) { return Saturate((pico + 999) / 1000); }

std::uint64_t SaturatingSub(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

}  // namespace

Cost ComputeCost(const ModelPrice& price, const core::Usage& usage) {
  const TokenRates& rates = price.RatesFor(usage.input_tokens);
  const std::uint64_t uncached =
      SaturatingSub(usage.input_tokens, usage.cached_input_tokens + usage.cache_write_tokens);
  const std::uint64_t visible_output = SaturatingSub(usage.output_tokens, usage.reasoning_tokens);

  const Wide input_pico = Wide{uncached} * PicoUsdPerToken(rates.input) +
                          Wide{usage.cached_input_tokens} * PicoUsdPerToken(rates.cached_input) +
                          Wide{usage.cache_write_tokens} * PicoUsdPerToken(rates.cache_write);
  const Wide output_pico = Wide{visible_output} * PicoUsdPerToken(rates.output) +
                           Wide{usage.reasoning_tokens} * PicoUsdPerToken(rates.reasoning);
  return {.input_nano_usd = RoundToNano(input_pico), .output_nano_usd = RoundToNano(output_pico)};
}

Cost WorstCaseCost(const ModelPrice& price, std::uint64_t estimated_input_tokens,
                   std::uint64_t max_output_tokens) {
  const TokenRates& rates = price.RatesFor(estimated_input_tokens);
  const Wide input_rate = std::max({PicoUsdPerToken(rates.input), PicoUsdPerToken(rates.cache_write),
                                    PicoUsdPerToken(rates.cache_write_1h)});
  const Wide output_rate = std::max(PicoUsdPerToken(rates.output), PicoUsdPerToken(rates.reasoning));
  return {.input_nano_usd = CeilToNano(Wide{estimated_input_tokens} * input_rate),
          .output_nano_usd = CeilToNano(Wide{max_output_tokens} * output_rate)};
}

std::string FormatUsd(std::int64_t nano_usd) {
  // Through unsigned, so that the most negative value negates without overflow.
  const bool negative = nano_usd < 0;
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(nano_usd) : static_cast<std::uint64_t>(nano_usd);
  std::string text = (negative ? "-" : "") + std::to_string(magnitude / kNanoUsdPerUsd);
  std::string fraction = std::to_string(magnitude % kNanoUsdPerUsd);
  fraction.insert(0, 9 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') {
    fraction.pop_back();
  }
  return fraction.empty() ? text : text + "." + fraction;
}

}  // namespace strata::pricing

#include "pricing/cost.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

namespace strata::pricing {
namespace {

// Expectations are worked by hand in nano-dollars: tokens * USD-per-1M / 1e6 * 1e9,
// i.e. tokens * (USD per 1M) * 1000.

ModelPrice Gpt4o() {
  ModelPrice price;
  price.model = "gpt-4o";
  price.rates = {.input = 2.50, .output = 10.00, .cached_input = 1.25, .cache_write = 2.50, .cache_write_1h = 2.50,
                 .reasoning = 10.00};
  return price;
}

ModelPrice Sonnet() {
  ModelPrice price;
  price.model = "claude-sonnet-4-5";
  price.rates = {.input = 3.00, .output = 15.00, .cached_input = 0.30, .cache_write = 3.75, .cache_write_1h = 6.00,
                 .reasoning = 15.00};
  price.long_context = LongContextTier{
      .above_input_tokens = 200'000,
      .rates = {.input = 6.00, .output = 22.50, .cached_input = 0.60, .cache_write = 7.50, .cache_write_1h = 12.00,
                .reasoning = 22.50}};
  return price;
}

ModelPrice Flat(double input, double output) {
  ModelPrice price;
  price.model = "flat";
  price.rates = {.input = input, .output = output, .cached_input = input, .cache_write = input,
                 .cache_write_1h = input, .reasoning = output};
  return price;
}

core::Usage Tokens(std::uint64_t input, std::uint64_t output) {
  core::Usage usage;
  usage.input_tokens = input;
  usage.output_tokens = output;
  return usage;
}

TEST(ComputeCostTest, PlainInputAndOutput) {
  // 1000 * 2.50 * 1000 = 2'500'000; 200 * 10 * 1000 = 2'000'000.
  const Cost cost = ComputeCost(Gpt4o(), Tokens(1000, 200));
  EXPECT_EQ(cost.input_nano_usd, 2'500'000);
  EXPECT_EQ(cost.output_nano_usd, 2'000'000);
  EXPECT_EQ(cost.total_nano_usd(), 4'500'000);
  EXPECT_DOUBLE_EQ(cost.usd(), 0.0045);
}

TEST(ComputeCostTest, CachedInputIsPartOfInputAndBilledAtTheCachedPrice) {
  core::Usage usage = Tokens(10'000, 500);
  usage.cached_input_tokens = 4'000;
  // 6000 uncached * 2.50 = 15'000'000; 4000 cached * 1.25 = 5'000'000; 500 * 10 = 5'000'000.
  const Cost cost = ComputeCost(Gpt4o(), usage);
  EXPECT_EQ(cost.input_nano_usd, 20'000'000);
  EXPECT_EQ(cost.output_nano_usd, 5'000'000);
}

TEST(ComputeCostTest, CacheWritesAndReadsTogether) {
  // Anthropic's three input classes, normalised: 100 uncached + 2000 written + 5000 read = 7100 input.
  core::Usage usage = Tokens(7'100, 300);
  usage.cache_write_tokens = 2'000;
  usage.cached_input_tokens = 5'000;
  // 100*3.00 + 2000*3.75 + 5000*0.30 = 300 + 7500 + 1500 = 9300 -> 9'300'000; 300*15 = 4'500'000.
  const Cost cost = ComputeCost(Sonnet(), usage);
  EXPECT_EQ(cost.input_nano_usd, 9'300'000);
  EXPECT_EQ(cost.output_nano_usd, 4'500'000);
}

TEST(ComputeCostTest, ReasoningIsPartOfOutputAndBilledAtItsOwnPrice) {
  ModelPrice price = Flat(1.00, 10.00);
  price.rates.reasoning = 20.00;
  core::Usage usage = Tokens(0, 1'000);
  usage.reasoning_tokens = 600;
  // 400 visible * 10 + 600 reasoning * 20 = 4000 + 12000 = 16000 -> 16'000'000.
  EXPECT_EQ(ComputeCost(price, usage).output_nano_usd, 16'000'000);
}

TEST(ComputeCostTest, ReasoningAtTheOutputPriceCostsTheSameAsVisibleOutput) {
  core::Usage usage = Tokens(0, 1'000);
  usage.reasoning_tokens = 800;
  EXPECT_EQ(ComputeCost(Flat(2.00, 8.00), usage), ComputeCost(Flat(2.00, 8.00), Tokens(0, 1'000)));
  EXPECT_EQ(ComputeCost(Flat(2.00, 8.00), usage).output_nano_usd, 8'000'000);
}

TEST(ComputeCostTest, EmbeddingOfTwentyTokensCostsLessThanAMicroDollar) {
  ModelPrice price = Flat(0.02, 0);
  price.embedding = true;
  // 20 * 0.02 * 1000 = 400 nano-dollars: micro-dollars would have rounded this to 0.
  EXPECT_EQ(ComputeCost(price, Tokens(20, 0)).total_nano_usd(), 400);
}

TEST(ComputeCostTest, RoundsEachPartToTheNearestNanoDollarHalfUp) {
  EXPECT_EQ(ComputeCost(Flat(0.0005, 0), Tokens(1, 0)).input_nano_usd, 1);  // 0.5 -> 1
  EXPECT_EQ(ComputeCost(Flat(0.0004, 0), Tokens(1, 0)).input_nano_usd, 0);  // 0.4 -> 0
  EXPECT_EQ(ComputeCost(Flat(0.075, 0), Tokens(1, 0)).input_nano_usd, 75);  // 0.075 is exact after rounding
}

TEST(ComputeCostTest, SumsOfManySmallCostsDoNotDrift) {
  // A million one-token requests at $0.15 per 1M tokens cost exactly $0.15.
  std::int64_t sum = 0;
  const ModelPrice price = Flat(0.15, 0.60);
  for (int i = 0; i < 1'000'000; ++i) {
    sum += ComputeCost(price, Tokens(1, 0)).total_nano_usd();
  }
  EXPECT_EQ(sum, 150'000'000);
}

TEST(ComputeCostTest, LongPromptsUseTheLongContextTier) {
  // At the threshold: base rates. 200000 * 3.00 = 600'000'000.
  EXPECT_EQ(ComputeCost(Sonnet(), Tokens(200'000, 0)).input_nano_usd, 600'000'000);
  // One token above: every token at the long rates. 200001 * 6.00 * 1000 = 1'200'006'000; 1000 * 22.50 = 22'500'000.
  const Cost cost = ComputeCost(Sonnet(), Tokens(200'001, 1'000));
  EXPECT_EQ(cost.input_nano_usd, 1'200'006'000);
  EXPECT_EQ(cost.output_nano_usd, 22'500'000);
}

TEST(ComputeCostTest, PartsLargerThanTheWholeAreBilledAsReported) {
  // A vendor that reports more cached tokens than input: no uncached input, the cached ones billed.
  core::Usage usage = Tokens(100, 10);
  usage.cached_input_tokens = 150;
  usage.reasoning_tokens = 20;  // more than output: no visible output
  const Cost cost = ComputeCost(Gpt4o(), usage);
  EXPECT_EQ(cost.input_nano_usd, 150 * 1250);
  EXPECT_EQ(cost.output_nano_usd, 20 * 10'000);
}

TEST(ComputeCostTest, NegativeOrNanRatesCountAsZero) {
  ModelPrice price = Flat(-1.0, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(ComputeCost(price, Tokens(1'000, 1'000)), Cost{});
}

TEST(ComputeCostTest, HugeCountsSaturateInsteadOfOverflowing) {
  const Cost cost = ComputeCost(Flat(kMaxUsdPerMillionTokens, 0), Tokens(std::numeric_limits<std::uint64_t>::max(), 0));
  EXPECT_EQ(cost.input_nano_usd, std::numeric_limits<std::int64_t>::max());
}

TEST(WorstCaseCostTest, TakesTheDearestInputAndOutputRates) {
  // Input at max(3.00, 3.75, 6.00) = 6.00: 1000 * 6 * 1000 = 6'000'000. Output 500 * 15 * 1000 = 7'500'000.
  const Cost cost = WorstCaseCost(Sonnet(), 1'000, 500);
  EXPECT_EQ(cost.input_nano_usd, 6'000'000);
  EXPECT_EQ(cost.output_nano_usd, 7'500'000);
}

TEST(WorstCaseCostTest, UsesTheReasoningPriceWhenItIsDearer) {
  ModelPrice price = Flat(1.00, 10.00);
  price.rates.reasoning = 20.00;
  EXPECT_EQ(WorstCaseCost(price, 0, 1'000).output_nano_usd, 20'000'000);
}

TEST(WorstCaseCostTest, LongPromptsReserveAtTheLongContextRates) {
  // 300000 * max(6, 7.5, 12) = 3'600'000'000; 1000 * 22.50 = 22'500'000.
  const Cost cost = WorstCaseCost(Sonnet(), 300'000, 1'000);
  EXPECT_EQ(cost.input_nano_usd, 3'600'000'000);
  EXPECT_EQ(cost.output_nano_usd, 22'500'000);
}

TEST(WorstCaseCostTest, RoundsUp) {
  EXPECT_EQ(WorstCaseCost(Flat(0.0004, 0.0001), 1, 1), (Cost{.input_nano_usd = 1, .output_nano_usd = 1}));
}

TEST(WorstCaseCostTest, IsNeverBelowTheCostOfAnyUsageWithinItsBounds) {
  const ModelPrice price = Sonnet();
  const std::uint64_t input = 5'000;
  const std::uint64_t max_output = 700;
  const std::int64_t reserved = WorstCaseCost(price, input, max_output).total_nano_usd();
  for (std::uint64_t cached : {0u, 1'000u, 5'000u}) {
    for (std::uint64_t written : {0u, 2'000u}) {
      if (cached + written > input) continue;
      for (std::uint64_t output : {0u, 1u, 700u}) {
        for (std::uint64_t reasoning : {std::uint64_t{0}, output / 2, output}) {
          core::Usage usage = Tokens(input, output);
          usage.cached_input_tokens = cached;
          usage.cache_write_tokens = written;
          usage.reasoning_tokens = reasoning;
          EXPECT_LE(ComputeCost(price, usage).total_nano_usd(), reserved);
        }
      }
    }
  }
}

TEST(FormatUsdTest, PrintsExactDecimalDollars) {
  EXPECT_EQ(FormatUsd(0), "0");
  EXPECT_EQ(FormatUsd(1), "0.000000001");
  EXPECT_EQ(FormatUsd(1'234'500), "0.0012345");
  EXPECT_EQ(FormatUsd(2'000'000'000), "2");
  EXPECT_EQ(FormatUsd(12'340'000'000), "12.34");
  EXPECT_EQ(FormatUsd(-500'000'000), "-0.5");
  EXPECT_EQ(FormatUsd(std::numeric_limits<std::int64_t>::min()), "-9223372036.854775808");
}

}  // namespace
}  // namespace strata::pricing

#include "mock_llm/fault.h"

#include <gtest/gtest.h>

#include "mock_llm/internal/handlers.h"

namespace strata::mock_llm {
namespace {

TEST(ParseFaultSpecTest, EmptyAndNoneMeanNoFault) {
  EXPECT_TRUE(ParseFaultSpec("")->empty());
  EXPECT_TRUE(ParseFaultSpec("none")->empty());
  EXPECT_TRUE(ParseFaultSpec(" none , ")->empty());
}

TEST(ParseFaultSpecTest, ReadsEachFault) {
  EXPECT_EQ(ParseFaultSpec("status:429")->status, 429);
  EXPECT_TRUE(ParseFaultSpec("reset")->reset);
  EXPECT_EQ(ParseFaultSpec("disconnect:3")->disconnect_after, 3u);
  EXPECT_EQ(ParseFaultSpec("disconnect:0")->disconnect_after, 0u);
  EXPECT_TRUE(ParseFaultSpec("stall")->stall);
  EXPECT_EQ(ParseFaultSpec("stall-after:2")->stall_after, 2u);
  EXPECT_TRUE(ParseFaultSpec("malformed")->malformed);
  EXPECT_EQ(ParseFaultSpec("slow-first-byte:250")->slow_first_byte, std::chrono::milliseconds(250));
}

TEST(ParseFaultSpecTest, CombinesACommaSeparatedList) {
  const core::Result<FaultSpec> spec = ParseFaultSpec("slow-first-byte:800, disconnect:3");
  ASSERT_TRUE(spec);
  FaultSpec expected;
  expected.slow_first_byte = std::chrono::milliseconds(800);
  expected.disconnect_after = 3;
  EXPECT_EQ(*spec, expected);
}

TEST(ParseFaultSpecTest, RejectsMalformedItemsNamingThem) {
  for (const std::string_view bad : {"status", "status:abc", "status:200", "status:600", "reset:1", "explode",
                                     "disconnect:-1", "slow-first-byte:", "status:4291"}) {
    const core::Result<FaultSpec> spec = ParseFaultSpec(bad);
    ASSERT_FALSE(spec) << bad;
    EXPECT_EQ(spec.error().code(), core::ErrorCode::kInvalidRequest);
    EXPECT_NE(spec.error().message().find(bad), std::string::npos) << spec.error().message();
  }
}

TEST(FaultHitsTest, WithoutSeedSpacesHitsEvenly) {
  std::vector<std::uint64_t> hits;
  for (std::uint64_t n = 0; n < 12; ++n) {
    if (FaultHits(0.25, 0, n)) hits.push_back(n);
  }
  EXPECT_EQ(hits, (std::vector<std::uint64_t>{3, 7, 11}));
  hits.clear();
  for (std::uint64_t n = 0; n < 9; ++n) {
    if (FaultHits(1.0 / 3, 0, n)) hits.push_back(n);
  }
  EXPECT_EQ(hits, (std::vector<std::uint64_t>{2, 5, 8}));
  int count = 0;
  for (std::uint64_t n = 0; n < 1'000'000; ++n) count += FaultHits(0.1, 0, n);
  EXPECT_EQ(count, 100'000);
}

TEST(FaultHitsTest, RatioOneHitsAllAndZeroNone) {
  for (std::uint64_t n = 0; n < 100; ++n) {
    EXPECT_TRUE(FaultHits(1, 0, n));
    EXPECT_TRUE(FaultHits(1, 7, n));
    EXPECT_FALSE(FaultHits(0, 0, n));
    EXPECT_FALSE(FaultHits(0, 7, n));
  }
}

TEST(FaultHitsTest, WithSeedIsReproducibleAndNearTheRatio) {
  int hits = 0;
  for (std::uint64_t n = 0; n < 10'000; ++n) {
    const bool hit = FaultHits(0.1, 42, n);
    EXPECT_EQ(hit, FaultHits(0.1, 42, n));
    hits += hit;
  }
  EXPECT_GT(hits, 800);
  EXPECT_LT(hits, 1200);
  int differences = 0;
  for (std::uint64_t n = 0; n < 1000; ++n) differences += FaultHits(0.1, 42, n) != FaultHits(0.1, 43, n);
  EXPECT_GT(differences, 0);
}

}  // namespace
}  // namespace strata::mock_llm

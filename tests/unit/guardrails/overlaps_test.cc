#include "guardrails/internal/overlaps.h"

#include <gtest/gtest.h>

namespace strata::guardrails::internal {
namespace {

TEST(ResolveOverlapsTest, HigherScoreWins) {
  const std::vector<Finding> kept = ResolveOverlaps({
      {EntityType::kPhone, 0, 12, 0.6},
      {EntityType::kCreditCard, 2, 20, 0.9},
  });
  EXPECT_EQ(kept, (std::vector<Finding>{{EntityType::kCreditCard, 2, 20, 0.9}}));
}

TEST(ResolveOverlapsTest, AtEqualScoreTheLongerSpanWins) {
  const std::vector<Finding> kept = ResolveOverlaps({
      {EntityType::kEmail, 5, 15, 0.9},
      {EntityType::kEmail, 0, 20, 0.9},
  });
  EXPECT_EQ(kept, (std::vector<Finding>{{EntityType::kEmail, 0, 20, 0.9}}));
}

TEST(ResolveOverlapsTest, KeepsDisjointFindingsSortedByBegin) {
  const std::vector<Finding> kept = ResolveOverlaps({
      {EntityType::kIpAddress, 30, 40, 0.6},
      {EntityType::kEmail, 0, 10, 0.9},
      {EntityType::kPhone, 10, 20, 0.7},  // touching is not overlapping
  });
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].begin, 0u);
  EXPECT_EQ(kept[1].begin, 10u);
  EXPECT_EQ(kept[2].begin, 30u);
}

}  // namespace
}  // namespace strata::guardrails::internal

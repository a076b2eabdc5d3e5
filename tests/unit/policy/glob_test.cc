#include "policy/glob.h"

#include <gtest/gtest.h>

namespace strata::policy {
namespace {

TEST(GlobTest, WithoutAStarMatchesOnlyTheSameText) {
  const Glob glob("strata-demo");
  EXPECT_TRUE(glob.Matches("strata-demo"));
  EXPECT_FALSE(glob.Matches("strata-demo-2"));
  EXPECT_FALSE(glob.Matches("Strata-demo"));
  EXPECT_FALSE(glob.Matches(""));
}

TEST(GlobTest, StarMatchesAnyRunAnywhere) {
  EXPECT_TRUE(Glob("gpt-4o*").Matches("gpt-4o"));
  EXPECT_TRUE(Glob("gpt-4o*").Matches("gpt-4o-mini"));
  EXPECT_FALSE(Glob("gpt-4o*").Matches("gpt-4"));
  EXPECT_TRUE(Glob("*-mini").Matches("gpt-4o-mini"));
  EXPECT_FALSE(Glob("*-mini").Matches("gpt-4o-mini-2"));
  EXPECT_TRUE(Glob("claude-*-sonnet*").Matches("claude-3-5-sonnet-latest"));
  EXPECT_FALSE(Glob("claude-*-sonnet*").Matches("claude-3-opus"));
  EXPECT_TRUE(Glob("*").Matches(""));
  EXPECT_TRUE(Glob("a*b*c").Matches("abc"));
  EXPECT_TRUE(Glob("a*b*c").Matches("aXbYbZc"));
  EXPECT_FALSE(Glob("a*b*c").Matches("acb"));
}

TEST(GlobTest, PrefixAndSuffixMayNotShareCharacters) {
  EXPECT_FALSE(Glob("ab*ba").Matches("aba"));
  EXPECT_TRUE(Glob("ab*ba").Matches("abba"));
}

}  // namespace
}  // namespace strata::policy

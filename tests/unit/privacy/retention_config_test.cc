// The `retention:` config section (docs/CONFIG.md, docs/PRIVACY.md).
#include <gtest/gtest.h>

#include "config/config.h"

namespace strata::privacy {
namespace {

core::Result<config::Config> Load(std::string_view yaml) {
  return config::LoadConfigString(yaml, "strata.yaml", [](std::string_view) { return std::optional<std::string>(); });
}

TEST(RetentionConfigTest, KeepsEverythingByDefault) {
  core::Result<config::Config> config = Load("");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_TRUE(config->retention.enabled);
  EXPECT_EQ(config->retention.interval, std::chrono::hours(1));
  for (std::string_view kind : {"content", "metadata", "audit", "reviews", "feedback"}) {
    EXPECT_EQ(config->retention.defaults.For(kind), 0) << kind;
  }
}

TEST(RetentionConfigTest, ReadsEveryKey) {
  core::Result<config::Config> config = Load(R"(retention:
  enabled: false
  interval: 15m
  defaults:
    content: 30
    metadata: 365
    audit: 2555
    reviews: 90
    feedback: 180
)");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_FALSE(config->retention.enabled);
  EXPECT_EQ(config->retention.interval, std::chrono::minutes(15));
  EXPECT_EQ(config->retention.defaults.content, 30);
  EXPECT_EQ(config->retention.defaults.metadata, 365);
  EXPECT_EQ(config->retention.defaults.audit, 2555);
  EXPECT_EQ(config->retention.defaults.reviews, 90);
  EXPECT_EQ(config->retention.defaults.feedback, 180);
}

TEST(RetentionConfigTest, RefusesMistakesWithTheirLine) {
  core::Result<config::Config> zero = Load("retention:\n  defaults:\n    content: 0\n");
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message().find("strata.yaml:3"), std::string::npos) << zero.error().message();
  EXPECT_FALSE(Load("retention:\n  defaults:\n    secrets: 3\n"));
  EXPECT_FALSE(Load("retention:\n  every: 1h\n"));
  EXPECT_FALSE(Load("retention:\n  interval: soon\n"));
}

}  // namespace
}  // namespace strata::privacy

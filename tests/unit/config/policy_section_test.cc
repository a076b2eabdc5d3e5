// The config's `policy:` section: handed whole to the policy module, its
// problems reported among the config's own, with the file's lines.

#include <gtest/gtest.h>

#include "config/config.h"
#include "policy/document.h"

namespace strata::config {
namespace {

Environment NoEnvironment() {
  return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

TEST(PolicySectionTest, ParsesAValidPolicyLabelledConfig) {
  core::Result<Config> config = LoadConfigString(R"(server:
  port: 4100
policy:
  defaults: {input: flag, output: flag}
  rules:
    - name: secrets
      when: {findings: {types: [SECRET]}}
      then: {input: block}
)",
                                                 "strata.yaml", NoEnvironment());
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_TRUE(config->policy);
  EXPECT_EQ(config->policy->label, "config");
  EXPECT_EQ(config->policy->scope, "");
  ASSERT_EQ(config->policy->rules.size(), 2u);
  EXPECT_EQ(config->policy->rules[1].citation, "config/secrets");
}

TEST(PolicySectionTest, AbsentOrEmptyMeansNoPolicy) {
  core::Result<Config> absent = LoadConfigString("server: {port: 4100}\n", "strata.yaml", NoEnvironment());
  ASSERT_TRUE(absent) << absent.error().message();
  EXPECT_FALSE(absent->policy);
  core::Result<Config> empty = LoadConfigString("policy:\n", "strata.yaml", NoEnvironment());
  ASSERT_TRUE(empty) << empty.error().message();
  EXPECT_FALSE(empty->policy);
}

TEST(PolicySectionTest, ReportsPolicyErrorsAtTheirLinesAmongTheConfigs) {
  core::Result<Config> config = LoadConfigString(R"(server:
  prot: 4100
policy:
  rules:
    - name: secrets
      then: {input: {SECRETS: block}}
    - name: secrets
      then: {}
log:
  level: loud
)",
                                                 "strata.yaml", NoEnvironment());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), core::ErrorCode::kInvalidRequest);
  EXPECT_EQ(config.error().message(),
            "strata.yaml:2: unknown key 'prot' in 'server'; did you mean 'port'?\n"
            "strata.yaml:6: unknown entity type 'SECRETS' in 'policy.rules[0].then.input'; did you mean 'SECRET'?\n"
            "strata.yaml:7: policy.rules[1].name 'secrets' is already used by the rule at line 5: rule names must be "
            "unique in a document\n"
            "strata.yaml:8: policy.rules[1].then must set at least one of input, output, restore, route, review, "
            "review_wait, log_content\n"
            "strata.yaml:10: log.level must be one of trace, debug, info, warn, error, off, got 'loud'");
}

TEST(PolicySectionTest, RefusesAPolicyThatIsNotAMapping) {
  core::Result<Config> config = LoadConfigString("policy: [flag-all]\n", "strata.yaml", NoEnvironment());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            "strata.yaml:1: 'policy' must be a mapping with rules: (and optionally defaults:), not a list");
}

}  // namespace
}  // namespace strata::config

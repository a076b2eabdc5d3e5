// PolicySource: the policy in force, built from the config document and the
// latest stored versions, over a real SQLite store in a temporary directory.

#include "policy/source.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "policy/document.h"
#include "store/store.h"

namespace strata::policy {
namespace {

using guardrails::EntityType;
using guardrails::Finding;
using namespace std::chrono_literals;

constexpr int Index(EntityType type) { return static_cast<int>(type); }

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-policy-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

constexpr std::string_view kBlockEmail = R"(rules:
  - name: no-email
    then:
      input: {EMAIL: block}
)";
constexpr std::string_view kRedactPhone = R"(rules:
  - name: no-phone
    then:
      input: {PHONE: redact}
)";

class PolicySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.data_dir = dir_.path().string();
    auto opened = store::Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  void Put(std::string_view scope, std::string_view yaml) {
    core::Result<store::PolicyVersion> stored = store_->policies().Put(scope, yaml, "usr_test", 1'000);
    ASSERT_TRUE(stored) << stored.error().message();
  }

  static Effect EvaluateFor(const Policy& policy, std::string_view tenant, std::vector<Finding> findings) {
    RequestFacts facts;
    facts.tenant = tenant;
    facts.model = "gpt-4o";
    facts.endpoint = "chat";
    facts.input_findings = findings;
    return policy.Evaluate(facts);
  }

  static std::shared_ptr<const Document> ConfigDocument() {
    core::Result<std::shared_ptr<const Document>> document = ParseDocument(kRedactPhone, "strata.yaml", "", "config");
    EXPECT_TRUE(document) << document.error().message();
    return document ? *document : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(PolicySourceTest, WithNothingConfiguredTheBuiltInDefaultApplies) {
  PolicySource source(store_->policies(), nullptr);
  ASSERT_TRUE(source.Start());
  EXPECT_EQ(source.Current()->VersionsFor("ten_1"), (std::vector<std::string>{"default"}));
  const Effect effect = EvaluateFor(*source.Current(), "ten_1", {{.type = EntityType::kEmail, .score = 0.9}});
  EXPECT_EQ(effect.input[Index(EntityType::kEmail)], Action::kFlag);
}

TEST_F(PolicySourceTest, ReloadPicksUpANewPlatformVersionAtOnce) {
  PolicySource source(store_->policies(), nullptr, {.refresh = std::chrono::hours(1)});
  ASSERT_TRUE(source.Start());
  Put("", kBlockEmail);
  ASSERT_TRUE(source.Reload());

  const std::shared_ptr<const Policy> policy = source.Current();
  EXPECT_EQ(policy->VersionsFor("ten_1"), (std::vector<std::string>{"platform@v1"}));
  const Effect effect = EvaluateFor(*policy, "ten_1", {{.type = EntityType::kEmail, .score = 0.9}});
  EXPECT_EQ(effect.input[Index(EntityType::kEmail)], Action::kBlock);
  EXPECT_EQ(effect.matched_rules, (std::vector<std::string>{"platform@v1/no-email"}));

  Put("", kRedactPhone);
  ASSERT_TRUE(source.Reload());
  EXPECT_EQ(source.Current()->VersionsFor("ten_1"), (std::vector<std::string>{"platform@v2"}));
}

TEST_F(PolicySourceTest, ThePollerSeesAVersionStoredElsewhere) {
  PolicySource source(store_->policies(), nullptr, {.refresh = 10ms});
  ASSERT_TRUE(source.Start());
  Put("", kBlockEmail);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (source.Current()->VersionsFor("") != std::vector<std::string>{"platform@v1"} &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(source.Current()->VersionsFor(""), (std::vector<std::string>{"platform@v1"}));
  EXPECT_TRUE(source.healthy());
  source.Stop();
}

TEST_F(PolicySourceTest, ATenantDocumentAppliesToThatTenantOnly) {
  Put("ten_a", kBlockEmail);
  PolicySource source(store_->policies(), nullptr);
  ASSERT_TRUE(source.Start());
  const std::shared_ptr<const Policy> policy = source.Current();

  EXPECT_EQ(policy->VersionsFor("ten_a"), (std::vector<std::string>{"default", "tenant:ten_a@v1"}));
  EXPECT_EQ(EvaluateFor(*policy, "ten_a", {{.type = EntityType::kEmail, .score = 0.9}})
                .input[Index(EntityType::kEmail)],
            Action::kBlock);
  // Another tenant keeps the built-in default: flagged, not blocked.
  EXPECT_EQ(policy->VersionsFor("ten_b"), (std::vector<std::string>{"default"}));
  EXPECT_EQ(EvaluateFor(*policy, "ten_b", {{.type = EntityType::kEmail, .score = 0.9}})
                .input[Index(EntityType::kEmail)],
            Action::kFlag);
}

TEST_F(PolicySourceTest, TheConfigDocumentComesFirstThenPlatformThenTenant) {
  Put("ten_a", kBlockEmail);
  Put("", kBlockEmail);
  Put("", kBlockEmail);
  PolicySource source(store_->policies(), ConfigDocument());
  ASSERT_TRUE(source.Start());
  const std::shared_ptr<const Policy> policy = source.Current();
  EXPECT_EQ(policy->VersionsFor("ten_a"), (std::vector<std::string>{"config", "platform@v2", "tenant:ten_a@v1"}));
  EXPECT_EQ(policy->VersionsFor("ten_b"), (std::vector<std::string>{"config", "platform@v2"}));
  const Effect effect = EvaluateFor(*policy, "ten_a",
                                    {{.type = EntityType::kEmail, .score = 0.9}, {.type = EntityType::kPhone, .score = 0.9}});
  EXPECT_EQ(effect.matched_rules,
            (std::vector<std::string>{"config/no-phone", "platform@v2/no-email", "tenant:ten_a@v1/no-email"}));
  EXPECT_EQ(effect.input[Index(EntityType::kPhone)], Action::kRedact);
}

TEST_F(PolicySourceTest, BeforeStartTheConfigDocumentAloneIsInForce) {
  Put("", kBlockEmail);
  PolicySource source(store_->policies(), ConfigDocument());
  EXPECT_EQ(source.Current()->VersionsFor(""), (std::vector<std::string>{"config"}));
}

TEST_F(PolicySourceTest, AStoredVersionThatNoLongerParsesIsSkipped) {
  Put("ten_a", "rules: [this is not a rule]");
  Put("", kBlockEmail);
  PolicySource source(store_->policies(), nullptr);
  ASSERT_TRUE(source.Start());
  EXPECT_EQ(source.Current()->VersionsFor("ten_a"), (std::vector<std::string>{"platform@v1"}));
}

TEST_F(PolicySourceTest, AnEmptyPlatformDocumentSwitchesTheDefaultOff) {
  Put("", "rules: []");
  PolicySource source(store_->policies(), nullptr);
  ASSERT_TRUE(source.Start());
  const Effect effect = EvaluateFor(*source.Current(), "ten_1", {{.type = EntityType::kEmail, .score = 0.9}});
  EXPECT_EQ(effect.input[Index(EntityType::kEmail)], Action::kAllow);
  EXPECT_TRUE(effect.matched_rules.empty());
}

TEST_F(PolicySourceTest, TheDefaultCopyAgreesWithPolicyDefault) {
  Put("ten_a", "rules: []");
  PolicySource source(store_->policies(), nullptr);
  ASSERT_TRUE(source.Start());
  const std::vector<Finding> findings{{.type = EntityType::kSecret, .score = 0.9}};
  const Effect ours = EvaluateFor(*source.Current(), "ten_b", findings);
  const Effect builtin = EvaluateFor(*Policy::Default(), "ten_b", findings);
  EXPECT_EQ(ours.matched_rules, builtin.matched_rules);
  EXPECT_EQ(ours.input, builtin.input);
  EXPECT_EQ(ours.output, builtin.output);
  EXPECT_EQ(ours.log_content, builtin.log_content);
}

}  // namespace
}  // namespace strata::policy

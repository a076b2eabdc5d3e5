// Policy::Evaluate: which rules match a request, and how their settings merge.

#include <gtest/gtest.h>

#include "policy/document.h"
#include "policy/policy.h"

namespace strata::policy {
namespace {

using guardrails::EntityType;
using guardrails::Finding;
using std::chrono::milliseconds;

constexpr int Index(EntityType type) { return static_cast<int>(type); }

std::shared_ptr<const Document> Doc(std::string_view yaml, std::string scope = "", std::string label = "platform@v1") {
  core::Result<std::shared_ptr<const Document>> document =
      ParseDocument(yaml, "policy.yaml", std::move(scope), std::move(label));
  EXPECT_TRUE(document) << document.error().message();
  return document ? *document : nullptr;
}

Policy One(std::string_view yaml) { return Policy({Doc(yaml)}); }

Finding Found(EntityType type, double score = 0.9) { return {.type = type, .begin = 0, .end = 1, .score = score}; }

// A chat request from ten_1/team_a on gpt-4o-mini; tests change what they need.
RequestFacts Facts() {
  RequestFacts facts;
  facts.tenant = "ten_1";
  facts.team = "team_a";
  facts.key_id = "key_1";
  facts.model = "gpt-4o-mini";
  facts.endpoint = "chat";
  return facts;
}

// Whether a one-rule policy with `when` (a flow mapping) matches `facts`.
bool Matches(std::string_view when, const RequestFacts& facts, bool output_pass = false) {
  const Policy policy = One("rules:\n  - name: r\n    when: " + std::string(when) + "\n    then: {input: block}\n");
  return !policy.Evaluate(facts, output_pass).matched_rules.empty();
}

TEST(PolicyEvaluateTest, ARuleWithoutWhenMatchesEveryRequest) {
  const Effect effect = One("rules:\n  - name: everything\n    then: {input: flag}\n").Evaluate(Facts());
  EXPECT_EQ(effect.matched_rules, (std::vector<std::string>{"platform@v1/everything"}));
  for (Action action : effect.input) EXPECT_EQ(action, Action::kFlag);
  for (Action action : effect.output) EXPECT_EQ(action, Action::kAllow);
}

TEST(PolicyEvaluateTest, NothingMatchingKeepsTheEffectDefaults) {
  const Effect effect = One("rules:\n  - name: r\n    when: {teams: [other]}\n    then: {input: block}\n")
                            .Evaluate(Facts());
  const Effect defaults;
  EXPECT_TRUE(effect.matched_rules.empty());
  EXPECT_EQ(effect.input, defaults.input);
  EXPECT_EQ(effect.output, defaults.output);
  EXPECT_TRUE(effect.restore);
  EXPECT_TRUE(effect.require_tags.empty());
  EXPECT_EQ(effect.review, ReviewMode::kNone);
  EXPECT_EQ(effect.review_wait, milliseconds(0));
  EXPECT_EQ(effect.log_content, ContentLogging::kRedacted);
  EXPECT_FALSE(effect.output_dependent);
}

TEST(PolicyEvaluateTest, IdentityConditionsMatchListedValuesOnly) {
  RequestFacts facts = Facts();
  EXPECT_TRUE(Matches("{tenants: [ten_0, ten_1]}", facts));
  EXPECT_FALSE(Matches("{tenants: [ten_2]}", facts));
  EXPECT_TRUE(Matches("{teams: [team_a]}", facts));
  EXPECT_FALSE(Matches("{teams: [team_b]}", facts));
  EXPECT_TRUE(Matches("{keys: [key_1]}", facts));
  EXPECT_FALSE(Matches("{keys: [key_2]}", facts));
  EXPECT_TRUE(Matches("{endpoints: [chat, completions]}", facts));
  EXPECT_FALSE(Matches("{endpoints: [embeddings]}", facts));
  facts.team = "";
  EXPECT_FALSE(Matches("{teams: [team_a]}", facts));  // a request without a team is in none
}

TEST(PolicyEvaluateTest, EveryConditionGivenMustHold) {
  EXPECT_TRUE(Matches("{tenants: [ten_1], teams: [team_a], endpoints: [chat]}", Facts()));
  EXPECT_FALSE(Matches("{tenants: [ten_1], teams: [team_a], endpoints: [messages]}", Facts()));
}

TEST(PolicyEvaluateTest, ModelsMatchByGlob) {
  RequestFacts facts = Facts();
  EXPECT_TRUE(Matches(R"({models: ["gpt-4o*"]})", facts));
  EXPECT_TRUE(Matches(R"({models: ["claude-*", "*-mini"]})", facts));
  EXPECT_FALSE(Matches(R"({models: ["gpt-4o"]})", facts));  // no star: the exact alias
  facts.model = "claude-3-5-sonnet";
  EXPECT_TRUE(Matches(R"({models: ["claude-*"]})", facts));
  EXPECT_FALSE(Matches(R"({models: ["gpt-*"]})", facts));
}

TEST(PolicyEvaluateTest, MetadataKeysMustBePresentWithAMatchingValue) {
  const std::vector<std::pair<std::string, std::string>> metadata = {{"env", "prod"}, {"app", "billing-eu"}};
  RequestFacts facts = Facts();
  facts.metadata = metadata;
  EXPECT_TRUE(Matches(R"({metadata: {env: prod}})", facts));
  EXPECT_TRUE(Matches(R"({metadata: {env: prod, app: "billing*"}})", facts));
  EXPECT_FALSE(Matches(R"({metadata: {env: staging}})", facts));
  EXPECT_FALSE(Matches(R"({metadata: {env: prod, region: "*"}})", facts));  // absent key
  EXPECT_FALSE(Matches(R"({metadata: {app: "billing"}})", facts));         // no star: whole value
  facts.metadata = {};
  EXPECT_FALSE(Matches(R"({metadata: {env: prod}})", facts));
}

TEST(PolicyEvaluateTest, CostBoundsAreStrict) {
  RequestFacts facts = Facts();
  facts.estimated_cost_usd = 0.10;
  EXPECT_FALSE(Matches("{estimated_cost_usd: {above: 0.10}}", facts));
  EXPECT_TRUE(Matches("{estimated_cost_usd: {above: 0.09}}", facts));
  EXPECT_FALSE(Matches("{estimated_cost_usd: {below: 0.10}}", facts));
  EXPECT_TRUE(Matches("{estimated_cost_usd: {below: 0.11}}", facts));
  EXPECT_TRUE(Matches("{estimated_cost_usd: {above: 0.05, below: 5}}", facts));
  facts.estimated_cost_usd = 6;
  EXPECT_FALSE(Matches("{estimated_cost_usd: {above: 0.05, below: 5}}", facts));
}

TEST(PolicyEvaluateTest, FindingsConditionCountsTypesScoresAndMinimum) {
  const std::vector<Finding> findings = {Found(EntityType::kEmail, 0.95), Found(EntityType::kEmail, 0.6),
                                         Found(EntityType::kPhone, 0.7)};
  RequestFacts facts = Facts();
  facts.input_findings = findings;
  EXPECT_TRUE(Matches("{findings: {}}", facts));  // any finding of any type
  EXPECT_TRUE(Matches("{findings: {types: [EMAIL]}}", facts));
  EXPECT_FALSE(Matches("{findings: {types: [CREDIT_CARD, SECRET]}}", facts));
  EXPECT_TRUE(Matches("{findings: {types: [EMAIL], min_count: 2}}", facts));
  EXPECT_FALSE(Matches("{findings: {types: [EMAIL], min_count: 3}}", facts));
  EXPECT_TRUE(Matches("{findings: {types: [EMAIL, PHONE], min_count: 3}}", facts));
  EXPECT_FALSE(Matches("{findings: {types: [EMAIL], min_score: 0.8, min_count: 2}}", facts));
  EXPECT_TRUE(Matches("{findings: {min_score: 0.95}}", facts));  // at least: 0.95 counts
  EXPECT_FALSE(Matches("{findings: {min_score: 0.96}}", facts));
  // A list holds when any of its conditions does.
  EXPECT_TRUE(Matches("{findings: [{types: [SECRET]}, {types: [PHONE]}]}", facts));
  EXPECT_FALSE(Matches("{findings: [{types: [SECRET]}, {types: [IBAN]}]}", facts));
  facts.input_findings = {};
  EXPECT_FALSE(Matches("{findings: {}}", facts));
}

TEST(PolicyEvaluateTest, InputFindingsConditionIgnoresTheAnswer) {
  const std::vector<Finding> answer = {Found(EntityType::kSecret)};
  RequestFacts facts = Facts();
  facts.output_findings = answer;
  EXPECT_FALSE(Matches("{findings: {types: [SECRET]}}", facts, /*output_pass=*/true));
}

TEST(PolicyEvaluateTest, OutputDependentRuleWaitsForTheOutputPass) {
  const Policy policy = One(R"(rules:
  - name: secret-out
    when:
      models: ["gpt-*"]
      findings: {in: output, types: [SECRET]}
    then: {output: block, review: blocking}
)");
  RequestFacts facts = Facts();

  // Before the answer: not applied, but the caller learns the answer matters.
  Effect before = policy.Evaluate(facts);
  EXPECT_TRUE(before.matched_rules.empty());
  EXPECT_TRUE(before.output_dependent);
  EXPECT_EQ(before.review, ReviewMode::kNone);

  // The answer has no secret: still not applied.
  Effect clean = policy.Evaluate(facts, /*output_pass=*/true);
  EXPECT_TRUE(clean.matched_rules.empty());

  const std::vector<Finding> answer = {Found(EntityType::kSecret)};
  facts.output_findings = answer;
  Effect after = policy.Evaluate(facts, /*output_pass=*/true);
  EXPECT_EQ(after.matched_rules, (std::vector<std::string>{"platform@v1/secret-out"}));
  EXPECT_EQ(after.output[Index(EntityType::kSecret)], Action::kBlock);
  EXPECT_EQ(after.review, ReviewMode::kBlocking);
  EXPECT_EQ(after.review_wait, milliseconds(30'000));

  // When the rule's other conditions fail, the answer cannot matter.
  facts.model = "claude-3";
  EXPECT_FALSE(policy.Evaluate(facts).output_dependent);
}

TEST(PolicyEvaluateTest, AnyFindingsLookAtBothLists) {
  const std::vector<Finding> one = {Found(EntityType::kEmail)};
  RequestFacts facts = Facts();
  facts.input_findings = one;
  facts.output_findings = one;
  EXPECT_TRUE(Matches("{findings: {in: any, types: [EMAIL], min_count: 2}}", facts, true));
  EXPECT_FALSE(Matches("{findings: {in: output, types: [EMAIL], min_count: 2}}", facts, true));
  facts.output_findings = {};
  EXPECT_TRUE(Matches("{findings: {in: any, types: [EMAIL]}}", facts, true));
  EXPECT_FALSE(Matches("{findings: {in: any, types: [EMAIL]}}", facts, false));  // not before the answer
}

TEST(PolicyEvaluateTest, MostRestrictiveSettingWinsAcrossRules) {
  const Policy policy = One(R"(rules:
  - name: a
    then:
      input: {EMAIL: redact, PHONE: block, default: flag}
      restore: true
      route: {require_tags: [eu, pci]}
      review: queued
      review_wait: 2m
      log_content: full
  - name: b
    then:
      input: {EMAIL: mask, PHONE: allow}
      output: {SECRET: redact}
      restore: false
      route: {require_tags: [pci, soc2]}
      review: blocking
      review_wait: 45s
  - name: c
    then:
      log_content: none
      review: none
)");
  const Effect effect = policy.Evaluate(Facts());
  EXPECT_EQ(effect.matched_rules, (std::vector<std::string>{"platform@v1/a", "platform@v1/b", "platform@v1/c"}));
  EXPECT_EQ(effect.input[Index(EntityType::kEmail)], Action::kMask);
  EXPECT_EQ(effect.input[Index(EntityType::kPhone)], Action::kBlock);  // allow never loosens
  EXPECT_EQ(effect.input[Index(EntityType::kIban)], Action::kFlag);
  EXPECT_EQ(effect.output[Index(EntityType::kSecret)], Action::kRedact);
  EXPECT_EQ(effect.output[Index(EntityType::kEmail)], Action::kAllow);
  EXPECT_FALSE(effect.restore);
  EXPECT_EQ(effect.require_tags, (std::vector<std::string>{"eu", "pci", "soc2"}));
  EXPECT_EQ(effect.review, ReviewMode::kBlocking);
  EXPECT_EQ(effect.review_wait, milliseconds(45'000));  // the shortest wait of the rules asking for review
  EXPECT_EQ(effect.log_content, ContentLogging::kNone);
}

TEST(PolicyEvaluateTest, ALoneFullLogContentIsHonoured) {
  // The Effect's `redacted` is the value when no rule speaks, not a floor.
  EXPECT_EQ(One("rules:\n  - name: r\n    then: {log_content: full}\n").Evaluate(Facts()).log_content,
            ContentLogging::kFull);
  EXPECT_EQ(One("rules:\n  - name: r\n    then: {log_content: full}\n  - name: s\n    then: {log_content: redacted}\n")
                .Evaluate(Facts())
                .log_content,
            ContentLogging::kRedacted);
}

TEST(PolicyEvaluateTest, RestoreStaysOnUnlessARuleTurnsItOff) {
  EXPECT_TRUE(One("rules:\n  - name: r\n    then: {restore: true}\n").Evaluate(Facts()).restore);
  EXPECT_FALSE(One("rules:\n  - name: r\n    then: {restore: false}\n  - name: s\n    then: {restore: true}\n")
                   .Evaluate(Facts())
                   .restore);
}

TEST(PolicyEvaluateTest, TenantDocumentTightensButNeverLoosensThePlatform) {
  const auto platform = Doc(R"(rules:
  - name: secrets
    then: {input: {SECRET: block, EMAIL: redact}, log_content: redacted}
)",
                            "", "platform@v3");
  const auto tenant = Doc(R"(rules:
  - name: relax
    then: {input: allow, log_content: full}
  - name: eu-only
    then: {route: {require_tags: [eu]}, input: {PHONE: mask}}
)",
                          "ten_1", "tenant:ten_1@v2");
  const auto other = Doc("rules:\n  - name: other\n    then: {input: block}\n", "ten_2", "tenant:ten_2@v1");
  const Policy policy({platform, tenant, other});

  const Effect effect = policy.Evaluate(Facts());
  EXPECT_EQ(effect.matched_rules, (std::vector<std::string>{"platform@v3/secrets", "tenant:ten_1@v2/relax",
                                                            "tenant:ten_1@v2/eu-only"}));
  EXPECT_EQ(effect.input[Index(EntityType::kSecret)], Action::kBlock);
  EXPECT_EQ(effect.input[Index(EntityType::kEmail)], Action::kRedact);
  EXPECT_EQ(effect.input[Index(EntityType::kPhone)], Action::kMask);
  EXPECT_EQ(effect.log_content, ContentLogging::kRedacted);
  EXPECT_EQ(effect.require_tags, (std::vector<std::string>{"eu"}));

  // ten_2's document is not ten_1's business, and the reverse.
  RequestFacts facts = Facts();
  facts.tenant = "ten_3";
  const Effect stranger = policy.Evaluate(facts);
  EXPECT_EQ(stranger.matched_rules, (std::vector<std::string>{"platform@v3/secrets"}));
  EXPECT_TRUE(stranger.require_tags.empty());
}

TEST(PolicyEvaluateTest, DefaultsApplyToEveryRequestAndAreCited) {
  const Policy policy({Doc(R"(defaults:
  input: flag
  output: flag
rules:
  - name: cards
    when: {findings: {types: [CREDIT_CARD]}}
    then: {input: {CREDIT_CARD: mask}}
)",
                           "", "config")});
  const Effect plain = policy.Evaluate(Facts());
  EXPECT_EQ(plain.matched_rules, (std::vector<std::string>{"config/defaults"}));
  EXPECT_EQ(plain.input[Index(EntityType::kCreditCard)], Action::kFlag);

  const std::vector<Finding> card = {Found(EntityType::kCreditCard)};
  RequestFacts facts = Facts();
  facts.input_findings = card;
  const Effect with_card = policy.Evaluate(facts);
  EXPECT_EQ(with_card.matched_rules, (std::vector<std::string>{"config/defaults", "config/cards"}));
  EXPECT_EQ(with_card.input[Index(EntityType::kCreditCard)], Action::kMask);
  EXPECT_EQ(with_card.output[Index(EntityType::kCreditCard)], Action::kFlag);
}

TEST(PolicyDefaultTest, FlagsEverythingAndLogsRedacted) {
  const std::shared_ptr<const Policy> policy = Policy::Default();
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy, Policy::Default());  // built once
  const Effect effect = policy->Evaluate(Facts());
  EXPECT_EQ(effect.matched_rules, (std::vector<std::string>{"default/flag-all"}));
  for (Action action : effect.input) EXPECT_EQ(action, Action::kFlag);
  for (Action action : effect.output) EXPECT_EQ(action, Action::kFlag);
  EXPECT_EQ(effect.log_content, ContentLogging::kRedacted);
  EXPECT_TRUE(effect.restore);
  EXPECT_EQ(effect.review, ReviewMode::kNone);
  EXPECT_FALSE(effect.output_dependent);
  EXPECT_EQ(policy->VersionsFor("ten_1"), (std::vector<std::string>{"default"}));
}

TEST(PolicyVersionsTest, ListsTheDocumentsThatApplyToATenantInOrder) {
  const std::string yaml = "rules:\n  - name: r\n    then: {input: flag}\n";
  const Policy policy({Doc(yaml, "", "config"), Doc(yaml, "", "platform@v3"), nullptr,
                       Doc(yaml, "ten_1", "tenant:ten_1@v2"), Doc(yaml, "ten_2", "tenant:ten_2@v7")});
  EXPECT_EQ(policy.VersionsFor("ten_1"), (std::vector<std::string>{"config", "platform@v3", "tenant:ten_1@v2"}));
  EXPECT_EQ(policy.VersionsFor("ten_9"), (std::vector<std::string>{"config", "platform@v3"}));
  EXPECT_TRUE(Policy({}).VersionsFor("ten_1").empty());
}

}  // namespace
}  // namespace strata::policy

// ParseDocument: what a policy author sees when the YAML is right, and the
// messages (with lines) when it is not.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "policy/document.h"
#include "policy/policy.h"

namespace strata::policy {
namespace {

using guardrails::EntityType;
using std::chrono::milliseconds;

constexpr int Index(EntityType type) { return static_cast<int>(type); }

std::shared_ptr<const Document> Parse(std::string_view yaml) {
  core::Result<std::shared_ptr<const Document>> document = ParseDocument(yaml, "policy.yaml", "", "test");
  if (!document) {
    ADD_FAILURE() << document.error().message();
    return nullptr;
  }
  return *document;
}

// The message of a parse that must fail; fails the test if it parsed.
std::string ErrorOf(std::string_view yaml) {
  core::Result<std::shared_ptr<const Document>> document = ParseDocument(yaml, "policy.yaml", "", "test");
  if (document) {
    ADD_FAILURE() << "expected an error for:\n" << yaml;
    return "";
  }
  EXPECT_EQ(document.error().code(), core::ErrorCode::kInvalidRequest);
  return document.error().message();
}

TEST(ParseDocumentTest, ReadsEveryKeyOfARule) {
  const auto document = Parse(R"(rules:
  - name: pii-in
    description: PII in billing prompts
    when:
      tenants: [ten_1, ten_2]
      teams: [team_a]
      keys: [key_1]
      models: ["gpt-4o*", "strata-demo"]
      endpoints: [chat, messages]
      metadata: {env: prod, app: "billing*"}
      estimated_cost_usd: {above: 0.10, below: 5}
      findings:
        in: any
        types: [EMAIL, CREDIT_CARD]
        min_score: 0.8
        min_count: 2
    then:
      input: {EMAIL: redact, CREDIT_CARD: mask, SECRET: block, default: flag}
      output: {SECRET: redact}
      restore: false
      route: {require_tags: [eu, pci]}
      review: blocking
      review_wait: 2m
      log_content: none
)");
  ASSERT_TRUE(document);
  EXPECT_EQ(document->label, "test");
  EXPECT_EQ(document->scope, "");
  EXPECT_EQ(document->source, "policy.yaml");
  ASSERT_EQ(document->rules.size(), 1u);
  const Rule& rule = document->rules[0];
  EXPECT_EQ(rule.name, "pii-in");
  EXPECT_EQ(rule.description, "PII in billing prompts");
  EXPECT_EQ(rule.citation, "test/pii-in");
  EXPECT_EQ(rule.line, 2);

  EXPECT_EQ(rule.when.tenants, (std::vector<std::string>{"ten_1", "ten_2"}));
  EXPECT_EQ(rule.when.teams, (std::vector<std::string>{"team_a"}));
  EXPECT_EQ(rule.when.keys, (std::vector<std::string>{"key_1"}));
  ASSERT_EQ(rule.when.models.size(), 2u);
  EXPECT_EQ(rule.when.models[0].pattern(), "gpt-4o*");
  EXPECT_EQ(rule.when.endpoints, (std::vector<std::string>{"chat", "messages"}));
  ASSERT_EQ(rule.when.metadata.size(), 2u);
  EXPECT_EQ(rule.when.metadata[1].first, "app");
  EXPECT_EQ(rule.when.metadata[1].second.pattern(), "billing*");
  EXPECT_EQ(rule.when.cost_above, 0.10);
  EXPECT_EQ(rule.when.cost_below, 5.0);
  ASSERT_EQ(rule.when.findings.size(), 1u);
  const FindingsCondition& findings = rule.when.findings[0];
  EXPECT_EQ(findings.in, FindingsSource::kAny);
  EXPECT_TRUE(findings.types[Index(EntityType::kEmail)]);
  EXPECT_TRUE(findings.types[Index(EntityType::kCreditCard)]);
  EXPECT_FALSE(findings.types[Index(EntityType::kPhone)]);
  EXPECT_EQ(findings.min_score, 0.8);
  EXPECT_EQ(findings.min_count, 2);
  EXPECT_TRUE(rule.output_dependent);

  EXPECT_EQ(rule.then.input[Index(EntityType::kEmail)], Action::kRedact);
  EXPECT_EQ(rule.then.input[Index(EntityType::kCreditCard)], Action::kMask);
  EXPECT_EQ(rule.then.input[Index(EntityType::kSecret)], Action::kBlock);
  EXPECT_EQ(rule.then.input[Index(EntityType::kPhone)], Action::kFlag);  // default
  EXPECT_EQ(rule.then.output[Index(EntityType::kSecret)], Action::kRedact);
  EXPECT_EQ(rule.then.output[Index(EntityType::kEmail)], Action::kAllow);  // no default: untouched
  EXPECT_EQ(rule.then.restore, false);
  EXPECT_EQ(rule.then.require_tags, (std::vector<std::string>{"eu", "pci"}));
  EXPECT_EQ(rule.then.review, ReviewMode::kBlocking);
  EXPECT_EQ(rule.then.review_wait, milliseconds(120'000));
  EXPECT_EQ(rule.then.log_content, ContentLogging::kNone);
}

TEST(ParseDocumentTest, FillsDefaultsForWhatIsLeftOut) {
  const auto document = Parse(R"(rules:
  - name: r
    when:
      findings: {}
    then:
      input: redact
      review: queued
)");
  ASSERT_TRUE(document);
  const Rule& rule = document->rules[0];
  ASSERT_EQ(rule.when.findings.size(), 1u);
  EXPECT_EQ(rule.when.findings[0].in, FindingsSource::kInput);
  for (bool listed : rule.when.findings[0].types) EXPECT_TRUE(listed);  // all types
  EXPECT_EQ(rule.when.findings[0].min_score, 0.0);
  EXPECT_EQ(rule.when.findings[0].min_count, 1);
  EXPECT_FALSE(rule.output_dependent);
  for (Action action : rule.then.input) EXPECT_EQ(action, Action::kRedact);  // one action for every type
  EXPECT_EQ(rule.then.review_wait, milliseconds(30'000));
  EXPECT_FALSE(rule.then.restore.has_value());
  EXPECT_FALSE(rule.then.log_content.has_value());
}

TEST(ParseDocumentTest, FindingsMayBeAListOfConditions) {
  const auto document = Parse(R"(rules:
  - name: r
    when:
      findings:
        - {types: [SECRET]}
        - {in: output, types: [PROMPT_INJECTION], min_count: 3}
    then: {output: block}
)");
  ASSERT_TRUE(document);
  const Rule& rule = document->rules[0];
  ASSERT_EQ(rule.when.findings.size(), 2u);
  EXPECT_EQ(rule.when.findings[1].in, FindingsSource::kOutput);
  EXPECT_EQ(rule.when.findings[1].min_count, 3);
  EXPECT_TRUE(rule.output_dependent);
}

TEST(ParseDocumentTest, ReadsDurationsWithUnits) {
  for (const auto& [text, expected] : {std::pair{"500ms", 500}, {"30s", 30'000}, {"1.5m", 90'000},
                                       {"1m30s", 90'000}, {"10m", 600'000}}) {
    const auto document = Parse("rules:\n  - name: r\n    then: {review: blocking, review_wait: " +
                                std::string(text) + "}\n");
    ASSERT_TRUE(document) << text;
    EXPECT_EQ(document->rules[0].then.review_wait, milliseconds(expected)) << text;
  }
}

TEST(ParseDocumentTest, DefaultsBlockBecomesTheFirstRule) {
  const auto document = Parse(R"(defaults:
  input: flag
  log_content: redacted
rules:
  - name: r
    then: {output: block}
)");
  ASSERT_TRUE(document);
  ASSERT_EQ(document->rules.size(), 2u);
  EXPECT_EQ(document->rules[0].name, "defaults");
  EXPECT_EQ(document->rules[0].citation, "test/defaults");
  EXPECT_EQ(document->rules[0].then.input[0], Action::kFlag);
  EXPECT_EQ(document->rules[1].name, "r");
}

TEST(ParseDocumentTest, ADocumentOfDefaultsAloneIsValid) {
  const auto document = Parse("defaults: {log_content: none}\n");
  ASSERT_TRUE(document);
  EXPECT_EQ(document->rules.size(), 1u);
}

TEST(ParseDocumentTest, UnknownKeyIsRefusedWithASuggestionAndItsLine) {
  EXPECT_EQ(ErrorOf(R"(rules:
  - name: r
    when:
      modelz: [gpt-4o]
    then: {input: flag}
)"),
            "policy.yaml:4: unknown key 'modelz' in 'rules[0].when'; did you mean 'models'?");
  EXPECT_EQ(ErrorOf("rule: []\n"),
            "policy.yaml:1: rules is required: a list of rules\n"
            "policy.yaml:1: unknown key 'rule' at the top level of the policy; did you mean 'rules'?");
  // Far from every known key: no guess.
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {input: flag}\n    priority: 3\n"),
            "policy.yaml:4: unknown key 'priority' in 'rules[0]'");
}

TEST(ParseDocumentTest, BadActionIsRefusedAtItsLine) {
  EXPECT_EQ(ErrorOf(R"(rules:
  - name: r
    then:
      input:
        EMAIL: hide
)"),
            "policy.yaml:5: rules[0].then.input.EMAIL must be one of allow, flag, redact, mask, block, got 'hide'");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {output: erase}\n"),
            "policy.yaml:3: rules[0].then.output must be one of allow, flag, redact, mask, block (or a mapping of "
            "entity types to them), got 'erase'");
}

TEST(ParseDocumentTest, UnknownEntityTypeIsRefusedWithASuggestion) {
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then:\n      input: {EMAILS: redact}\n"),
            "policy.yaml:4: unknown entity type 'EMAILS' in 'rules[0].then.input'; did you mean 'EMAIL'?");
  // Entity names are spelled as placeholders spell them, in capitals.
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when:\n      findings: {types: [secret]}\n    then: {input: block}\n"),
            "policy.yaml:4: rules[0].when.findings.types[0] must be an entity type such as 'SECRET' (did you mean "
            "it?), got 'secret'");
  EXPECT_NE(ErrorOf("rules:\n  - name: r\n    then:\n      input: {PASSPORT: redact}\n")
                .find("unknown entity type 'PASSPORT' in 'rules[0].then.input' (known: EMAIL, PHONE"),
            std::string::npos);
}

TEST(ParseDocumentTest, BadDurationIsRefused) {
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {review: blocking, review_wait: 30}\n"),
            "policy.yaml:3: rules[0].then.review_wait must be a duration of at most 10m, such as '500ms', '30s' or "
            "'2m', got '30'");
  EXPECT_NE(ErrorOf("rules:\n  - name: r\n    then: {review: blocking, review_wait: 11m}\n").find("got '11m'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - name: r\n    then: {review: blocking, review_wait: soon}\n").find("got 'soon'"),
            std::string::npos);
}

TEST(ParseDocumentTest, ReviewWaitNeedsAReview) {
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {log_content: none, review_wait: 5s}\n"),
            "policy.yaml:3: rules[0].then.review_wait needs rules[0].then.review: queued or blocking");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {review: none, review_wait: 5s}\n"),
            "policy.yaml:3: rules[0].then.review_wait has no effect with review: none");
}

TEST(ParseDocumentTest, DuplicateRuleNameIsRefused) {
  EXPECT_EQ(ErrorOf(R"(rules:
  - name: r
    then: {input: flag}
  - name: r
    then: {input: block}
)"),
            "policy.yaml:4: rules[1].name 'r' is already used by the rule at line 2: rule names must be unique in "
            "a document");
}

TEST(ParseDocumentTest, RuleNameIsRequiredAndPlain) {
  EXPECT_EQ(ErrorOf("rules:\n  - then: {input: flag}\n"), "policy.yaml:2: rules[0].name is required");
  EXPECT_EQ(ErrorOf("rules:\n  - name: pii in\n    then: {input: flag}\n"),
            "policy.yaml:2: rules[0].name must be 1 to 64 letters, digits, '_', '.' or '-', got 'pii in'");
  EXPECT_NE(ErrorOf("rules:\n  - name: " + std::string(65, 'a') + "\n    then: {input: flag}\n")
                .find("rules[0].name must be 1 to 64"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - name: defaults\n    then: {input: flag}\n").find("must not be 'defaults'"),
            std::string::npos);
}

TEST(ParseDocumentTest, ThenIsRequiredAndMustSetSomething) {
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {teams: [a]}\n"),
            "policy.yaml:2: rules[0].then is required: what the rule does when it matches");
  const std::string must_set =
      " must set at least one of input, output, restore, route, review, review_wait, log_content";
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {}\n"), "policy.yaml:3: rules[0].then" + must_set);
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then:\n"), "policy.yaml:3: rules[0].then" + must_set);
  EXPECT_EQ(ErrorOf("defaults: {}\nrules: []\n"), "policy.yaml:1: defaults" + must_set);
}

TEST(ParseDocumentTest, WrongTypesAreRefusedAtTheirLines) {
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {tenants: ten_1}\n    then: {input: flag}\n"),
            "policy.yaml:3: rules[0].when.tenants must be a list, such as [a, b], not a single value");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {restore: yes}\n"),
            "policy.yaml:3: rules[0].then.restore must be true or false, got 'yes'");
  EXPECT_EQ(ErrorOf("rules:\n  name: r\n"), "policy.yaml:1: rules must be a list of rules, not a mapping");
  EXPECT_EQ(ErrorOf("rules:\n  - just-a-name\n"),
            "policy.yaml:2: rules[0] must be a mapping with name: and then:, not a single value");
  EXPECT_EQ(ErrorOf("- rules\n"),
            "policy.yaml:1: a policy document must be a mapping with rules: (and optionally defaults:), not a list");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {findings: {min_score: 2}}\n    then: {input: flag}\n"),
            "policy.yaml:3: rules[0].when.findings.min_score must be a number between 0 and 1, got '2'");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {findings: {min_count: 0}}\n    then: {input: flag}\n"),
            "policy.yaml:3: rules[0].when.findings.min_count must be a whole number between 1 and 1000000, got '0'");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {findings: {in: prompt}}\n    then: {input: flag}\n"),
            "policy.yaml:3: rules[0].when.findings.in must be one of input, output, any, got 'prompt'");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {endpoints: [chat, images]}\n    then: {input: flag}\n"),
            "policy.yaml:3: rules[0].when.endpoints[1] must be one of chat, completions, embeddings, messages, got "
            "'images'");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {models: []}\n    then: {input: flag}\n"),
            "policy.yaml:3: rules[0].when.models must list at least one value (leave the key out to match any)");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when: {metadata: [env]}\n    then: {input: flag}\n"),
            "policy.yaml:3: rules[0].when.metadata must be a non-empty mapping of metadata keys to values, such as "
            "{env: prod}, not a list");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {review: later}\n"),
            "policy.yaml:3: rules[0].then.review must be one of none, queued, blocking, got 'later'");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {log_content: some}\n"),
            "policy.yaml:3: rules[0].then.log_content must be one of full, redacted, none, got 'some'");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then: {route: {}}\n"),
            "policy.yaml:3: rules[0].then.route.require_tags is required (the tags a deployment must carry)");
}

TEST(ParseDocumentTest, CostBoundsMustMakeSense) {
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when:\n      estimated_cost_usd: {above: 5, below: 1}\n"
                    "    then: {input: flag}\n"),
            "policy.yaml:4: rules[0].when.estimated_cost_usd.below must be more than "
            "rules[0].when.estimated_cost_usd.above, or no cost could match");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when:\n      estimated_cost_usd: {}\n    then: {input: flag}\n"),
            "policy.yaml:4: rules[0].when.estimated_cost_usd must give above, below or both");
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    when:\n      estimated_cost_usd: {above: -1}\n    then: {input: flag}\n"),
            "policy.yaml:4: rules[0].when.estimated_cost_usd.above must be a number of US dollars, at least 0, got "
            "'-1'");
}

TEST(ParseDocumentTest, RepeatedKeysAreRefused) {
  EXPECT_EQ(ErrorOf("rules:\n  - name: r\n    then:\n      input: flag\n      input: block\n"),
            "policy.yaml:5: duplicate key 'rules[0].then.input' (first at line 4)");
}

TEST(ParseDocumentTest, CollectsEveryProblemInLineOrder) {
  const std::string message = ErrorOf(R"(rules:
  - name: a
    then: {input: hide}
  - name: a
    when:
      teams: team_a
    then: {}
  - name: c
    then: {review: blocking, review_wait: forever}
)");
  EXPECT_EQ(message,
            "policy.yaml:3: rules[0].then.input must be one of allow, flag, redact, mask, block (or a mapping of "
            "entity types to them), got 'hide'\n"
            "policy.yaml:4: rules[1].name 'a' is already used by the rule at line 2: rule names must be unique in a "
            "document\n"
            "policy.yaml:6: rules[1].when.teams must be a list, such as [a, b], not a single value\n"
            "policy.yaml:7: rules[1].then must set at least one of input, output, restore, route, review, "
            "review_wait, log_content\n"
            "policy.yaml:9: rules[2].then.review_wait must be a duration of at most 10m, such as '500ms', '30s' or "
            "'2m', got 'forever'");
}

TEST(ParseDocumentTest, RefusesInvalidYamlAndEmptyDocuments) {
  EXPECT_NE(ErrorOf("rules:\n  - name: [unclosed\n").find("policy.yaml:"), std::string::npos);
  EXPECT_EQ(ErrorOf(""),
            "policy.yaml: a policy document must be a mapping with rules: (and optionally defaults:), not an empty "
            "value");
  EXPECT_EQ(ErrorOf("rules: []\n---\nrules: []\n"),
            "policy.yaml:3: a policy holds one YAML document; found another here");
}

TEST(ParseDocumentTest, FromANodeKeepsTheFileLinesAndPath) {
  const YAML::Node file = YAML::Load("server: {port: 1}\npolicy:\n  rules:\n    - name: r\n      then: {input: nope}\n");
  core::Result<std::shared_ptr<const Document>> document =
      ParseDocument(file["policy"], "strata.yaml", "", "config", "policy");
  ASSERT_FALSE(document);
  EXPECT_EQ(document.error().message(),
            "strata.yaml:5: policy.rules[0].then.input must be one of allow, flag, redact, mask, block (or a "
            "mapping of entity types to them), got 'nope'");

  const YAML::Node good = YAML::Load("policy:\n  rules:\n    - {name: r, then: {input: flag}}\n");
  document = ParseDocument(good["policy"], "strata.yaml", "ten_1", "tenant:ten_1@v2", "policy");
  ASSERT_TRUE(document) << document.error().message();
  EXPECT_EQ((*document)->scope, "ten_1");
  EXPECT_EQ((*document)->rules[0].citation, "tenant:ten_1@v2/r");
}

TEST(PolicyNamesTest, SpellTheEnumsBothWays) {
  for (Action action : {Action::kAllow, Action::kFlag, Action::kRedact, Action::kMask, Action::kBlock}) {
    EXPECT_EQ(ParseAction(ActionName(action)), action);
  }
  EXPECT_EQ(ActionName(Action::kMask), "mask");
  EXPECT_EQ(ContentLoggingName(ContentLogging::kRedacted), "redacted");
  EXPECT_EQ(ParseContentLogging("none"), ContentLogging::kNone);
  EXPECT_EQ(ReviewModeName(ReviewMode::kQueued), "queued");
  EXPECT_EQ(ParseReviewMode("blocking"), ReviewMode::kBlocking);
  EXPECT_EQ(ParseAction("Block"), std::nullopt);
  for (int i = 0; i < guardrails::kEntityTypeCount; ++i) {
    const auto type = static_cast<EntityType>(i);
    EXPECT_EQ(ParseEntityType(guardrails::EntityName(type)), type);
  }
  EXPECT_EQ(ParseEntityType("email"), std::nullopt);
}

}  // namespace
}  // namespace strata::policy

namespace strata::policy {
namespace {

// Each of these made yaml-cpp 0.7 loop forever with its memory growing
// (tests/fuzz/policy_document_fuzz.cc found them); the syntax check refuses
// them first, with a line.
TEST(ParseDocumentTest, RefusesDocumentsTheYamlLibraryWouldNeverFinish) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {",", "policy.yaml:1: invalid YAML"},
      {"rules: []\n,a: {b: c}", "policy.yaml:2: invalid YAML"},
      {",defaults: {inpt: flaults: {inp]", "policy.yaml:1: invalid YAML"},
      {"a: b\n  c\n, {}", "policy.yaml:3: invalid YAML: a line cannot start with ','"},
      {" &defaults:l,g g}\nrug}\n", "policy.yaml:1: invalid YAML: anchors are not allowed in a policy"},
      {std::string("rules:\0 []", 10), "policy.yaml:1: invalid YAML"},
  };
  for (const auto& [yaml, expected] : cases) {
    core::Result<std::shared_ptr<const Document>> document = ParseDocument(yaml, "policy.yaml", "", "test");
    ASSERT_FALSE(document) << yaml;
    EXPECT_NE(document.error().message().find(expected), std::string::npos) << document.error().message();
  }
}

}  // namespace
}  // namespace strata::policy

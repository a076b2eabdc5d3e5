// Policy: evaluation of the parsed documents against one request. This runs
// on every request (twice when the answer is checked), so it only compares:
// patterns were compiled and citations built when the documents were parsed.

#include "policy/policy.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "policy/document.h"

namespace strata::policy {
namespace {

bool Listed(const std::vector<std::string>& values, std::string_view value) {
  return values.empty() || std::find(values.begin(), values.end(), value) != values.end();
}

bool AnyMatches(const std::vector<Glob>& patterns, std::string_view value) {
  return patterns.empty() || std::any_of(patterns.begin(), patterns.end(),
                                         [&](const Glob& pattern) { return pattern.Matches(value); });
}

bool MetadataHolds(const std::vector<std::pair<std::string, Glob>>& wanted, const RequestFacts& facts) {
  for (const auto& want : wanted) {
    const bool found = std::any_of(facts.metadata.begin(), facts.metadata.end(), [&](const auto& entry) {
      return entry.first == want.first && want.second.Matches(entry.second);
    });
    if (!found) return false;
  }
  return true;
}

// Every condition but `findings`: the ones known before the answer.
bool RequestConditionsHold(const Conditions& when, const RequestFacts& facts) {
  return Listed(when.tenants, facts.tenant) && Listed(when.teams, facts.team) && Listed(when.keys, facts.key_id) &&
         Listed(when.endpoints, facts.endpoint) && AnyMatches(when.models, facts.model) &&
         (!when.cost_above || facts.estimated_cost_usd > *when.cost_above) &&
         (!when.cost_below || facts.estimated_cost_usd < *when.cost_below) && MetadataHolds(when.metadata, facts);
}

int CountFindings(const FindingsCondition& condition, std::span<const guardrails::Finding> findings) {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [&](const guardrails::Finding& finding) {
    return condition.types[static_cast<int>(finding.type)] && finding.score >= condition.min_score;
  }));
}

bool FindingsHold(const std::vector<FindingsCondition>& conditions, const RequestFacts& facts) {
  if (conditions.empty()) return true;
  return std::any_of(conditions.begin(), conditions.end(), [&](const FindingsCondition& condition) {
    int count = 0;
    if (condition.in != FindingsSource::kOutput) count += CountFindings(condition, facts.input_findings);
    if (condition.in != FindingsSource::kInput) count += CountFindings(condition, facts.output_findings);
    return count >= condition.min_count;
  });
}

template <class Enum>
Enum MoreRestrictive(Enum a, Enum b) {
  return std::max(a, b);  // the enums are declared least to most restrictive
}

// What the merge keeps besides the Effect itself: whether a setting whose
// default is not its least restrictive value has been set yet.
struct MergeState {
  bool log_content_set = false;
  bool review_wait_set = false;
};

void Merge(const Settings& then, Effect& effect, MergeState& state) {
  for (std::size_t i = 0; i < effect.input.size(); ++i) {
    effect.input[i] = MoreRestrictive(effect.input[i], then.input[i]);
    effect.output[i] = MoreRestrictive(effect.output[i], then.output[i]);
  }
  if (then.restore) effect.restore = effect.restore && *then.restore;
  for (const std::string& tag : then.require_tags) {
    if (std::find(effect.require_tags.begin(), effect.require_tags.end(), tag) == effect.require_tags.end()) {
      effect.require_tags.push_back(tag);
    }
  }
  if (then.review) {
    effect.review = MoreRestrictive(effect.review, *then.review);
    if (*then.review != ReviewMode::kNone) {
      effect.review_wait = state.review_wait_set ? std::min(effect.review_wait, then.review_wait) : then.review_wait;
      state.review_wait_set = true;
    }
  }
  if (then.log_content) {
    // Effect's default (redacted) is what applies when no rule speaks; once
    // one does, even `full` counts.
    effect.log_content =
        state.log_content_set ? MoreRestrictive(effect.log_content, *then.log_content) : *then.log_content;
    state.log_content_set = true;
  }
}

bool Applies(const Document& document, std::string_view tenant) {
  return document.scope.empty() || document.scope == tenant;
}

// The built-in default of docs/POLICY.md, in the format users write.
constexpr std::string_view kDefaultPolicy = R"(rules:
  - name: flag-all
    description: Flag every finding in both directions; log content redacted.
    then:
      input: flag
      output: flag
      log_content: redacted
)";

}  // namespace

Policy::Policy(std::vector<std::shared_ptr<const Document>> documents) {
  documents_.reserve(documents.size());
  for (std::shared_ptr<const Document>& document : documents) {
    if (!document) continue;
    for (const Rule& rule : document->rules) {
      reads_estimated_cost_ = reads_estimated_cost_ || rule.when.cost_above || rule.when.cost_below;
    }
    documents_.push_back(std::move(document));
  }
}

std::shared_ptr<const Document> DefaultDocument() {
  static const std::shared_ptr<const Document> document = [] {
    core::Result<std::shared_ptr<const Document>> parsed = ParseDocument(kDefaultPolicy, "<built-in>", "", "default");
    if (!parsed) {
      // A bug in the text above, caught by the unit tests: nothing to recover.
      std::cerr << "strata: the built-in policy does not parse: " << parsed.error().message() << "\n";
      std::abort();
    }
    return *parsed;
  }();
  return document;
}

std::shared_ptr<const Policy> Policy::Default() {
  static const std::shared_ptr<const Policy> policy =
      std::make_shared<const Policy>(std::vector<std::shared_ptr<const Document>>{DefaultDocument()});
  return policy;
}

Effect Policy::Evaluate(const RequestFacts& facts, bool output_pass) const {
  Effect effect;
  MergeState state;
  for (const std::shared_ptr<const Document>& document : documents_) {
    if (!Applies(*document, facts.tenant)) continue;
    for (const Rule& rule : document->rules) {
      if (!RequestConditionsHold(rule.when, facts)) continue;
      if (rule.output_dependent) {
        effect.output_dependent = true;
        if (!output_pass) continue;  // decided when the answer's findings are known
      }
      if (!FindingsHold(rule.when.findings, facts)) continue;
      Merge(rule.then, effect, state);
      effect.matched_rules.push_back(rule.citation);
    }
  }
  return effect;
}

std::vector<std::string> Policy::VersionsFor(std::string_view tenant) const {
  std::vector<std::string> labels;
  for (const std::shared_ptr<const Document>& document : documents_) {
    if (Applies(*document, tenant)) labels.push_back(document->label);
  }
  return labels;
}

}  // namespace strata::policy

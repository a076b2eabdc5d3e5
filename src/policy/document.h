#pragma once

// The parsed form of one policy document: what ParseDocument (policy.h)
// builds and Policy::Evaluate reads. Plain immutable data; docs/POLICY.md is
// the YAML these fields come from.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "guardrails/finding.h"
#include "policy/glob.h"
#include "policy/policy.h"

namespace strata::policy {

// Which findings a `findings:` condition counts.
enum class FindingsSource { kInput, kOutput, kAny };

// Holds when at least `min_count` findings of the listed types, each scored at
// least `min_score`, are in `in`'s list(s).
struct FindingsCondition {
  FindingsSource in = FindingsSource::kInput;
  std::array<bool, guardrails::kEntityTypeCount> types{};  // indexed by EntityType
  double min_score = 0;
  int min_count = 1;
};

// A rule's `when`: every non-empty condition must hold; all empty = always.
struct Conditions {
  std::vector<std::string> tenants;
  std::vector<std::string> teams;
  std::vector<std::string> keys;
  std::vector<Glob> models;
  std::vector<std::string> endpoints;
  std::vector<std::pair<std::string, Glob>> metadata;  // key -> value pattern
  std::optional<double> cost_above;                    // strict
  std::optional<double> cost_below;                    // strict
  std::vector<FindingsCondition> findings;             // any one of them
};

// A rule's `then`. The action tables hold kAllow where the rule says nothing:
// since the merge keeps the most restrictive action, kAllow never loosens.
struct Settings {
  ActionTable input{};
  ActionTable output{};
  std::optional<bool> restore;
  std::vector<std::string> require_tags;
  std::optional<ReviewMode> review;
  // Set (30s unless given) when `review` is queued or blocking.
  std::chrono::milliseconds review_wait{0};
  std::optional<ContentLogging> log_content;
};

struct Rule {
  std::string name;
  std::string description;
  std::string citation;  // "<document label>/<name>", as Effect::matched_rules has it
  int line = 0;
  Conditions when;
  Settings then;
  // Some `findings` condition looks at the answer (in: output or any).
  bool output_dependent = false;
};

struct Document {
  std::string label;   // "config", "platform@v3", "tenant:ten_1@v2"
  std::string scope;   // the tenant it applies to; empty: every tenant
  std::string source;  // the file or store row it came from, for messages
  // In evaluation order. A `defaults:` block is the first rule, named "defaults".
  std::vector<Rule> rules;
};

}  // namespace strata::policy

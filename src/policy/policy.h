#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "guardrails/finding.h"

namespace YAML {
class Node;
}

namespace strata::policy {

// What happens to a finding of one entity type in one direction, from the
// least to the most restrictive: where rules disagree, the later wins.
enum class Action { kAllow, kFlag, kRedact, kMask, kBlock };
// How much of the prompt and answer the inference log keeps, least to most
// restrictive.
enum class ContentLogging { kFull, kRedacted, kNone };
// Whether a human reviews the exchange, least to most restrictive: `queued`
// answers at once and queues the exchange for review; `blocking` holds the
// answer until a reviewer decides (docs/REVIEW.md).
enum class ReviewMode { kNone, kQueued, kBlocking };
enum class Direction { kInput, kOutput };

std::string_view ActionName(Action action);  // "allow", "flag", "redact", "mask", "block"
std::string_view ContentLoggingName(ContentLogging logging);  // "full", "redacted", "none"
std::string_view ReviewModeName(ReviewMode mode);  // "none", "queued", "blocking"

// The reverse of the names above, exactly as spelled there; nullopt for any
// other text.
std::optional<Action> ParseAction(std::string_view name);
std::optional<ContentLogging> ParseContentLogging(std::string_view name);
std::optional<ReviewMode> ParseReviewMode(std::string_view name);
// The reverse of guardrails::EntityName ("EMAIL" -> kEmail), case-sensitive.
std::optional<guardrails::EntityType> ParseEntityType(std::string_view name);

using ActionTable = std::array<Action, guardrails::kEntityTypeCount>;  // indexed by EntityType

// What one request is, as rules see it. Views into the caller's objects.
struct RequestFacts {
  std::string_view tenant;
  std::string_view team;      // empty: none
  std::string_view key_id;
  std::string_view model;     // the model the client asked for (an alias)
  std::string_view endpoint;  // "chat", "completions", "embeddings", "messages"
  // The request's metadata (string values of the body's `metadata` object).
  std::span<const std::pair<std::string, std::string>> metadata;
  double estimated_cost_usd = 0;  // before the call; 0 when unpriced
  std::span<const guardrails::Finding> input_findings;
  // Empty before the answer; see Policy::Evaluate.
  std::span<const guardrails::Finding> output_findings;
};

// What the matching rules decided, merged: for every setting the most
// restrictive value any matching rule gave, and what no rule set keeps the
// default shown here.
struct Effect {
  ActionTable input{};   // all kAllow
  ActionTable output{};  // all kAllow
  // Put the placeholders of redacted input back into the answer. False only
  // when a matching rule says `restore: false`.
  bool restore = true;
  // The deployment must carry every one of these tags (data residency: "eu").
  std::vector<std::string> require_tags;
  ReviewMode review = ReviewMode::kNone;
  // A blocking review waits this long before the client gets pending_review:
  // the shortest `review_wait` of the matching rules that ask for review.
  std::chrono::milliseconds review_wait{0};
  ContentLogging log_content = ContentLogging::kRedacted;
  // "<document>/<rule>" of each matching rule, in evaluation order, where
  // <document> is the document's label (Document::label).
  std::vector<std::string> matched_rules;
  // Whether some rule whose other conditions hold depends on output findings
  // (so the output pass may still change the effect: a streamed answer it
  // could hold for review must be buffered).
  bool output_dependent = false;
};

// One policy document (YAML, docs/POLICY.md), parsed and checked. Immutable.
// Defined in policy/document.h, for callers that want its label or rules.
struct Document;

// The policy in force: the documents that apply (config, platform, tenants),
// compiled once and shared by every request. Thread-safe (immutable).
class Policy {
 public:
  // `documents` in the order their rules are evaluated; null entries are
  // ignored. The order changes only matched_rules: the merge is the most
  // restrictive value whatever the order.
  explicit Policy(std::vector<std::shared_ptr<const Document>> documents);
  // The built-in default when nothing is configured (docs/POLICY.md): every
  // finding flagged in both directions, content logged redacted.
  static std::shared_ptr<const Policy> Default();

  // Evaluates every document whose scope is platform-wide or `facts.tenant`.
  // With `facts.output_findings` empty and `output_pass` false, rules that
  // depend on output findings are skipped (and set output_dependent when the
  // rest of their conditions hold); with `output_pass`, they are evaluated too
  // (and output_dependent is set the same way). Either pass returns the whole
  // merged effect, not a difference. Allocates only for the Effect's vectors: it runs once or twice per request.
  Effect Evaluate(const RequestFacts& facts, bool output_pass = false) const;

  // The labels of the documents applying to `tenant`, in order, e.g.
  // {"config", "platform@v3", "tenant:ten_1@v2"}: what a decision record cites.
  std::vector<std::string> VersionsFor(std::string_view tenant) const;

  // Whether some rule's condition reads RequestFacts::estimated_cost_usd:
  // callers compute the estimate only then (it walks the whole body).
  bool reads_estimated_cost() const { return reads_estimated_cost_; }

 private:
  std::vector<std::shared_ptr<const Document>> documents_;
  bool reads_estimated_cost_ = false;
};

// The built-in document of Policy::Default() (docs/POLICY.md, "Defaults"),
// labelled "default".
std::shared_ptr<const Document> DefaultDocument();

// One problem of a document that did not parse: its 1-based line (0 when
// none applies) and what is wrong, without the source's name.
struct ParseProblem {
  int line = 0;
  std::string message;
};

// Parses a policy document. `scope` is the tenant id it is restricted to, or
// empty for a platform-wide one; `label` names it in decision records. Every
// problem is reported, one "source:line: message" per line, in one
// kInvalidRequest error; unknown keys, entity types and actions are refused.
// When `problems` is given, it also gets them one by one, in line order, for
// a caller that reports them its own way.
core::Result<std::shared_ptr<const Document>> ParseDocument(std::string_view yaml, std::string_view source,
                                                            std::string scope, std::string label,
                                                            std::vector<ParseProblem>* problems = nullptr);
// The same from a node of an already parsed file (the config's `policy:`);
// lines are the file's. `path` is where the node sits in that file ("policy")
// and prefixes the key paths in messages; empty for a document of its own.
core::Result<std::shared_ptr<const Document>> ParseDocument(const YAML::Node& node, std::string_view source,
                                                            std::string scope, std::string label,
                                                            std::string_view path = "",
                                                            std::vector<ParseProblem>* problems = nullptr);

}  // namespace strata::policy

#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/exchange.h"
#include "core/result.h"
#include "guardrails/finding.h"
#include "guardrails/redactor.h"
#include "guardrails/scanner.h"
#include "guardrails/stream_restorer.h"
#include "guardrails/stream_scanner.h"
#include "http/sse_decoder.h"
#include "policy/policy.h"

namespace strata::gateway {

// One request's guardrails (docs/GUARDRAILS.md, docs/POLICY.md): scans the
// prompt, applies the policy's input actions, checks the answer (whole or
// streamed) with its output actions, puts redacted values back, and keeps
// what the decision record, the inference log and a reviewer need.
// Lives in the exchange; one coroutine uses it. Not thread-safe.
class RequestGuard {
 public:
  RequestGuard(const guardrails::Scanner& scanner, std::shared_ptr<const policy::Policy> policy);

  // Scans the request's texts, evaluates the policy and applies its input
  // actions to exchange.body (redact, mask). kPolicyBlocked when a finding's
  // action is `block`: the request must not go upstream.
  core::Status Inspect(core::Exchange& exchange, double estimated_cost_usd);

  const policy::Effect& effect() const { return effect_; }
  // Whether the whole answer must be in hand before any of it reaches the
  // client: a blocking review may hold it, or an output rule may change what
  // happens to it.
  bool HoldsWholeAnswer() const {
    return effect_.review == policy::ReviewMode::kBlocking || effect_.output_dependent;
  }

  // A whole answer (JSON, the client's format): scanned, output rules
  // evaluated, output actions applied, the caller's values restored. The body
  // is returned as it came when nothing changed. kPolicyBlocked when an
  // output finding's action is `block`.
  core::Result<std::string> FilterAnswer(std::string body);

  // One event of a streamed answer; appends what may go to the client now
  // (nothing, this event changed, or a held tail flushed before it) to `out`.
  // kPolicyBlocked as soon as a blocked finding is seen: nothing of it was
  // released. FinishStream() ends it (evaluates output rules).
  core::Status FilterEvent(std::string_view name, std::string_view data, std::vector<http::SseEvent>& out);
  // For a stream held whole (HoldsWholeAnswer): reads the whole answer first,
  // so that output rules are decided on all of it before FilterEvent replays
  // the events.
  void PrepareWholeStream(const std::vector<http::SseEvent>& events);
  void FinishStream();

  // Record keeping, once the answer is decided.
  void SetReview(std::string id, std::string_view status);
  // {"policy": [...], "matched_rules": [...], "findings": [...], "redacted": n, ...}:
  // never a matched value (docs/POLICY.md, "Decision records").
  std::string DecisionRecord() const;
  // The exchange as the log keeps it under the effect's log_content: the
  // prompt and answer in full, or with every finding replaced by a
  // placeholder; nullopt for `none`.
  std::optional<std::string> LoggedContent() const;
  // The prompt and answer with every finding replaced: what a reviewer sees.
  std::string RedactedTranscript() const;
  // "pending", "approved" or "rejected" once a review was filed; empty before.
  const std::string& review_status() const { return review_status_; }

  // Calls visit(direction, type, action) for every finding, prompt first,
  // with the action the policy in force gives it (for metrics).
  template <class Visit>
  void ForEachFinding(Visit&& visit) const {
    for (const Located& found : located_) visit(found.direction, found.finding.type, ActionOf(found));
  }

 private:
  struct Located {
    policy::Direction direction;
    std::string path;
    guardrails::Finding finding;
  };
  // A text as the model read or wrote it, with what the scan found in it:
  // the transcript is redacted from these, without scanning again.
  struct ScannedText {
    std::string path;
    std::string text;
    std::vector<guardrails::Finding> findings;
  };
  struct StreamPiece {  // one choice or content block of a streamed answer
    std::unique_ptr<guardrails::StreamScanner> scanner;  // only when output is redacted or blocked
    std::unique_ptr<guardrails::StreamRestorer> restorer;
    std::string raw;        // what the model wrote
    std::vector<guardrails::Finding> findings;  // in `raw`
    std::string delivered;  // what the client got
    std::optional<std::string> last_event;  // a template for a flushed tail (OpenAI)
    std::size_t findings_seen = 0;
  };

  policy::RequestFacts Facts() const;
  policy::Action ActionOf(const Located& found) const;
  void ApplyOutputStyles();
  bool OutputChangesText() const;
  // Counts the findings the policy in force replaces (redacted or masked);
  // whether there is any.
  bool CountReplacements(policy::Direction direction, std::span<const guardrails::Finding> findings);
  core::Status CheckBlocked(policy::Direction direction, std::size_t from) const;
  void Evaluate(bool output_pass);
  // Takes the findings the piece's stream scanner released since last asked;
  // kPolicyBlocked when one is blocked.
  core::Status TakeStreamFindings(int index, StreamPiece& piece);
  core::Status FlushPiece(int index, StreamPiece& piece, std::vector<http::SseEvent>& out);
  std::string ReleaseText(StreamPiece& piece, std::string_view raw);

  const guardrails::Scanner& scanner_;
  std::shared_ptr<const policy::Policy> policy_;
  guardrails::Redactor redactor_;
  policy::Effect effect_;
  core::ApiFormat format_ = core::ApiFormat::kOpenAiChat;

  // Facts the policy reads, owned here.
  std::string tenant_, team_, key_id_, model_, endpoint_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  double estimated_cost_usd_ = 0;
  std::vector<guardrails::Finding> input_findings_, output_findings_;

  std::vector<Located> located_;  // every finding, with where it was
  std::vector<ScannedText> prompt_;      // as the caller sent it
  std::vector<ScannedText> raw_answer_;  // as the model wrote it
  std::vector<std::pair<std::string, std::string>> answer_;  // path, text as the client got it
  std::map<int, StreamPiece> pieces_;
  int redacted_ = 0, masked_ = 0;
  bool blocked_ = false;
  std::string review_id_, review_status_;
};

}  // namespace strata::gateway

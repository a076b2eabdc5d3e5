#include "guardrails/stream_scanner.h"

#include "guardrails/internal/context.h"
#include "guardrails/redactor.h"
#include "guardrails/scanner.h"

namespace strata::guardrails {
namespace {

// Released text kept in front of the held text when rescanning, so context
// words ("born", "card") and boundary checks see what the whole text shows.
// A few bytes more than the context window: the word test also looks at the
// byte just before the window.
constexpr std::size_t kReleasedContextBytes = internal::kContextWindow + 16;

constexpr std::string_view kBlockBegin = "-----BEGIN ";
constexpr std::string_view kBlockEnd = "-----END ";

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

StreamScanner::StreamScanner(const Scanner& scanner, Redactor& redactor, StreamScannerOptions options)
    : scanner_(scanner), redactor_(redactor), options_(options) {}

std::string StreamScanner::Push(std::string_view chunk) {
  pending_.append(chunk);
  const std::size_t held = pending_.size() - context_bytes_;
  if (held <= options_.hold_back_bytes || held - options_.hold_back_bytes < options_.release_step_bytes) {
    return {};
  }

  const std::vector<Finding> window_findings = scanner_.Scan(pending_, context_bytes_);
  const bool over_cap = held > options_.max_held_bytes;
  std::size_t limit = pending_.size() - options_.hold_back_bytes;
  if (!over_cap) {
    limit = HoldForOpenKeyBlock(limit);
    // Never cut a finding: stop before one that is still being held.
    for (const Finding& finding : window_findings) {
      if (finding.begin < limit && limit < finding.end) limit = finding.begin;
    }
  }
  while (limit > context_bytes_ && limit < pending_.size() && IsUtf8Continuation(pending_[limit])) {
    --limit;
  }
  if (limit <= context_bytes_) return {};
  return Release(limit, window_findings, /*clip_crossing=*/over_cap);
}

std::string StreamScanner::Finish() {
  const std::vector<Finding> window_findings = scanner_.Scan(pending_, context_bytes_);
  std::string out = Release(pending_.size(), window_findings, /*clip_crossing=*/false);
  pending_.clear();
  context_bytes_ = 0;
  return out;
}

std::size_t StreamScanner::HoldForOpenKeyBlock(std::size_t limit) const {
  const std::size_t begin = pending_.rfind(kBlockBegin);
  if (begin == std::string::npos || begin < context_bytes_) return limit;
  // Closed once "-----END …-----" is complete; the scan then sees the whole block.
  const std::size_t end = pending_.find(kBlockEnd, begin);
  if (end != std::string::npos && pending_.find("-----", end + kBlockEnd.size()) != std::string::npos) {
    return limit;
  }
  return std::min(limit, begin);
}

std::string StreamScanner::Release(std::size_t limit, const std::vector<Finding>& window_findings,
                                   bool clip_crossing) {
  std::vector<Finding> released;
  for (Finding finding : window_findings) {
    if (clip_crossing && finding.begin < limit && limit < finding.end) finding.end = limit;
    if (finding.end <= limit) released.push_back(finding);
  }
  std::string out;
  out.reserve(limit - context_bytes_);
  const std::string_view text = std::string_view(pending_).substr(context_bytes_, limit - context_bytes_);
  redactor_.AppendRedacted(out, text, released, context_bytes_);

  for (Finding finding : released) {
    finding.begin = finding.begin - context_bytes_ + released_bytes_;
    finding.end = finding.end - context_bytes_ + released_bytes_;
    findings_.push_back(finding);
  }
  released_bytes_ += limit - context_bytes_;
  const std::size_t keep_from = limit > kReleasedContextBytes ? limit - kReleasedContextBytes : 0;
  pending_.erase(0, keep_from);
  context_bytes_ = limit - keep_from;
  return out;
}

}  // namespace strata::guardrails

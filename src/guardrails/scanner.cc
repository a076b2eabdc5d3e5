#include "guardrails/scanner.h"

#include <algorithm>
#include <optional>

#include "guardrails/internal/overlaps.h"
#include "guardrails/internal/pattern.h"
#include "guardrails/internal/pattern_database.h"

namespace strata::guardrails {

Scanner::Scanner(ScannerOptions options)
    : options_(options),
      patterns_(internal::AllPatterns()),
      database_(std::make_unique<internal::PatternDatabase>(patterns_)) {
  rescan_.resize(patterns_.size());
  for (std::size_t i = 0; i < patterns_.size(); ++i) {
    if (patterns_[i].start_by == internal::StartBy::kRescan) {
      internal::PatternSpec alone = patterns_[i];
      alone.start_by = internal::StartBy::kHyperscan;  // this database is for the start
      rescan_[i] = std::make_unique<internal::PatternDatabase>(std::vector{alone});
    }
  }
}

Scanner::~Scanner() = default;

// The leftmost start of a kRescan pattern's match that ends at `end`, or
// nullopt if the window is too short to hold it.
std::optional<std::size_t> Scanner::RescanStart(unsigned pattern, std::string_view text,
                                                std::size_t end) const {
  const std::size_t window = end > internal::kRescanWindowBytes ? end - internal::kRescanWindowBytes : 0;
  thread_local std::vector<internal::RawMatch> matches;
  matches.clear();
  rescan_[pattern]->Scan(text.substr(window, end - window), matches);
  std::optional<std::size_t> start;
  for (const internal::RawMatch& match : matches) {
    if (match.end == end - window && (!start || window + match.begin < *start)) {
      start = window + match.begin;
    }
  }
  return start;
}

std::vector<Finding> Scanner::Scan(std::string_view text, std::size_t decide_from) const {
  // Reused per thread: a typical request yields a handful of raw matches and
  // this keeps the common scan free of allocations.
  thread_local std::vector<internal::RawMatch> raw;
  raw.clear();
  database_->Scan(text, raw);
  if (raw.empty()) return {};

  std::vector<Finding> candidates;
  candidates.reserve(raw.size());
  for (internal::RawMatch match : raw) {
    const internal::PatternSpec& pattern = patterns_[match.pattern];
    if (pattern.start_by == internal::StartBy::kRescan) {
      const std::optional<std::size_t> start = RescanStart(match.pattern, text, match.end);
      if (!start) continue;
      match.begin = *start;
    }
    const internal::Match input{text, match.begin, match.end, pattern.base_score};
    std::optional<internal::Candidate> kept =
        pattern.validate != nullptr
            ? pattern.validate(input)
            : std::optional<internal::Candidate>({match.begin, match.end, pattern.base_score});
    if (!kept || kept->score < options_.min_score || kept->begin >= kept->end ||
        kept->begin < decide_from) {
      continue;
    }
    candidates.push_back(Finding{pattern.type, kept->begin, kept->end, std::min(kept->score, 1.0)});
  }
  return internal::ResolveOverlaps(std::move(candidates));
}

std::size_t Scanner::database_bytes() const {
  std::size_t bytes = database_->size_bytes();
  for (const auto& rescan : rescan_) bytes += rescan != nullptr ? rescan->size_bytes() : 0;
  return bytes;
}

}  // namespace strata::guardrails

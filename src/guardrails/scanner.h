#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "guardrails/finding.h"

namespace strata::guardrails {

namespace internal {
class PatternDatabase;
struct PatternSpec;
}  // namespace internal

inline constexpr double kDefaultMinScore = 0.5;

struct ScannerOptions {
  // Findings scoring below this are dropped before overlaps are resolved, so a
  // weak candidate never hides a strong one. Default 0.5: checksum-valid
  // numbers, vendor keys and context-backed matches pass; bare national phone
  // numbers, nine-digit runs and dates without "born" do not (docs/GUARDRAILS.md).
  double min_score = kDefaultMinScore;
};

// Finds PII, secrets and prompt-injection phrasings in a text, in one
// Hyperscan pass followed by validators (checksums, structure) and context
// scoring. Build one at startup and share it: the compiled databases are
// immutable and Scan() is thread-safe (each thread has its own scratch).
class Scanner {
 public:
  // Compiles the detector patterns. Throws std::runtime_error if Hyperscan
  // rejects one (a bug in the built-in table, so startup is the place to fail).
  explicit Scanner(ScannerOptions options = {});
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // The findings in `text`: byte offsets, scores >= min_score, pairwise
  // disjoint (internal/overlaps.h states the rule), sorted by `begin`.
  // On valid UTF-8, offsets fall on character boundaries: patterns end on
  // ASCII bytes and start on ASCII bytes, except an email's local part, which
  // takes whole multi-byte characters ("jürgen@…").
  std::vector<Finding> Scan(std::string_view text) const { return Scan(text, 0); }

  // As above, but candidates that begin before `decide_from` are dropped
  // before overlaps are resolved: the stream scanner rescans some already
  // released text for context, and what was decided there stays decided.
  std::vector<Finding> Scan(std::string_view text, std::size_t decide_from) const;

  const ScannerOptions& options() const { return options_; }
  // Bytes of the compiled Hyperscan databases.
  std::size_t database_bytes() const;

 private:
  std::optional<std::size_t> RescanStart(unsigned pattern, std::string_view text,
                                         std::size_t end) const;

  ScannerOptions options_;
  std::vector<internal::PatternSpec> patterns_;
  std::unique_ptr<internal::PatternDatabase> database_;
  // For StartBy::kRescan patterns, by pattern index: that pattern alone, with SOM.
  std::vector<std::unique_ptr<internal::PatternDatabase>> rescan_;
};

}  // namespace strata::guardrails

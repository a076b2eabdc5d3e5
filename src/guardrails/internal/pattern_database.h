#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "guardrails/internal/pattern.h"

struct hs_database;

namespace strata::guardrails::internal {

// One raw Hyperscan match: which pattern, and where.
struct RawMatch {
  unsigned pattern = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The compiled pattern set. Compiled once, immutable afterwards, so one
// instance serves every thread. Each thread scans with its own scratch space,
// allocated (or grown to fit this database) the first time that thread scans
// with it and freed when the thread exits.
//
// Patterns are compiled with HS_FLAG_SOM_LEFTMOST where their StartBy says so: the detectors need
// where a match starts, not only where it ends. Hyperscan then reports, for
// each end offset, the leftmost start; it reports every end offset, not one
// match per pattern (no HS_FLAG_SINGLEMATCH), and the validators choose.
class PatternDatabase {
 public:
  enum class Mode {
    kLeftmostStart,  // SOM_LEFTMOST for StartBy::kHyperscan patterns
    kEndsOnly,       // no SOM at all: only so bench/ can show what SOM costs
  };

  // Throws std::runtime_error naming the pattern when Hyperscan rejects one:
  // the table is fixed at build time, so that is a bug caught by any test.
  explicit PatternDatabase(const std::vector<PatternSpec>& patterns,
                           Mode mode = Mode::kLeftmostStart);
  ~PatternDatabase();
  PatternDatabase(const PatternDatabase&) = delete;
  PatternDatabase& operator=(const PatternDatabase&) = delete;

  // Appends every match in `text` to `matches`. Thread-safe.
  void Scan(std::string_view text, std::vector<RawMatch>& matches) const;

  // The size of the compiled database, for the docs and the bench.
  std::size_t size_bytes() const;

 private:
  hs_database* database_ = nullptr;
  std::uint64_t id_ = 0;  // tells a thread's scratch which databases it already fits
};

}  // namespace strata::guardrails::internal

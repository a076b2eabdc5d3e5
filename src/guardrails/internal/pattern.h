#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "guardrails/finding.h"

namespace strata::guardrails::internal {

// A raw pattern match, before validation: [begin, end) of the scanned text.
struct Match {
  std::string_view text;  // the whole scanned text, for context and boundaries
  std::size_t begin = 0;
  std::size_t end = 0;
  double base_score = 0.0;

  std::string_view value() const { return text.substr(begin, end - begin); }
};

// What a validator keeps of a match: possibly a narrower span (a person
// pattern matches "my name is Ada Lovelace" and keeps "Ada Lovelace") and the
// score it is worth after checksums and context.
struct Candidate {
  std::size_t begin = 0;
  std::size_t end = 0;
  double score = 0.0;
};

// Decides what a raw match is worth; nullopt drops it (a failed checksum, an
// octet above 255, a date without a "born" nearby that could never pass).
using Validator = std::optional<Candidate> (*)(const Match& match);

// How a match's start is found. Hyperscan reports ends cheaply; asking it for
// starts (HS_FLAG_SOM_LEFTMOST) costs, a lot for patterns with unbounded or
// whitespace-rich prefixes (docs/GUARDRAILS.md, Costs), and makes some too
// large to compile at all.
enum class StartBy {
  kHyperscan,  // SOM_LEFTMOST in the main pass
  // No SOM; Match::begin is 0 and the validator walks back from the end
  // (the pattern's shape makes the walk exact).
  kValidator,
  // No SOM in the main pass; when the pattern matched, the kRescanWindowBytes
  // before its end are rescanned with this pattern alone, with SOM. For
  // patterns that rarely match and are shorter than the window.
  kRescan,
};
inline constexpr std::size_t kRescanWindowBytes = 256;

// One entry of the pattern table that is compiled into the shared database.
// Expressions are Hyperscan syntax (PCRE without lookaround or backreferences).
struct PatternSpec {
  const char* expression;
  unsigned extra_flags;  // HS_FLAG_CASELESS, HS_FLAG_DOTALL…
  EntityType type;
  double base_score;
  Validator validate;  // null: keep the match as it is, at base_score
  StartBy start_by = StartBy::kHyperscan;
};

// The detector tables, one function per family (pii/, secrets/, injection/).
std::vector<PatternSpec> ContactPatterns();    // EMAIL, PHONE, IP_ADDRESS
std::vector<PatternSpec> FinancialPatterns();  // CREDIT_CARD, IBAN, US_SSN
std::vector<PatternSpec> PersonalPatterns();   // DATE_OF_BIRTH, PERSON
std::vector<PatternSpec> AddressPatterns();    // POSTAL_ADDRESS
std::vector<PatternSpec> SecretPatterns();     // SECRET
std::vector<PatternSpec> InjectionPatterns();  // PROMPT_INJECTION

// All of the above, in a stable order (a pattern's index is its Hyperscan id).
std::vector<PatternSpec> AllPatterns();

}  // namespace strata::guardrails::internal

#pragma once

// What the scanner tests share: one scanner (compiling its databases is the
// slow part) and findings as (type, matched text) pairs, printed readably.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "guardrails/scanner.h"

namespace strata::guardrails {

inline const Scanner& SharedScanner() {
  static const Scanner scanner;
  return scanner;
}

struct Found {
  EntityType type;
  std::string value;
  bool operator==(const Found&) const = default;
};

inline void PrintTo(const Found& found, std::ostream* os) {
  *os << EntityName(found.type) << "{" << found.value << "}";
}

inline std::vector<Found> FindingsIn(std::string_view text, const Scanner& scanner = SharedScanner()) {
  std::vector<Found> found;
  for (const Finding& finding : scanner.Scan(text)) {
    found.push_back({finding.type, std::string(text.substr(finding.begin, finding.size()))});
  }
  return found;
}

}  // namespace strata::guardrails

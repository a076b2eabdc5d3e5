#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::policy {

// A name pattern where '*' matches any run of characters (none included) and
// every other character only itself: "gpt-4o*", "*-mini", "claude-*-sonnet".
// Case-sensitive. Compiled once when a document is parsed, so that Matches()
// neither allocates nor backtracks more than one scan per '*'.
class Glob {
 public:
  explicit Glob(std::string_view pattern);

  bool Matches(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  // The literal runs between the stars; empty when the pattern has no star
  // (then it must equal the text).
  std::vector<std::string> pieces_;
};

}  // namespace strata::policy

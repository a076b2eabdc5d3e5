#include "policy/glob.h"

namespace strata::policy {

Glob::Glob(std::string_view pattern) : pattern_(pattern) {
  if (pattern.find('*') == std::string_view::npos) {
    return;
  }
  std::size_t start = 0;
  for (std::size_t star = pattern.find('*'); star != std::string_view::npos; star = pattern.find('*', start)) {
    pieces_.emplace_back(pattern.substr(start, star - start));
    start = star + 1;
  }
  pieces_.emplace_back(pattern.substr(start));
}

bool Glob::Matches(std::string_view text) const {
  if (pieces_.empty()) {
    return text == pattern_;
  }
  // The first piece is anchored at the start and the last at the end; the
  // ones between may sit anywhere in what is left, and taking the leftmost
  // place for each never loses a match.
  const std::string& head = pieces_.front();
  const std::string& tail = pieces_.back();
  if (text.size() < head.size() + tail.size() || !text.starts_with(head) || !text.ends_with(tail)) {
    return false;
  }
  text.remove_prefix(head.size());
  text.remove_suffix(tail.size());
  for (std::size_t i = 1; i + 1 < pieces_.size(); ++i) {
    const std::size_t at = text.find(pieces_[i]);
    if (at == std::string_view::npos) {
      return false;
    }
    text.remove_prefix(at + pieces_[i].size());
  }
  return true;
}

}  // namespace strata::policy

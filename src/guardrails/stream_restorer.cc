#include "guardrails/stream_restorer.h"

#include "guardrails/redactor.h"

namespace strata::guardrails {

std::string StreamRestorer::Push(std::string_view chunk) {
  held_.append(chunk);
  // Text before an unclosed '<' is final: a placeholder holds no '<' or '>',
  // so nothing that arrives later can change how it restores.
  std::size_t keep_from = held_.size();
  const std::size_t open = held_.rfind('<');
  if (open != std::string::npos && held_.find('>', open) == std::string::npos &&
      held_.size() - open < Redactor::kMaxPlaceholderBytes) {
    keep_from = open;
  }
  std::string out = redactor_.Restore(std::string_view(held_).substr(0, keep_from));
  held_.erase(0, keep_from);
  return out;
}

std::string StreamRestorer::Finish() {
  std::string out = redactor_.Restore(held_);
  held_.clear();
  return out;
}

}  // namespace strata::guardrails

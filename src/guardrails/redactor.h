#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "guardrails/finding.h"

namespace strata::guardrails {

enum class RedactionStyle {
  // `<EMAIL_1>`: typed, numbered per request, and reversible by Restore().
  kPlaceholder,
  // `************1234`: every letter and digit but the last `mask_keep_last`
  // becomes '*', separators are dropped. Lossy on purpose: never restored.
  kMask,
  // Left as it is: the finding is only reported (a policy's "flag" or "allow").
  kKeep,
};

struct RedactorOptions {
  // Style per entity type, indexed by EntityType; placeholders by default.
  std::array<RedactionStyle, kEntityTypeCount> styles = [] {
    std::array<RedactionStyle, kEntityTypeCount> all;
    all.fill(RedactionStyle::kPlaceholder);
    return all;
  }();
  // How many trailing letters/digits a mask keeps (4: the last four of a card).
  std::size_t mask_keep_last = 4;
};

// Replaces findings with placeholders or masks, and puts placeholders back.
//
// One Redactor per request (or per conversation): within it the same value
// always gets the same placeholder, wherever it appears (prompt, system
// message, streamed answer), so the model can still refer to "<EMAIL_1>"
// consistently. Numbers are given in order of first appearance. Card, IBAN,
// SSN and phone values are compared by their letters and digits only, emails
// ignoring case, so "4111 1111 1111 1111" and "4111111111111111" are one value.
//
// It holds the original values in memory, for Restore(), for as long as it
// lives; nothing of them is written anywhere else. Not thread-safe.
class Redactor {
 public:
  explicit Redactor(RedactorOptions options = {});

  // `text` with every finding replaced. `findings` must be sorted by begin
  // and disjoint, as Scanner::Scan returns them, with offsets into `text`.
  std::string Redact(std::string_view text, std::span<const Finding> findings);

  // As Redact(), appending to `out`; findings' offsets are into `text` minus
  // `offset` (the stream scanner redacts a window of a longer text).
  void AppendRedacted(std::string& out, std::string_view text, std::span<const Finding> findings,
                      std::size_t offset = 0);

  // `text` with each placeholder this redactor issued replaced by its original
  // value. Unknown placeholders (another request's, or invented by the model)
  // and masks are left as they are.
  std::string Restore(std::string_view text) const;

  // The longest placeholder Restore() recognises, '<' and '>' included.
  static constexpr std::size_t kMaxPlaceholderBytes = 32;

  // Changes how findings of `type` are replaced from now on (the output may
  // be treated differently from the input, with the same numbering).
  void SetStyle(EntityType type, RedactionStyle style) { options_.styles[static_cast<int>(type)] = style; }

  // From now on, placeholders issued for new values are not put back by
  // Restore(): called once the input is redacted, so that a value the model
  // invents and the output policy redacts stays redacted for the caller,
  // while the caller's own values still come back.
  void StopRestoringNew() { restore_new_ = false; }

  // How many distinct placeholders were issued.
  std::size_t placeholder_count() const { return placeholder_by_key_.size(); }
  // Whether Restore() would put anything back.
  bool restores_any() const { return !value_by_placeholder_.empty(); }

 private:
  std::string Placeholder(EntityType type, std::string_view value);
  std::string Mask(std::string_view value) const;

  RedactorOptions options_;
  std::array<int, kEntityTypeCount> issued_{};  // last number given, per type
  std::unordered_map<std::string, std::string> placeholder_by_key_;
  // Looked up by a view of the answer's text: Restore() runs on every answer
  // and stream chunk, and must not build a string per '<' it meets.
  struct ViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, std::string, ViewHash, std::equal_to<>> value_by_placeholder_;  // the restorable ones
  bool restore_new_ = true;
};

}  // namespace strata::guardrails

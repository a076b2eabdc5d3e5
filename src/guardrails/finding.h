#pragma once

#include <cstddef>
#include <string_view>

namespace strata::guardrails {

// What a detector found. Kept as a closed set so that policies, metrics labels
// and placeholders (`<EMAIL_1>`) all spell the same names (EntityName()).
enum class EntityType {
  kEmail,
  kPhone,
  kCreditCard,
  kIban,
  kUsSsn,
  kIpAddress,
  kDateOfBirth,
  kPerson,
  kSecret,
  kPromptInjection,
  kPostalAddress,
};
inline constexpr int kEntityTypeCount = 11;

// "EMAIL", "PHONE", "CREDIT_CARD", … : the placeholder and label spelling.
std::string_view EntityName(EntityType type);

// One finding: a byte range [begin, end) of the scanned text and a confidence
// in [0, 1]. It never holds the matched bytes themselves, so a Finding can be
// logged, stored in a decision record or counted without leaking the value.
struct Finding {
  EntityType type = EntityType::kEmail;
  std::size_t begin = 0;
  std::size_t end = 0;
  double score = 0.0;

  std::size_t size() const { return end - begin; }
  bool operator==(const Finding&) const = default;
};

}  // namespace strata::guardrails

// The spellings of the policy enums, both ways. The YAML and the decision
// records use these exact words, so they live in one place.

#include "policy/policy.h"

namespace strata::policy {
namespace {

template <class Enum, std::size_t N>
std::optional<Enum> Lookup(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

// Indexed by enumerator: keep in the enums' order.
constexpr std::array<std::string_view, 5> kActionNames = {"allow", "flag", "redact", "mask", "block"};
constexpr std::array<std::string_view, 3> kLoggingNames = {"full", "redacted", "none"};
constexpr std::array<std::string_view, 3> kReviewNames = {"none", "queued", "blocking"};

}  // namespace

std::string_view ActionName(Action action) { return kActionNames.at(static_cast<std::size_t>(action)); }

std::string_view ContentLoggingName(ContentLogging logging) {
  return kLoggingNames.at(static_cast<std::size_t>(logging));
}

std::string_view ReviewModeName(ReviewMode mode) { return kReviewNames.at(static_cast<std::size_t>(mode)); }

std::optional<Action> ParseAction(std::string_view name) { return Lookup<Action>(name, kActionNames); }

std::optional<ContentLogging> ParseContentLogging(std::string_view name) {
  return Lookup<ContentLogging>(name, kLoggingNames);
}

std::optional<ReviewMode> ParseReviewMode(std::string_view name) { return Lookup<ReviewMode>(name, kReviewNames); }

std::optional<guardrails::EntityType> ParseEntityType(std::string_view name) {
  for (int i = 0; i < guardrails::kEntityTypeCount; ++i) {
    const auto type = static_cast<guardrails::EntityType>(i);
    if (guardrails::EntityName(type) == name) {
      return type;
    }
  }
  return std::nullopt;
}

}  // namespace strata::policy

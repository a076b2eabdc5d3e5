#include "routing/retry.h"

#include <algorithm>
#include <cmath>

namespace strata::routing {

FailureKind Classify(const core::Error& error) {
  using core::ErrorCode;
  switch (error.code()) {
    case ErrorCode::kRateLimited:
    case ErrorCode::kUpstreamUnavailable:
    case ErrorCode::kUpstreamTimeout:
    case ErrorCode::kUnavailable:
      return FailureKind::kTransient;
    case ErrorCode::kUpstreamRejected:
    case ErrorCode::kBudgetExceeded:  // a vendor account out of quota: another deployment may have some
      return FailureKind::kDeployment;
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kNotFound:
    case ErrorCode::kMethodNotAllowed:
    case ErrorCode::kRequestTimeout:
    case ErrorCode::kPayloadTooLarge:
    case ErrorCode::kHeadersTooLarge:
    case ErrorCode::kPolicyBlocked:
    case ErrorCode::kConflict:
    case ErrorCode::kPendingReview:
    case ErrorCode::kReviewRejected:
    case ErrorCode::kInternal:
      return FailureKind::kFinal;
  }
  return error.Retryable() ? FailureKind::kTransient : FailureKind::kFinal;
}

RetryPolicy::RetryPolicy(RetryOptions options) : options_(options) {}

RetryDecision RetryPolicy::Decide(const core::Error& error, bool response_started, int attempts_on_deployment,
                                  Random& random) const {
  constexpr RetryDecision kStop{RetryAction::kStop};
  constexpr RetryDecision kNext{RetryAction::kNextDeployment};
  if (response_started) return kStop;
  switch (Classify(error)) {
    case FailureKind::kFinal: return kStop;
    case FailureKind::kDeployment: return kNext;
    case FailureKind::kTransient: break;
  }
  if (error.code() == core::ErrorCode::kUpstreamTimeout) return kNext;
  if (attempts_on_deployment >= options_.max_attempts_per_deployment) return kNext;
  if (const auto& retry_after = error.retry_after()) {
    const milliseconds wait = std::max(milliseconds(*retry_after), milliseconds(0));
    if (wait > options_.max_retry_after) return kNext;
    return {RetryAction::kRetrySame, wait};
  }
  return {RetryAction::kRetrySame, Backoff(attempts_on_deployment, random)};
}

milliseconds RetryPolicy::Backoff(int retry, Random& random) const {
  const double base = static_cast<double>(std::max<milliseconds::rep>(options_.base_delay.count(), 0));
  const double max = static_cast<double>(std::max<milliseconds::rep>(options_.max_delay.count(), 0));
  // pow() of a large retry number is inf, which min() turns into max: no overflow.
  const double ceiling =
      std::min(max, base * std::pow(std::max(options_.multiplier, 1.0), std::max(retry, 1) - 1));
  // Full jitter (a uniform wait below the ceiling, not ceiling ± a bit) spreads
  // the retries of many clients that failed together, so they do not return together.
  return milliseconds(static_cast<milliseconds::rep>(UniformUnit(random) * ceiling));
}

}  // namespace strata::routing

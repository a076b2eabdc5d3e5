#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "routing/random.h"

namespace strata::routing {

using std::chrono::milliseconds;

// How hard one request tries. Defaults are what a production gateway should
// run with; docs/ROUTING.md has the YAML keys.
struct RetryOptions {
  // Attempts per request, the first included, across all deployments and
  // fallback aliases. 1: no retry and no fallback.
  int max_attempts = 3;
  // Attempts on any one deployment before moving on. 1: never the same one twice.
  int max_attempts_per_deployment = 2;
  // Backoff before retrying the same deployment, with full jitter: retry n
  // waits a uniform random time in [0, min(max_delay, base_delay * multiplier^(n-1))).
  milliseconds base_delay{250};
  double multiplier = 2.0;
  milliseconds max_delay{5'000};
  // A Retry-After from the deployment replaces the backoff when it is at most
  // this long. A longer one means "not here, not soon": the plan moves on to the
  // next deployment at once instead of holding the request.
  milliseconds max_retry_after{10'000};
};

// What a failed attempt says about where to go next, from its error code alone
// (providers map vendor statuses onto codes; see providers/upstream_error.h).
enum class FailureKind {
  // Might pass on the same deployment later, or on another now: 429
  // (kRateLimited), 5xx (kUpstreamUnavailable), timeouts (kUpstreamTimeout),
  // connection errors (kUpstreamUnavailable), kUnavailable.
  kTransient,
  // This deployment refuses us and will go on refusing: kUpstreamRejected, e.g.
  // a vendor 401/403 for our own vendor key. Another deployment may serve.
  kDeployment,
  // No deployment would answer differently: the request is at fault
  // (kInvalidRequest, including vendor 400/404/413/422, kUnauthenticated,
  // kPermissionDenied, kNotFound, kPayloadTooLarge, kPolicyBlocked, ...), or
  // Strata is (kInternal).
  kFinal,
};

// Codes added to core later are classified by Error::Retryable().
FailureKind Classify(const core::Error& error);

// Whether the failure should count against the deployment's circuit breaker:
// transient and deployment failures do, kFinal ones never do.
inline bool CountsAgainstDeployment(FailureKind kind) { return kind != FailureKind::kFinal; }

enum class RetryAction {
  kRetrySame,       // the same deployment again, after `delay`
  kNextDeployment,  // the next candidate, at once
  kStop,            // answer the client with this error
};

struct RetryDecision {
  RetryAction action = RetryAction::kStop;
  milliseconds delay{0};  // only for kRetrySame
};

// Decides what follows a failed attempt. Stateless apart from its options; the
// caller passes the random source for jitter. Safe to share read-only.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options = {});

  // After an attempt failed with `error`, the `attempts_on_deployment`-th
  // (1-based) on its deployment:
  //  - `response_started` (a byte of the answer reached the client): kStop,
  //    whatever the error. A retry would send the client a second answer.
  //  - kFinal failures: kStop.
  //  - kDeployment failures: kNextDeployment, never the same one.
  //  - kUpstreamTimeout: kNextDeployment. A deployment that just used up a whole
  //    timeout is likely to be slow again; another one is the better bet.
  //  - other transient failures: kRetrySame while the deployment has attempts
  //    left, after the error's Retry-After (if at most max_retry_after; if longer,
  //    kNextDeployment at once) or else the jittered backoff; then kNextDeployment.
  // The plan turns kNextDeployment into kStop when no candidate is left, and
  // applies the attempt budget and deadline; this call knows neither.
  RetryDecision Decide(const core::Error& error, bool response_started, int attempts_on_deployment,
                       Random& random) const;

  // The jittered wait before retry number `retry` (1-based) of one deployment.
  milliseconds Backoff(int retry, Random& random) const;

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
};

// Parses an HTTP Retry-After value: delay-seconds ("120"; a fraction such as
// "1.5" is accepted too, as some vendors send one) or an HTTP-date in any of the
// three forms RFC 9110 requires a recipient to accept ("Sun, 06 Nov 1994
// 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994").
// A date is turned into a delay from `now` (wall clock: dates are absolute); one
// in the past gives 0. Returns nullopt for anything else. Huge values saturate
// at about 100 years rather than overflow.
std::optional<milliseconds> ParseRetryAfter(std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace strata::routing

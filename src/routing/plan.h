#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "routing/retry.h"
#include "routing/strategies.h"

namespace strata::routing {

// An alias as configured: the name clients send as `model`, where it is served
// from, and what to do when that fails. The gateway resolves the names.
struct AliasOptions {
  std::string name;
  std::vector<std::string> deployments;  // names of deployments serving the alias
  Strategy strategy = Strategy::kWeightedRandom;
  // Aliases tried, in order, once every deployment of this one has failed. Only
  // their deployments and strategies are used, not their own fallbacks or retries.
  std::vector<std::string> fallbacks;
  RetryOptions retry;
  // The request's deadline, from its arrival: no attempt starts after it.
  milliseconds timeout{120'000};
};

// One alias's share of a plan: its deployments, ordered by its strategy.
struct CandidateGroup {
  std::string alias;
  Strategy strategy = Strategy::kWeightedRandom;
  std::vector<DeploymentStats*> deployments;
};

// What to send next.
struct Attempt {
  DeploymentStats* deployment = nullptr;
  std::string_view alias;  // the group it came from; valid while the plan lives
  milliseconds delay{0};   // wait this long before sending
  int number = 1;          // 1-based, over the whole request
};

// One line of the request's history, for the x-strata-attempts header and logs.
struct AttemptRecord {
  std::string deployment;
  std::string alias;
  std::string outcome;  // "ok", the error's code name ("rate_limit_exceeded", ...),
                        // "cancelled", or "" while in flight
  milliseconds delay{0};
};

// The attempts of one request: which deployment to try next, and when, given
// how the previous attempt ended. Built per request from the alias's
// deployments, then each fallback alias's, under one RetryOptions (the
// requested alias's), one attempt budget and one deadline:
//
//   AttemptPlan plan(groups, alias.retry, selector, arrival + alias.timeout);
//   for (auto next = plan.Next(now); next; next = plan.Next(now)) {
//     wait next->delay; call next->deployment;
//     success → plan.RecordSuccess(time to first byte, now) at the end; done
//     failure → plan.RecordFailure(error, response_started, now)
//   }
//   // !next: answer the client with next.error()
//
// Order: each group in turn, its untried deployments ordered by its strategy
// at the moment of choosing (live stats), skipping those that cannot take a
// request. A transient failure retries the same deployment after backoff while
// RetryPolicy says so, then moves on with no delay; a deployment that was
// tried is never picked again by moving on. The plan stops at the first of:
// a success, a kStop decision, max_attempts, the deadline, no candidate left.
//
// The plan keeps each attempt's deployment bookkeeping exact: Next() takes the
// breaker's permission and counts the request as outstanding; RecordSuccess and
// RecordFailure report to the breaker (kFinal failures as neutral) and update
// outstanding and latency; a plan destroyed with an attempt in flight (client
// gone) reports it as neutral. So the DeploymentStats must outlive the plan.
//
// Not thread-safe: lives in one request's coroutine, on its worker.
class AttemptPlan {
 public:
  AttemptPlan(std::vector<CandidateGroup> groups, RetryOptions retry, DeploymentSelector& selector,
              Clock::time_point deadline);
  ~AttemptPlan();
  AttemptPlan(const AttemptPlan&) = delete;
  AttemptPlan& operator=(const AttemptPlan&) = delete;

  // The next attempt, or the error to answer the client with: the last
  // attempt's error, or, when no attempt could be made at all, kUpstreamUnavailable
  // with a Retry-After of when the first open breaker lets a probe through (at
  // least 1 s). Call once at the start, then after each RecordFailure. Calling
  // it with an attempt still in flight abandons that attempt (neutral).
  core::Result<Attempt> Next(Clock::time_point now);

  // The attempt's whole answer was delivered (for a stream: its end), so the
  // request counted as outstanding until then. `latency` feeds the deployment's
  // EWMA; time to first byte is the recommended measure, as the answer's length
  // does not skew it.
  void RecordSuccess(milliseconds latency, Clock::time_point now);
  // The attempt failed. `response_started`: part of the answer already reached
  // the client, so the plan stops.
  void RecordFailure(const core::Error& error, bool response_started, Clock::time_point now);

  const std::vector<AttemptRecord>& attempts() const { return records_; }
  // "azure-east:rate_limit_exceeded, openai-main:ok", in attempt order. An
  // attempt in flight shows no outcome: written with the response head, the
  // header ends with the answering deployment's bare name.
  std::string AttemptsHeader() const;
  Clock::time_point deadline() const { return deadline_; }
  // Cap each attempt's own timeouts to this, so the last one ends by the deadline.
  milliseconds Remaining(Clock::time_point now) const;

 private:
  // What the next call to Next() does.
  enum class Step { kMoveOn, kRetrySame, kStop, kSucceeded };

  bool Claim(DeploymentStats* deployment, std::size_t group, milliseconds delay, Clock::time_point now);
  void Abandon();
  bool Tried(const DeploymentStats* deployment) const;
  int AttemptsOn(const DeploymentStats* deployment) const;
  core::Error StopError(Clock::time_point now) const;

  std::vector<CandidateGroup> groups_;
  RetryPolicy policy_;
  DeploymentSelector& selector_;
  Clock::time_point deadline_;

  Step step_ = Step::kMoveOn;
  milliseconds retry_delay_{0};  // for kRetrySame
  std::size_t group_ = 0;        // the group being walked
  // The last attempt, and whether it is still in flight.
  DeploymentStats* current_ = nullptr;
  std::size_t current_group_ = 0;
  Clock::time_point claimed_at_{};  // the `started` its breaker outcome is reported with
  bool in_flight_ = false;

  std::vector<DeploymentStats*> tried_;  // one entry per attempt
  std::vector<AttemptRecord> records_;   // one entry per attempt
  std::optional<core::Error> last_error_;
};

}  // namespace strata::routing

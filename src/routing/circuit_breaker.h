#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>

#include "routing/random.h"

namespace strata::routing {

using std::chrono::milliseconds;

inline constexpr int kDefaultFailureThreshold = 5;

// When a deployment's breaker opens and how it recovers. Defaults are what a
// production gateway should run with; docs/ROUTING.md has the YAML keys.
struct BreakerOptions {
  // Opens after this many failures in a row. 0 disables this trigger.
  int failure_threshold = kDefaultFailureThreshold;
  // Opens when at least this share of the recent outcomes failed (0.5: half).
  // 0 disables this trigger. "Recent" is the last `window_size` outcomes that
  // are younger than `window`, and the trigger needs `min_requests` of them, so
  // that a quiet deployment is not judged on two requests.
  double failure_ratio = 0.5;
  int window_size = 20;
  milliseconds window{30'000};
  int min_requests = 10;  // more than window_size: the ratio never triggers
  // How long an open breaker refuses before letting one probe through. Each
  // failed probe multiplies it by `cool_down_multiplier` (1: fixed), up to
  // `max_cool_down`; a successful probe resets it.
  milliseconds cool_down{30'000};
  double cool_down_multiplier = 2.0;
  milliseconds max_cool_down{300'000};
  // A probe whose outcome has not been recorded after this long is presumed
  // lost (a caller bug, or a very long stream) and another probe is let through,
  // so that one forgotten outcome cannot shut a deployment off for good.
  milliseconds probe_timeout{120'000};
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };

// How often the breaker entered each state, for metrics.
struct BreakerTransitions {
  std::uint64_t opened = 0;       // closed → open, and half-open → open (failed probe)
  std::uint64_t half_opened = 0;  // open → half-open (a probe let through)
  std::uint64_t closed = 0;       // half-open → closed (successful probe)
};

// A breaker's state where other threads may read it (metrics), since the
// breaker itself is confined to its worker. The breaker stores into it on
// every change (relaxed); readers load it whenever they like.
struct BreakerCell {
  // 0 closed, 1 half-open, 2 open: ordered by how much traffic is refused,
  // so the worst of several workers' breakers is their maximum.
  std::atomic<int> state{0};
  std::atomic<std::uint64_t> opened{0};  // closed → open and half-open → open transitions
};

// The cell encoding of a state: 0 closed, 1 half-open, 2 open.
int StateLevel(BreakerState state);

// Stops sending traffic to a deployment after repeated failures, then lets one
// real request through as a probe after the cool-down: its success closes the
// breaker, its failure opens it again. Fed by live traffic only; there are no
// synthetic health checks.
//
//   closed    → open       failure_threshold failures in a row, or failure_ratio of the window
//   open      → half-open  the first AllowRequest after the cool-down: that request is the probe
//   half-open → closed     the probe succeeded
//   half-open → open       the probe failed; the cool-down grows
//
// What counts as a failure is the caller's decision. Count deployment trouble
// (5xx, 429, timeouts, connection errors, a vendor refusing our credentials);
// never count a 4xx caused by the request itself (bad input, the caller's own
// auth, a policy block): the deployment did its job, and a client sending bad
// requests must not be able to switch a deployment off for everyone. Report
// those, and requests the client abandoned, with RecordNeutral.
//
// Every outcome names the `started` time the request was let through at (the
// `now` given to AllowRequest), so that a request admitted before the breaker
// opened, and finishing after, is not taken for the probe's answer: outcomes of
// requests started before the current state was entered are ignored.
//
// Not thread-safe: one per deployment per gateway worker (shared-nothing).
class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerOptions options = {});

  // Whether a request may go to the deployment now. Closed: always. Open: no,
  // until the cool-down has passed; then the breaker turns half-open and this
  // returns true once, for the probe. Half-open: false while the probe is out.
  // A true answer is a commitment: the caller must report the request's end
  // with RecordOutcome or RecordNeutral.
  bool AllowRequest(Clock::time_point now);

  // What AllowRequest(now) would answer, without taking the probe slot or
  // changing state. For ordering candidates before committing to one.
  bool IsAvailable(Clock::time_point now) const;

  // The end of a request let through at `started`.
  void RecordOutcome(bool succeeded, Clock::time_point started, Clock::time_point now);
  // The end of a request that says nothing about the deployment's health (the
  // client went away, or the request was at fault). Counts nothing; frees the
  // probe slot when it was the probe.
  void RecordNeutral(Clock::time_point started);

  // The state as of the last call. An open breaker whose cool-down has passed
  // stays kOpen here until the next AllowRequest lets the probe through.
  BreakerState state() const { return state_; }
  // When the breaker last opened (the epoch if it never has).
  Clock::time_point opened_at() const { return opened_at_; }
  // When the current open period ends: the earliest a probe can go through.
  Clock::time_point open_until() const { return opened_at_ + current_cool_down_; }
  // The cool-down in force now (grows with failed probes).
  milliseconds cool_down() const { return current_cool_down_; }
  const BreakerTransitions& transitions() const { return transitions_; }
  const BreakerOptions& options() const { return options_; }

  // From now on, mirror the state into `cell` (null: stop), starting with the
  // current one. The cell must outlive the breaker and every copy of it.
  void PublishTo(BreakerCell* cell);

 private:
  struct Sample {
    Clock::time_point at;
    bool failed;
  };

  void CountInWindow(bool failed, Clock::time_point now);
  bool ShouldOpen() const;
  void Open(Clock::time_point now);
  void Close(Clock::time_point now);
  void Publish() const;

  BreakerOptions options_;
  BreakerCell* cell_ = nullptr;
  BreakerState state_ = BreakerState::kClosed;
  // When the current state began; outcomes of requests started earlier are stale.
  Clock::time_point state_since_ = Clock::time_point::min();
  Clock::time_point opened_at_{};
  milliseconds current_cool_down_;
  int consecutive_failures_ = 0;
  // The last window_size outcomes younger than `window`, oldest first.
  std::deque<Sample> window_;
  int window_failures_ = 0;
  bool probe_in_flight_ = false;
  Clock::time_point probe_started_{};
  BreakerTransitions transitions_;
};

}  // namespace strata::routing

#include "routing/circuit_breaker.h"

#include <algorithm>

namespace strata::routing {

int StateLevel(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return 0;
    case BreakerState::kHalfOpen: return 1;
    case BreakerState::kOpen: return 2;
  }
  return 0;
}

CircuitBreaker::CircuitBreaker(BreakerOptions options)
    : options_(options), current_cool_down_(options.cool_down) {}

bool CircuitBreaker::AllowRequest(Clock::time_point now) {
  if (!IsAvailable(now)) return false;
  switch (state_) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      state_ = BreakerState::kHalfOpen;
      state_since_ = now;
      ++transitions_.half_opened;
      Publish();
      break;
    case BreakerState::kHalfOpen:
      break;  // the previous probe was lost (probe_timeout); this one replaces it
  }
  probe_in_flight_ = true;
  probe_started_ = now;
  return true;
}

bool CircuitBreaker::IsAvailable(Clock::time_point now) const {
  switch (state_) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      return now >= open_until();
    case BreakerState::kHalfOpen:
      return !probe_in_flight_ || now - probe_started_ >= options_.probe_timeout;
  }
  return false;
}

void CircuitBreaker::RecordOutcome(bool succeeded, Clock::time_point started, Clock::time_point now) {
  // Admitted before the current state began: it says nothing about the
  // deployment as this state judges it (and is certainly not the probe).
  if (started < state_since_) return;
  switch (state_) {
    case BreakerState::kClosed:
      consecutive_failures_ = succeeded ? 0 : consecutive_failures_ + 1;
      CountInWindow(!succeeded, now);
      if (ShouldOpen()) Open(now);
      return;
    case BreakerState::kOpen:
      return;  // nothing admitted since opening; unreachable with honest `started` values
    case BreakerState::kHalfOpen:
      if (succeeded) {
        Close(now);
      } else {
        // Each failed probe waits longer, so a deployment that stays down costs
        // fewer and fewer real requests; the cap keeps recovery noticed in time.
        const double grown = static_cast<double>(current_cool_down_.count()) *
                             std::max(1.0, options_.cool_down_multiplier);
        const milliseconds cap = std::max(options_.max_cool_down, options_.cool_down);
        current_cool_down_ = grown >= static_cast<double>(cap.count())
                                 ? cap
                                 : milliseconds(static_cast<milliseconds::rep>(grown));
        Open(now);
      }
      return;
  }
}

void CircuitBreaker::RecordNeutral(Clock::time_point started) {
  if (state_ == BreakerState::kHalfOpen && started >= state_since_) probe_in_flight_ = false;
}

void CircuitBreaker::CountInWindow(bool failed, Clock::time_point now) {
  window_.push_back({now, failed});
  window_failures_ += failed ? 1 : 0;
  const auto too_old = [&](const Sample& sample) { return now - sample.at > options_.window; };
  while (!window_.empty() &&
         (window_.size() > static_cast<std::size_t>(std::max(options_.window_size, 1)) || too_old(window_.front()))) {
    window_failures_ -= window_.front().failed ? 1 : 0;
    window_.pop_front();
  }
}

bool CircuitBreaker::ShouldOpen() const {
  if (options_.failure_threshold > 0 && consecutive_failures_ >= options_.failure_threshold) return true;
  if (options_.failure_ratio <= 0) return false;
  const auto samples = static_cast<int>(window_.size());
  return samples >= std::max(options_.min_requests, 1) &&
         static_cast<double>(window_failures_) >= options_.failure_ratio * samples;
}

void CircuitBreaker::Open(Clock::time_point now) {
  state_ = BreakerState::kOpen;
  state_since_ = now;
  opened_at_ = now;
  ++transitions_.opened;
  if (cell_ != nullptr) cell_->opened.fetch_add(1, std::memory_order_relaxed);
  Publish();
  probe_in_flight_ = false;
  // A reopened breaker judges the deployment afresh once it closes.
  consecutive_failures_ = 0;
  window_.clear();
  window_failures_ = 0;
}

void CircuitBreaker::Close(Clock::time_point now) {
  state_ = BreakerState::kClosed;
  state_since_ = now;
  ++transitions_.closed;
  Publish();
  probe_in_flight_ = false;
  current_cool_down_ = options_.cool_down;
}

void CircuitBreaker::PublishTo(BreakerCell* cell) {
  cell_ = cell;
  Publish();
}

void CircuitBreaker::Publish() const {
  if (cell_ != nullptr) cell_->state.store(StateLevel(state_), std::memory_order_relaxed);
}

}  // namespace strata::routing

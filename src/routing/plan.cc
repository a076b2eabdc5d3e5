#include "routing/plan.h"

#include <algorithm>

namespace strata::routing {

AttemptPlan::AttemptPlan(std::vector<CandidateGroup> groups, RetryOptions retry, DeploymentSelector& selector,
                         Clock::time_point deadline)
    : groups_(std::move(groups)), policy_(retry), selector_(selector), deadline_(deadline) {}

AttemptPlan::~AttemptPlan() {
  if (in_flight_) Abandon();
}

core::Result<Attempt> AttemptPlan::Next(Clock::time_point now) {
  if (in_flight_) Abandon();
  if (step_ == Step::kSucceeded) return core::Error::Internal("routing: Next() called after a success");
  const auto max_attempts = static_cast<std::size_t>(std::max(policy_.options().max_attempts, 1));
  if (step_ == Step::kStop || records_.size() >= max_attempts || now >= deadline_) {
    step_ = Step::kStop;
    return StopError(now);
  }

  const auto attempt = [&](milliseconds delay) {
    return Attempt{current_, groups_[current_group_].alias, delay, static_cast<int>(records_.size())};
  };
  if (step_ == Step::kRetrySame) {
    // A retry that cannot start before the deadline, or whose deployment has
    // since reached its cap or opened its breaker, gives way to the next one.
    if (now + retry_delay_ < deadline_ && Claim(current_, current_group_, retry_delay_, now)) {
      return attempt(retry_delay_);
    }
    step_ = Step::kMoveOn;
  }

  for (; group_ < groups_.size(); ++group_) {
    const CandidateGroup& group = groups_[group_];
    std::vector<DeploymentStats*> untried;
    for (DeploymentStats* deployment : group.deployments) {
      if (deployment != nullptr && !Tried(deployment)) untried.push_back(deployment);
    }
    for (DeploymentStats* deployment : selector_.Order(group.strategy, untried, now)) {
      if (Claim(deployment, group_, milliseconds(0), now)) return attempt(milliseconds(0));
    }
  }
  step_ = Step::kStop;
  return StopError(now);
}

void AttemptPlan::RecordSuccess(milliseconds latency, Clock::time_point now) {
  if (!in_flight_) return;
  in_flight_ = false;
  --current_->health->outstanding;
  current_->health->latency_ms.Add(static_cast<double>(latency.count()));
  current_->health->breaker.RecordOutcome(true, claimed_at_, now);
  records_.back().outcome = "ok";
  step_ = Step::kSucceeded;
}

void AttemptPlan::RecordFailure(const core::Error& error, bool response_started, Clock::time_point now) {
  if (!in_flight_) return;
  in_flight_ = false;
  --current_->health->outstanding;
  // Latency is not sampled on failure: a refused connection is fast and would
  // make a broken deployment look like the quickest one.
  if (CountsAgainstDeployment(Classify(error))) {
    current_->health->breaker.RecordOutcome(false, claimed_at_, now);
  } else {
    current_->health->breaker.RecordNeutral(claimed_at_);
  }
  records_.back().outcome = std::string(error.CodeName());
  last_error_ = error;

  const RetryDecision decision =
      policy_.Decide(error, response_started, AttemptsOn(current_), selector_.random());
  switch (decision.action) {
    case RetryAction::kRetrySame:
      step_ = Step::kRetrySame;
      retry_delay_ = decision.delay;
      break;
    case RetryAction::kNextDeployment:
      step_ = Step::kMoveOn;
      break;
    case RetryAction::kStop:
      step_ = Step::kStop;
      break;
  }
}

std::string AttemptPlan::AttemptsHeader() const {
  std::string header;
  for (const AttemptRecord& record : records_) {
    if (!header.empty()) header += ", ";
    header += record.deployment;
    if (!record.outcome.empty()) {
      header += ':';
      header += record.outcome;
    }
  }
  return header;
}

milliseconds AttemptPlan::Remaining(Clock::time_point now) const {
  if (now >= deadline_) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(deadline_ - now);
}

bool AttemptPlan::Claim(DeploymentStats* deployment, std::size_t group, milliseconds delay,
                        Clock::time_point now) {
  // The cap is checked first: AllowRequest may hand out the half-open probe,
  // which must then be used.
  if (deployment->health->AtCapacity() || !deployment->health->breaker.AllowRequest(now)) return false;
  ++deployment->health->outstanding;
  current_ = deployment;
  current_group_ = group;
  claimed_at_ = now;
  in_flight_ = true;
  tried_.push_back(deployment);
  records_.push_back({deployment->name, groups_[group].alias, "", delay});
  return true;
}

void AttemptPlan::Abandon() {
  in_flight_ = false;
  --current_->health->outstanding;
  current_->health->breaker.RecordNeutral(claimed_at_);
  records_.back().outcome = "cancelled";
}

// By name, not by stats object: the same deployment listed under an alias
// and under its fallback is one upstream, and is not tried twice for it.
bool AttemptPlan::Tried(const DeploymentStats* deployment) const {
  return AttemptsOn(deployment) > 0;
}

int AttemptPlan::AttemptsOn(const DeploymentStats* deployment) const {
  return static_cast<int>(std::count_if(tried_.begin(), tried_.end(), [deployment](const DeploymentStats* tried) {
    return tried == deployment || tried->name == deployment->name;
  }));
}

core::Error AttemptPlan::StopError(Clock::time_point now) const {
  if (last_error_) return *last_error_;
  const std::string alias = groups_.empty() ? std::string() : groups_.front().alias;
  if (now >= deadline_) {
    return core::Error::UpstreamTimeout("routing: the deadline for '" + alias + "' passed before an answer");
  }
  // Nothing could be tried: tell the client when a breaker will let a probe through.
  int open = 0;
  int capped = 0;
  std::optional<Clock::duration> soonest;
  for (const CandidateGroup& group : groups_) {
    for (const DeploymentStats* deployment : group.deployments) {
      if (deployment == nullptr) continue;
      if (deployment->health->AtCapacity()) {
        ++capped;
      } else if (!deployment->health->breaker.IsAvailable(now)) {
        ++open;
        if (deployment->health->breaker.state() == BreakerState::kOpen) {
          const Clock::duration wait = deployment->health->breaker.open_until() - now;
          soonest = soonest ? std::min(*soonest, wait) : wait;
        }
      }
    }
  }
  const std::chrono::seconds retry_after =
      std::max(std::chrono::seconds(1), soonest ? std::chrono::ceil<std::chrono::seconds>(*soonest)
                                                : std::chrono::seconds(1));
  std::string message = "no deployment of '" + alias + "' can take a request now";
  if (open + capped == 0) {
    message += ": it has none";
  } else {
    message += " (" + std::to_string(open) + " with an open circuit breaker, " + std::to_string(capped) +
               " at max_concurrency)";
  }
  return core::Error::UpstreamUnavailable(std::move(message)).WithRetryAfter(retry_after);
}

}  // namespace strata::routing

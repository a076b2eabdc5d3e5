#include "loadgen/schedule.h"

#include <algorithm>
#include <cmath>

namespace strata::loadgen {

std::uint64_t OpenLoopSchedule::CountBefore(Nanos end) const {
  if (end <= 0) {
    return 0;
  }
  // A first guess from the division, then exact against Due() itself so that
  // the rounding in Due() and here can never disagree.
  auto n = static_cast<std::uint64_t>(std::ceil(static_cast<double>(end) / interval_ns_));
  while (n > 0 && Due(n - 1) >= end) {
    --n;
  }
  while (Due(n) < end) {
    ++n;
  }
  return n;
}

RequestStats::RequestStats(Nanos record_from, Nanos late_threshold)
    : record_from_(record_from), late_threshold_(late_threshold), last_done_(record_from) {}

void RequestStats::Record(const RequestTiming& timing, RequestOutcome outcome, int status) {
  if (timing.scheduled < record_from_) {
    return;  // warm-up
  }
  if (timing.sent - timing.scheduled > late_threshold_) {
    ++late_;
  }
  last_done_ = std::max(last_done_, timing.done);
  send_delay_.Record(timing.sent - timing.scheduled);
  switch (outcome) {
    case RequestOutcome::kTimeout:
      ++timeouts_;
      ++transport_errors_;
      return;
    case RequestOutcome::kTransportError:
      ++transport_errors_;
      return;
    case RequestOutcome::kResponse:
      break;
  }
  if (status < 200 || status > 299) {
    ++non_2xx_;
    ++statuses_[status];
    return;
  }
  latency_.Record(LatencyFromSchedule(timing.scheduled, timing.done));
  service_.Record(timing.done - timing.sent);
}

void RequestStats::RecordUnfinished(Nanos scheduled) {
  if (scheduled >= record_from_) {
    ++unfinished_;
  }
}

}  // namespace strata::loadgen

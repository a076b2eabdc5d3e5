#pragma once

#include <cstdint>
#include <map>

#include "loadgen/histogram.h"

namespace strata::loadgen {

// Times are nanoseconds since the run's start (t0), on a steady clock.
using Nanos = std::int64_t;
inline constexpr Nanos kNanosPerSecond = 1'000'000'000;
inline constexpr Nanos kNanosPerMilli = 1'000'000;

// The open-loop plan: request i is due at t0 + i / rate, whatever happened to
// the requests before it.
class OpenLoopSchedule {
 public:
  // `rate` in requests per second, > 0.
  explicit OpenLoopSchedule(double rate) : interval_ns_(static_cast<double>(kNanosPerSecond) / rate) {}

  Nanos Due(std::uint64_t i) const { return static_cast<Nanos>(static_cast<double>(i) * interval_ns_); }
  // How many requests are due in [0, end): the first index due at or after `end`.
  std::uint64_t CountBefore(Nanos end) const;

 private:
  double interval_ns_;
};

// The latency a caller that meant to send at `scheduled` saw, if its answer
// came at `completed`. Measured from the plan, not from the actual send, so
// that time spent waiting for a free connection (because the target, or the
// generator, stalled) counts: the coordinated-omission correction of wrk2.
constexpr Nanos LatencyFromSchedule(Nanos scheduled, Nanos completed) {
  return completed > scheduled ? completed - scheduled : 0;
}

// When one request was meant to go, went, and finished.
struct RequestTiming {
  Nanos scheduled = 0;  // closed loop: the same as sent
  Nanos sent = 0;       // just before the first byte of the request was written
  Nanos done = 0;       // when the whole answer (or the error) was in
};

// How one request ended.
enum class RequestOutcome { kResponse, kTransportError, kTimeout };

// The counters and histograms of a request run. Requests scheduled before
// `record_from` (the warm-up) are ignored entirely. Only 2xx answers become
// latency samples; other statuses and errors are counted, never silently
// timed. Not thread-safe.
class RequestStats {
 public:
  RequestStats(Nanos record_from, Nanos late_threshold);

  // `status` is the HTTP status for kResponse, ignored otherwise.
  void Record(const RequestTiming& timing, RequestOutcome outcome, int status);
  // A request of the measured window that was scheduled but never finished
  // (the run ended first).
  void RecordUnfinished(Nanos scheduled);

  // For 2xx answers: from the schedule (corrected) and from the actual send
  // (what a tool that ignores coordinated omission would report). For every
  // recorded request: the send delay itself (the wait for a connection plus
  // the generator's own lag).
  const Histogram& latency() const { return latency_; }
  const Histogram& service() const { return service_; }
  const Histogram& send_delay() const { return send_delay_; }

  std::uint64_t ok() const { return latency_.count(); }
  std::uint64_t non_2xx() const { return non_2xx_; }
  const std::map<int, std::uint64_t>& statuses() const { return statuses_; }  // non-2xx only
  std::uint64_t transport_errors() const { return transport_errors_; }       // timeouts included
  std::uint64_t timeouts() const { return timeouts_; }
  std::uint64_t unfinished() const { return unfinished_; }
  // Requests (of any outcome) sent more than late_threshold after their time.
  std::uint64_t late() const { return late_; }
  std::uint64_t finished() const { return ok() + non_2xx_ + transport_errors_; }
  Nanos record_from() const { return record_from_; }
  Nanos late_threshold() const { return late_threshold_; }
  // The latest `done` among recorded requests; record_from() if none.
  Nanos last_done() const { return last_done_; }

 private:
  Nanos record_from_;
  Nanos late_threshold_;
  Histogram latency_;
  Histogram service_;
  Histogram send_delay_;
  std::map<int, std::uint64_t> statuses_;
  std::uint64_t non_2xx_ = 0;
  std::uint64_t transport_errors_ = 0;
  std::uint64_t timeouts_ = 0;
  std::uint64_t unfinished_ = 0;
  std::uint64_t late_ = 0;
  Nanos last_done_;
};

}  // namespace strata::loadgen

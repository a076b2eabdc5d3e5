#include "loadgen/schedule.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

namespace strata::loadgen {
namespace {

constexpr Nanos kMs = kNanosPerMilli;
constexpr Nanos kUs = 1'000;

TEST(OpenLoopScheduleTest, SpacesRequestsEvenly) {
  const OpenLoopSchedule schedule(1000);
  EXPECT_EQ(schedule.Due(0), 0);
  EXPECT_EQ(schedule.Due(1), 1 * kMs);
  EXPECT_EQ(schedule.Due(1500), 1500 * kMs);
  const OpenLoopSchedule odd(3);
  EXPECT_EQ(odd.Due(1), 333'333'333);
  EXPECT_EQ(odd.Due(3), kNanosPerSecond);
}

TEST(OpenLoopScheduleTest, CountsRequestsDueBeforeAnInstant) {
  const OpenLoopSchedule schedule(1000);
  EXPECT_EQ(schedule.CountBefore(0), 0u);
  EXPECT_EQ(schedule.CountBefore(1), 1u);                // request 0, due at 0
  EXPECT_EQ(schedule.CountBefore(10 * kNanosPerSecond), 10'000u);
  EXPECT_EQ(schedule.CountBefore(10 * kNanosPerSecond + 1), 10'001u);
  const OpenLoopSchedule odd(7);
  for (Nanos end = 0; end < 3 * kNanosPerSecond; end += 12'345'678) {
    const std::uint64_t n = odd.CountBefore(end);
    EXPECT_TRUE(n == 0 || odd.Due(n - 1) < end) << end;
    EXPECT_GE(odd.Due(n), end) << end;
  }
}

TEST(LatencyFromScheduleTest, CountsFromTheScheduledTimeNotTheSend) {
  EXPECT_EQ(LatencyFromSchedule(10 * kMs, 10 * kMs + 50 * kUs), 50 * kUs);
  // Sent 30 ms late, answered 50 µs after the send: the caller waited 30.05 ms.
  EXPECT_EQ(LatencyFromSchedule(10 * kMs, 40 * kMs + 50 * kUs), 30 * kMs + 50 * kUs);
  EXPECT_EQ(LatencyFromSchedule(10 * kMs, 9 * kMs), 0);
}

// The generator itself stops for 100 ms at t = 1 s (say, descheduled) and
// then sends everything that fell due meanwhile at once, to a target that
// answers instantly. Every request due in the stall saw the stall's rest.
TEST(RequestStatsTest, AGeneratorStallOf100MsAt1000RpsShowsAs100LateSamplesFrom100MsDownTo0) {
  const OpenLoopSchedule schedule(1000);
  RequestStats stats(/*record_from=*/0, /*late_threshold=*/1 * kMs);
  const Nanos stall_start = 1000 * kMs;
  const Nanos stall_end = 1100 * kMs;
  std::vector<Nanos> stalled_latencies;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const Nanos due = schedule.Due(i);
    const Nanos sent = due >= stall_start && due < stall_end ? stall_end : due;
    const RequestTiming timing{.scheduled = due, .sent = sent, .done = sent};
    stats.Record(timing, RequestOutcome::kResponse, 200);
    if (sent != due) {
      stalled_latencies.push_back(LatencyFromSchedule(due, timing.done));
    }
  }
  // 100 requests were due in the stall, waiting 100, 99, ..., 1 ms.
  ASSERT_EQ(stalled_latencies.size(), 100u);
  EXPECT_EQ(stalled_latencies.front(), 100 * kMs);
  EXPECT_EQ(stalled_latencies.back(), 1 * kMs);
  for (std::size_t k = 0; k < stalled_latencies.size(); ++k) {
    EXPECT_EQ(stalled_latencies[k], static_cast<Nanos>(100 - k) * kMs);
  }
  // Late means more than 1 ms: all but the last one.
  EXPECT_EQ(stats.late(), 99u);
  EXPECT_EQ(stats.ok(), 2000u);
  EXPECT_EQ(stats.latency().max(), 100 * kMs);
  // 5 % of the samples are the stall: p99 (rank 1980 of 2000) is 80 ms ...
  const double tolerance = stats.latency().relative_error();
  EXPECT_NEAR(stats.latency().ValueAtPercentile(99), 80 * kMs, 80 * kMs * tolerance);
  EXPECT_NEAR(stats.latency().ValueAtPercentile(99.9), 98 * kMs, 98 * kMs * tolerance);
  EXPECT_EQ(stats.latency().ValueAtPercentile(90), 0);
  // ... while a tool timing from the send saw nothing at all: the omission.
  EXPECT_EQ(stats.service().max(), 0);
  EXPECT_EQ(stats.send_delay().max(), 100 * kMs);
}

// The target stalls instead: one connection, 50 µs answers, but a request
// arriving in [1.0 s, 1.1 s) is answered at 1.1 s. The requests due meanwhile
// queue for the connection and go out late, back to back, until it catches up.
TEST(RequestStatsTest, ATargetStallQueuesRequestsAndEachCountsFromItsSchedule) {
  const OpenLoopSchedule schedule(1000);
  RequestStats stats(0, 1 * kMs);
  const Nanos service = 50 * kUs;
  Nanos free_at = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const Nanos due = schedule.Due(i);
    const Nanos sent = std::max(due, free_at);
    const Nanos done = sent >= 1000 * kMs && sent < 1100 * kMs ? 1100 * kMs + service : sent + service;
    stats.Record({.scheduled = due, .sent = sent, .done = done}, RequestOutcome::kResponse, 200);
    free_at = done;
  }
  // Request k after the stall's start goes at 1100.05 + (k-1) * 0.05 ms, late by
  // 100 - 0.95 k ms: more than 1 ms for k = 1..104.
  EXPECT_EQ(stats.late(), 104u);
  EXPECT_EQ(stats.latency().max(), 100 * kMs + service);
  EXPECT_GT(stats.latency().ValueAtPercentile(99), 75 * kMs);
  // Timed from the send, only the one request caught in the stall is slow.
  EXPECT_EQ(stats.service().max(), 100 * kMs + service);
  EXPECT_NEAR(stats.service().ValueAtPercentile(99.9), service, service * stats.service().relative_error());
}

TEST(RequestStatsTest, WarmupIsNotRecorded) {
  RequestStats stats(/*record_from=*/2 * kNanosPerSecond, 1 * kMs);
  stats.Record({.scheduled = 1 * kNanosPerSecond, .sent = 1500 * kMs, .done = 1600 * kMs}, RequestOutcome::kResponse,
               200);
  stats.Record({.scheduled = 1 * kNanosPerSecond, .sent = 1 * kNanosPerSecond, .done = 3 * kNanosPerSecond},
               RequestOutcome::kTransportError, 0);
  stats.RecordUnfinished(1 * kNanosPerSecond);
  EXPECT_EQ(stats.finished(), 0u);
  EXPECT_EQ(stats.late(), 0u);
  EXPECT_EQ(stats.unfinished(), 0u);
  stats.Record({.scheduled = 2 * kNanosPerSecond, .sent = 2 * kNanosPerSecond, .done = 2001 * kMs},
               RequestOutcome::kResponse, 200);
  EXPECT_EQ(stats.ok(), 1u);
  EXPECT_EQ(stats.last_done(), 2001 * kMs);
}

TEST(RequestStatsTest, ErrorsAndNon2xxAreCountedNeverTimed) {
  RequestStats stats(0, 1 * kMs);
  const RequestTiming timing{.scheduled = 0, .sent = 5 * kMs, .done = 6 * kMs};
  stats.Record(timing, RequestOutcome::kResponse, 503);
  stats.Record(timing, RequestOutcome::kResponse, 503);
  stats.Record(timing, RequestOutcome::kResponse, 429);
  stats.Record(timing, RequestOutcome::kTransportError, 0);
  stats.Record(timing, RequestOutcome::kTimeout, 0);
  stats.Record(timing, RequestOutcome::kResponse, 204);
  stats.RecordUnfinished(7 * kMs);
  EXPECT_EQ(stats.ok(), 1u);
  EXPECT_EQ(stats.latency().count(), 1u);
  EXPECT_EQ(stats.non_2xx(), 3u);
  EXPECT_EQ(stats.statuses(), (std::map<int, std::uint64_t>{{429, 1}, {503, 2}}));
  EXPECT_EQ(stats.transport_errors(), 2u);
  EXPECT_EQ(stats.timeouts(), 1u);
  EXPECT_EQ(stats.unfinished(), 1u);
  EXPECT_EQ(stats.finished(), 6u);
  EXPECT_EQ(stats.late(), 6u);  // all were sent 5 ms after their time
}

}  // namespace
}  // namespace strata::loadgen

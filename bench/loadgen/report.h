#pragma once

#include <cstdint>
#include <string>

#include "loadgen/options.h"
#include "loadgen/schedule.h"
#include "loadgen/stream_stats.h"

namespace strata::loadgen {

// The summary of one histogram, in microseconds.
struct Percentiles {
  std::uint64_t count = 0;
  double min = 0, mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};
// `histogram` holds nanoseconds.
Percentiles SummarizeMicros(const Histogram& histogram);

// What a request run reports beyond its stats.
struct RequestRunInfo {
  bool open_loop = false;
  int connections = 0;
};

// Requests per second answered 2xx over the measured window: from the end of
// the warm-up to the later of its planned end and the last answer.
double AchievedRate(const Options& options, const RequestStats& stats);

// One JSON object on one line (latencies in µs), and the human lines.
std::string RequestReportJson(const Options& options, const RequestRunInfo& info, const RequestStats& stats);
std::string RequestReportText(const Options& options, const RequestRunInfo& info, const RequestStats& stats);

// What a stream run reports beyond its stats. RSS values are -1 when not sampled.
struct StreamRunInfo {
  std::uint64_t peak_concurrent = 0;  // streams that had their first event and were still open
  long rss_before_kib = -1;           // the --rss-pid process before the first stream
  long rss_peak_kib = -1;             // and its largest RSS during the run
};

std::string StreamReportJson(const Options& options, const StreamRunInfo& info, const StreamStats& stats);
std::string StreamReportText(const Options& options, const StreamRunInfo& info, const StreamStats& stats);

}  // namespace strata::loadgen

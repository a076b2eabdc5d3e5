#pragma once

#include <string>

#include "loadgen/request.h"

namespace strata::loadgen {

// Everything a run is told on the command line (main.cc documents each flag).
struct Options {
  RequestSpec request;
  std::string url;  // as given, for the report

  // Request mode.
  double rate = 0;          // requests/s; 0: closed loop
  double duration_s = 10;   // measured seconds, after the warm-up
  double warmup_s = 0;      // seconds of load before measuring
  int connections = 0;      // keep-alive connections; 0: 1 closed loop, 16 open loop
  double late_threshold_ms = 1;
  double spin_us = 50;      // open loop: poll instead of sleeping this close to a due time

  // Stream mode (when streams > 0).
  int streams = 0;
  double stream_duration_s = 10;  // each stream is held this long, from its send
  double ramp_s = 1;              // stream starts are spread evenly over this
  int threads = 1;                // io threads for streams
  int rss_pid = 0;                // sample this process's RSS (the target's)

  double timeout_s = 10;  // per request; per connect; to the first event
  bool json = false;
};

}  // namespace strata::loadgen

#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "loadgen/options.h"
#include "loadgen/report.h"
#include "loadgen/schedule.h"

namespace strata::loadgen {

// Runs request mode on the calling thread (one io_context) and returns when
// every request of the run has finished or was given up on.
//
// Open loop (options.rate > 0): request i is due at t0 + i / rate. Each
// connection, when free, claims the next request of the schedule and sends
// it at its due time, or at once if that has passed because every connection
// was busy (then it is late, and its latency still counts from its due time).
// After the last due time the run waits up to --timeout for requests in
// flight; what is not finished then is "unfinished".
// Closed loop (rate 0): each connection sends its next request as soon as
// the previous answer is in, until the run's time is up.
//
// Connections are opened before t0 (so the first requests do not pay for
// them), use TCP_NODELAY and keep-alive, and are reopened after an error or
// a `Connection: close`. A request that fails on a reused connection before
// any byte of its answer came back is retried once on a fresh one, as HTTP
// clients do when a server closed an idle connection.
RequestStats RunRequestLoad(const Options& options, const boost::asio::ip::tcp::resolver::results_type& endpoints,
                            RequestRunInfo& info);

}  // namespace strata::loadgen

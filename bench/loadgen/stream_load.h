#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "loadgen/options.h"
#include "loadgen/report.h"
#include "loadgen/stream_stats.h"

namespace strata::loadgen {

// Runs stream mode: options.streams requests, each on its own connection,
// started evenly over --ramp and spread over --threads io threads (one
// io_context each). Each stream reads its event stream as it arrives until
// --stream-duration after its send (then it is closed: "held") or until the
// server ends it ("completed early"). Connect, header and first event each
// have --timeout. With --rss-pid, that process's RSS is sampled every 100 ms.
// Returns when every stream has ended.
StreamStats RunStreamLoad(const Options& options, const boost::asio::ip::tcp::resolver::results_type& endpoints,
                          StreamRunInfo& info);

}  // namespace strata::loadgen
